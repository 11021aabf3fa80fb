// For every account the run holds, removes the relationships an earlier run left that
// this run did not produce: attributes, links and indicator matches (the run is
// authoritative for its accounts). Needed only when another run was loaded before.
// $run_id: the run being loaded.
MATCH (a:Account {run: $run_id})-[r:PAID_WITH|HAS_EMAIL|BILLED_AS|USED_KEY|USED_IP|USED_NETWORK|SENT_TEMPLATE|USED_CLIENT|HAS_EMAIL_DOMAIN|SENT_FAMILY|LINKED_TO|MATCHED]-()
WHERE r.run IS NULL OR r.run <> $run_id
WITH DISTINCT r
CALL (r) {
  DELETE r
} IN TRANSACTIONS OF 10000 ROWS
