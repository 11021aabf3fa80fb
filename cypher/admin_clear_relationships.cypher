// Deletes every relationship, 20,000 per transaction (before admin_clear, so that deleting
// a node with thousands of relationships never has to fit in one transaction).
MATCH ()-[r]->()
CALL (r) {
  DELETE r
} IN TRANSACTIONS OF 20000 ROWS
