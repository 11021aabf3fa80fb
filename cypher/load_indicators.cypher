// Attribution indicators and the organisations they belong to.
// $rows: type, value, organization, confidence, source.
UNWIND $rows AS row
MERGE (i:Indicator {type: row.type, value: row.value})
MERGE (o:Organization {name: row.organization})
MERGE (i)-[b:BELONGS_TO]->(o)
SET b.confidence = row.confidence,
    b.source = row.source
