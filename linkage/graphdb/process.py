"""The local Neo4j server as an operating-system process: launch, find, check, stop.

Uses psutil, not ``/proc`` by hand, so that the same checks work wherever psutil does;
it knows a zombie (exited, not yet reaped) from a running process, and a
:class:`psutil.Process` notices when its pid has been reused by another process.
This module knows nothing of Neo4j's configuration: callers pass the pid file, the
server home and the command line.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO

import psutil

from linkage.errors import Neo4jServerError

__all__ = [
    "ENTRY_POINT",
    "alive",
    "find_server",
    "http_ready",
    "is_server_of",
    "launch_detached",
    "port_open",
    "terminate",
]

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
"""The Java main class of a Neo4j Community server: what tells its processes apart."""

# Run by a short-lived intermediate Python so that the server is not a child of the
# caller (no zombie, no "still running" warning) and runs in a session of its own.
_SPAWN_CODE = (
    "import subprocess, sys\n"
    "p = subprocess.Popen(sys.argv[2:], start_new_session=True)\n"
    "open(sys.argv[1], 'w').write(f'{p.pid}\\n')\n"
)


def alive(pid: int) -> bool:
    """Whether a process runs (a zombie, exited but not yet reaped, does not count)."""
    try:
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True  # it exists, it is only not ours to inspect


def _is_server_command(args: list[str] | None, home: Path) -> bool:
    return args is not None and ENTRY_POINT in args and f"--home-dir={home}" in args


def is_server_of(pid: int, home: Path) -> bool:
    """Whether pid is a running Neo4j server of this home (guards against a reused pid)."""
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        return _is_server_command(process.cmdline(), home)
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False  # gone, or a command line we may not read: not provably ours


def find_server(pid_file: Path, home: Path) -> int | None:
    """The pid of the Neo4j server of ``home``: the pid file's if it is one, else one
    found among all processes (the pid file lost), which is then written to the pid file.
    A stale pid file is deleted."""
    try:
        pid: int | None = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        pid = None
    if pid is not None and is_server_of(pid, home):
        return pid
    pid_file.unlink(missing_ok=True)
    found = sorted(
        process.pid
        for process in psutil.process_iter(["cmdline", "status"])
        if process.info["status"] != psutil.STATUS_ZOMBIE
        and _is_server_command(process.info["cmdline"], home)
    )
    if found:
        pid_file.write_text(f"{found[0]}\n")
        return found[0]
    return None


def launch_detached(
    command: list[str], pid_file: Path, log: IO[str], cwd: Path, env: dict[str, str]
) -> int:
    """Start ``command`` in a session of its own, not a child of this process; its pid
    goes to ``pid_file`` and its output to ``log``.

    Raises:
        Neo4jServerError: the program could not be launched.
    """
    pid_file.unlink(missing_ok=True)
    try:
        spawner = subprocess.run(
            [sys.executable, "-c", _SPAWN_CODE, str(pid_file), *command],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env=env,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Neo4jServerError(f"could not launch {command[0]}: {exc}") from exc
    try:
        return int(pid_file.read_text().strip())
    except (OSError, ValueError) as exc:
        raise Neo4jServerError(
            f"could not launch the Neo4j server (exit {spawner.returncode}); see {log.name}"
        ) from exc


def terminate(pid: int, timeout_s: float) -> None:
    """SIGTERM (Neo4j shuts down cleanly), wait up to timeout_s, then SIGKILL.

    Raises:
        Neo4jServerError: the process survived SIGKILL.
    """
    try:
        process = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    for send, wait_s in ((process.terminate, timeout_s), (process.kill, 10.0)):
        try:
            send()  # psutil refuses to signal a reused pid (NoSuchProcess)
        except psutil.NoSuchProcess:
            return
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            if not _still_running(process):
                return
            time.sleep(0.1)
    if _still_running(process):
        raise Neo4jServerError(f"Neo4j (pid {pid}) survived SIGKILL; stop it by hand")


def _still_running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def port_open(host: str, port: int) -> bool:
    """Whether something accepts TCP connections on host:port."""
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def http_ready(url: str) -> bool:
    """Whether a Neo4j HTTP discovery endpoint answers at url."""
    try:
        with urllib.request.urlopen(url, timeout=2.0) as response:
            return bool(response.status == 200 and b"neo4j_version" in response.read())
    except (OSError, urllib.error.URLError, ValueError):
        return False
