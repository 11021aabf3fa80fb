"""The local Neo4j server's home: where its files are, its ports, how to reach it.

The server is the project's own Neo4j Community server (:mod:`linkage.graphdb.install`
makes it, :mod:`linkage.graphdb.server` starts and stops it)::

    .neo4j/                    (LINKAGE_NEO4J_HOME overrides this folder)
        password               generated on first install, used by connection_settings()
        ports                  Bolt and HTTP ports other than 7687 and 7474, if any were set
        neo4j.pid              pid of the running server
        maven.log              output of the last Maven run
        home/
            conf/              copied from neo4j/conf/ on every install()
            lib/ plugins/      jars fetched by Maven
            data/ logs/ ...    databases, debug.log, neo4j.log, console.log

The server listens on 127.0.0.1 only (Bolt 7687, HTTP 7474), with authentication on.
LINKAGE_NEO4J_BOLT_PORT and LINKAGE_NEO4J_HTTP_PORT give a server home other ports (the
test suite's own server uses them); install() keeps them in ``ports`` so that later
commands on that home find the server without the variables.
"""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from linkage.errors import Neo4jServerError
from linkage.graphdb.resources import default_state_dir, resource_dir

__all__ = [
    "DEFAULT_USER",
    "PORT_SETTINGS",
    "STAMP",
    "Layout",
    "conf_value",
    "connection_settings",
    "endpoints",
    "is_local_uri",
    "port_lines",
    "port_overrides",
    "read_conf",
    "read_conf_lines",
    "read_password",
    "server_layout",
    "state_dir",
]

DEFAULT_USER = "neo4j"
# Beside the jars, the digest of the pom that fetched them (a changed pom: fetch again).
STAMP = ".linkage-installed"
# Listen addresses that LINKAGE_NEO4J_BOLT_PORT / LINKAGE_NEO4J_HTTP_PORT (or the state
# folder's ports file) move to another port.
PORT_SETTINGS = {
    "bolt": ("LINKAGE_NEO4J_BOLT_PORT", "server.bolt.listen_address", 7687),
    "http": ("LINKAGE_NEO4J_HTTP_PORT", "server.http.listen_address", 7474),
}


@dataclass(frozen=True)
class Layout:
    """Paths of one installation."""

    root: Path  # the server recipe: neo4j/ (pom.xml and conf/) of the checkout or package
    state: Path  # .neo4j, or LINKAGE_NEO4J_HOME
    home: Path  # .neo4j/home, the Neo4j home directory

    @property
    def pom(self) -> Path:
        return self.root / "pom.xml"

    @property
    def conf_template(self) -> Path:
        return self.root / "conf"

    @property
    def conf_dir(self) -> Path:
        return self.home / "conf"

    @property
    def conf_file(self) -> Path:
        return self.conf_dir / "neo4j.conf"

    @property
    def password_file(self) -> Path:
        return self.state / "password"

    @property
    def ports_file(self) -> Path:
        return self.state / "ports"

    @property
    def pid_file(self) -> Path:
        return self.state / "neo4j.pid"

    @property
    def maven_log(self) -> Path:
        return self.state / "maven.log"

    @property
    def console_log(self) -> Path:
        return self.home / "logs" / "console.log"

    @property
    def stamp(self) -> Path:
        return self.home / "lib" / STAMP


def server_layout(project_root: Path | None = None) -> Layout:
    root = (project_root / "neo4j" if project_root else resource_dir("neo4j")).resolve()
    override = os.environ.get("LINKAGE_NEO4J_HOME")
    state = Path(override).expanduser().resolve() if override else default_state_dir()
    return Layout(root=root, state=state, home=state / "home")


# --------------------------------------------------------------------------- config


def read_conf_lines(lines: list[str]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for raw in lines:
        line = raw.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            pairs.append((key.strip(), value.strip()))
    return pairs


def read_conf(layout: Layout) -> list[tuple[str, str]]:
    """The key=value pairs of neo4j.conf (the installed copy, else the template), with the
    home's port overrides applied (so that they hold before the first install too)."""
    path = layout.conf_file if layout.conf_file.exists() else layout.conf_template / "neo4j.conf"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise Neo4jServerError(f"cannot read the Neo4j configuration {path}: {exc}") from exc
    pairs = read_conf_lines(lines)
    for key, value in port_lines(pairs, port_overrides(layout)).items():
        pairs.append((key, value))  # the last value of a key is the one that counts
    return pairs


def _port_number(text: str, where: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise Neo4jServerError(f"{where}={text!r} is not a TCP port: use a number 1-65535")
    return int(text)


def port_overrides(layout: Layout) -> dict[str, int]:
    """Ports that replace neo4j.conf's: the home's ports file, the environment on top."""
    ports: dict[str, int] = {}
    try:
        lines = layout.ports_file.read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    for line in lines:
        name, _, value = (part.strip() for part in line.partition("="))
        if name in PORT_SETTINGS and value:
            ports[name] = _port_number(value, f"{layout.ports_file}: {name}")
    for name, (variable, _, _) in PORT_SETTINGS.items():
        value = os.environ.get(variable, "").strip()
        if value:
            ports[name] = _port_number(value, variable)
    return ports


def port_lines(pairs: list[tuple[str, str]], ports: dict[str, int]) -> dict[str, str]:
    """neo4j.conf values for the overridden listen addresses (the conf's host, new port)."""
    lines: dict[str, str] = {}
    for name, port in sorted(ports.items()):
        _, key, default_port = PORT_SETTINGS[name]
        host = conf_value(pairs, key, f":{default_port}").rpartition(":")[0]
        lines[key] = f"{host or '127.0.0.1'}:{port}"
    return lines


def conf_value(pairs: list[tuple[str, str]], key: str, default: str) -> str:
    values = [value for k, value in pairs if k == key]
    return values[-1] if values else default


def _address(pairs: list[tuple[str, str]], key: str, default_port: int) -> tuple[str, int]:
    """Host and port of a connector's listen address (":7687" means the default host)."""
    default_host = conf_value(pairs, "server.default_listen_address", "127.0.0.1")
    value = conf_value(pairs, key, f":{default_port}")
    host, _, port = value.rpartition(":")
    host = host.strip("[]") or default_host
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"
    return host, int(port) if port else default_port


def endpoints(layout: Layout) -> tuple[tuple[str, int], tuple[str, int]]:
    pairs = read_conf(layout)
    bolt = _address(pairs, "server.bolt.listen_address", 7687)
    http = _address(pairs, "server.http.listen_address", 7474)
    return bolt, http


# ------------------------------------------------------------------------ connection


def read_password(layout: Layout) -> str:
    try:
        return layout.password_file.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def connection_settings() -> tuple[str, str, str]:
    """(uri, user, password) for the graph store.

    Defaults to the local server (``.neo4j/password``); the environment variables
    LINKAGE_NEO4J_URI, LINKAGE_NEO4J_USER and LINKAGE_NEO4J_PASSWORD override each part.

    Raises:
        Neo4jServerError: no password in the environment and none stored.
    """
    layout = server_layout()
    uri = os.environ.get("LINKAGE_NEO4J_URI")
    if not uri:
        (host, port), _ = endpoints(layout)
        uri = f"bolt://{host}:{port}"
    user = os.environ.get("LINKAGE_NEO4J_USER") or DEFAULT_USER
    password = os.environ.get("LINKAGE_NEO4J_PASSWORD")
    if password is None:
        password = read_password(layout)
        if not password:
            raise Neo4jServerError(
                f"no Neo4j password in {layout.password_file}: run `linkage neo4j install`, "
                "or set LINKAGE_NEO4J_PASSWORD"
            )
    return uri, user, password


def state_dir() -> Path:
    """The local server's state folder: ``.neo4j`` of the checkout, or LINKAGE_NEO4J_HOME."""
    return server_layout().state


def is_local_uri(uri: str) -> bool:
    """Whether ``uri`` addresses this home's server (its Bolt port on this machine)."""
    (_, bolt_port), _ = endpoints(server_layout())
    parts = urllib.parse.urlsplit(uri)
    host = (parts.hostname or "").lower()
    local = host == "localhost" or host.startswith("127.") or host in ("::1", "0:0:0:0:0:0:0:1")
    return local and (parts.port or 7687) == bolt_port
