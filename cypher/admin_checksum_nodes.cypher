// Every node's labels and properties, for GraphStore.checksum().
MATCH (n)
RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props
