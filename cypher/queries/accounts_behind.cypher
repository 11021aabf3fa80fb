// accounts_behind: every account behind one piece of infrastructure or one identity.
// Answers: who uses this payment method, IP address, network (a /24 subnet or an ip_intel
// block), ASN, prompt template, API key, client string, email domain, billing name or
// mailbox; how much and when; and in which cluster each account is (flagged first).
// Networks and ASNs are resolved through the IP addresses inside them.
// @param value string  a payment fingerprint, IP, CIDR, ASN (64500 or AS64500), template id, API key id, client string, email domain, billing name or email address
// @param limit integer = 500  most accounts listed
CALL () {
  MATCH (x:PaymentMethod {fingerprint: $value}) RETURN x
  UNION
  MATCH (x:IP {address: $value}) RETURN x
  UNION
  MATCH (x:Network {cidr: $value}) RETURN x
  UNION
  MATCH (x:ASN {number: toIntegerOrNull(replace(toUpper(trim($value)), 'AS', ''))}) RETURN x
  UNION
  MATCH (x:Template {template_id: $value}) RETURN x
  UNION
  MATCH (x:ApiKey {key_id: $value}) RETURN x
  UNION
  MATCH (x:UserAgent {value: $value}) RETURN x
  UNION
  MATCH (x:EmailDomain {domain: toLower(trim($value))}) RETURN x
  UNION
  MATCH (x:BillingName {name: toLower(trim($value))}) RETURN x
  UNION
  MATCH (x:Email {address: toLower(trim($value))}) RETURN x
}
CALL (x) {
  MATCH (a:Account)-[r:USED_IP]->(:IP)-[:IN_NETWORK|ANNOUNCED_BY*1..2]->(x)
  WHERE x:Network OR x:ASN
  RETURN a, r
  UNION
  MATCH (a:Account)-[r]->(x)
  WHERE NOT x:Network AND NOT x:ASN
  RETURN a, r
}
WITH x, a, collect(DISTINCT r) AS rels
UNWIND rels AS r
WITH x, a, sum(r.uses) AS uses, min(r.first_seen) AS first_seen, max(r.last_seen) AS last_seen,
     count(r) AS via_count, collect(DISTINCT type(r)) AS via
OPTIONAL MATCH (a)-[:MEMBER_OF]->(c:Cluster)
RETURN head(labels(x)) AS matched,
       a.account_id AS account_id,
       c.cluster_id AS cluster_id,
       coalesce(c.flagged, false) AS flagged,
       c.hydra_score AS hydra_score,
       via[0] + CASE WHEN via_count > 1 THEN ' x' + toString(via_count) ELSE '' END AS via,
       uses,
       first_seen,
       last_seen
ORDER BY flagged DESC, hydra_score DESC, uses DESC, account_id
LIMIT $limit
