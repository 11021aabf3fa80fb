"""Text as numpy object arrays: banks, picks and vectorised template rendering.

Object arrays of Python strings are cheap to index and ``+`` concatenates them
elementwise, so a million prompts are rendered without a Python loop.

Examples
--------
>>> pieces = template_pieces(["Hi {}!", "Bye {}."])
>>> render(pieces, np.array([0, 1]), [as_objects(["Ana", "Bo"])]).tolist()
['Hi Ana!', 'Bye Bo.']
>>> pick_within(np.random.default_rng(0), [as_objects(["a"]), as_objects(["b"])], [1, 0]).tolist()
['b', 'a']
>>> rng = np.random.default_rng(0)
>>> text = fill(rng, ["{@who} [[rang|called]]"], np.zeros(2, int), {"who": as_objects(["Ana"])})
>>> text[0] in ("Ana rang", "Ana called")
True
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt

Arr = npt.NDArray[Any]


def as_objects(values: Sequence[str]) -> Arr:
    """Object array of Python strings (cheap to index, concatenation is elementwise)."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def shared(value: str, n: int) -> Arr:
    """Object array of ``n`` references to one string (``np.full`` would copy it per row)."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


NUMBER_TEXT = as_objects([str(i) for i in range(10_000)])
"""``"0"`` .. ``"9999"``: index with integers to get their decimal text."""


def template_pieces(templates: Sequence[str], marker: str = "{}") -> Arr:
    """Split each template on its slot markers: (n_templates, n_slots + 1) object array."""
    parts = [t.split(marker) for t in templates]
    width = len(parts[0])
    if any(len(p) != width for p in parts):
        raise ValueError("templates of one family must have the same number of slots")
    out = np.empty((len(parts), width), dtype=object)
    for i, p in enumerate(parts):
        out[i, :] = p
    return out


def render(pieces: Arr, which: Arr, slots: Sequence[Arr]) -> Arr:
    """Vectorised template rendering: pieces[which] interleaved with the slot values."""
    out: Arr = pieces[which, 0].copy()
    for k, slot in enumerate(slots):
        out = out + slot + pieces[which, k + 1]
    return out


def pick(rng: np.random.Generator, pool: Arr, n: int) -> Arr:
    """``n`` uniform picks from ``pool``."""
    return pool[rng.integers(0, len(pool), n)]


def pick_within(rng: np.random.Generator, pools: Sequence[Arr], which: Arr) -> Arr:
    """One uniform pick per row from ``pools[which[i]]`` (pools of different sizes)."""
    table = np.concatenate(pools)
    sizes = np.array([len(p) for p in pools])
    start = np.cumsum(sizes) - sizes
    which = np.asarray(which)
    return table[start[which] + (rng.random(len(which)) * sizes[which]).astype(np.int64)]


_HOLE = re.compile(r"\{@(\w+)\}|\[\[(.*?)\]\]")


@lru_cache(maxsize=8192)
def parse_template(template: str) -> tuple[tuple[str, ...], tuple[str | Arr, ...]]:
    """A template's literal pieces and, between them, its holes.

    A hole is ``{@name}`` (a slot, filled from the bank or the per-row values
    called ``name``) or ``[[a|b|c]]`` (an alternation: one option drawn per row).
    Braces of any other form are literal text, so code and JSON need no escaping.
    """
    pieces: list[str] = []
    holes: list[str | Arr] = []
    last = 0
    for match in _HOLE.finditer(template):
        pieces.append(template[last : match.start()])
        slot, options = match.groups()
        holes.append(slot if slot is not None else as_objects(options.split("|")))
        last = match.end()
    pieces.append(template[last:])
    return tuple(pieces), tuple(holes)


def fill(
    rng: np.random.Generator,
    templates: Sequence[str],
    which: Arr,
    banks: Mapping[str, Arr],
    given: Mapping[str, Arr] | None = None,
) -> Arr:
    """Template ``which[i]`` of ``templates`` for every row, its holes filled row by row.

    A slot ``{@name}`` takes the row's value in ``given[name]`` (arrays aligned with
    ``which``) or else a uniform draw from ``banks[name]``; every alternation
    ``[[a|b]]`` is drawn per row. Rows are rendered template by template, holes left
    to right, so the draws depend only on the inputs.
    """
    which = np.asarray(which, dtype=np.int64)
    out = np.empty(len(which), dtype=object)
    order = np.argsort(which, kind="stable")  # each template's rows, in row order
    values, starts = np.unique(which[order], return_index=True)
    ends = np.append(starts[1:], len(which)).astype(np.int64)[: len(values)]
    for w, lo, hi in zip(values, starts, ends, strict=True):
        idx = order[lo:hi]
        pieces, holes = parse_template(templates[int(w)])
        text = np.full(len(idx), pieces[0], dtype=object)
        for hole, piece in zip(holes, pieces[1:], strict=True):
            if not isinstance(hole, str):
                value = pick(rng, hole, len(idx))
            elif given is not None and hole in given:
                value = given[hole][idx]
            else:
                value = pick(rng, banks[hole], len(idx))
            text = text + value + piece
        out[idx] = text
    return out
