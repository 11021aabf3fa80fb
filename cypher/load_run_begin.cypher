// Starts loading one run folder: its Run node, marked incomplete until load_run_end.
// $run_id is a digest of the run's run.json and clusters.csv; $dataset names the dataset
// the run belongs to (the graph holds one); the rest is from run.json.
MERGE (r:Run {run_id: $run_id})
SET r.dataset = $dataset,
    r.started_at = datetime($started_at),
    r.input = $input,
    r.engine_version = $engine_version,
    r.accounts = $accounts,
    r.requests = $requests,
    r.clusters = $clusters,
    r.flagged_clusters = $flagged_clusters,
    r.complete = false
