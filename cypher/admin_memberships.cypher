// Every cluster membership in the graph, with the cluster's flag, score and organisation
// (the graph's version of clusters.csv), for GraphStore.memberships().
MATCH (a:Account)-[:MEMBER_OF]->(c:Cluster)
RETURN a.account_id AS account_id,
       c.cluster_id AS cluster_id,
       c.hydra_score AS hydra_score,
       c.flagged AS flagged,
       c.organization AS organization,
       c.attribution_confidence AS attribution_confidence
ORDER BY cluster_id, account_id
