"""What the campaigns ask: their forms of prompt, as fixed templates or paraphrased.

Each campaign draws a *form* per request (the harvest: reasoning trace, rubric
grading or sensitive rewrite; the swarm: one of six agent scaffolds; the
firehose: its coding agent). Without the ``paraphrase`` knob a form is one of a
few fixed English templates; with it the same intent is rendered by the grammar
of :mod:`linkage.synth.paraphrase` in several languages. ``camouflage`` swaps
about half of a campaign's requests for ordinary users' prompts.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> forms = np.array([0, 1, 2])
>>> text, kind, lang, intent = campaign_prompts(rng, "reasoning_harvest", forms, paraphrase=False)
>>> [Kind(k).name for k in kind]
['REASON', 'RATE', 'REWRITE']
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from linkage.synth.content import EN, Kind
from linkage.synth.paraphrase import INTENTS, paraphrase_languages, paraphrased
from linkage.synth.people import foreign_languages
from linkage.synth.prompts import ORDINARY_PERSONAS, persona_prompts, problems
from linkage.synth.text import NUMBER_TEXT, Arr, as_objects, pick, render, template_pieces
from linkage.synth.vocabulary import (
    AGENT_TASK_ACTIONS,
    AGENT_TASK_SUBJECTS,
    CODE_ACTIONS,
    CODE_TARGETS,
    FIREHOSE_TEMPLATE,
    GRADED_RESPONSES,
    HARVEST_GRADING_TEMPLATES,
    HARVEST_REASONING_TEMPLATES,
    HARVEST_REWRITE_TEMPLATES,
    IMAGE_QUESTIONS,
    LANGUAGE_CODES,
    PARAPHRASE,
    SENSITIVE_ANSWERS,
    SENSITIVE_TOPICS,
    SWARM_SCAFFOLDS,
)


class Form(NamedTuple):
    """One form of campaign prompt: its kind, grammar intent and content recipe."""

    kind: Kind
    intent: str  # a key of the paraphrase grammar's intents
    content: str  # reason, grade, rewrite, task, image or code


FORMS: dict[str, tuple[tuple[Form, float], ...]] = {
    "reasoning_harvest": (
        (Form(Kind.REASON, "reason", "reason"), 0.45),
        (Form(Kind.RATE, "grade", "grade"), 0.30),
        (Form(Kind.REWRITE, "rewrite", "rewrite"), 0.25),
    ),
    # in the order of SWARM_SCAFFOLDS: tools, screenshot, image, planning, coding, browsing
    "agentic_swarm": (
        (Form(Kind.AGENT, "agent_tools", "task"), 1 / 6),
        (Form(Kind.VISION, "agent_computer", "task"), 1 / 6),
        (Form(Kind.VISION, "agent_computer", "image"), 1 / 6),
        (Form(Kind.AGENT, "agent_tools", "task"), 1 / 6),
        (Form(Kind.CODE_AGENT, "code_agent", "code"), 1 / 6),
        (Form(Kind.AGENT, "agent_tools", "task"), 1 / 6),
    ),
    "coding_firehose": ((Form(Kind.CODE_AGENT, "code_agent", "code"), 1.0),),
}
"""Per campaign: its forms of prompt and their shares."""


def draw_forms(rng: np.random.Generator, campaign: str, n: int) -> Arr:
    """Form (index into ``FORMS[campaign]``) of ``n`` requests."""
    p = np.array([share for _, share in FORMS[campaign]])
    return rng.choice(len(p), n, p=p / p.sum())


# ---- content in any language -----------------------------------------------------------

_CONTENT = PARAPHRASE["content"]


def _per_language(rng: np.random.Generator, lang: Arr, english: Arr, bank: str) -> Arr:
    """One entry per request: from ``english`` or the request's language's bank."""
    out = pick(rng, english, len(lang)).copy()
    for code in np.unique(lang[lang != EN]):
        idx = np.flatnonzero(lang == code)
        out[idx] = pick(rng, as_objects(_CONTENT[bank][LANGUAGE_CODES[code]]), len(idx))
    return out


def _problems(rng: np.random.Generator, lang: Arr) -> Arr:
    """Maths problems: the shared English bank, or templates with three drawn numbers."""
    out = pick(rng, problems(), len(lang)).copy()
    for code in np.unique(lang[lang != EN]):
        idx = np.flatnonzero(lang == code)
        pieces = template_pieces(_CONTENT["problems"][LANGUAGE_CODES[code]])
        numbers = -np.sort(-rng.integers(2, 121, (len(idx), 3)), axis=1)  # largest first
        slots = [NUMBER_TEXT[numbers[:, j]] for j in range(3)]
        out[idx] = render(pieces, rng.integers(0, len(pieces), len(idx)), slots)
    return out


def _sometimes(rng: np.random.Generator, bank: Arr, n: int, before: str, after: str) -> Arr:
    """A bank entry with ``before``/``after`` around it for half the rows, else nothing."""
    return np.where(rng.random(n) < 0.5, before + pick(rng, bank, n) + after, "")


def _agent_tasks(rng: np.random.Generator, lang: Arr) -> Arr:
    n = len(lang)
    english = pick(rng, as_objects(AGENT_TASK_ACTIONS), n) + " "
    english = english + pick(rng, as_objects(AGENT_TASK_SUBJECTS), n)
    out = english + _sometimes(rng, as_objects(_CONTENT["task_constraints"]), n, " ", "")
    for code in np.unique(lang[lang != EN]):
        idx = np.flatnonzero(lang == code)
        out[idx] = pick(rng, as_objects(_CONTENT["agent_tasks"][LANGUAGE_CODES[code]]), len(idx))
    return out


def _code_tasks(rng: np.random.Generator, n: int, fixed: bool) -> Arr:
    """Coding tasks (English everywhere: developers keep code names as they are).

    Paraphrased ones name a repository for half the tasks and add some context.
    """
    task = pick(rng, as_objects(CODE_ACTIONS), n) + " " + pick(rng, as_objects(CODE_TARGETS), n)
    if fixed:
        return task
    repos = _CONTENT["repositories"]
    repo = (
        pick(rng, as_objects(repos["owners"]), n) + "/" + pick(rng, as_objects(repos["names"]), n)
    )
    context = _sometimes(rng, as_objects(_CONTENT["code_context"]), n, " ", "")
    return np.where(rng.random(n) < 0.5, "Repository: " + repo + "\n", "") + task + "." + context


def _parts(rng: np.random.Generator, recipe: str, lang: Arr, fixed: bool) -> list[Arr]:
    """The content of ``len(lang)`` prompts of one recipe, in their languages."""
    match recipe:
        case "reason":
            return [_problems(rng, lang)]
        case "grade":
            responses = _per_language(rng, lang, as_objects(GRADED_RESPONSES), "responses")
            return [_problems(rng, lang), responses]
        case "rewrite":
            topic = _per_language(rng, lang, as_objects(SENSITIVE_TOPICS), "sensitive_topics")
            return [
                topic,
                _per_language(rng, lang, as_objects(SENSITIVE_ANSWERS), "sensitive_answers"),
            ]
        case "task" if fixed:
            actions = pick(rng, as_objects(AGENT_TASK_ACTIONS), len(lang))
            return [actions + " " + pick(rng, as_objects(AGENT_TASK_SUBJECTS), len(lang))]
        case "task":
            return [_agent_tasks(rng, lang)]
        case "image":
            return [_per_language(rng, lang, as_objects(IMAGE_QUESTIONS), "image_questions")]
        case "code":
            return [_code_tasks(rng, len(lang), fixed)]
    raise ValueError(recipe)  # pragma: no cover


# ---- fixed templates -------------------------------------------------------------------


def _fixed(rng: np.random.Generator, campaign: str, form: int, parts: list[Arr]) -> Arr:
    """Prompts of one form through the campaign's fixed English template(s)."""
    m = len(parts[0])
    match campaign, form:
        case "reasoning_harvest", 0:
            pieces = template_pieces(HARVEST_REASONING_TEMPLATES)
        case "reasoning_harvest", 1:
            pieces = template_pieces(HARVEST_GRADING_TEMPLATES)
        case "reasoning_harvest", 2:
            pieces = template_pieces(HARVEST_REWRITE_TEMPLATES)
        case "agentic_swarm", _:
            pieces = template_pieces([SWARM_SCAFFOLDS[form]], "\0")
        case _:
            pieces = template_pieces([FIREHOSE_TEMPLATE])
    return render(pieces, rng.integers(0, len(pieces), m), parts)


def campaign_prompts(
    rng: np.random.Generator, campaign: str, form: Arr, *, paraphrase: bool
) -> tuple[Arr, Arr, Arr, Arr]:
    """Prompts, kinds, languages and intents (index into ``INTENTS``) of requests of ``form``."""
    n = len(form)
    lang = paraphrase_languages(rng, n) if paraphrase else np.full(n, EN, dtype=np.int8)
    text = np.empty(n, dtype=object)
    kind = np.empty(n, dtype=np.int8)
    intent = np.empty(n, dtype=np.int8)
    for f, (spec, _) in enumerate(FORMS[campaign]):
        idx = np.flatnonzero(form == f)
        parts = _parts(rng, spec.content, lang[idx], not paraphrase)
        if paraphrase:
            text[idx] = paraphrased(rng, spec.intent, lang[idx], parts)
        else:
            text[idx] = _fixed(rng, campaign, f, parts)
        kind[idx] = spec.kind
        intent[idx] = INTENTS.index(spec.intent)
    return text, kind, lang, intent


def camouflage(
    rng: np.random.Generator, acct: Arr, country: Arr, prompt: Arr, kind: Arr, lang: Arr
) -> Arr:
    """Replace about half of the requests (in place) with ordinary users' prompts; which ones.

    Each account takes an ordinary persona (in the shares of the ordinary groups)
    and, for the multilingual one, its country's language, as ordinary users do.
    """
    names = list(ORDINARY_PERSONAS)
    w = np.array([ORDINARY_PERSONAS[p] for p in names], dtype=float)
    persona = rng.choice(len(names), len(country), p=w / w.sum())
    lang_of_account = foreign_languages(rng, country)
    benign = rng.random(len(acct)) < 0.5
    for p, name in enumerate(names):
        idx = np.flatnonzero(benign & (persona[acct] == p))
        text, k, lg = persona_prompts(rng, name, acct[idx], lang_of_account)
        prompt[idx], kind[idx], lang[idx] = text, k, lg
    return benign
