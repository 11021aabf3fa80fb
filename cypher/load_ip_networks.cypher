// Which networks each IP address lies in: its /24 (IPv6 /48) subnet and its
// longest-prefix ip_intel block. $rows: address, cidr.
UNWIND $rows AS row
MATCH (ip:IP {address: row.address})
MERGE (n:Network {cidr: row.cidr})
MERGE (ip)-[:IN_NETWORK]->(n)
