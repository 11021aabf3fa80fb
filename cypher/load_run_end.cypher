// Marks a run folder's load as complete (every step before it succeeded).
MATCH (r:Run {run_id: $run_id})
SET r.complete = true
