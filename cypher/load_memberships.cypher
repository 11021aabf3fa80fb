// Cluster memberships of the run (clusters.csv), stamped with the run.
// $rows: account_id, cluster_id.
UNWIND $rows AS row
MATCH (a:Account {account_id: row.account_id})
MATCH (c:Cluster {cluster_id: row.cluster_id})
MERGE (a)-[m:MEMBER_OF]->(c)
SET m.run = $run_id
