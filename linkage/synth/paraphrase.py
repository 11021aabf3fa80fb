"""Campaign prompts without fixed templates: a grammar over ``vocab/paraphrase.json``.

A prompt is a wrapper around an instruction and the content. The instruction
is an optional opener, one of many paraphrases of the campaign's intent and up
to three extra requirements in random order; the content is a label and the
text (one part, or two for grading and rewrites). Phrases carry alternations,
``[[show|write out|lay out]]``, drawn independently for every prompt, so a few
dozen phrases give thousands of wordings. Wrappers put the instruction
before or after the content, as plain text, markdown sections, XML-ish tags,
a JSON envelope or a chat transcript. Languages are drawn per prompt.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> lang = paraphrase_languages(rng, 200)
>>> sorted({LANGUAGE_CODES[i] for i in lang})
['en', 'es', 'ja', 'pt', 'ru', 'zh']
>>> text = paraphrased(rng, "reason", np.zeros(3, np.int8), [as_objects(["2 + 2?"] * 3)])
>>> all("2 + 2?" in t for t in text)
True
>>> sorted(set(expand(rng, ["[[Hi|Hello]] there"], np.zeros(50, int))))
['Hello there', 'Hi there']
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache, lru_cache
from typing import Any

import numpy as np
import pandas as pd

from linkage.synth.content import LANG
from linkage.synth.text import Arr, as_objects, pick
from linkage.synth.vocabulary import LANGUAGE_CODES, PARAPHRASE

INTENTS: tuple[str, ...] = tuple(PARAPHRASE["intents"])
"""reason, grade, rewrite, agent_tools, agent_computer, code_agent."""

_LANG_ROWS = PARAPHRASE["languages"]
_LANGS = np.array([LANG[row["code"]] for row in _LANG_ROWS], dtype=np.int8)
_LANG_P = np.array([row["weight"] for row in _LANG_ROWS], dtype=float)
_NO_SPACES = {LANG["zh"], LANG["ja"]}  # scripts written without spaces between sentences
_MAX_EXTRAS = 3


_ALTERNATION = re.compile(r"\[\[(.*?)\]\]")


@lru_cache(maxsize=4096)
def _parsed(phrase: str) -> tuple[tuple[str, ...], tuple[Arr, ...]]:
    """A phrase as its literal pieces and, between them, the options of each alternation."""
    pieces = _ALTERNATION.split(phrase)
    return tuple(pieces[0::2]), tuple(as_objects(group.split("|")) for group in pieces[1::2])


def expand(rng: np.random.Generator, phrases: Sequence[str], which: Arr) -> Arr:
    """Phrase ``which[i]`` of ``phrases`` for every row, each alternation drawn per row."""
    out = np.empty(len(which), dtype=object)
    for w in np.unique(which):
        idx = np.flatnonzero(which == w)
        literals, options = _parsed(phrases[int(w)])
        text = np.full(len(idx), literals[0], dtype=object)
        for lit, opts in zip(literals[1:], options, strict=True):
            text = text + pick(rng, opts, len(idx)) + lit
        out[idx] = text
    return out


def _expand_any(rng: np.random.Generator, phrases: Sequence[str], m: int) -> Arr:
    return expand(rng, phrases, rng.integers(0, len(phrases), m))


def paraphrase_languages(rng: np.random.Generator, n: int) -> Arr:
    """Languages of ``n`` paraphrased prompts (about 2/3 English, then Chinese, Spanish, ...)."""
    return _LANGS[rng.choice(len(_LANGS), n, p=_LANG_P / _LANG_P.sum())]


@cache
def _wrappers() -> tuple[Arr, Arr, Arr, Arr, Arr]:
    """Every wrapper as (before, between, after, instruction-first, is-JSON) arrays."""
    before, between, after, instruction_first, is_json = [], [], [], [], []
    for w in PARAPHRASE["wrappers"]:
        i, c = w.index("<I>"), w.index("<C>")
        first, second = sorted((i, c))
        before.append(w[:first])
        between.append(w[first + 3 : second])
        after.append(w[second + 3 :])
        instruction_first.append(i < c)
        is_json.append(w.startswith("{"))
    return (
        as_objects(before),
        as_objects(between),
        as_objects(after),
        np.array(instruction_first),
        np.array(is_json),
    )


def _json_escaped(text: Arr) -> Arr:
    """Text escaped to sit inside a JSON string."""
    s = pd.Series(text, dtype=object)
    s = s.str.replace("\\", "\\\\", regex=False).str.replace('"', '\\"', regex=False)
    return s.str.replace("\n", "\\n", regex=False).to_numpy(dtype=object)


def _with_space(words: Sequence[str], joiner: str) -> list[str]:
    """Bank entries followed by the joiner, empty entries left empty."""
    return [w + joiner if w else "" for w in words]


def _instruction(
    rng: np.random.Generator, bank: dict[str, Any], m: int, joiner: str, code: str
) -> Arr:
    """Opener, one paraphrase of the intent, then 0-3 distinct extras in random order.

    Two in five openers come from the language's pool of everyday openers.
    """
    text = _expand_any(rng, _with_space(bank["openers"], joiner), m)
    common = PARAPHRASE["common_openers"].get(code)
    if common:
        idx = np.flatnonzero(rng.random(m) < 0.4)
        text[idx] = _expand_any(rng, _with_space(common, joiner), len(idx))
    text = text + _expand_any(rng, bank["instructions"], m)
    extras = bank["extras"]
    k = rng.integers(0, min(_MAX_EXTRAS, len(extras)) + 1, m)
    order = np.argsort(rng.random((m, len(extras))), axis=1)
    for j in range(min(_MAX_EXTRAS, len(extras))):
        text = text + np.where(j < k, joiner + expand(rng, extras, order[:, j]), "")
    return text


def _content(
    rng: np.random.Generator, bank: dict[str, Any], parts: Sequence[Arr], joiner: str
) -> Arr:
    """Labelled content: ``label text`` or, for two parts, a pair of labels on one or two lines."""
    m = len(parts[0])
    labels = bank["labels"]
    if len(parts) == 1:
        return _expand_any(rng, _with_space(labels, joiner), m) + parts[0]
    pair = rng.integers(0, len(labels), m)
    first = expand(rng, _with_space([p[0] for p in labels], joiner), pair)
    second = expand(rng, _with_space([p[1] for p in labels], joiner), pair)
    sep = np.where(rng.random(m) < 0.6, "\n", joiner or "\n")
    return first + parts[0] + sep + second + parts[1]


def paraphrased(rng: np.random.Generator, intent: str, lang: Arr, parts: Sequence[Arr]) -> Arr:
    """Prompts of one intent in the languages ``lang``, around the content ``parts``.

    ``parts`` are one or two arrays of content text, one entry per prompt, already
    in the prompt's language (grading and rewrites have two: item and answer).
    """
    n = len(lang)
    instruction = np.empty(n, dtype=object)
    content = np.empty(n, dtype=object)
    for code in np.unique(lang):
        idx = np.flatnonzero(lang == code)
        bank = PARAPHRASE["intents"][intent][LANGUAGE_CODES[code]]
        joiner = "" if code in _NO_SPACES else " "
        instruction[idx] = _instruction(rng, bank, len(idx), joiner, LANGUAGE_CODES[code])
        content[idx] = _content(rng, bank, [p[idx] for p in parts], joiner)
    before, between, after, instruction_first, is_json = _wrappers()
    weight = np.where(np.arange(len(before)) < 5, 3.0, 1.0)
    w = rng.choice(len(before), n, p=weight / weight.sum())
    escape = np.flatnonzero(is_json[w])
    instruction[escape] = _json_escaped(instruction[escape])
    content[escape] = _json_escaped(content[escape])
    first = np.where(instruction_first[w], instruction, content)
    second = np.where(instruction_first[w], content, instruction)
    return before[w] + first + between[w] + second + after[w]
