"""The project's own Neo4j server (linkage.graphdb.server) against the real thing.

`make test` starts the server before pytest and stops it afterwards; run alone, these
tests start it themselves (and stop it again).
"""

import ipaddress
import urllib.request
from pathlib import Path

import pytest

from linkage.graphdb import server as neo4j_server
from linkage.graphdb.server import ServerInfo

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
    # another test file may have restarted the server (new pid) since the fixture ran
    running = neo4j_server.status()
    assert running is not None
    assert running.uri == server.uri and running.password == server.password
    assert neo4j_server.start() == running  # already running: no second server
    assert neo4j_server.connection_settings() == (server.uri, server.user, server.password)
    assert server.password not in repr(server)


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a TCP socket listening on ``port``, read from /proc (no traffic)."""
    found: set[str] = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state = fields[1], fields[3]
            address_hex, port_hex = local.split(":")
            if state != "0A" or int(port_hex, 16) != port or len(address_hex) != width:
                continue
            raw = bytes.fromhex(address_hex)
            # /proc prints each 32-bit word in host (little-endian) order
            words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            found.add(str(ipaddress.ip_address(words)))
    return found


@pytest.mark.neo4j
def test_only_loopback_is_listened_on(server: ServerInfo) -> None:
    for port in (7687, 7474):
        listening = _listening_addresses(port)
        assert listening, f"nothing listens on {port}"
        assert all(_is_loopback(address) for address in listening), listening


def _is_loopback(address: str) -> bool:
    parsed = ipaddress.ip_address(address)
    mapped = getattr(parsed, "ipv4_mapped", None)  # ::ffff:127.0.0.1 is IPv4 loopback
    return (mapped or parsed).is_loopback


def test_environment_overrides_connection_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINKAGE_NEO4J_URI", "bolt://db.example:7777")
    monkeypatch.setenv("LINKAGE_NEO4J_USER", "alice")
    monkeypatch.setenv("LINKAGE_NEO4J_PASSWORD", "secret")
    assert neo4j_server.connection_settings() == ("bolt://db.example:7777", "alice", "secret")
