// Removes memberships the run did not produce: accounts that moved to another cluster,
// left every cluster, or were not in the run at all. $run_id: the run being loaded.
MATCH ()-[m:MEMBER_OF]->()
WHERE m.run IS NULL OR m.run <> $run_id
CALL (m) {
  DELETE m
} IN TRANSACTIONS OF 10000 ROWS
