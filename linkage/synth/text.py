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
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

Arr = npt.NDArray[Any]


def as_objects(values: Sequence[str]) -> Arr:
    """Object array of Python strings (cheap to index, concatenation is elementwise)."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
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
