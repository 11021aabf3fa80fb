// Removes clusters the run no longer has (with their attributions).
// $run_id: the run being loaded.
MATCH (c:Cluster)
WHERE c.run IS NULL OR c.run <> $run_id
CALL (c) {
  DETACH DELETE c
} IN TRANSACTIONS OF 1000 ROWS
