// Relationships from accounts to the attributes of one kind they hold
// (graph/account_attributes.parquet), stamped with the run.
// __LABEL__, __KEY__ and __REL__ are filled from graph_store.ATTRIBUTE_KINDS, an allow-list.
// $rows: account_id, value, uses, first_seen, last_seen (ISO text), weights (map of the
// incidence table's other numbers: contribution, the evidence weight of the attribute after
// base-rate down-weighting, and usage_share, the share of the account's requests using it).
UNWIND $rows AS row
MATCH (a:Account {account_id: row.account_id})
MATCH (x:__LABEL__ {__KEY__: row.value})
MERGE (a)-[r:__REL__]->(x)
SET r.uses = row.uses,
    r.first_seen = datetime(row.first_seen),
    r.last_seen = datetime(row.last_seen),
    r += row.weights,
    r.run = $run_id
