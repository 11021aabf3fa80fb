// Which indicator matched which account, through which of the account's values
// (graph/indicator_matches.parquet). $rows: type, value, account_id, matched_value.
UNWIND $rows AS row
MATCH (i:Indicator {type: row.type, value: row.value})
MATCH (a:Account {account_id: row.account_id})
MERGE (i)-[m:MATCHED {matched_value: row.matched_value}]->(a)
SET m.run = $run_id
