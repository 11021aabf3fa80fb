// Nodes of one attribute kind (distinct values of graph/account_attributes.parquet).
// __LABEL__ and __KEY__ are filled from graph_store.ATTRIBUTE_KINDS, an allow-list.
// $rows: value, accounts (how many accounts hold it), props (kind-specific properties,
// e.g. an IP's kind or a template's text).
UNWIND $rows AS row
MERGE (x:__LABEL__ {__KEY__: row.value})
SET x.accounts = row.accounts,
    x += row.props
