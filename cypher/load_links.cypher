// Account links (graph/links.parquet), account_a < account_b, with the evidence behind each.
// $rows: account_a, account_b, evidence (map: strength, shared, payment_shared, ip_shared, ...).
UNWIND $rows AS row
MATCH (a:Account {account_id: row.account_a})
MATCH (b:Account {account_id: row.account_b})
MERGE (a)-[l:LINKED_TO]->(b)
SET l += row.evidence,
    l.run = $run_id
