"""The test suite's own Neo4j server: its own state folder, ports and password.

The tests clear and rebuild the database they use, so they never use the user's server
(``.neo4j``, ports 7687 and 7474): ``tests/conftest.py`` calls :func:`use_test_server`
before any test runs, which points ``linkage.graphdb.server`` (and every process the
tests start) at ``.neo4j-test`` on ports 17687 and 17474, and drops the
LINKAGE_NEO4J_URI/USER/PASSWORD overrides. A user's running server is left alone.

``make test`` starts and stops that server with this file::

    .venv/bin/python tests/integration/neo4j_test_home.py start    # or stop, status

LINKAGE_TEST_NEO4J_HOME, LINKAGE_TEST_NEO4J_BOLT_PORT and LINKAGE_TEST_NEO4J_HTTP_PORT
move it elsewhere.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOME = Path(os.environ.get("LINKAGE_TEST_NEO4J_HOME") or ROOT / ".neo4j-test").resolve()
BOLT_PORT = int(os.environ.get("LINKAGE_TEST_NEO4J_BOLT_PORT") or 17687)
HTTP_PORT = int(os.environ.get("LINKAGE_TEST_NEO4J_HTTP_PORT") or 17474)
USER_PORTS = (7687, 7474)


def use_test_server() -> None:
    """Point the server module, and child processes, at the test server only."""
    from linkage.graphdb.resources import default_state_dir

    if default_state_dir().resolve() == HOME or {BOLT_PORT, HTTP_PORT} & set(USER_PORTS):
        raise SystemExit(
            f"the test Neo4j server must not be the user's: {HOME} on {BOLT_PORT}/{HTTP_PORT}"
        )
    os.environ["LINKAGE_NEO4J_HOME"] = str(HOME)
    os.environ["LINKAGE_NEO4J_BOLT_PORT"] = str(BOLT_PORT)
    os.environ["LINKAGE_NEO4J_HTTP_PORT"] = str(HTTP_PORT)
    for name in ("LINKAGE_NEO4J_URI", "LINKAGE_NEO4J_USER", "LINKAGE_NEO4J_PASSWORD"):
        os.environ.pop(name, None)


def main(argv: list[str]) -> int:
    """start, stop or status of the test server (for the Makefile)."""
    use_test_server()
    from linkage.errors import LinkageError
    from linkage.graphdb import server

    command = argv[0] if argv else ""
    try:
        if command == "start":
            server.install()
            info = server.start()
            print(f"test Neo4j running (pid {info.pid}): {info.uri}, home {HOME}")
        elif command == "stop":
            print("test Neo4j stopped" if server.stop() else "test Neo4j was not running")
        elif command == "status":
            running = server.status()
            print(f"test Neo4j running: {running.uri}" if running else "test Neo4j not running")
        else:
            print("usage: neo4j_test_home.py start|stop|status", file=sys.stderr)
            return 2
    except LinkageError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
