"""Install, start and stop the project's own Neo4j Community server.

The server is not downloaded from a vendor site: ``neo4j/pom.xml`` has Maven fetch the
Neo4j Community jars (and Neo4j Browser, and APOC core) from Maven Central into
``.neo4j/home/lib`` and ``.neo4j/home/plugins``, and this module lays out the rest of a
server home and runs ``org.neo4j.server.CommunityEntryPoint`` on a local JDK, much as
the tarball's ``bin/neo4j console`` would::

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
This module does not use the ``neo4j`` Python driver: readiness is checked on the raw
Bolt port and on the HTTP discovery endpoint.
"""

import hashlib
import os
import re
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from linkage.errors import Neo4jServerError
from linkage.graphdb.resources import default_state_dir, resource_dir

__all__ = [
    "ServerInfo",
    "connection_settings",
    "import_full",
    "install",
    "is_local_uri",
    "start",
    "state_dir",
    "status",
    "stop",
]

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
DEFAULT_USER = "neo4j"
# Java feature releases that Neo4j 5.x supports (5.26 LTS: Java 17 and 21).
SUPPORTED_JAVA = (17, 21)

_STAMP = ".linkage-installed"
# Listen addresses that LINKAGE_NEO4J_BOLT_PORT / LINKAGE_NEO4J_HTTP_PORT (or the state
# folder's ports file) move to another port.
_PORT_SETTINGS = {
    "bolt": ("LINKAGE_NEO4J_BOLT_PORT", "server.bolt.listen_address", 7687),
    "http": ("LINKAGE_NEO4J_HTTP_PORT", "server.http.listen_address", 7474),
}
_HOME_DIRS = ("conf", "data", "logs", "plugins", "import", "run")
_PASSWORD_ALPHABET = string.ascii_letters + string.digits
# Run by a short-lived intermediate Python so that the server is not a child of the
# caller (no zombie, no "still running" warning) and runs in a session of its own.
_SPAWN_CODE = (
    "import subprocess, sys\n"
    "p = subprocess.Popen(sys.argv[2:], start_new_session=True)\n"
    "open(sys.argv[1], 'w').write(f'{p.pid}\\n')\n"
)


@dataclass(frozen=True)
class ServerInfo:
    """How to reach the local Neo4j server (the password is left out of repr)."""

    uri: str
    user: str
    password: str = field(repr=False)
    http_url: str
    pid: int


@dataclass(frozen=True)
class _Layout:
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
        return self.home / "lib" / _STAMP


def _layout(project_root: Path | None = None) -> _Layout:
    root = (project_root / "neo4j" if project_root else resource_dir("neo4j")).resolve()
    override = os.environ.get("LINKAGE_NEO4J_HOME")
    state = Path(override).expanduser().resolve() if override else default_state_dir()
    return _Layout(root=root, state=state, home=state / "home")


# --------------------------------------------------------------------------- config


def _read_conf_lines(lines: list[str]) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for raw in lines:
        line = raw.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            pairs.append((key.strip(), value.strip()))
    return pairs


def _read_conf(layout: _Layout) -> list[tuple[str, str]]:
    """The key=value pairs of neo4j.conf (the installed copy, else the template), with the
    home's port overrides applied (so that they hold before the first install too)."""
    path = layout.conf_file if layout.conf_file.exists() else layout.conf_template / "neo4j.conf"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise Neo4jServerError(f"cannot read the Neo4j configuration {path}: {exc}") from exc
    pairs = _read_conf_lines(lines)
    for key, value in _port_lines(pairs, _port_overrides(layout)).items():
        pairs.append((key, value))  # the last value of a key is the one that counts
    return pairs


def _port_number(text: str, where: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise Neo4jServerError(f"{where}={text!r} is not a TCP port: use a number 1-65535")
    return int(text)


def _port_overrides(layout: _Layout) -> dict[str, int]:
    """Ports that replace neo4j.conf's: the home's ports file, the environment on top."""
    ports: dict[str, int] = {}
    try:
        lines = layout.ports_file.read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    for line in lines:
        name, _, value = (part.strip() for part in line.partition("="))
        if name in _PORT_SETTINGS and value:
            ports[name] = _port_number(value, f"{layout.ports_file}: {name}")
    for name, (variable, _, _) in _PORT_SETTINGS.items():
        value = os.environ.get(variable, "").strip()
        if value:
            ports[name] = _port_number(value, variable)
    return ports


def _port_lines(pairs: list[tuple[str, str]], ports: dict[str, int]) -> dict[str, str]:
    """neo4j.conf values for the overridden listen addresses (the conf's host, new port)."""
    lines: dict[str, str] = {}
    for name, port in sorted(ports.items()):
        _, key, default_port = _PORT_SETTINGS[name]
        host = _conf_value(pairs, key, f":{default_port}").rpartition(":")[0]
        lines[key] = f"{host or '127.0.0.1'}:{port}"
    return lines


def _conf_value(pairs: list[tuple[str, str]], key: str, default: str) -> str:
    values = [value for k, value in pairs if k == key]
    return values[-1] if values else default


def _address(pairs: list[tuple[str, str]], key: str, default_port: int) -> tuple[str, int]:
    """Host and port of a connector's listen address (":7687" means the default host)."""
    default_host = _conf_value(pairs, "server.default_listen_address", "127.0.0.1")
    value = _conf_value(pairs, key, f":{default_port}")
    host, _, port = value.rpartition(":")
    host = host.strip("[]") or default_host
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"
    return host, int(port) if port else default_port


def _endpoints(layout: _Layout) -> tuple[tuple[str, int], tuple[str, int]]:
    pairs = _read_conf(layout)
    bolt = _address(pairs, "server.bolt.listen_address", 7687)
    http = _address(pairs, "server.http.listen_address", 7474)
    return bolt, http


def _neo4j_version(layout: _Layout) -> str:
    try:
        text = layout.pom.read_text(encoding="utf-8")
    except OSError as exc:
        raise Neo4jServerError(
            f"cannot read {layout.pom} ({exc}); run from a full checkout of the project"
        ) from exc
    match = re.search(r"<neo4j\.version>\s*([^<\s]+)\s*</neo4j\.version>", text)
    if not match:
        raise Neo4jServerError(f"{layout.pom} does not set <neo4j.version>")
    return match.group(1)


# ----------------------------------------------------------------------------- java


def _java_major(java: Path) -> int | None:
    """Feature release of a java binary (17, 21, ...), or None if it cannot be told."""
    release = java.resolve().parent.parent / "release"
    try:
        match = re.search(r'^JAVA_VERSION="([^"]+)"', release.read_text(), re.MULTILINE)
    except OSError:
        match = None
    text = match.group(1) if match else None
    if text is None:
        try:
            out = subprocess.run(
                [str(java), "-version"], capture_output=True, text=True, timeout=30, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        found = re.search(r'version "([^"]+)"', out.stderr + out.stdout)
        text = found.group(1) if found else None
    if not text:
        return None
    head = text.split(".")[0]
    if head == "1" and "." in text:  # 1.8.0 style
        head = text.split(".")[1]
    return int(head) if head.isdigit() else None


def _find_java() -> tuple[Path, int]:
    """A java binary of a version that Neo4j 5 supports, and its feature release.

    Looks at LINKAGE_JAVA_HOME (which must then be right), JAVA_HOME, ``java`` on PATH,
    then the JDKs under /usr/lib/jvm.
    """
    want = " or ".join(str(v) for v in SUPPORTED_JAVA)
    explicit = os.environ.get("LINKAGE_JAVA_HOME")
    if explicit:
        java = Path(explicit).expanduser() / "bin" / "java"
        major = _java_major(java) if java.exists() else None
        if major not in SUPPORTED_JAVA:
            found = f"Java {major}" if major else "no usable java"
            raise Neo4jServerError(
                f"LINKAGE_JAVA_HOME={explicit} has {found}; Neo4j 5.26 needs Java {want}: "
                "point LINKAGE_JAVA_HOME at such a JDK or unset it"
            )
        return java, major

    candidates: list[Path] = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(Path(os.environ["JAVA_HOME"]).expanduser() / "bin" / "java")
    on_path = shutil.which("java")
    if on_path:
        candidates.append(Path(on_path))
    jvm_root = Path("/usr/lib/jvm")
    if jvm_root.is_dir():
        candidates.extend(sorted(jvm_root.glob("*/bin/java")))

    seen: list[str] = []
    tried: set[Path] = set()
    for java in candidates:
        if not java.exists() or java.resolve() in tried:
            continue
        tried.add(java.resolve())
        major = _java_major(java)
        if major in SUPPORTED_JAVA:
            return java, major
        seen.append(f"{java} (Java {major})" if major else str(java))
    found = ", ".join(seen) if seen else "no java at all"
    raise Neo4jServerError(
        f"Neo4j 5.26 needs Java {want} but found {found}: install one "
        "(e.g. apt-get install openjdk-17-jdk-headless) or set LINKAGE_JAVA_HOME to its home"
    )


def _java_env(java: Path, layout: _Layout) -> dict[str, str]:
    env = dict(os.environ)
    env["JAVA_HOME"] = str(java.resolve().parent.parent)
    env["NEO4J_HOME"] = str(layout.home)
    env["NEO4J_CONF"] = str(layout.conf_dir)
    return env


# -------------------------------------------------------------------------- install


def _pom_digest(layout: _Layout) -> str:
    return hashlib.sha256(layout.pom.read_bytes()).hexdigest()


def _jars_installed(layout: _Layout) -> bool:
    try:
        return layout.stamp.read_text().strip() == _pom_digest(layout)
    except OSError:
        return False


def _run_maven(layout: _Layout, java: Path, quiet: bool) -> None:
    mvn = shutil.which("mvn")
    if not mvn:
        raise Neo4jServerError(
            "Maven (mvn) is not on PATH; it fetches the Neo4j jars: install it "
            "(e.g. apt-get install maven) and run `linkage neo4j install` again"
        )
    if _running_pid(layout) is not None:
        raise Neo4jServerError(
            "the Neo4j jars must be replaced (neo4j/pom.xml changed) but the server is "
            "running: run `linkage neo4j stop`, then `linkage neo4j install`"
        )
    # A changed pom may change versions: start from empty lib/ and plugins/.
    for name in ("lib", "plugins"):
        shutil.rmtree(layout.home / name, ignore_errors=True)
    version = _neo4j_version(layout)
    if not quiet:
        print(
            f"Fetching Neo4j {version} server jars from Maven Central into {layout.home} ...",
            end="",
            file=sys.stderr,
            flush=True,
        )
    started = time.monotonic()
    command = [
        mvn,
        "-q",
        "-B",
        "-Dstyle.color=never",
        "-f",
        str(_maven_project(layout)),
        f"-Dneo4j.home={layout.home}",
        "package",
    ]
    try:
        with layout.maven_log.open("w", encoding="utf-8") as log:
            result = subprocess.run(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=_java_env(java, layout),
                check=False,
            )
    except OSError as exc:
        raise Neo4jServerError(f"cannot run Maven ({mvn}): {exc}") from exc
    if not quiet:
        print(
            f" {'done' if result.returncode == 0 else 'failed'} "
            f"({time.monotonic() - started:.0f} s)",
            file=sys.stderr,
            flush=True,
        )
    if result.returncode != 0 or not (layout.home / "lib").is_dir():
        hint = _last_line(layout.maven_log, ("[ERROR]", "ERROR", "Could not"))
        raise Neo4jServerError(
            f"Maven could not fetch the Neo4j jars (exit {result.returncode}"
            f"{': ' + hint if hint else ''}); check network access to Maven Central "
            f"and see {layout.maven_log}"
        )
    layout.stamp.write_text(_pom_digest(layout) + "\n")


def _maven_project(layout: _Layout) -> Path:
    """A copy of the pom in the state folder: Maven writes target/ beside its pom, and an
    installed package's folder may not be writable."""
    folder = layout.state / "maven"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(layout.pom, folder / "pom.xml")
    return folder / "pom.xml"


def _copy_conf(layout: _Layout) -> None:
    """The template's files into the home's conf/, with the home's ports written in."""
    template = layout.conf_template
    if not (template / "neo4j.conf").exists():
        raise Neo4jServerError(f"{template / 'neo4j.conf'} is missing; restore it from git")
    for source in sorted(template.iterdir()):
        if source.is_file() and source.suffix in (".conf", ".xml", ".properties"):
            shutil.copyfile(source, layout.conf_dir / source.name)
    ports = _port_overrides(layout)
    if any(os.environ.get(variable) for variable, _, _ in _PORT_SETTINGS.values()):
        # remembered, so that status, stop and load find this home's server later on
        text = "".join(f"{name}={port}\n" for name, port in sorted(ports.items()))
        layout.ports_file.write_text(text, encoding="utf-8")
    if not ports:
        return
    # rewritten, not appended: strict validation may reject a key given twice
    lines = layout.conf_file.read_text(encoding="utf-8").splitlines()
    values = _port_lines(_read_conf_lines(lines), ports)
    kept = [line for line in lines if line.split("=", 1)[0].strip() not in values]
    kept += [f"{key}={value}" for key, value in values.items()]
    layout.conf_file.write_text("\n".join(kept) + "\n", encoding="utf-8")


def _system_db_exists(layout: _Layout) -> bool:
    return (layout.home / "data" / "databases" / "system").exists()


def _set_initial_password(layout: _Layout, java: Path, password: str) -> None:
    """``neo4j-admin dbms set-initial-password``, the password read from a file.

    A command line is readable by every user (``/proc/PID/cmdline``, ``ps``), so the
    password is not on it: the admin tool parses its arguments with picocli, which expands
    ``@FILE`` into the arguments the file holds. The file is private to the user (0600),
    holds the password quoted, and is deleted right after.
    """
    handle, name = tempfile.mkstemp(prefix=".initial-password-", dir=layout.state)
    argument_file = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(_picocli_quoted(password) + "\n")
        command = [str(java), "-cp", str(layout.home / "lib" / "*"), ADMIN_TOOL, "dbms"]
        command += ["set-initial-password", f"@{argument_file}"]
        result = _run_admin(layout, java, command, "set-initial-password", timeout_s=300)
    finally:
        argument_file.unlink(missing_ok=True)
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip().splitlines()
        detail = output[-1] if output else f"exit {result.returncode}"
        raise Neo4jServerError(f"neo4j-admin could not set the initial password: {detail}")
    if not _auth_file_holds(layout.home / "data" / "dbms" / "auth.ini", password):
        raise Neo4jServerError(
            "neo4j-admin set a password other than the one in "
            f"{layout.password_file}: delete {layout.home / 'data'} and run "
            "`linkage neo4j install` again"
        )


def _picocli_quoted(text: str) -> str:
    """One argument of a picocli @-file: in double quotes, backslash and quote escaped."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _auth_file_holds(path: Path, password: str) -> bool:
    """Whether the admin tool's auth file has ``password`` for the initial user.

    Checks Neo4j 5's credential format (``user:SHA-256,HASH,SALT,ITERATIONS:``, an
    iterated salted SHA-256); a line in another format is taken on trust.
    """
    try:
        line = path.read_text(encoding="utf-8").strip()
    except OSError:
        return False
    match = re.fullmatch(r"[^:]+:SHA-256,([0-9a-f]+),([0-9a-f]+),(\d+):.*", line)
    if match is None:
        return True
    expected, salt, iterations = match.group(1), bytes.fromhex(match.group(2)), match.group(3)
    digest = hashlib.sha256(salt + password.encode("utf-8")).digest()
    for _ in range(int(iterations) - 1):
        digest = hashlib.sha256(digest).digest()
    return digest.hex() == expected


def _run_admin(
    layout: _Layout, java: Path, command: list[str], what: str, timeout_s: float
) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            command,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            env=_java_env(java, layout),
            cwd=layout.home,
            timeout=timeout_s,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Neo4jServerError(f"neo4j-admin {what} failed to run: {exc}") from exc


def install(project_root: Path | None = None, quiet: bool = False) -> Path:
    """Install the local Neo4j server, or bring an installation up to date; cheap if done.

    Runs Maven on ``neo4j/pom.xml`` when the jars are missing or the pom changed (the
    first run downloads about 140 MB into ~/.m2), copies ``neo4j/conf/*`` into the home,
    creates the data and log folders, and on first install generates a random password
    into ``.neo4j/password`` and sets it as the ``neo4j`` user's initial password.

    Args:
        project_root: the checkout holding ``neo4j/pom.xml``; default: this package's.
        quiet: print nothing (otherwise one progress line while Maven runs, on stderr).

    Returns:
        The Neo4j home directory (``.neo4j/home``).

    Raises:
        Neo4jServerError: no suitable Java or Maven, Maven failed, or the password
            cannot be set.
    """
    layout = _layout(project_root)
    _neo4j_version(layout)  # fails early, and clearly, outside a full checkout
    java, _ = _find_java()
    for name in _HOME_DIRS:
        (layout.home / name).mkdir(parents=True, exist_ok=True)
    if not _jars_installed(layout):
        _run_maven(layout, java, quiet)
        for name in _HOME_DIRS:
            (layout.home / name).mkdir(parents=True, exist_ok=True)
    _copy_conf(layout)

    auth_file = layout.home / "data" / "dbms" / "auth.ini"
    new_password = False
    if not layout.password_file.exists():
        if _system_db_exists(layout):
            raise Neo4jServerError(
                f"{layout.password_file} is missing but the database in {layout.home / 'data'} "
                "already has a password: restore the file, or delete that data folder "
                "(this erases the graph) and run `linkage neo4j install` again"
            )
        password = "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(24))
        layout.password_file.touch(mode=0o600)
        layout.password_file.write_text(password + "\n", encoding="utf-8")
        new_password = True
    if not _system_db_exists(layout) and (new_password or not auth_file.exists()):
        _set_initial_password(layout, java, _read_password(layout))
    return layout.home


# ---------------------------------------------------------------------------- status


def _read_password(layout: _Layout) -> str:
    try:
        return layout.password_file.read_text(encoding="utf-8").strip()
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    """Whether a process runs (a zombie, exited but not yet reaped, does not count)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (macOS): trust kill(0)
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def _is_our_server(pid: int, layout: _Layout) -> bool:
    """Whether pid is a Neo4j server of this home (guards against a reused pid)."""
    if not _alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return not Path("/proc").is_dir()  # no /proc: cannot tell, trust the pid file
    args = [arg.decode(errors="replace") for arg in cmdline]
    return ENTRY_POINT in args and f"--home-dir={layout.home}" in args


def _scan_servers(layout: _Layout) -> list[int]:
    """Pids of Neo4j servers of this home, found in /proc (when the pid file is lost)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    return sorted(
        int(entry.name)
        for entry in proc.iterdir()
        if entry.name.isdigit() and _is_our_server(int(entry.name), layout)
    )


def _running_pid(layout: _Layout) -> int | None:
    try:
        pid = int(layout.pid_file.read_text().strip())
    except (OSError, ValueError):
        pid = None
    if pid is not None and _is_our_server(pid, layout):
        return pid
    layout.pid_file.unlink(missing_ok=True)
    found = _scan_servers(layout)
    if found:
        layout.pid_file.write_text(f"{found[0]}\n")
        return found[0]
    return None


def _info(layout: _Layout, pid: int) -> ServerInfo:
    (bolt_host, bolt_port), (http_host, http_port) = _endpoints(layout)
    return ServerInfo(
        uri=f"bolt://{bolt_host}:{bolt_port}",
        user=DEFAULT_USER,
        password=_read_password(layout),
        http_url=f"http://{http_host}:{http_port}/",
        pid=pid,
    )


def status() -> ServerInfo | None:
    """The running local server (possibly still starting up), or None."""
    layout = _layout()
    pid = _running_pid(layout)
    return None if pid is None else _info(layout, pid)


def connection_settings() -> tuple[str, str, str]:
    """(uri, user, password) for the graph store.

    Defaults to the local server (``.neo4j/password``); the environment variables
    LINKAGE_NEO4J_URI, LINKAGE_NEO4J_USER and LINKAGE_NEO4J_PASSWORD override each part.

    Raises:
        Neo4jServerError: no password in the environment and none stored.
    """
    layout = _layout()
    uri = os.environ.get("LINKAGE_NEO4J_URI")
    if not uri:
        (host, port), _ = _endpoints(layout)
        uri = f"bolt://{host}:{port}"
    user = os.environ.get("LINKAGE_NEO4J_USER") or DEFAULT_USER
    password = os.environ.get("LINKAGE_NEO4J_PASSWORD")
    if password is None:
        password = _read_password(layout)
        if not password:
            raise Neo4jServerError(
                f"no Neo4j password in {layout.password_file}: run `linkage neo4j install`, "
                "or set LINKAGE_NEO4J_PASSWORD"
            )
    return uri, user, password


# ----------------------------------------------------------------------- start, stop


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def _http_ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2.0) as response:
            return bool(response.status == 200 and b"neo4j_version" in response.read())
    except (OSError, urllib.error.URLError, ValueError):
        return False


def _last_line(path: Path, markers: tuple[str, ...]) -> str:
    """The last line of a log that contains one of the markers, shortened."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    for line in reversed(lines):
        if any(marker in line for marker in markers):
            return line.strip()[:300]
    return ""


def _heap_flag(pairs: list[tuple[str, str]], key: str, flag: str) -> list[str]:
    value = _conf_value(pairs, key, "")
    if not value:
        return []
    if not re.fullmatch(r"\d+[kKmMgG]?", value):
        raise Neo4jServerError(f"{key}={value} in neo4j.conf: use a size like 512m or 1g")
    return [f"{flag}{value}"]


def _server_command(layout: _Layout, java: Path) -> list[str]:
    pairs = _read_conf(layout)
    home = layout.home
    classpath = os.pathsep.join(str(home / d / "*") for d in ("plugins", "conf", "lib"))
    return [
        str(java),
        "-cp",
        classpath,
        *_heap_flag(pairs, "server.memory.heap.initial_size", "-Xms"),
        *_heap_flag(pairs, "server.memory.heap.max_size", "-Xmx"),
        *(value for key, value in pairs if key == "server.jvm.additional"),
        ENTRY_POINT,
        f"--home-dir={home}",
        f"--config-dir={layout.conf_dir}",
        "--console-mode",
    ]


def _wait_ready(layout: _Layout, pid: int, timeout_s: float) -> ServerInfo:
    info = _info(layout, pid)
    (bolt_host, bolt_port), _ = _endpoints(layout)
    deadline = time.monotonic() + timeout_s
    while True:
        if not _alive(pid):
            layout.pid_file.unlink(missing_ok=True)
            reason = _last_line(layout.console_log, ("ERROR", "Exception", "Error:", "error"))
            raise Neo4jServerError(
                f"Neo4j stopped during start-up{': ' + reason if reason else ''}; "
                f"fix the cause and run `linkage neo4j start` again (log: {layout.console_log})"
            )
        if _port_open(bolt_host, bolt_port) and _http_ready(info.http_url):
            return info
        if time.monotonic() > deadline:
            _terminate(pid, 30.0)
            layout.pid_file.unlink(missing_ok=True)
            raise Neo4jServerError(
                f"Neo4j did not answer on {info.uri} and {info.http_url} within "
                f"{timeout_s:.0f} s and was stopped; try a longer timeout or read "
                f"{layout.console_log}"
            )
        time.sleep(0.25)


def start(timeout_s: float = 120) -> ServerInfo:
    """Start the local server in the background and wait until it answers.

    Installs first if needed (see install()). The server runs detached, in a session of
    its own, with its pid in ``.neo4j/neo4j.pid`` and its console output in
    ``.neo4j/home/logs/console.log``. If it already runs, returns its info (after waiting
    for it to be ready) without starting a second one.

    Args:
        timeout_s: how long to wait for Bolt and HTTP to answer.

    Raises:
        Neo4jServerError: the ports are taken by another process, the server exits
            during start-up or does not answer in time (it is then stopped).
    """
    layout = _layout()
    pid = _running_pid(layout)
    if pid is not None:
        return _wait_ready(layout, pid, timeout_s)

    if not _jars_installed(layout) or not layout.conf_file.exists():
        install()
    java, _ = _find_java()
    (bolt_host, bolt_port), (http_host, http_port) = _endpoints(layout)
    for host, port in ((bolt_host, bolt_port), (http_host, http_port)):
        if _port_open(host, port):
            raise Neo4jServerError(
                f"port {host}:{port} is already taken by another process (another Neo4j?): "
                f"stop it, then run `linkage neo4j start` again"
            )

    command = _server_command(layout, java)
    layout.console_log.parent.mkdir(parents=True, exist_ok=True)
    layout.pid_file.unlink(missing_ok=True)
    with layout.console_log.open("w", encoding="utf-8") as log:
        log.write(f"# linkage: {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(command)}\n")
        log.flush()
        try:
            spawner = subprocess.run(
                [sys.executable, "-c", _SPAWN_CODE, str(layout.pid_file), *command],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=layout.home,
                env=_java_env(java, layout),
                timeout=60,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise Neo4jServerError(f"could not launch java ({java}): {exc}") from exc
    try:
        pid = int(layout.pid_file.read_text().strip())
    except (OSError, ValueError) as exc:
        raise Neo4jServerError(
            f"could not launch the Neo4j server (exit {spawner.returncode}); "
            f"see {layout.console_log}"
        ) from exc
    return _wait_ready(layout, pid, timeout_s)


def _terminate(pid: int, timeout_s: float) -> None:
    """SIGTERM (Neo4j shuts down cleanly), wait, then SIGKILL."""
    for sig, wait_s in ((signal.SIGTERM, timeout_s), (signal.SIGKILL, 10.0)):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(0.1)
    if _alive(pid):
        raise Neo4jServerError(f"Neo4j (pid {pid}) survived SIGKILL; stop it by hand")


def stop(timeout_s: float = 60) -> bool:
    """Stop the local server: SIGTERM, wait up to timeout_s, then SIGKILL.

    Returns:
        True if a server was running and is now stopped, False if none was running.
    """
    layout = _layout()
    pid = _running_pid(layout)
    if pid is None:
        return False
    _terminate(pid, timeout_s)
    layout.pid_file.unlink(missing_ok=True)
    return True


# ---------------------------------------------------------------------- bulk import


def state_dir() -> Path:
    """The local server's state folder: ``.neo4j`` of the checkout, or LINKAGE_NEO4J_HOME."""
    return _layout().state


def is_local_uri(uri: str) -> bool:
    """Whether ``uri`` addresses this home's server (its Bolt port on this machine)."""
    (_, bolt_port), _ = _endpoints(_layout())
    parts = urllib.parse.urlsplit(uri)
    host = (parts.hostname or "").lower()
    local = host == "localhost" or host.startswith("127.") or host in ("::1", "0:0:0:0:0:0:0:1")
    return local and (parts.port or 7687) == bolt_port


def import_full(
    nodes: Sequence[tuple[str, Path]],
    relationships: Sequence[tuple[str, Path]],
    *,
    multiline: bool = False,
    max_off_heap_memory: str = "2G",
    timeout_s: float = 6 * 3600,
) -> Path:
    """Replace the local server's ``neo4j`` database with CSV files, offline.

    Runs ``neo4j-admin database import full --overwrite-destination`` (the fast way in for
    millions of rows: no transactions, no MERGE). Node files have ``:ID(group)`` columns,
    relationship files ``:START_ID(group)``/``:END_ID(group)``; every column is typed in
    the header. The server must be stopped; the tool's output goes to
    ``.neo4j/import.log``, returned.

    Args:
        nodes: (label, CSV file) per node file.
        relationships: (type, CSV file) per relationship file.
        multiline: some values hold line breaks (slower parsing).
        max_off_heap_memory: cap on the tool's off-heap caches (the default is 90% of RAM).

    Raises:
        Neo4jServerError: the server runs, no Java, a file name the tool cannot take, or
            the import failed (the database is then left empty or partial: load again).
    """
    layout = _layout()
    if _running_pid(layout) is not None:
        raise Neo4jServerError(
            "the local Neo4j server is running: stop it (`linkage neo4j stop`) before an "
            "offline import"
        )
    if not _jars_installed(layout):
        install(quiet=True)
    java, _ = _find_java()
    command = _import_command(layout, java, nodes, relationships, multiline, max_off_heap_memory)
    log_path = layout.state / "import.log"
    try:
        with log_path.open("w", encoding="utf-8") as log:
            result = subprocess.run(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=_java_env(java, layout),
                cwd=layout.home,
                timeout=timeout_s,
                check=False,
            )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Neo4jServerError(f"neo4j-admin database import failed to run: {exc}") from exc
    if result.returncode != 0:
        reason = _last_line(log_path, ("ERROR", "Exception", "rror:", "Invalid", "Missing"))
        raise Neo4jServerError(
            f"neo4j-admin database import failed (exit {result.returncode}"
            f"{': ' + reason if reason else ''}); see {log_path}"
        )
    return log_path


def _import_command(
    layout: _Layout,
    java: Path,
    nodes: Sequence[tuple[str, Path]],
    relationships: Sequence[tuple[str, Path]],
    multiline: bool,
    max_off_heap_memory: str,
) -> list[str]:
    pairs = _read_conf(layout)
    command = [str(java), "-cp", str(layout.home / "lib" / "*")]
    command += _heap_flag(pairs, "server.memory.heap.max_size", "-Xmx")
    command += [value for key, value in pairs if key == "server.jvm.additional"]
    # the database name first: a --nodes/--relationships list would swallow it as a file
    command += [ADMIN_TOOL, "database", "import", "full", "neo4j", "--overwrite-destination=true"]
    command += [f"--max-off-heap-memory={max_off_heap_memory}", "--bad-tolerance=0"]
    command += [f"--report-file={layout.state / 'import.report'}"]
    if multiline:
        command.append("--multiline-fields=true")
    for flag, entries in (("--nodes", nodes), ("--relationships", relationships)):
        for name, path in entries:
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or "," in str(path):
                # the tool splits file lists on commas and label lists on colons
                raise Neo4jServerError(f"cannot import {name}={path}: unusable name or path")
            command.append(f"{flag}={name}={path.resolve()}")
    return command
