"""Prompts of ordinary users: sentences of parts drawn from the word banks.

Examples
--------
>>> len(problems())
360
>>> prompts = regular_prompts(np.random.default_rng(0), 4)
>>> all(isinstance(p, str) and p for p in prompts)
True
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from linkage.synth.people import FIRST_BANK
from linkage.synth.text import NUMBER_TEXT, Arr, as_objects, pick, render, template_pieces
from linkage.synth.vocabulary import (
    CITIES,
    CODING_ARTIFACT,
    CODING_LANGUAGE,
    CODING_PROBLEM,
    CODING_SNIPPETS,
    CODING_TASK,
    CONNECTORS,
    GREETINGS,
    INTRO_TEMPLATES,
    PLANNING_DOING,
    PLANNING_EVENT,
    PLANNING_PARTY,
    PLANNING_PLACE,
    PLANNING_TASK,
    POSSESSIVES,
    PROBLEM_TEMPLATES,
    REACT_QUESTIONS,
    REACT_TEMPLATE,
    REASONING_ADJECTIVE,
    REASONING_SOURCE,
    REASONING_TAIL,
    REASONING_WHO,
    WHEN_TAIL,
    WRITING_DOCUMENT,
    WRITING_DOING,
    WRITING_FOR_WHOM,
    WRITING_SNIPPETS,
    WRITING_TASK,
)


@lru_cache(maxsize=1)
def problems() -> Arr:
    """Deterministic bank of 360 maths/logic problems (12 templates x 30 parameter sets)."""
    texts: list[str] = []
    for template in PROBLEM_TEMPLATES:
        for i in range(30):
            e = 3 + i % 7
            f = 4 + (i * 3) % 9
            if f == e:
                f += 1
            g = 5 + i % 6
            params = {
                "a": 40 + (i * 37) % 260,
                "b": 10 + (i * 13) % 60,
                "c": 20 + (i * 29) % 200,
                "d": 40 + (i * 17) % 100,
                "e": e,
                "f": f,
                "g": g,
                "s": e + f,
                "p": e * f,
                "q": g * (2 * i + 1) + g * (g - 1),
                "h": e + 1 + i % 5,
                "m": 7 + (i * 5) % 23,
                "p2": 2 * (e + 3 + f + 5),
                "ar": (e + 3) * (f + 5),
                "t": 2 * (20 + i) + e + 2 * f,
                "w": 10 + i,
                "k": 1 + i % (e - 1),
            }
            texts.append(template.format(**params))
    return as_objects(texts)


class _Drawn(NamedTuple):
    """Values already drawn for every row (a sentence part taken row by row)."""

    values: Arr


def _sentence(rng: np.random.Generator, idx: Arr, parts: tuple[object, ...]) -> Arr:
    """Concatenate ``parts`` for the rows ``idx``, drawing from banks left to right.

    A part is fixed text (``str``), values already drawn (``_Drawn``, taken at
    ``idx``), or a bank to draw from (a tuple of words or an object array).
    """
    m = len(idx)
    text = np.full(m, "", dtype=object)
    for part in parts:
        if isinstance(part, str):
            text = text + part
        elif isinstance(part, _Drawn):
            text = text + part.values[idx]
        else:
            pool = as_objects(part) if isinstance(part, tuple) else np.asarray(part, dtype=object)
            text = text + pick(rng, pool, m)
    return text


def regular_prompts(
    rng: np.random.Generator, n: int, p: Sequence[float] = (0.33, 0.3, 0.22, 0.15)
) -> Arr:
    """Human-like prompts: writing, coding, everyday planning and (by default 15%) reasoning."""
    cat = rng.choice(4, n, p=np.asarray(p))
    out = np.empty(n, dtype=object)
    greet = pick(rng, as_objects(GREETINGS), n)
    intro = rng.random(n) < 0.2
    pieces = template_pieces(INTRO_TEMPLATES)
    greet[intro] = render(
        pieces,
        rng.integers(0, len(pieces), int(intro.sum())),
        [pick(rng, FIRST_BANK, int(intro.sum()))],
    )
    when = rng.random(n) < 0.4
    tail = np.full(n, "", dtype=object)
    tail[when] = " (" + pick(rng, as_objects(WHEN_TAIL), int(when.sum())) + ")"
    conn = as_objects(CONNECTORS)
    named = rng.random(n) < 0.5
    poss = pick(rng, as_objects(POSSESSIVES), n)
    poss[named] = pick(rng, FIRST_BANK, int(named.sum())) + "'s"

    # each category is a sentence of parts: fixed text, words drawn from a bank, or the
    # greeting/possessive already drawn above; banks are drawn left to right
    greeting, owner = _Drawn(greet), _Drawn(poss)
    sentences: dict[int, tuple[object, ...]] = {
        0: (greeting, WRITING_DOING, " ", owner, " ", WRITING_DOCUMENT, " ", WRITING_FOR_WHOM,
            conn, WRITING_TASK, WRITING_SNIPPETS),
        1: (greeting, owner, " ", CODING_LANGUAGE, " ", CODING_ARTIFACT, " ", CODING_PROBLEM,
            conn, CODING_TASK, CODING_SNIPPETS),
        2: (greeting, PLANNING_DOING, " ", owner, " ", PLANNING_EVENT, " ", PLANNING_PLACE,
            " for ", NUMBER_TEXT[2:41], " ", PLANNING_PARTY, conn, PLANNING_TASK),
        3: (greeting, FIRST_BANK, " ", REASONING_WHO, " ", REASONING_ADJECTIVE, " ",
            REASONING_SOURCE, " ", problems(), REASONING_TAIL),
    }  # fmt: skip
    for category, parts in sentences.items():
        idx = np.flatnonzero(cat == category)
        out[idx] = _sentence(rng, idx, parts)
    return out + tail


def react_prompts(rng: np.random.Generator, n: int) -> Arr:
    """The popular agent-framework (ReAct) template with a varying question."""
    q = template_pieces(REACT_QUESTIONS)
    question = render(q, rng.integers(0, len(q), n), [pick(rng, as_objects(CITIES), n)])
    return render(template_pieces([REACT_TEMPLATE]), np.zeros(n, dtype=np.int64), [question])
