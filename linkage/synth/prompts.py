"""Prompts of ordinary users: sentences of parts drawn from the word banks.

Examples
--------
>>> len(problems())
360
>>> prompts, kinds = regular_prompts(np.random.default_rng(0), 4)
>>> all(isinstance(p, str) and p for p in prompts)
True
>>> rng = np.random.default_rng(1)
>>> zh = np.array([LANG["zh"]])
>>> text, kind, lang = persona_prompts(rng, "multilingual", np.zeros(3, int), zh)
>>> sorted(set(lang.tolist())) == [LANG["zh"]]
True
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from linkage.synth.content import EN, LANG, Kind
from linkage.synth.documents import paster_prompts
from linkage.synth.people import FIRST_BANK
from linkage.synth.text import NUMBER_TEXT, Arr, as_objects, pick, render, template_pieces
from linkage.synth.vocabulary import (
    CITIES,
    CODE_ACTIONS,
    CODE_QUESTIONS,
    CODE_TARGETS,
    CODING_ARTIFACT,
    CODING_LANGUAGE,
    CODING_PROBLEM,
    CODING_SNIPPETS,
    CODING_TASK,
    CONNECTORS,
    GRADED_RESPONSES,
    GREETINGS,
    INTRO_TEMPLATES,
    ORDINARY_FOREIGN,
    PLANNING_DOING,
    PLANNING_EVENT,
    PLANNING_PARTY,
    PLANNING_PLACE,
    PLANNING_TASK,
    POSSESSIVES,
    PROBLEM_TEMPLATES,
    RATERS,
    REACT_QUESTIONS,
    REACT_TEMPLATE,
    REASONING_ADJECTIVE,
    REASONING_SOURCE,
    REASONING_TAIL,
    REASONING_WHO,
    STEP_BY_STEP,
    VISION_QUESTIONS,
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


# kind of each category of regular_prompts: writing (rewriting a draft), coding, planning,
# reasoning
_REGULAR_KINDS = np.array([Kind.REWRITE, Kind.CODE, Kind.CHAT, Kind.REASON], dtype=np.int8)
_VISION_SHARE = 0.04  # ordinary requests that come with a photo or screenshot


def regular_prompts(
    rng: np.random.Generator, n: int, p: Sequence[float] = (0.33, 0.3, 0.22, 0.15)
) -> tuple[Arr, Arr]:
    """Human-like prompts (writing, coding, planning, by default 15% reasoning) and their kinds."""
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
    return out + tail, _REGULAR_KINDS[cat]


def react_prompts(rng: np.random.Generator, n: int) -> Arr:
    """The popular agent-framework (ReAct) template with a varying question."""
    q = template_pieces(REACT_QUESTIONS)
    question = render(q, rng.integers(0, len(q), n), [pick(rng, as_objects(CITIES), n)])
    return render(template_pieces([REACT_TEMPLATE]), np.zeros(n, dtype=np.int64), [question])


# ---- the ordinary personas -------------------------------------------------------------

ORDINARY_PERSONAS: dict[str, int] = {
    "regular": 4000,
    "multilingual": 400,
    "step_by_step": 300,
    "code_questions": 300,
    "raters": 150,
}
"""Ordinary users' groups, each with its own kind of prompts, and their sizes at scale 1.

Campaign camouflage draws its benign prompts from these personas in these shares,
so a campaign's cover traffic is what ordinary users ask.
"""


def _one_slot(rng: np.random.Generator, templates: Sequence[str], slots: Arr, n: int) -> Arr:
    """``n`` sentences: a random template, its ``{}`` filled with a random slot value."""
    pieces = template_pieces(templates)
    return render(pieces, rng.integers(0, len(pieces), n), [pick(rng, slots, n)])


def _greeted(rng: np.random.Generator, text: Arr) -> Arr:
    """Sentences with an everyday greeting in front (often none)."""
    return pick(rng, as_objects(GREETINGS), len(text)) + text


def step_prompts(rng: np.random.Generator, n: int) -> tuple[Arr, Arr]:
    """Step-by-step questions: homework problems, recipes, DIY and explanations."""
    which = rng.choice(4, n, p=[0.4, 0.2, 0.2, 0.2])
    out = np.empty(n, dtype=object)
    for k, name in enumerate(("homework", "recipe", "diy", "explain")):
        idx = np.flatnonzero(which == k)
        bank = STEP_BY_STEP[name]
        slots = problems() if name == "homework" else as_objects(bank["slots"])
        out[idx] = _one_slot(rng, bank["templates"], slots, len(idx))
    return _greeted(rng, out), np.full(n, Kind.REASON, dtype=np.int8)


def homework_prompts(rng: np.random.Generator, n: int) -> Arr:
    """Homework problems asked step by step, in the phrasings everyone uses (no greeting)."""
    return _one_slot(rng, STEP_BY_STEP["homework"]["templates"], problems(), n)


def code_question_prompts(rng: np.random.Generator, n: int) -> tuple[Arr, Arr]:
    """Code questions; 15% through a popular IDE assistant's template (a coding agent)."""
    which = rng.choice(3, n, p=[0.55, 0.3, 0.15])
    out = np.empty(n, dtype=object)
    kind = np.full(n, Kind.CODE, dtype=np.int8)
    idx = np.flatnonzero(which == 0)
    out[idx] = regular_prompts(rng, len(idx), (0.0, 1.0, 0.0, 0.0))[0]
    idx = np.flatnonzero(which == 1)
    howto = CODE_QUESTIONS["howto"]
    out[idx] = _greeted(
        rng, _one_slot(rng, howto["templates"], as_objects(howto["slots"]), len(idx))
    )
    idx = np.flatnonzero(which == 2)
    m = len(idx)
    task = pick(rng, as_objects(CODE_ACTIONS), m) + " " + pick(rng, as_objects(CODE_TARGETS), m)
    out[idx] = render(
        template_pieces([CODE_QUESTIONS["ide_template"]]),
        np.zeros(m, dtype=np.int64),
        [pick(rng, as_objects(CODE_QUESTIONS["open_files"]), m), task],
    )
    kind[idx] = Kind.CODE_AGENT
    return out, kind


def rater_prompts(rng: np.random.Generator, n: int) -> tuple[Arr, Arr]:
    """ "Rate this from 1 to 10" requests; a fifth ask to grade another chatbot's answer."""
    second = rng.random(n) < 0.2
    out = np.empty(n, dtype=object)
    idx = np.flatnonzero(~second)
    out[idx] = _one_slot(rng, RATERS["templates"], as_objects(RATERS["slots"]), len(idx))
    idx = np.flatnonzero(second)
    out[idx] = _one_slot(rng, RATERS["second_opinion"], as_objects(GRADED_RESPONSES), len(idx))
    return _greeted(rng, out), np.full(n, Kind.RATE, dtype=np.int8)


_FOREIGN_KINDS = (
    ("chat", Kind.CHAT),
    ("step", Kind.REASON),
    ("code", Kind.CODE),
    ("rate", Kind.RATE),
)


def foreign_prompts(rng: np.random.Generator, lang: Arr) -> tuple[Arr, Arr]:
    """Everyday prompts in the languages ``lang`` (one per request) and their kinds."""
    n = len(lang)
    which = rng.choice(len(_FOREIGN_KINDS), n, p=[0.4, 0.25, 0.2, 0.15])
    out = np.empty(n, dtype=object)
    kind = np.empty(n, dtype=np.int8)
    for code, bank in ORDINARY_FOREIGN.items():
        for k, (name, kind_value) in enumerate(_FOREIGN_KINDS):
            idx = np.flatnonzero((lang == LANG[code]) & (which == k))
            m = len(idx)
            text = _one_slot(rng, bank[name]["templates"], as_objects(bank[name]["slots"]), m)
            out[idx] = pick(rng, as_objects(bank["greetings"]), m) + text
            kind[idx] = kind_value
    return out, kind


def persona_prompts(
    rng: np.random.Generator, persona: str, acct: Arr, lang_of_account: Arr
) -> tuple[Arr, Arr, Arr]:
    """Prompts, kinds and languages of requests by accounts ``acct`` of one ordinary persona.

    ``lang_of_account`` is used by the multilingual persona, and by pasters (who
    paste a document and ask about it) for the 45% of accounts that write in their
    own language; the others write English. Pasters are not among
    ``ORDINARY_PERSONAS``: campaigns' camouflage does not paste.
    """
    n = len(acct)
    lang = np.full(n, EN, dtype=np.int8)
    match persona:
        case "regular":
            text, kind = regular_prompts(rng, n)
        case "multilingual":
            lang = np.asarray(lang_of_account, dtype=np.int8)[acct]
            text, kind = foreign_prompts(rng, lang)
        case "step_by_step":
            text, kind = step_prompts(rng, n)
        case "code_questions":
            text, kind = code_question_prompts(rng, n)
        case "raters":
            text, kind = rater_prompts(rng, n)
        case "pasters":
            own = rng.random(len(lang_of_account)) < 0.45
            writes = np.where(own, np.asarray(lang_of_account, dtype=np.int8), EN)
            text, kind, lang = paster_prompts(rng, acct, writes)
        case _:
            raise ValueError(f"unknown persona {persona!r}")
    if persona in ("regular", "code_questions"):
        photo = np.flatnonzero(rng.random(n) < _VISION_SHARE)
        text[photo] = _greeted(rng, pick(rng, as_objects(VISION_QUESTIONS), len(photo)))
        kind[photo] = Kind.VISION
    return text, kind, lang
