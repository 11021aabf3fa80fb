"""Neo4j: the local server the project fetches and runs (``server``) and the graph store
(``store``, the only module that imports the ``neo4j`` driver)."""
