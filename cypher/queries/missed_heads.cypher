// missed_heads: accounts outside every flagged cluster that share a flagged campaign's
// infrastructure: payment methods, IPs, API keys, mailboxes, billing names, templates.
// Answers: which heads would the takedown miss, and which bystanders would an over-broad
// takedown hit? evidence is the engine's noisy-OR of the weights of what the account
// shares with the campaign, 1 - product(1 - weight): a shared card or key gives a high
// value (a missed head), one popular template or carrier-NAT address a low one (collateral).
// @param cluster_id string = ""  one flagged cluster, or "" for every flagged cluster
// @param min_evidence float = 0.0  leave out accounts with less evidence than this
// @param head_evidence float = 0.5  evidence from which an account reads as a likely missed head
// @param limit integer = 50  most accounts listed
MATCH (c:Cluster {flagged: true})
WHERE $cluster_id = '' OR c.cluster_id = $cluster_id
MATCH (c)<-[:MEMBER_OF]-(:Account)-[:PAID_WITH|USED_IP|USED_KEY|HAS_EMAIL|BILLED_AS|SENT_TEMPLATE]->(x)
WITH DISTINCT c, x
MATCH (x)<-[r:PAID_WITH|USED_IP|USED_KEY|HAS_EMAIL|BILLED_AS|SENT_TEMPLATE]-(o:Account)
WHERE NOT EXISTS { (o)-[:MEMBER_OF]->(:Cluster {flagged: true}) }
WITH c, o, type(r) AS kind, x, coalesce(r.contribution, 0.0) AS weight
ORDER BY weight DESC
WITH c, o,
     1.0 - reduce(keep = 1.0, w IN collect(weight) | keep * (1.0 - w)) AS evidence,
     sum(CASE kind WHEN 'PAID_WITH' THEN 1 ELSE 0 END) AS payment_methods,
     sum(CASE kind WHEN 'USED_IP' THEN 1 ELSE 0 END) AS ips,
     sum(CASE kind WHEN 'SENT_TEMPLATE' THEN 1 ELSE 0 END) AS templates,
     sum(CASE WHEN kind IN ['USED_KEY', 'HAS_EMAIL', 'BILLED_AS'] THEN 1 ELSE 0 END) AS keys_emails_names,
     collect(head(labels(x)) + ' ' + coalesce(x.fingerprint, x.address, x.template_id, x.key_id, x.name))[0] AS strongest
WHERE evidence >= $min_evidence
OPTIONAL MATCH (o)-[:MEMBER_OF]->(own:Cluster)
RETURN o.account_id AS account_id,
       c.cluster_id AS touches_cluster,
       c.organization AS organization,
       round(evidence, 4) AS evidence,
       CASE WHEN evidence >= $head_evidence THEN 'likely missed head' ELSE 'possible collateral' END AS reading,
       payment_methods,
       ips,
       templates,
       keys_emails_names,
       strongest,
       own.cluster_id AS own_cluster
ORDER BY evidence DESC, account_id, touches_cluster
LIMIT $limit
