"""Fixtures shared by the test files."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from linkage import neo4j_server
from linkage.neo4j_server import ServerInfo


@pytest.fixture(scope="session")
def server() -> Iterator[ServerInfo]:
    """The running local Neo4j server; started here (and stopped after) if `make test` did not."""
    info = neo4j_server.status()
    started_here = info is None
    if info is None:
        info = neo4j_server.start()
    yield info
    if started_here:
        neo4j_server.stop()
