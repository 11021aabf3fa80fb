"""The project's own Neo4j server (linkage.neo4j_server) against the real thing.

`make test` starts the server before pytest and stops it afterwards; run alone, these
tests start it themselves (and stop it again).
"""

import socket
import urllib.request

import pytest

from linkage import neo4j_server
from linkage.neo4j_server import ServerInfo

neo4j = pytest.importorskip("neo4j")


@pytest.mark.neo4j
def test_bolt_answers_with_the_stored_password(server: ServerInfo) -> None:
    assert server.uri == "bolt://127.0.0.1:7687"
    assert server.user == "neo4j"
    assert len(server.password) >= 16
    with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
        driver.verify_connectivity()
        records, _, _ = driver.execute_query("RETURN 1 + 1 AS two")
        assert records[0]["two"] == 2
        components, _, _ = driver.execute_query(
            "CALL dbms.components() YIELD versions, edition RETURN versions[0] AS v, edition"
        )
        assert components[0]["v"].startswith("5.26.")
        assert components[0]["edition"] == "community"


@pytest.mark.neo4j
def test_a_wrong_password_is_rejected(server: ServerInfo) -> None:
    with (
        neo4j.GraphDatabase.driver(server.uri, auth=(server.user, "not-the-password")) as driver,
        pytest.raises(neo4j.exceptions.AuthError),
    ):
        driver.verify_connectivity()


@pytest.mark.neo4j
def test_the_browser_is_served_over_http(server: ServerInfo) -> None:
    assert server.http_url == "http://127.0.0.1:7474/"
    with urllib.request.urlopen(server.http_url + "browser/", timeout=10) as response:
        assert response.status == 200
        assert b"Neo4j Browser" in response.read()


@pytest.mark.neo4j
def test_apoc_core_is_loaded(server: ServerInfo) -> None:
    with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
        records, _, _ = driver.execute_query("RETURN apoc.coll.sum([1, 2, 3]) AS total")
        assert records[0]["total"] == 6


@pytest.mark.neo4j
def test_status_start_and_settings_agree(
    server: ServerInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("LINKAGE_NEO4J_URI", "LINKAGE_NEO4J_USER", "LINKAGE_NEO4J_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    assert neo4j_server.status() == server
    assert neo4j_server.start() == server  # already running: no second server
    assert neo4j_server.connection_settings() == (server.uri, server.user, server.password)
    assert server.password not in repr(server)


def _non_loopback_addresses() -> list[str]:
    """IPv4 addresses of this machine other than 127.x (sends no packet)."""
    addresses: set[str] = set()
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            addresses.add(str(info[4][0]))
    except OSError:
        pass
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # UDP connect only picks the outgoing address
            addresses.add(probe.getsockname()[0])
    except OSError:
        pass
    return sorted(a for a in addresses if not a.startswith("127.") and a != "0.0.0.0")


@pytest.mark.neo4j
def test_only_loopback_is_listened_on(server: ServerInfo) -> None:
    outside = _non_loopback_addresses()
    if not outside:
        pytest.skip("this machine has no non-loopback IPv4 address to try")
    for address in outside:
        for port in (7687, 7474):
            with pytest.raises(OSError):
                socket.create_connection((address, port), timeout=2).close()


def test_environment_overrides_connection_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINKAGE_NEO4J_URI", "bolt://db.example:7777")
    monkeypatch.setenv("LINKAGE_NEO4J_USER", "alice")
    monkeypatch.setenv("LINKAGE_NEO4J_PASSWORD", "secret")
    assert neo4j_server.connection_settings() == ("bolt://db.example:7777", "alice", "secret")
