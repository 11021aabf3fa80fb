// The datasets the graph holds (one, normally): those of its Run nodes (a run loaded
// before datasets were recorded counts by its input folder), and whether any other node
// exists (nodes without a Run node belong to no known dataset).
OPTIONAL MATCH (r:Run)
WITH collect(DISTINCT coalesce(r.dataset, r.input, r.run_id)) AS datasets
RETURN datasets, EXISTS { MATCH (n) WHERE NOT n:Run } AS has_nodes
