"""Agentic prompts of legitimate services: apps calling tools for their users, coding agents.

* :func:`app_prompts`: what a consumer app's backend sends for one of its users,
  its system prompt and tool list (JSON schemas) around the user's message,
  sometimes with the result of a tool call to continue from;
* :func:`coding_prompts`: the requests of coding-agent sessions, a session being
  one task on one repository: the agent's system prompt and the task, then
  after every step the output of a tool (tests, files, diffs, searches, shell).

Examples
--------
>>> from linkage.synth.units import app_companies_for
>>> rng = np.random.default_rng(0)
>>> prefix, text, lang = app_prompts(rng, app_companies_for(1)[0], 4)
>>> all('"tools":[' in p for p in prefix), len({id(p) for p in prefix})  # one string object
(True, 1)
>>> sessions = Sessions(np.array([0, 0, 1]), np.array([0, 1, 0]), session_repos(rng, 2))
>>> prefix, text = coding_prompts(rng, sessions, "SYSTEM", "Task: {@task}", "cli")
>>> [p.startswith("SYSTEM") for p in prefix], [len(t) > 0 for t in text]
([True, True, True], [False, True, False])
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from linkage.synth.content import LANG
from linkage.synth.documents import slot_banks
from linkage.synth.text import Arr, as_objects, fill, pick, shared
from linkage.synth.units import AppCompany
from linkage.synth.vocabulary import APPS, CODING

_FOLLOW_UP = 0.35  # app requests that continue after a tool call
_STACKS = tuple(CODING["stacks"])
_STACK_P = np.array([0.4, 0.3, 0.12, 0.08, 0.1])  # python, typescript, go, java, ruby
_NOUNS = ("order", "invoice", "user", "booking", "product", "payment", "report", "account")


@cache
def _banks() -> dict[str, Arr]:
    """The free-text slot banks plus the apps' and the coding sessions' own words."""
    banks = dict(slot_banks())
    for source in (APPS["banks"], CODING["banks"]):
        banks |= {name: as_objects(words) for name, words in source.items()}
    return banks


def json_text(text: Arr) -> Arr:
    """Strings as JSON string literals (quoted and escaped; non-ASCII kept as it is)."""
    s = pd.Series(text, dtype=object)
    s = s.str.replace("\\", "\\\\", regex=False).str.replace('"', '\\"', regex=False)
    s = s.str.replace("\n", "\\n", regex=False).str.replace("\t", "\\t", regex=False)
    return ('"' + s + '"').to_numpy(dtype=object)


@cache
def _app_frame(company: AppCompany) -> tuple[str, str, tuple[str, ...]]:
    """The app's system prompt (in the company's name), its tools as JSON, the tools' names."""
    spec = APPS["apps"][company.spec]
    tools = [spec["tools"][k] for k in company.tools]
    system = spec["system"].replace(spec["name"], company.name)
    system = system.replace(spec["name"].split()[0], company.name.split()[0])
    tools_json = json.dumps(tools, separators=(",", ":"), ensure_ascii=False)
    return system, tools_json, tuple(t["name"] for t in tools)


def app_prompts(rng: np.random.Generator, company: AppCompany, n: int) -> tuple[Arr, Arr, Arr]:
    """``n`` requests of one app's backend: prompts' shared prefix and the rest, languages.

    The prefix (system prompt and tool list, one string object for all rows) and the
    rest make the prompt. Users write in the app's market languages; about a third
    of the requests continue a conversation after a tool call and carry its result.
    """
    spec: dict[str, Any] = APPS["apps"][company.spec]
    system, tools_json, tool_names = _app_frame(company)
    banks = _banks()
    codes = list(spec["languages"])
    p = np.array([spec["languages"][c] for c in codes], dtype=float)
    which_lang = rng.choice(len(codes), n, p=p / p.sum())
    message = np.empty(n, dtype=object)
    for i, code in enumerate(codes):
        idx = np.flatnonzero(which_lang == i)
        templates = spec["messages"][code]
        message[idx] = fill(rng, templates, rng.integers(0, len(templates), len(idx)), banks)
    results = [(tool, t) for tool, t in spec["results"] if tool in tool_names]
    follow = np.flatnonzero(rng.random(n) < _FOLLOW_UP) if results else np.empty(0, np.int64)
    which = rng.integers(0, max(1, len(results)), len(follow))
    result = fill(rng, [t for _, t in results], which, banks) if len(follow) else as_objects([])
    tool = as_objects([name for name, _ in results])[which] if len(follow) else as_objects([])
    if spec["format"] == "json":
        head = '{"system":' + json.dumps(system, ensure_ascii=False) + ',"tools":' + tools_json
        head += ',"messages":[{"role":"user","content":'
        tail = json_text(message) + "}"
        tail[follow] = tail[follow] + (
            ',{"role":"tool","name":"' + tool + '","content":' + json_text(result) + "}"
        )
        tail = tail + "]}"
    else:
        head = system + "\n\nTools: " + tools_json + "\n\nUser: "
        tail = message.copy()
        tail[follow] = tail[follow] + ("\n\nTool result (" + tool + "): " + result)
    lang = np.array([LANG[c] for c in codes], dtype=np.int8)[which_lang]
    return shared(head, n), tail, lang


# ---- coding-agent sessions ---------------------------------------------------------------


class Repos(NamedTuple):
    """Repositories: owner, name, stack (index into the stacks) and package name."""

    owner: Arr
    name: Arr
    stack: Arr
    pkg: Arr


class Sessions(NamedTuple):
    """Coding sessions: of every request its session and turn; of every session its repository."""

    session: Arr  # per request
    turn: Arr  # per request: 0 for the task, then one per tool step
    repo: Repos  # per session


def draw_repos(rng: np.random.Generator, n: int, owner: Arr) -> Repos:
    """``n`` repositories of the owners ``owner`` with a stack each."""
    banks = _banks()
    return Repos(
        np.asarray(owner, dtype=object),
        pick(rng, banks["repo"], n),
        rng.choice(len(_STACKS), n, p=_STACK_P / _STACK_P.sum()),
        pick(rng, banks["pkg"], n),
    )


def handles(names: Arr) -> Arr:
    """Organisation or people's names as repository owners: ``Amber Labs`` -> ``amber-labs``."""
    return pd.Series(names, dtype=object).str.lower().str.replace(" ", "-").to_numpy(dtype=object)


def session_repos(rng: np.random.Generator, n_sessions: int) -> Repos:
    """Repositories of ``n_sessions`` sessions, each its own (for examples and tests)."""
    return draw_repos(rng, n_sessions, handles(pick(rng, _banks()["company"], n_sessions)))


def _per_session(rng: np.random.Generator, repos: Repos, tasks: list[str]) -> dict[str, Arr]:
    """What stays fixed within a session: repository, file, function, dependency, task."""
    m = len(repos.name)
    banks = _banks()
    stacks = CODING["stacks"]
    out = {
        "owner": repos.owner,
        "repo": repos.name,
        "stack": as_objects(list(_STACKS))[repos.stack],
        "pkg": repos.pkg,
        "noun": pick(rng, as_objects(_NOUNS), m),
        "pr": pick(rng, banks["pr"], m),
        "branch": pick(rng, banks["branch"], m),
    }
    for key, bank in (("file", "files"), ("func", "funcs"), ("dep", "deps")):
        out[key] = np.empty(m, dtype=object)
        for s, name in enumerate(_STACKS):
            idx = np.flatnonzero(repos.stack == s)
            values = stacks[name][bank]
            which = rng.integers(0, len(values), len(idx))
            out[key][idx] = fill(rng, values, which, banks, {"pkg": repos.pkg[idx]})
    out["Func"] = as_objects([f[:1].upper() + f[1:] for f in out["func"]])
    out["task"] = fill(rng, tasks, rng.integers(0, len(tasks), m), banks, out)
    return out


_OUTPUTS = ("test", "code", "shell", "diff", "grep", "git")
_OUTPUT_P = np.array([0.28, 0.22, 0.12, 0.18, 0.12, 0.08])
_TOOL_LABEL = {
    "cli": ("run_command", "read_file", "run_command", "edit_file", "search", "run_command"),
    "startup": ("run", "open", "run", "apply_patch", "grep", "run"),
}


def _tool_outputs(rng: np.random.Generator, stack: Arr, given: dict[str, Arr], style: str) -> Arr:
    """One tool step's output per row, in the row's stack, labelled as the agent's tool."""
    banks = _banks()
    m = len(stack)
    kind = rng.choice(len(_OUTPUTS), m, p=_OUTPUT_P)
    out = np.empty(m, dtype=object)
    for s, name in enumerate(_STACKS):
        spec = CODING["stacks"][name]
        for k, output in enumerate(_OUTPUTS):
            idx = np.flatnonzero((stack == s) & (kind == k))
            if not len(idx):
                continue
            templates = spec[output] if output in spec else CODING["common"][output]
            rows = {key: values[idx] for key, values in given.items()}
            for key in ("line", "line2", "line3"):  # one line number per place in an output
                rows[key] = pick(rng, banks["line"], len(idx))
            text = fill(rng, templates, rng.integers(0, len(templates), len(idx)), banks, rows)
            label = _TOOL_LABEL[style][k]
            if output == "code":  # the file the agent opened
                out[idx] = "[" + label + " " + rows["file"] + "]\n" + text
            else:
                out[idx] = "[" + label + "]\n" + text
    return out


def coding_prompts(
    rng: np.random.Generator,
    sessions: Sessions,
    system: str,
    header: str,
    style: str,
    extra: dict[str, Arr] | None = None,
) -> tuple[Arr, Arr]:
    """Prompts of coding-agent requests: ``system``, the session's ``header``, a tool's output.

    ``header`` is a template of the session's values (``{@task}``, ``{@repo}``,
    ``{@owner}``, ``{@stack}``, ``{@branch}``, ...); the first request of a session
    carries the task alone, every later one the output of the step before it.
    ``style`` (``cli`` or ``startup``) names the tools as that agent does; ``extra``
    holds further values per session for the header. Returns every request's prefix
    (system prompt and header, one string object per session) and the rest.
    """
    tasks = CODING["cli"]["tasks"] if style == "cli" else CODING["tickets"]
    per_session = _per_session(rng, sessions.repo, tasks) | (extra or {})
    m = len(sessions.repo.name)
    head = fill(rng, [header], np.zeros(m, dtype=np.int64), _banks(), per_session)
    session, turn = sessions.session, sessions.turn
    tail = np.full(len(session), "", dtype=object)
    later = np.flatnonzero(turn > 0)
    rows = {key: values[session[later]] for key, values in per_session.items()}
    step = _tool_outputs(rng, sessions.repo.stack[session[later]], rows, style)
    tail[later] = "\n\n" + step
    return ((system + "\n\n") + head)[session], tail
