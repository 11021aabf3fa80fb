"""Fixtures shared by the test folders.

The tests are in four folders: ``unit/`` (hand-made frames and objects, no engine start,
no server), ``pipeline/`` (through the job, on generated or fixture data), ``quality/``
(detection-quality benchmarks with thresholds, marked ``slow``) and ``integration/``
(the real Neo4j server, marked ``neo4j``). A fixture used by one folder lives in that
folder's ``conftest.py``; this one holds what more than one folder uses.

Before any test runs, Neo4j is pointed at the suite's own server (``.neo4j-test`` on
ports 17687/17474, see ``integration/neo4j_test_home.py``): tests clear and rebuild the
database, so they must never reach the user's ``.neo4j`` server.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from integration.neo4j_test_home import use_test_server

from linkage.graphdb import server as neo4j_server
from linkage.graphdb.server import ServerInfo

# Before any test runs (the server module reads these settings when called, not imported).
use_test_server()


@pytest.fixture(scope="session")
def server() -> Iterator[ServerInfo]:
    """The tests' own running Neo4j server (integration/ and the Neo4j notebook test in
    pipeline/); started here (and stopped after) if `make test` did not start it."""
    info = neo4j_server.status()
    started_here = info is None
    if info is None:
        info = neo4j_server.start()
    yield info
    if started_here:
        neo4j_server.stop()
