"""Word banks of the generator, loaded once from the JSON files in ``vocab/``.

Every bank keeps the order of its file: the generator draws indices into them,
so reordering or editing a bank changes every dataset generated from a seed.

Examples
--------
>>> FIRST_NAMES[:3]
('Olivia', 'Liam', 'Emma')
>>> COUNTRIES[0]
Country(code='US', weight=0.32, utc_offset_hours=-5)
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any, NamedTuple


class Country(NamedTuple):
    """A home country, its share of ordinary people and its UTC offset."""

    code: str
    weight: float
    utc_offset_hours: int


class Company(NamedTuple):
    """A customer with a declared organisation, a shared card and an office network."""

    name: str
    org_id: str
    email_domain: str
    country: str
    utc_offset_hours: int
    base_size: int  # accounts at scale 1
    verified: bool  # the provider checked the declared org


class EvalTeam(NamedTuple):
    """A customer's evaluation team: a declared org that grades model outputs every night."""

    name: str
    org_id: str
    email_domain: str
    country: str
    utc_offset_hours: int
    verified: bool
    base_size: int
    templates: tuple[str, ...]  # rubric templates with two slots (item, response)


class KindTokens(NamedTuple):
    """Token counts of one kind of exchange (lognormal medians and sigmas, clipped)."""

    kind: str
    context_median: float
    context_sigma: float
    context_max: int
    output_median: float
    output_sigma: float
    output_max: int


class Isp(NamedTuple):
    """A residential ISP whose blocks hold home and proxy-exit addresses."""

    asn: int
    as_org: str
    blocks: tuple[str, ...]


@cache
def load_bank_file(name: str) -> dict[str, Any]:
    """The parsed ``vocab/<name>.json`` (read from the installed package)."""
    path = files("linkage.synth") / "vocab" / f"{name}.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _words(values: list[str]) -> tuple[str, ...]:
    return tuple(values)


_PEOPLE = load_bank_file("people")
_CLIENTS = load_bank_file("clients")
_ORGANISATIONS = load_bank_file("organisations")
_PROMPTS = load_bank_file("prompts")
_PERSONAS = load_bank_file("personas")
_LANGUAGES = load_bank_file("languages")
_CONTENT = load_bank_file("content")
PARAPHRASE: dict[str, Any] = load_bank_file("paraphrase")
"""The campaign prompt grammar (see ``vocab/paraphrase.json``), used as loaded."""
PASTES: dict[str, Any] = load_bank_file("pastes")
"""What pasters paste and ask (see ``vocab/pastes.json``), used as loaded."""
APPS: dict[str, Any] = load_bank_file("apps")
"""Consumer apps with tool calling (see ``vocab/apps.json``), used as loaded."""
CODING: dict[str, Any] = load_bank_file("coding")
"""The coding CLI, the coding-agent start-ups and their sessions (``vocab/coding.json``)."""
JUDGES: dict[str, Any] = load_bank_file("judges")
"""LLM-as-judge pipelines, their suites' items and rubrics (``vocab/judges.json``)."""

# ---- people ----------------------------------------------------------------------------

FIRST_NAMES = _words(_PEOPLE["first_names"])
LAST_NAMES = _words(_PEOPLE["last_names"])
FREEMAIL = _words([row["domain"] for row in _PEOPLE["freemail_domains"]])
FREEMAIL_WEIGHTS = tuple(float(row["weight"]) for row in _PEOPLE["freemail_domains"])
COUNTRIES = tuple(
    Country(row["code"], float(row["weight"]), int(row["utc_offset_hours"]))
    for row in _PEOPLE["countries"]
)
PATHWAYS = _words([row["pathway"] for row in _PEOPLE["signup_pathways"]])
PATHWAY_WEIGHTS = tuple(float(row["weight"]) for row in _PEOPLE["signup_pathways"])

# ---- clients ---------------------------------------------------------------------------

_USER_AGENT_ROWS = _CLIENTS["sdk_user_agents"] + _CLIENTS["browser_user_agents"]
USER_AGENTS = _words([row["user_agent"] for row in _USER_AGENT_ROWS])
"""Programmatic SDK clients first, console browsers after them."""
USER_AGENT_WEIGHTS = tuple(float(row["weight"]) for row in _USER_AGENT_ROWS)
N_SDK_USER_AGENTS = len(_CLIENTS["sdk_user_agents"])
MODELS = _words(_CLIENTS["models"])

# ---- organisations ---------------------------------------------------------------------

COMPANIES = tuple(
    Company(
        row["name"],
        row["org_id"],
        row["email_domain"],
        row["country"],
        int(row["utc_offset_hours"]),
        int(row["base_size"]),
        bool(row["verified"]),
    )
    for row in _ORGANISATIONS["companies"]
)
NAME_FIRST = _words(_ORGANISATIONS["name_parts"]["first"])
NAME_SECOND = _words(_ORGANISATIONS["name_parts"]["second"])
UNIVERSITY_PLACES = _words(_ORGANISATIONS["university_places"])
RESIDENTIAL_ISPS = tuple(
    Isp(int(row["asn"]), row["as_org"], _words(row["blocks"]))
    for row in _ORGANISATIONS["residential_isps"]
)

# ---- prompts of ordinary users ---------------------------------------------------------

GREETINGS = _words(_PROMPTS["greetings"])
POSSESSIVES = _words(_PROMPTS["possessives"])
INTRO_TEMPLATES = _words(_PROMPTS["intro_templates"])
WHEN = _words(_PROMPTS["when"])
WHEN_TAIL = tuple(w.rstrip(", ").removesuffix(" and").rstrip() for w in WHEN)
"""``WHEN`` as an afterthought in brackets: without its trailing comma or "and"."""
CONNECTORS = _words(_PROMPTS["connectors"])

WRITING_DOING = _words(_PROMPTS["writing"]["doing"])
WRITING_DOCUMENT = _words(_PROMPTS["writing"]["document"])
WRITING_FOR_WHOM = _words(_PROMPTS["writing"]["for_whom"])
WRITING_TASK = _words(_PROMPTS["writing"]["task"])
WRITING_SNIPPETS = _words(_PROMPTS["writing"]["snippets"])

CODING_LANGUAGE = _words(_PROMPTS["coding"]["language"])
CODING_ARTIFACT = _words(_PROMPTS["coding"]["artifact"])
CODING_PROBLEM = _words(_PROMPTS["coding"]["problem"])
CODING_TASK = _words(_PROMPTS["coding"]["task"])
CODING_SNIPPETS = _words(_PROMPTS["coding"]["snippets"])

PLANNING_DOING = _words(_PROMPTS["planning"]["doing"])
PLANNING_EVENT = _words(_PROMPTS["planning"]["event"])
PLANNING_PLACE = _words(_PROMPTS["planning"]["place"])
PLANNING_PARTY = _words(_PROMPTS["planning"]["party"])
PLANNING_TASK = _words(_PROMPTS["planning"]["task"])

REASONING_WHO = _words(_PROMPTS["reasoning"]["who"])
REASONING_ADJECTIVE = _words(_PROMPTS["reasoning"]["adjective"])
REASONING_SOURCE = _words(_PROMPTS["reasoning"]["source"])
REASONING_TAIL = _words(_PROMPTS["reasoning"]["tail"])

PROBLEM_TEMPLATES = _words(_PROMPTS["problem_templates"])

# ---- templates of the legitimate groups ------------------------------------------------

REACT_TEMPLATE: str = _PROMPTS["react_template"]
REACT_QUESTIONS = _words(_PROMPTS["react_questions"])
CITIES = _words(_PROMPTS["cities"])
COURSE_TEMPLATE: str = _PROMPTS["course_template"]
COURSE_TOPICS = _words(_PROMPTS["course_topics"])
ONBOARDING_TEMPLATE: str = _PROMPTS["onboarding_template"]
STARTUP_IDEAS = _words(_PROMPTS["startup_ideas"])
JUDGE_TEMPLATES = _words(_PROMPTS["judge_templates"])
SUPPORT_TICKETS = _words(_PROMPTS["support_tickets"])
SUPPORT_REPLIES = _words(_PROMPTS["support_replies"])
APP_ROLES = _words(_PROMPTS["app_roles"])
APP_ADJECTIVES = _words(_PROMPTS["app_adjectives"])
APP_NOUNS = _words(_PROMPTS["app_nouns"])
APP_INPUTS = _words(_PROMPTS["app_inputs"])

# ---- templates of the planted campaigns ------------------------------------------------

HARVEST_REASONING_TEMPLATES = _words(_PROMPTS["harvest_reasoning_templates"])
HARVEST_GRADING_TEMPLATES = _words(_PROMPTS["harvest_grading_templates"])
HARVEST_REWRITE_TEMPLATES = _words(_PROMPTS["harvest_rewrite_templates"])
GRADED_RESPONSES = _words(_PROMPTS["graded_responses"])
SENSITIVE_TOPICS = _words(_PROMPTS["sensitive_topics"])
SENSITIVE_ANSWERS = _words(_PROMPTS["sensitive_answers"])
SWARM_SCAFFOLDS = _words(_PROMPTS["swarm_scaffolds"])
"""Agent scaffolds with one slot each, marked by a NUL character (they contain JSON braces)."""
AGENT_TASK_ACTIONS = _words(_PROMPTS["agent_task_actions"])
AGENT_TASK_SUBJECTS = _words(_PROMPTS["agent_task_subjects"])
IMAGE_QUESTIONS = _words(_PROMPTS["image_questions"])
CODE_ACTIONS = _words(_PROMPTS["code_actions"])
CODE_TARGETS = _words(_PROMPTS["code_targets"])
FIREHOSE_TEMPLATE: str = _PROMPTS["firehose_template"]

# ---- kinds of exchange and languages ---------------------------------------------------

KIND_TOKENS = tuple(KindTokens(**row) for row in _CONTENT["kinds"])
LANGUAGE_CODES = _words([row["code"] for row in _LANGUAGES["languages"]])
"""Language codes; English first."""
CHARS_PER_TOKEN = tuple(float(row["chars_per_token"]) for row in _LANGUAGES["languages"])
NON_ENGLISH_BY_COUNTRY: dict[str, dict[str, float]] = _LANGUAGES["non_english_by_country"]
ORDINARY_FOREIGN: dict[str, Any] = _LANGUAGES["ordinary"]
"""Per language: greetings and, per kind (chat, step, code, rate), templates and slots."""

# ---- the look-alike groups added for behavioural detectors -----------------------------

STEP_BY_STEP: dict[str, Any] = _PERSONAS["step_by_step"]
CODE_QUESTIONS: dict[str, Any] = _PERSONAS["code_questions"]
RATERS: dict[str, Any] = _PERSONAS["raters"]
VISION_QUESTIONS = _words(_PERSONAS["vision_questions"])
CRON_JOBS = tuple((row["template"], _words(row["slots"])) for row in _PERSONAS["cron_jobs"])
BACKEND_PRODUCTS = _words(_PERSONAS["backend_products"])
EVAL_TEAMS = tuple(
    EvalTeam(
        row["name"],
        row["org_id"],
        row["email_domain"],
        row["country"],
        int(row["utc_offset_hours"]),
        bool(row["verified"]),
        int(row["base_size"]),
        _words(row["templates"]),
    )
    for row in _PERSONAS["eval_teams"]
)
