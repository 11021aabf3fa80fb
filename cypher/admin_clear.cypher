// Deletes every node and relationship of the database (constraints and indexes stay).
MATCH (n)
CALL (n) {
  DETACH DELETE n
} IN TRANSACTIONS OF 10000 ROWS
