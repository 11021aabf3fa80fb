"""A non-editable install works: the wheel carries the Cypher files, the Neo4j recipe and
the generator's word banks, and the commands run from a fresh virtual environment."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_wheel_installs_and_runs_in_a_fresh_venv(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("linkage-*.whl")

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    install = subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr

    def linkage(*args: str) -> str:
        done = subprocess.run(
            [str(bin_dir / "linkage"), *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,  # not the checkout: the installed package must stand alone
            env={"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(tmp_path), "COLUMNS": "200"},
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    assert "generate" in linkage("--help")
    assert "wrote" in linkage("generate", "--out", str(tmp_path / "data"), "--scale", "0.05")
    assert (tmp_path / "data" / "requests.csv").is_file()
    listing = linkage("neo4j", "query")
    for name in ("top_clusters", "cluster_members", "accounts_behind", "missed_heads"):
        assert name in listing
    located = subprocess.run(
        [str(bin_dir / "python"), "-c", "import linkage; print(linkage.__file__)"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    assert str(env_dir) in located.stdout
