"""Install the project's own Neo4j Community server into its home (:mod:`.home`).

The server is not downloaded from a vendor site: ``neo4j/pom.xml`` has Maven fetch the
Neo4j Community jars (and Neo4j Browser, and APOC core) from Maven Central into
``.neo4j/home/lib`` and ``.neo4j/home/plugins``; this module finds a suitable JDK, runs
Maven, lays out the rest of the server home (conf/, data/, logs/ ...) and sets the
generated password, much as the tarball's installer would.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, TextIO

from linkage.errors import Neo4jServerError
from linkage.graphdb import process
from linkage.graphdb.home import (
    PORT_SETTINGS,
    Layout,
    conf_value,
    port_lines,
    port_overrides,
    read_conf_lines,
    read_password,
    server_layout,
)

__all__ = [
    "ADMIN_TOOL",
    "SUPPORTED_JAVA",
    "find_java",
    "heap_flag",
    "install",
    "jars_installed",
    "java_env",
    "last_line",
]

ADMIN_TOOL = "org.neo4j.cli.AdminTool"
# Java feature releases that Neo4j 5.x supports (5.26 LTS: Java 17 and 21).
SUPPORTED_JAVA = (17, 21)

_HOME_DIRS = ("conf", "data", "logs", "plugins", "import", "run")
_PASSWORD_ALPHABET = string.ascii_letters + string.digits


def _neo4j_version(layout: Layout) -> str:
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


def find_java() -> tuple[Path, int]:
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


def java_env(java: Path, layout: Layout) -> dict[str, str]:
    env = dict(os.environ)
    env["JAVA_HOME"] = str(java.resolve().parent.parent)
    env["NEO4J_HOME"] = str(layout.home)
    env["NEO4J_CONF"] = str(layout.conf_dir)
    return env


# -------------------------------------------------------------------------- install


def _pom_digest(layout: Layout) -> str:
    return hashlib.sha256(layout.pom.read_bytes()).hexdigest()


def jars_installed(layout: Layout) -> bool:
    try:
        return layout.stamp.read_text().strip() == _pom_digest(layout)
    except OSError:
        return False


def _run_maven(layout: Layout, java: Path, quiet: bool) -> None:
    mvn = shutil.which("mvn")
    if not mvn:
        raise Neo4jServerError(
            "Maven (mvn) is not on PATH; it fetches the Neo4j jars: install it "
            "(e.g. apt-get install maven) and run `linkage neo4j install` again"
        )
    if process.find_server(layout.pid_file, layout.home) is not None:
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
                env=java_env(java, layout),
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
        hint = last_line(layout.maven_log, ("[ERROR]", "ERROR", "Could not"))
        raise Neo4jServerError(
            f"Maven could not fetch the Neo4j jars (exit {result.returncode}"
            f"{': ' + hint if hint else ''}); check network access to Maven Central "
            f"and see {layout.maven_log}"
        )
    layout.stamp.write_text(_pom_digest(layout) + "\n")


def _maven_project(layout: Layout) -> Path:
    """A copy of the pom in the state folder: Maven writes target/ beside its pom, and an
    installed package's folder may not be writable."""
    folder = layout.state / "maven"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(layout.pom, folder / "pom.xml")
    return folder / "pom.xml"


def _copy_conf(layout: Layout) -> None:
    """The template's files into the home's conf/, with the home's ports written in."""
    template = layout.conf_template
    if not (template / "neo4j.conf").exists():
        raise Neo4jServerError(f"{template / 'neo4j.conf'} is missing; restore it from git")
    for source in sorted(template.iterdir()):
        if source.is_file() and source.suffix in (".conf", ".xml", ".properties"):
            shutil.copyfile(source, layout.conf_dir / source.name)
    ports = port_overrides(layout)
    if any(os.environ.get(variable) for variable, _, _ in PORT_SETTINGS.values()):
        # remembered, so that status, stop and load find this home's server later on
        text = "".join(f"{name}={port}\n" for name, port in sorted(ports.items()))
        layout.ports_file.write_text(text, encoding="utf-8")
    if not ports:
        return
    # rewritten, not appended: strict validation may reject a key given twice
    lines = layout.conf_file.read_text(encoding="utf-8").splitlines()
    values = port_lines(read_conf_lines(lines), ports)
    kept = [line for line in lines if line.split("=", 1)[0].strip() not in values]
    kept += [f"{key}={value}" for key, value in values.items()]
    layout.conf_file.write_text("\n".join(kept) + "\n", encoding="utf-8")


def _system_db_exists(layout: Layout) -> bool:
    return (layout.home / "data" / "databases" / "system").exists()


def _set_initial_password(layout: Layout, java: Path, password: str) -> None:
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
        result = run_admin(layout, java, command, "set-initial-password", timeout_s=300)
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


def run_admin(
    layout: Layout,
    java: Path,
    command: list[str],
    what: str,
    timeout_s: float,
    log: TextIO | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a ``neo4j-admin`` command with the server's Java; its output captured, or
    written to ``log`` (a long import's output is kept in a file)."""
    output: dict[str, Any] = (
        {"capture_output": True} if log is None else {"stdout": log, "stderr": subprocess.STDOUT}
    )
    try:
        return subprocess.run(
            command,
            text=True,
            stdin=subprocess.DEVNULL,
            env=java_env(java, layout),
            cwd=layout.home,
            timeout=timeout_s,
            check=False,
            **output,
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
    layout = server_layout(project_root)
    _neo4j_version(layout)  # fails early, and clearly, outside a full checkout
    java, _ = find_java()
    for name in _HOME_DIRS:
        (layout.home / name).mkdir(parents=True, exist_ok=True)
    if not jars_installed(layout):
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
        _set_initial_password(layout, java, read_password(layout))
    return layout.home


def last_line(path: Path, markers: tuple[str, ...]) -> str:
    """The last line of a log that contains one of the markers, shortened."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    for line in reversed(lines):
        if any(marker in line for marker in markers):
            return line.strip()[:300]
    return ""


def heap_flag(pairs: list[tuple[str, str]], key: str, flag: str) -> list[str]:
    value = conf_value(pairs, key, "")
    if not value:
        return []
    if not re.fullmatch(r"\d+[kKmMgG]?", value):
        raise Neo4jServerError(f"{key}={value} in neo4j.conf: use a size like 512m or 1g")
    return [f"{flag}{value}"]
