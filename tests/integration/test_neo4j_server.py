"""The project's own Neo4j server (linkage.graphdb.server) against the real thing.

The tests run the suite's own server (``.neo4j-test``, ports 17687/17474; see
``neo4j_test_home.py``): `make test` starts it before pytest and stops it afterwards; run
alone, these tests start it themselves (and stop it again). The tests without the
``neo4j`` mark need no server.
"""

import ipaddress
import shutil
import subprocess
import urllib.request
from pathlib import Path

import neo4j
import pytest

from integration import neo4j_test_home
from linkage.errors import Neo4jServerError
from linkage.graphdb import install as server_install
from linkage.graphdb import server as neo4j_server
from linkage.graphdb.home import Layout, server_layout
from linkage.graphdb.resources import default_state_dir
from linkage.graphdb.server import ServerInfo


@pytest.mark.neo4j
def test_bolt_answers_with_the_stored_password(server: ServerInfo) -> None:
    assert server.uri == f"bolt://127.0.0.1:{neo4j_test_home.BOLT_PORT}"
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
    assert server.http_url == f"http://127.0.0.1:{neo4j_test_home.HTTP_PORT}/"
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
    for port in (neo4j_test_home.BOLT_PORT, neo4j_test_home.HTTP_PORT):
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


@pytest.mark.neo4j
def test_the_tests_run_a_server_of_their_own_not_the_users(server: ServerInfo) -> None:
    home = neo4j_server.state_dir()
    assert home == neo4j_test_home.HOME != default_state_dir()
    assert neo4j_server.connection_settings()[0] == server.uri
    assert not {neo4j_test_home.BOLT_PORT, neo4j_test_home.HTTP_PORT} & {7687, 7474}
    running = neo4j_server.status()
    assert running is not None and running.password == (home / "password").read_text().strip()
    assert f"--home-dir={home / 'home'}" in Path(f"/proc/{running.pid}/cmdline").read_text()


@pytest.mark.neo4j
def test_the_initial_password_is_never_on_a_command_line(
    server: ServerInfo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a fresh server home that borrows the test server's jars
    installed = server_layout()
    state = tmp_path / "state"
    layout = Layout(root=installed.root, state=state, home=state / "home")
    layout.home.mkdir(parents=True)
    (layout.home / "lib").symlink_to(installed.home / "lib")
    shutil.copytree(installed.conf_dir, layout.conf_dir)
    commands: list[list[str]] = []
    real_run = subprocess.run

    def spy(command: list[str], *args: object, **kwargs: object) -> object:
        commands.append([str(part) for part in command])
        return real_run(command, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(server_install.subprocess, "run", spy)
    password = 'two words "quoted" back\\slash #hash @at'
    java, _ = server_install.find_java()
    server_install._set_initial_password(layout, java, password)
    assert len(commands) == 1
    assert not any(word in part for part in commands[0] for word in ("words", "quoted", "#hash"))
    assert any(part.startswith("@") for part in commands[0])  # an argument file instead
    assert not list(state.glob(".initial-password-*")), "the argument file is deleted"
    auth = layout.home / "data" / "dbms" / "auth.ini"
    assert server_install._auth_file_holds(auth, password)
    assert not server_install._auth_file_holds(auth, "two words")


def test_ports_come_from_the_environment_then_the_homes_ports_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKAGE_NEO4J_HOME", str(tmp_path))
    monkeypatch.setenv("LINKAGE_NEO4J_PASSWORD", "x")
    monkeypatch.delenv("LINKAGE_NEO4J_BOLT_PORT")
    monkeypatch.delenv("LINKAGE_NEO4J_HTTP_PORT")
    assert neo4j_server.connection_settings()[0] == "bolt://127.0.0.1:7687"
    (tmp_path / "ports").write_text("bolt=12345\nhttp=12346\n")
    assert neo4j_server.connection_settings()[0] == "bolt://127.0.0.1:12345"
    assert neo4j_server.is_local_uri("bolt://localhost:12345")
    assert not neo4j_server.is_local_uri("bolt://127.0.0.1:7687")
    assert not neo4j_server.is_local_uri("bolt://db.example:12345")
    monkeypatch.setenv("LINKAGE_NEO4J_BOLT_PORT", "23456")
    assert neo4j_server.connection_settings()[0] == "bolt://127.0.0.1:23456"
    monkeypatch.setenv("LINKAGE_NEO4J_BOLT_PORT", "99999")
    with pytest.raises(Neo4jServerError, match="LINKAGE_NEO4J_BOLT_PORT='99999' is not a TCP"):
        neo4j_server.connection_settings()


def test_installing_writes_the_ports_into_the_homes_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINKAGE_NEO4J_HOME", str(tmp_path))
    monkeypatch.setenv("LINKAGE_NEO4J_BOLT_PORT", "23456")
    monkeypatch.setenv("LINKAGE_NEO4J_HTTP_PORT", "23457")
    layout = server_layout()
    layout.conf_dir.mkdir(parents=True)
    server_install._copy_conf(layout)
    monkeypatch.delenv("LINKAGE_NEO4J_BOLT_PORT")
    monkeypatch.delenv("LINKAGE_NEO4J_HTTP_PORT")
    server_install._copy_conf(layout)  # a later install, without the variables
    lines = layout.conf_file.read_text().splitlines()
    assert [line for line in lines if "listen_address=" in line and "default" not in line] == [
        "server.bolt.listen_address=127.0.0.1:23456",
        "server.http.listen_address=127.0.0.1:23457",
    ]
    assert (tmp_path / "ports").read_text() == "bolt=23456\nhttp=23457\n"
