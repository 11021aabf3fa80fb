"""Start and stop the project's own Neo4j Community server, and say how to reach it.

The face of the local server for the CLI (``linkage neo4j install/start/stop/status``),
the bulk loader, the notebooks and the tests. The work is done elsewhere:

- :mod:`linkage.graphdb.home`: where the server's files are, its ports and password;
- :mod:`linkage.graphdb.install`: Java, the jars fetched by Maven, conf/, the password;
- :mod:`linkage.graphdb.process`: launching, finding and stopping the process.

Here the server is run as ``org.neo4j.server.CommunityEntryPoint`` on a local JDK, much
as the tarball's ``bin/neo4j console`` would. This module does not use the ``neo4j``
Python driver: readiness is checked on the raw Bolt port and on the HTTP discovery
endpoint.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from linkage.errors import Neo4jServerError
from linkage.graphdb import process
from linkage.graphdb.home import (
    DEFAULT_USER,
    Layout,
    connection_settings,
    endpoints,
    is_local_uri,
    read_conf,
    read_password,
    server_layout,
    state_dir,
)
from linkage.graphdb.install import (
    find_java,
    heap_flag,
    install,
    jars_installed,
    java_env,
    last_line,
)

__all__ = [
    "ServerInfo",
    "connection_settings",
    "install",
    "is_local_uri",
    "start",
    "state_dir",
    "status",
    "stop",
]


@dataclass(frozen=True)
class ServerInfo:
    """How to reach the local Neo4j server (the password is left out of repr)."""

    uri: str
    user: str
    password: str = field(repr=False)
    http_url: str
    pid: int


def _info(layout: Layout, pid: int) -> ServerInfo:
    (bolt_host, bolt_port), (http_host, http_port) = endpoints(layout)
    return ServerInfo(
        uri=f"bolt://{bolt_host}:{bolt_port}",
        user=DEFAULT_USER,
        password=read_password(layout),
        http_url=f"http://{http_host}:{http_port}/",
        pid=pid,
    )


def status() -> ServerInfo | None:
    """The running local server (possibly still starting up), or None."""
    layout = server_layout()
    pid = process.find_server(layout.pid_file, layout.home)
    return None if pid is None else _info(layout, pid)


# ----------------------------------------------------------------------- start, stop


def _server_command(layout: Layout, java: Path) -> list[str]:
    pairs = read_conf(layout)
    home = layout.home
    classpath = os.pathsep.join(str(home / d / "*") for d in ("plugins", "conf", "lib"))
    return [
        str(java),
        "-cp",
        classpath,
        *heap_flag(pairs, "server.memory.heap.initial_size", "-Xms"),
        *heap_flag(pairs, "server.memory.heap.max_size", "-Xmx"),
        *(value for key, value in pairs if key == "server.jvm.additional"),
        process.ENTRY_POINT,
        f"--home-dir={home}",
        f"--config-dir={layout.conf_dir}",
        "--console-mode",
    ]


def _wait_ready(layout: Layout, pid: int, timeout_s: float) -> ServerInfo:
    info = _info(layout, pid)
    (bolt_host, bolt_port), _ = endpoints(layout)
    deadline = time.monotonic() + timeout_s
    while True:
        if not process.alive(pid):
            layout.pid_file.unlink(missing_ok=True)
            reason = last_line(layout.console_log, ("ERROR", "Exception", "Error:", "error"))
            raise Neo4jServerError(
                f"Neo4j stopped during start-up{': ' + reason if reason else ''}; "
                f"fix the cause and run `linkage neo4j start` again (log: {layout.console_log})"
            )
        if process.port_open(bolt_host, bolt_port) and process.http_ready(info.http_url):
            return info
        if time.monotonic() > deadline:
            process.terminate(pid, 30.0)
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
    layout = server_layout()
    pid = process.find_server(layout.pid_file, layout.home)
    if pid is not None:
        return _wait_ready(layout, pid, timeout_s)

    if not jars_installed(layout) or not layout.conf_file.exists():
        install()
    java, _ = find_java()
    (bolt_host, bolt_port), (http_host, http_port) = endpoints(layout)
    for host, port in ((bolt_host, bolt_port), (http_host, http_port)):
        if process.port_open(host, port):
            raise Neo4jServerError(
                f"port {host}:{port} is already taken by another process (another Neo4j?): "
                f"stop it, then run `linkage neo4j start` again"
            )

    command = _server_command(layout, java)
    layout.console_log.parent.mkdir(parents=True, exist_ok=True)
    with layout.console_log.open("w", encoding="utf-8") as log:
        log.write(f"# linkage: {time.strftime('%Y-%m-%d %H:%M:%S')} {' '.join(command)}\n")
        log.flush()
        pid = process.launch_detached(
            command, layout.pid_file, log, cwd=layout.home, env=java_env(java, layout)
        )
    return _wait_ready(layout, pid, timeout_s)


def stop(timeout_s: float = 60) -> bool:
    """Stop the local server: SIGTERM, wait up to timeout_s, then SIGKILL.

    Returns:
        True if a server was running and is now stopped, False if none was running.
    """
    layout = server_layout()
    pid = process.find_server(layout.pid_file, layout.home)
    if pid is None:
        return False
    process.terminate(pid, timeout_s)
    layout.pid_file.unlink(missing_ok=True)
    return True
