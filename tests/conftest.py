"""Fixtures shared by the test files.

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
from linkage.jobs import run_detection as run
from linkage.run_model import Run
from linkage.settings import Settings
from linkage.synth import generate, write_dataset

# Before any test runs (the server module reads these settings when called, not imported).
use_test_server()


@pytest.fixture(scope="session")
def flagged_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """A small generated run with a low flag threshold, so several campaigns are flagged."""
    folder = tmp_path_factory.mktemp("generated")
    write_dataset(generate(seed=3, scale=0.2), folder)
    return run(folder, Settings.from_dict({"score": {"flag_threshold": 0.3}}))


@pytest.fixture(scope="session")
def server() -> Iterator[ServerInfo]:
    """The tests' own running Neo4j server; started here (and stopped after) if `make test`
    did not start it."""
    info = neo4j_server.status()
    started_here = info is None
    if info is None:
        info = neo4j_server.start()
    yield info
    if started_here:
        neo4j_server.stop()
