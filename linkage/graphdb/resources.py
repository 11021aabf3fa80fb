"""Where the project's Cypher files and Neo4j server recipe are, checkout or installed.

In a checkout they are ``cypher/`` and ``neo4j/`` at the top; an installed wheel
carries them as ``linkage/graphdb/cypher`` and ``linkage/graphdb/neo4j``.
"""

from __future__ import annotations

import os
from pathlib import Path

from linkage.errors import LinkageError

_PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE_DIR.parents[1]


def is_checkout() -> bool:
    """Whether this package runs from a source checkout (editable install or PYTHONPATH)."""
    return (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "neo4j" / "pom.xml").is_file()


def resource_dir(name: str) -> Path:
    """The ``cypher`` or ``neo4j`` folder of this installation."""
    for candidate in (_PACKAGE_DIR / name, _CHECKOUT / name):
        if candidate.is_dir() and any(candidate.iterdir()):
            return candidate
    raise LinkageError(
        f"the package's {name}/ folder is missing (looked in {_PACKAGE_DIR} and {_CHECKOUT}): "
        "reinstall linkage"
    )


def default_state_dir() -> Path:
    """Where the local Neo4j server lives: ``.neo4j`` in a checkout, else the user's data dir."""
    if is_checkout():
        return _CHECKOUT / ".neo4j"
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "linkage" / "neo4j"
