// Clusters of the run (clusters.csv and campaigns.json), updated in place by cluster_id,
// and the organisation each is attributed to (an earlier attribution is replaced).
// $rows: cluster_id, hydra_score, flagged, organization, attribution_confidence,
// account_count, exchange_count, first_activity, last_activity (ISO text), still_active,
// link_strength, concealment, coordination, content, volume.
UNWIND $rows AS row
MERGE (c:Cluster {cluster_id: row.cluster_id})
SET c.hydra_score = row.hydra_score,
    c.flagged = row.flagged,
    c.organization = row.organization,
    c.attribution_confidence = row.attribution_confidence,
    c.account_count = row.account_count,
    c.exchange_count = row.exchange_count,
    c.first_activity = datetime(row.first_activity),
    c.last_activity = datetime(row.last_activity),
    c.still_active = row.still_active,
    c.link_strength = row.link_strength,
    c.concealment = row.concealment,
    c.coordination = row.coordination,
    c.content = row.content,
    c.volume = row.volume,
    c.run = $run_id
WITH c, row
CALL (c, row) {
  MATCH (c)-[old:ATTRIBUTED_TO]->(o:Organization)
  WHERE row.organization IS NULL OR o.name <> row.organization
  DELETE old
}
CALL (c, row) {
  WITH c, row
  WHERE row.organization IS NOT NULL
  MERGE (o:Organization {name: row.organization})
  MERGE (c)-[a:ATTRIBUTED_TO]->(o)
  SET a.confidence = row.attribution_confidence
}
