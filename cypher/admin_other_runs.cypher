// How many runs other than $run_id were ever loaded into this database (if none, no
// relationship can be stale and the loader skips load_prune_account_edges).
MATCH (r:Run)
WHERE r.run_id <> $run_id
RETURN count(r) AS n
