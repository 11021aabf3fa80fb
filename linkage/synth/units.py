"""Organisations of large scales: more companies, teams and universities, not bigger ones.

At scale ``s`` the generator holds about ``s`` times the organisations of scale 1,
each of the usual size: the named ones of the word banks first, then further
ones named from ``name_parts`` and ``university_places``, each with its own
network block. App companies, agent start-ups and judge pipelines multiply the
same way: further ones run a product like one of the word bank's under a name of
their own (``Amber Trips``, ``Amber Forge``, ...).

Examples
--------
>>> [c.name for c in companies_for(2)][2:4]
['Cobalt Logistics', 'Amber Analytics']
>>> universities_for(2)[1].network.cidr
'140.1.0.0/16'
>>> [a.name for a in app_companies_for(2)][4:7]
['Forkful', 'Amber Trips', 'Amber Home Shop']
>>> [s.name for s in startups_for(3)], judge_pipelines_for(1)[0].cron
(['Mergewell', 'Patchbay', 'Amber Forge'], (2, 0))
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from linkage.synth.network import COMPANY_NETWORKS, UNIVERSITY, Network, ipv4_strings, network_span
from linkage.synth.vocabulary import (
    APPS,
    CODING,
    COMPANIES,
    EVAL_TEAMS,
    JUDGES,
    NAME_FIRST,
    NAME_SECOND,
    UNIVERSITY_PLACES,
    Company,
    EvalTeam,
)

_COMPANY_BASE = "161.20.0.0/14"  # further companies' offices, one /24 each
_UNIVERSITY_BASE = "140.0.0.0/8"  # further universities, one /16 each
_UNIVERSITY_FORMS = ("{} University", "University of {}", "{} Institute of Technology")


class University(NamedTuple):
    """A university: its name, students' email domain and campus network."""

    name: str
    email_domain: str
    network: Network


def _name(i: int) -> str:
    """The i-th further organisation name (distinct for every i)."""
    first, rest = NAME_FIRST[i % len(NAME_FIRST)], i // len(NAME_FIRST)
    second = NAME_SECOND[rest % len(NAME_SECOND)]
    extra = rest // len(NAME_SECOND)
    return f"{first} {second}" + (f" {extra + 1}" if extra else "")


def _slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def _block24(base: str, i: int) -> str:
    start, _ = network_span(base)
    return f"{ipv4_strings(np.array([start + 256 * i]))[0]}/24"


def companies_for(sets: int) -> list[Company]:
    """``3 * sets`` companies with declared orgs: the named three, then further ones alike."""
    out = list(COMPANIES)
    for i in range(3 * sets - len(COMPANIES)):
        like = COMPANIES[i % len(COMPANIES)]
        name = _name(i)
        out.append(
            like._replace(
                name=name,
                org_id="org_" + _slug(name),
                email_domain=_slug(name) + ".com",
                verified=i % 2 == 0,
            )
        )
    return out


def company_networks(companies: list[Company]) -> list[Network]:
    """Each company's office /24 (the named companies' own blocks first)."""
    named = list(COMPANY_NETWORKS)
    return named + [
        Network(65000 + i, c.name, _block24(_COMPANY_BASE, i))
        for i, c in enumerate(companies[len(named) :])
    ]


def eval_teams_for(sets: int) -> list[EvalTeam]:
    """``3 * sets`` evaluation teams: the named three, then further ones with their rubrics."""
    out = list(EVAL_TEAMS)
    for i in range(3 * sets - len(EVAL_TEAMS)):
        like = EVAL_TEAMS[i % len(EVAL_TEAMS)]
        name = _name(i + 500)  # names apart from the companies'
        out.append(
            like._replace(
                name=name,
                org_id="org_" + _slug(name),
                email_domain=_slug(name) + ".io",
                verified=i % 2 == 1,
                templates=tuple(t.replace(like.name, name) for t in like.templates),
            )
        )
    return out


def universities_for(n: int) -> list[University]:
    """``n`` universities: Northfield first, then further ones with a /16 each."""
    out = [University(UNIVERSITY.as_org, "northfield.edu", UNIVERSITY)]
    base, _ = network_span(_UNIVERSITY_BASE)
    for i in range(1, n):
        place = UNIVERSITY_PLACES[(i - 1) % len(UNIVERSITY_PLACES)]
        form = _UNIVERSITY_FORMS[((i - 1) // len(UNIVERSITY_PLACES)) % len(_UNIVERSITY_FORMS)]
        campus = (i - 1) // (len(UNIVERSITY_PLACES) * len(_UNIVERSITY_FORMS))
        name = form.format(place) + (f", campus {campus + 1}" if campus else "")
        cidr = f"{ipv4_strings(np.array([base + 65536 * i]))[0]}/16"
        domain = _slug(place) + (str(campus + 1) if campus else "") + ".edu"
        if form != _UNIVERSITY_FORMS[0]:
            domain = f"{_slug(form.split()[0])}-{domain}"
        out.append(University(name, domain, Network(64800 + i, name, cidr)))
    return out


# ---- the organisations added later: app companies, agent start-ups, judge pipelines ----


class AppCompany(NamedTuple):
    """A consumer app's company whose backend relays its users' requests with tool calling."""

    name: str
    legal_name: str  # billing name
    email_domain: str
    org_id: str
    country: str
    utc_offset_hours: int
    verified: bool
    volume: int  # requests over the window at scale 1
    spec: int  # index of its app in vocab/apps.json: prompt, tools, messages
    tools: tuple[int, ...]  # the app's tools it declares, in its order


class AgentStartup(NamedTuple):
    """A coding-agent start-up: its company and the agent it runs for its customers."""

    name: str
    legal_name: str
    email_domain: str
    org_id: str
    country: str
    utc_offset_hours: int
    verified: bool
    volume: int  # requests over the window at scale 1
    spec: int  # index in vocab/coding.json startups: system prompt and header


class JudgePipeline(NamedTuple):
    """A company grading its assistant every night on a scheduler, with a fixed suite.

    ``team`` holds what an evaluation team has (name, org, domain, country, rubric
    templates; ``base_size`` is the suite's size at scale 1).
    """

    team: EvalTeam
    domain: str  # the items' domain in vocab/judges.json
    cron: tuple[int, int]  # local hour and minute the suite starts
    pace: int  # seconds between two items of one account


def _suffix(legal: str, name: str) -> str:
    """The legal form of ``legal`` (the words after ``name``), e.g. ``Inc.`` or ``GmbH``."""
    return legal[len(name) :].strip() or "Ltd"


def _family_name(family: str, round_: int) -> str:
    """The name of a further organisation of a family in round ``round_`` >= 1 of large scales.

    ``Maple Trips``, ``Juniper Trips``, ...: distinct for every (family, round).
    """
    first = NAME_FIRST[(round_ - 1) % len(NAME_FIRST)]
    extra = (round_ - 1) // len(NAME_FIRST)
    return f"{first} {family}" + (f" {extra + 1}" if extra else "")


def app_companies_for(sets: int) -> list[AppCompany]:
    """``5 * sets`` app companies: the five apps of the word bank, then further ones like them.

    A further company runs an app like one of the five under its own name, with the
    same tools in another order and one of them left out.
    """
    specs = APPS["apps"]
    out = []
    for i in range(len(specs) * sets):
        spec = specs[i % len(specs)]
        n_tools = len(spec["tools"])
        if i < len(specs):
            name, legal, domain = spec["name"], spec["legal"], spec["domain"]
            tools = tuple(range(n_tools))
            verified = bool(spec["verified"])
        else:
            name = _family_name(spec["family"], i // len(specs))
            legal = f"{name} {_suffix(spec['legal'], spec['name'])}"
            domain = _slug(name) + ".app"
            shift = i // len(specs)
            order = [(k + shift) % n_tools for k in range(n_tools)]
            tools = tuple(k for k in order if k != (i % n_tools))
            verified = i % 2 == 1
        out.append(
            AppCompany(
                name,
                legal,
                domain,
                "org_" + _slug(name),
                spec["country"],
                int(spec["utc_offset_hours"]),
                verified,
                int(spec["volume"]),
                i % len(specs),
                tools,
            )
        )
    return out


def startups_for(sets: int) -> list[AgentStartup]:
    """``sets`` coding-agent start-ups: the word bank's, then further ones like them."""
    specs = CODING["startups"]
    out = []
    for i in range(sets):
        spec = specs[i % len(specs)]
        if i < len(specs):
            name, legal, domain = spec["name"], spec["legal"], spec["domain"]
            verified = bool(spec["verified"])
        else:
            name = _family_name(spec["family"], i // len(specs))
            legal = f"{name} {_suffix(spec['legal'], spec['name'])}"
            domain, verified = _slug(name) + ".dev", i % 2 == 0
        out.append(
            AgentStartup(
                name,
                legal,
                domain,
                "org_" + _slug(name),
                spec["country"],
                int(spec["utc_offset_hours"]),
                verified,
                int(spec["volume"]),
                i % len(specs),
            )
        )
    return out


def judge_pipelines_for(sets: int) -> list[JudgePipeline]:
    """``3 * sets`` judge pipelines: the word bank's three, then further ones with their rubrics."""
    specs = JUDGES["pipelines"]
    out = []
    for i in range(len(specs) * sets):
        spec = specs[i % len(specs)]
        team = EvalTeam(
            spec["name"],
            spec["org_id"],
            spec["email_domain"],
            spec["country"],
            int(spec["utc_offset_hours"]),
            bool(spec["verified"]),
            int(spec["base_size"]),
            tuple(spec["templates"]),
        )
        if i >= len(specs):
            name = _family_name(spec["family"], i // len(specs))
            team = team._replace(
                name=name,
                org_id="org_" + _slug(name),
                email_domain=_slug(name) + ".ai",
                verified=i % 2 == 0,
                templates=tuple(t.replace(spec["name"], name) for t in team.templates),
            )
        cron = (int(spec["cron"][0]), (int(spec["cron"][1]) + 5 * (i // len(specs))) % 60)
        out.append(JudgePipeline(team, spec["domain"], cron, int(spec["pace_seconds"])))
    return out
