"""The query catalogue: the Cypher files the graph store sends, loaded by name.

Every Cypher statement the project sends is read from ``cypher/*.cypher`` (loading,
schema, housekeeping) or ``cypher/queries/*.cypher`` (investigator queries) by name;
values always travel as ``$parameters``. The only text ever filled into a statement is a
label, key property or relationship type from :data:`ATTRIBUTE_KINDS`, a fixed
allow-list. An investigator query's header declares its parameters (``// @param``
lines); :func:`coerce_params` turns values typed on a command line into those types.

:class:`QueryRunner` is how a statement gets run: the graph store's runner wraps the
``neo4j`` driver (:mod:`linkage.graphdb.store`, the only module that imports it); a
test can pass one that records what it is given and answers with canned rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from linkage.errors import GraphStoreError
from linkage.graphdb.resources import resource_dir
from linkage.kinds import ATTRIBUTE_KINDS

__all__ = [
    "CYPHER_DIR",
    "Query",
    "QueryInfo",
    "QueryParam",
    "QueryRunner",
    "coerce_params",
    "cypher",
    "cypher_template",
    "list_queries",
    "list_query_names",
    "query",
    "query_info",
    "schema_queries",
    "statements",
]

CYPHER_DIR = resource_dir("cypher")
"""Where the Cypher files live (``cypher/`` at the top of the checkout)."""

_PLACEHOLDERS = {
    "__LABEL__": {kind.graph_label for kind in ATTRIBUTE_KINDS.values()},
    "__KEY__": {kind.graph_key for kind in ATTRIBUTE_KINDS.values()},
    "__REL__": {kind.graph_relationship for kind in ATTRIBUTE_KINDS.values()},
}
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_PARAM_LINE = re.compile(
    r"^//\s*@param\s+(?P<name>[A-Za-z_]\w*)\s+(?P<type>string|integer|float|boolean)"
    r'(?:\s*=\s*(?P<default>"[^"]*"|\S+))?(?:\s+(?P<help>.*))?$'
)
_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off"}


# ---------------------------------------------------------------------------- Cypher files


def _cypher_path(name: str) -> Path:
    if not _NAME.fullmatch(name):
        raise GraphStoreError(
            f"{name!r} is not a Cypher file name (lower case letters, digits and _ only)"
        )
    for folder in (CYPHER_DIR, CYPHER_DIR / "queries"):
        path = folder / f"{name}.cypher"
        if path.is_file():
            return path
    known = ", ".join(list_query_names()) or "none"
    raise GraphStoreError(f"no Cypher file {name}.cypher in {CYPHER_DIR} (queries: {known})")


def cypher(name: str) -> str:
    """The text of ``cypher/NAME.cypher`` (or ``cypher/queries/NAME.cypher``).

    Raises:
        GraphStoreError: no such file, or a name that is not a plain identifier.
    """
    path = _cypher_path(name)
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise GraphStoreError(f"cannot read {path}: {exc.strerror}") from exc


def cypher_template(name: str, **identifiers: str) -> str:
    """A Cypher file with its ``__LABEL__``/``__KEY__``/``__REL__`` placeholders filled.

    Each value must be on the allow-list (:data:`ATTRIBUTE_KINDS`); values never go
    into the text, only labels, key property names and relationship types.

    >>> "MERGE (x:IP {address: row.value})" in cypher_template(
    ...     "load_attribute_nodes", LABEL="IP", KEY="address")
    True
    """
    text = cypher(name)
    for placeholder_name, value in identifiers.items():
        placeholder = f"__{placeholder_name}__"
        allowed = _PLACEHOLDERS.get(placeholder)
        if allowed is None:
            raise GraphStoreError(f"{name}.cypher: unknown placeholder {placeholder}")
        if value not in allowed:
            raise GraphStoreError(
                f"{name}.cypher: {value!r} is not an allowed value for {placeholder}"
            )
        text = text.replace(placeholder, value)
    left = sorted(set(re.findall(r"__[A-Z]+__", text)))
    if left:
        raise GraphStoreError(f"{name}.cypher: placeholders left unfilled: {', '.join(left)}")
    return text


def statements(text: str) -> list[str]:
    """The statements of a multi-statement file (schema.cypher): split on ``;`` at line end."""
    body = "\n".join(line for line in text.splitlines() if not line.strip().startswith("//"))
    return [part.strip() for part in re.split(r";\s*$", body, flags=re.MULTILINE) if part.strip()]


# ------------------------------------------------------------------- investigator queries


@dataclass(frozen=True)
class QueryParam:
    name: str
    type: str
    default: Any
    required: bool
    help: str


@dataclass(frozen=True)
class QueryInfo:
    """What an investigator query answers and which parameters it takes (its header)."""

    name: str
    summary: str
    description: str
    params: tuple[QueryParam, ...]


def list_query_names() -> list[str]:
    folder = CYPHER_DIR / "queries"
    return sorted(path.stem for path in folder.glob("*.cypher")) if folder.is_dir() else []


def list_queries() -> list[QueryInfo]:
    """Every investigator query in ``cypher/queries/``, with its header."""
    return [query_info(name) for name in list_query_names()]


def query_info(name: str) -> QueryInfo:
    """Parse the header of ``cypher/queries/NAME.cypher``.

    The header is the leading ``//`` comment: ``// NAME: one-line summary``, more
    lines of description, then one ``// @param NAME TYPE [= DEFAULT] help`` line per
    parameter (TYPE is string, integer, float or boolean; without a default the
    parameter is required).
    """
    path = CYPHER_DIR / "queries" / f"{name}.cypher"
    if not _NAME.fullmatch(name) or not path.is_file():
        known = ", ".join(list_query_names()) or "none"
        raise GraphStoreError(f"no query named {name!r}; the queries are: {known}")
    lines = path.read_text(encoding="utf-8").splitlines()
    header: list[str] = []
    for line in lines:
        if not line.startswith("//"):
            break
        header.append(line)
    if not header or not header[0].startswith(f"// {name}:"):
        raise GraphStoreError(f"{path}: the first line must be '// {name}: what it answers'")
    summary = header[0].split(":", 1)[1].strip()
    description: list[str] = []
    params: list[QueryParam] = []
    for line in header[1:]:
        match = _PARAM_LINE.match(line)
        if match:
            raw_default = match.group("default")
            kind = match.group("type")
            default = None if raw_default is None else _coerce(raw_default.strip('"'), kind, name)
            params.append(
                QueryParam(
                    name=match.group("name"),
                    type=kind,
                    default=default,
                    required=raw_default is None,
                    help=(match.group("help") or "").strip(),
                )
            )
        elif "@param" in line:
            raise GraphStoreError(f"{path}: cannot read parameter line {line!r}")
        else:
            description.append(line[2:].strip())
    return QueryInfo(name, summary, " ".join(d for d in description if d), tuple(params))


def _coerce(value: Any, kind: str, where: str) -> Any:
    if not isinstance(value, str):
        if kind == "float" and isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        python_type = {"string": str, "integer": int, "boolean": bool}.get(kind, float)
        if isinstance(value, python_type) and not (kind == "integer" and isinstance(value, bool)):
            return value
        raise GraphStoreError(f"{where}: expected {kind}, got {value!r}")
    try:
        if kind == "integer":
            return int(value)
        if kind == "float":
            return float(value)
    except ValueError:
        wanted = "an integer" if kind == "integer" else "a number"
        raise GraphStoreError(f"{where}: {value!r} is not {wanted}") from None
    if kind == "boolean":
        lowered = value.strip().lower()
        if lowered in _TRUE | _FALSE:
            return lowered in _TRUE
        raise GraphStoreError(f"{where}: {value!r} is not a boolean (true or false)")
    return value


def coerce_params(name: str, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """A query's parameters: strings converted to the declared types, defaults filled in.

    >>> coerce_params("top_clusters", {"limit": "5"})
    {'limit': 5, 'flagged_only': False}

    Raises:
        GraphStoreError: an unknown or missing parameter, or a value of the wrong type.
    """
    info = query_info(name)
    given = dict(given or {})
    declared = {param.name: param for param in info.params}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        takes = ", ".join(declared) or "no parameters"
        raise GraphStoreError(
            f"query {name} has no parameter {', '.join(unknown)} (it takes: {takes})"
        )
    values: dict[str, Any] = {}
    for param in info.params:
        if param.name in given:
            values[param.name] = _coerce(given[param.name], param.type, f"{name} {param.name}")
        elif param.required:
            raise GraphStoreError(
                f"query {name} needs --param {param.name}=... ({param.type}: {param.help})"
            )
        else:
            values[param.name] = param.default
    return values


# ------------------------------------------------------------------------------ running


@dataclass(frozen=True)
class Query:
    """One Cypher statement as sent: the file it comes from and its text (filled in)."""

    name: str
    text: str = field(repr=False)


def query(name: str, **identifiers: str) -> Query:
    """``cypher/NAME.cypher`` as a :class:`Query`, its placeholders filled from the
    allow-list (see :func:`cypher_template`).

    >>> query("load_accounts").name
    'load_accounts'
    """
    return Query(name, cypher_template(name, **identifiers))


def schema_queries() -> list[Query]:
    """The statements of ``cypher/schema.cypher``, one :class:`Query` each."""
    return [Query("schema", text) for text in statements(cypher("schema"))]


class QueryRunner(Protocol):
    """Runs the graph store's statements; ``doing`` says what for, in error messages.

    Parameters go to the server as parameters, never into the text.
    """

    def verify(self) -> None:
        """Check that the server answers and takes the credentials."""

    def write(self, query: Query, params: Mapping[str, Any], doing: str) -> None:
        """Run a write in a transaction of its own (retried on transient failures)."""

    def auto_commit(self, query: Query, params: Mapping[str, Any], doing: str) -> None:
        """Run a statement that manages its own transactions (CALL ... IN TRANSACTIONS)."""

    def read(self, query: Query, params: Mapping[str, Any], doing: str) -> pd.DataFrame:
        """Run a read; one row per record, values as plain Python."""

    def stream(
        self, query: Query, params: Mapping[str, Any], doing: str
    ) -> Iterator[Mapping[str, Any]]:
        """Run a read whose records are used one by one (too many to hold at once)."""

    def close(self) -> None:
        """Release the connections."""
