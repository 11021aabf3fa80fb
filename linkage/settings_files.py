"""Reading, checking and writing a tree of settings dataclasses.

This module knows nothing about which settings exist: ``linkage.settings``
declares them as nested dataclasses whose fields carry :func:`about` metadata
(help text, allowed range; :func:`setting` makes a number's field), and this
module turns a mapping or a TOML/JSON file into that tree and the tree back
into a commented TOML file.

A settings tree is built from these kinds of field, told apart by their
default value:

- a nested dataclass: a table (``[score]``) of further settings, its class's
  docstring the help on the table's header line;
- a ``dict`` of numbers: a sub-table (``[link.attribute_weights]``) whose keys
  are the default's keys (or any key, with ``open_keys``), each in the range;
- a ``list`` of strings;
- an ``int`` or a ``float`` in the range.

Every problem in a mapping is collected before anything is raised, so one
:class:`~linkage.errors.SettingsError` tells the user everything to fix.

Examples
--------
>>> from dataclasses import dataclass, field
>>> @dataclass
... class Limits:
...     "some limits"
...     share: float = setting(0.5, "A share.", 0.0, 1.0)
...     names: list[str] = field(default_factory=lambda: ["a"], metadata=about("Some names."))
>>> @dataclass
... class Example:
...     seed: int = setting(0, "A seed.", 0)
...     limits: Limits = field(default_factory=Limits)
>>> build_checked(Example, {"limits": {"share": 0.2}})
Example(seed=0, limits=Limits(share=0.2, names=['a']))
>>> build_checked(Example, {"seed": -1, "limits": {"shares": 2}}, source="my.toml")
Traceback (most recent call last):
...
linkage.errors.SettingsError: my.toml: seed must be at least 0, got -1
my.toml: unknown setting 'limits.shares' (did you mean 'limits.share'?)
>>> print(to_toml(Example(), header=["An example."]))
# An example.
<BLANKLINE>
# A seed. (>= 0)
seed = 0
<BLANKLINE>
[limits]  # some limits
# A share. (0.0..1.0)
share = 0.5
# Some names.
names = ["a"]
<BLANKLINE>
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import tomllib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from linkage.errors import SettingsError

T = TypeVar("T")


def about(
    help: str,
    low: float | None = None,
    high: float | None = None,
    *,
    open_keys: bool = False,
    show_range: bool = True,
) -> dict[str, Any]:
    """A setting's field metadata: its help text and allowed range (inclusive).

    ``open_keys`` lets a dict setting take keys its default does not have;
    ``show_range=False`` leaves the range out of the written file's comment.
    """
    return {
        "help": help,
        "low": low,
        "high": high,
        "open_keys": open_keys,
        "show_range": show_range,
    }


def setting(
    default: float,
    help: str,
    low: float | None = None,
    high: float | None = None,
    *,
    show_range: bool = True,
) -> Any:
    """The dataclass field of a number setting: its default, help and allowed range.

    Dict and list settings, and nested tables, need a fresh value for each
    instance: they are declared with ``field(default_factory=...)`` (and
    ``metadata=about(...)``), which linters also recognise.
    """
    return dataclasses.field(
        default=default, metadata=about(help, low, high, show_range=show_range)
    )


def build_checked(cls: type[T], values: object, source: str = "settings") -> T:
    """An instance of the settings dataclass ``cls`` from a (partial) mapping.

    Missing settings keep their defaults. A flat mapping (``{"flag_threshold":
    0.6}``, as run.json of earlier versions held) is read too: each name goes to
    the table that declares it. Every problem is reported at once, each line
    starting with ``source`` (the file's path) and naming the setting.
    """
    problems: list[str] = []
    if not isinstance(values, dict):
        problems.append(f"{source}: settings must be a table of names to values")
        grouped: dict[str, Any] = {}
    else:
        grouped = _group_flat_names(cls, values)
    built: T = _build(cls, grouped, "", problems, source, _known_names(cls))
    if problems:
        raise SettingsError("\n".join(problems))
    return built


def to_toml(settings: object, header: Sequence[str]) -> str:
    """Every setting of a settings dataclass with its value and help, as TOML.

    Each setting gets a comment line (its help and allowed range) above it;
    nested dataclasses become tables and dicts sub-tables, after the plain
    values of their parent, as TOML requires.
    """
    lines = [*(f"# {line}" for line in header), ""]
    return "\n".join([*lines, *_table_lines(settings, "")])


def read_settings_file(path: Path) -> Any:
    """The settings a TOML file (JSON if its suffix is ``.json``) holds, unchecked.

    A file with a ``settings`` table (an earlier run's ``run.json``) gives that
    table, so a run can be repeated with exactly its parameters.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"cannot read settings file {path}: {exc.strerror}") from exc
    try:
        values = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"settings file {path} is not valid: {exc}") from exc
    if isinstance(values, dict) and isinstance(values.get("settings"), dict):
        return values["settings"]
    return values


def _default(spec: dataclasses.Field[Any]) -> Any:
    if spec.default is not dataclasses.MISSING:
        return spec.default
    factory: Any = spec.default_factory
    return factory()


def _table_type(spec: dataclasses.Field[Any]) -> type | None:
    """The dataclass a field holds when it is a table of settings, else None."""
    factory: Any = spec.default_factory
    return factory if isinstance(factory, type) and dataclasses.is_dataclass(factory) else None


def _group_flat_names(cls: type, values: dict[str, Any]) -> dict[str, Any]:
    tables = {spec.name for spec in dataclasses.fields(cls) if _table_type(spec)}
    owner = _flat_names(cls)
    grouped: dict[str, Any] = {}
    for name, value in values.items():
        table = owner.get(name)
        if table is not None and name not in tables:
            target = grouped.setdefault(table, {})
            if isinstance(target, dict):
                target[name] = value
        elif name in tables and isinstance(value, dict):
            target = grouped.setdefault(name, {})
            if isinstance(target, dict):
                target.update(value)
        else:
            grouped[name] = value
    return grouped


def _flat_names(cls: type) -> dict[str, str]:
    """Each setting of a top-level table, by its bare name, to that table's name."""
    owner: dict[str, str] = {}
    for spec in dataclasses.fields(cls):
        table = _table_type(spec)
        if table is not None:
            owner.update({inner.name: spec.name for inner in dataclasses.fields(table)})
    return owner


def _known_names(cls: type, prefix: str = "") -> list[str]:
    """Every table and setting name, dotted, that a typo may have meant."""
    known: list[str] = []
    for spec in dataclasses.fields(cls):
        table = _table_type(spec)
        known.append(f"{prefix}{spec.name}")
        if table is not None:
            known += _known_names(table, f"{prefix}{spec.name}.")
    return known


def _suggest(name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _build(
    cls: Any,
    values: dict[str, Any],
    prefix: str,
    problems: list[str],
    source: str,
    known: list[str],
) -> Any:
    specs = {spec.name: spec for spec in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for name, value in values.items():
        spec = specs.get(name)
        where = f"{prefix}{name}"
        if spec is None:
            problems.append(f"{source}: unknown setting {where!r}{_suggest(where, known)}")
            continue
        table = _table_type(spec)
        if table is not None and not isinstance(value, dict):
            problems.append(f"{source}: [{where}] must be a table of settings")
            continue
        before = len(problems)
        if table is None:
            checked = _check(spec, value, where, problems, source)
        else:
            checked = _build(table, value, f"{where}.", problems, source, known)
        if len(problems) == before:
            kwargs[name] = checked
    return cls(**kwargs)


def _check(
    spec: dataclasses.Field[Any], value: Any, where: str, problems: list[str], source: str
) -> Any:
    """The value converted to the setting's type, or None with a problem recorded."""
    default = _default(spec)
    low, high = spec.metadata.get("low"), spec.metadata.get("high")
    if isinstance(default, dict):
        if not isinstance(value, dict):
            problems.append(f"{source}: {where} must be a table of names to numbers")
            return None
        unknown = sorted(set(value) - set(default))
        if unknown and not spec.metadata.get("open_keys"):
            problems.append(
                f"{source}: {where} has unknown keys {unknown} (known: {list(default)})"
            )
            return None
        merged = dict(default)
        for key, item in value.items():
            number = _number(item, float, f"{where}.{key}", low, high, problems, source)
            if number is not None:
                merged[key] = number
        return merged
    if isinstance(default, list):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(f"{source}: {where} must be a list of strings, got {value!r}")
            return None
        return list(value)
    return _number(value, type(default), where, low, high, problems, source)


def _number(
    value: Any,
    kind: type,
    where: str,
    low: float | None,
    high: float | None,
    problems: list[str],
    source: str,
) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        problems.append(f"{source}: {where} must be a number, got {value!r}")
        return None
    if kind is int and value != int(value):
        problems.append(f"{source}: {where} must be a whole number, got {value!r}")
        return None
    if low is not None and value < low:
        problems.append(f"{source}: {where} must be at least {low}, got {value!r}")
        return None
    if high is not None and value > high:
        problems.append(f"{source}: {where} must be at most {high}, got {value!r}")
        return None
    return kind(value)


def _table_lines(settings: Any, prefix: str) -> Iterator[str]:
    """One table: its plain values, then its dict sub-tables, then its nested tables."""
    plain: list[str] = []
    dicts: list[str] = []
    nested: list[tuple[str, Any]] = []
    for spec in dataclasses.fields(settings):
        value = getattr(settings, spec.name)
        if _table_type(spec) is not None:
            nested.append((f"{prefix}{spec.name}", value))
        elif isinstance(value, dict):
            dicts += ["", _comment(spec), f"[{prefix}{spec.name}]"]
            dicts += [f"{key} = {_toml_value(item)}" for key, item in value.items()]
        else:
            plain += [_comment(spec), f"{spec.name} = {_toml_value(value)}"]
    yield from [*plain, *dicts, ""]
    for name, table in nested:
        yield f"[{name}]  # {type(table).__doc__}"
        yield from _table_lines(table, f"{name}.")


def _comment(spec: dataclasses.Field[Any]) -> str:
    low, high = spec.metadata.get("low"), spec.metadata.get("high")
    if not spec.metadata.get("show_range", True) or (low is None and high is None):
        return f"# {spec.metadata['help']}"
    if high is None:
        return f"# {spec.metadata['help']} (>= {low})"
    return f"# {spec.metadata['help']} ({low}..{high})"


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return repr(value)
