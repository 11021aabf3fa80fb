// cluster_members: a cluster's accounts and the evidence that ties each one to the others.
// Answers: who are the heads of this hydra; for each, how many links it has inside the
// cluster and how strong the strongest is; how many payment methods, IPs, /24 networks,
// templates and other attributes (emails, billing names, API keys, client strings, email
// domains, prompt families) it shares with other members; the three weightiest of those; and which
// attribution indicators matched it.
// @param cluster_id string  the cluster's id, as in clusters.csv (HC-...)
MATCH (c:Cluster {cluster_id: $cluster_id})<-[:MEMBER_OF]-(a:Account)
CALL (a, c) {
  OPTIONAL MATCH (a)-[l:LINKED_TO]-(:Account)-[:MEMBER_OF]->(c)
  RETURN count(l) AS links, max(l.strength) AS strongest_link
}
CALL (a, c) {
  OPTIONAL MATCH (a)-[r:PAID_WITH|HAS_EMAIL|BILLED_AS|USED_KEY|USED_IP|USED_NETWORK|SENT_TEMPLATE|USED_CLIENT|HAS_EMAIL_DOMAIN|SENT_FAMILY]->(x)
  WHERE EXISTS { (x)<--(b:Account)-[:MEMBER_OF]->(c) WHERE b <> a }
  WITH type(r) AS kind, x, r
  ORDER BY r.contribution DESC, kind
  RETURN count(x) AS shared,
         sum(CASE kind WHEN 'PAID_WITH' THEN 1 ELSE 0 END) AS payment_methods,
         sum(CASE kind WHEN 'USED_IP' THEN 1 ELSE 0 END) AS ips,
         sum(CASE kind WHEN 'USED_NETWORK' THEN 1 ELSE 0 END) AS networks,
         sum(CASE kind WHEN 'SENT_TEMPLATE' THEN 1 ELSE 0 END) AS templates,
         collect(head(labels(x)) + ' ' + coalesce(x.fingerprint, x.address, x.cidr, x.template_id, x.family_id, x.key_id, x.name, x.domain, x.value))[..3] AS top_evidence
}
CALL (a) {
  OPTIONAL MATCH (i:Indicator)-[:MATCHED]->(a)
  OPTIONAL MATCH (i)-[:BELONGS_TO]->(o:Organization)
  RETURN collect(DISTINCT i.type + '=' + i.value + ' (' + o.name + ')') AS indicators
}
RETURN a.account_id AS account_id,
       date(a.created_at) AS created,
       a.email AS email,
       links,
       strongest_link,
       payment_methods,
       ips,
       networks,
       templates,
       shared - payment_methods - ips - networks - templates AS other_shared,
       top_evidence,
       indicators
ORDER BY shared DESC, links DESC, account_id
