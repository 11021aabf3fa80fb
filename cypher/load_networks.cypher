// ip_intel blocks (graph/ip_intel.parquet) as Network nodes, and the ASN announcing each.
// $rows: cidr, prefix_len, kind, as_org, asn (integer or null).
UNWIND $rows AS row
MERGE (n:Network {cidr: row.cidr})
SET n.intel = true,
    n.prefix_len = row.prefix_len,
    n.kind = row.kind,
    n.as_org = row.as_org,
    n.asn = row.asn
WITH n, row
WHERE row.asn IS NOT NULL
MERGE (s:ASN {number: row.asn})
SET s.org = coalesce(row.as_org, s.org)
MERGE (n)-[:ANNOUNCED_BY]->(s)
