// Every relationship's type, end points and properties, for GraphStore.checksum().
MATCH (a)-[r]->(b)
RETURN elementId(a) AS start, elementId(b) AS end, type(r) AS type, properties(r) AS props
