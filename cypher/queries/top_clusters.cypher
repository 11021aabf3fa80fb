// top_clusters: the clusters most like a distillation campaign, highest hydra_score first.
// Answers: which hydras to look at first, how many heads and exchanges each has, when it
// was active, whether it is still active, and which organisation it is attributed to.
// @param limit integer = 20  how many clusters to list
// @param flagged_only boolean = false  list only the clusters flagged at the run's threshold
MATCH (c:Cluster)
WHERE c.flagged OR NOT $flagged_only
WITH c
ORDER BY c.hydra_score DESC, c.cluster_id
LIMIT $limit
RETURN c.cluster_id AS cluster_id,
       c.hydra_score AS hydra_score,
       c.flagged AS flagged,
       COUNT { (:Account)-[:MEMBER_OF]->(c) } AS accounts,
       c.exchange_count AS exchanges,
       c.organization AS organization,
       c.attribution_confidence AS confidence,
       date(c.first_activity) AS first_activity,
       date(c.last_activity) AS last_activity,
       c.still_active AS still_active
ORDER BY hydra_score DESC, cluster_id
