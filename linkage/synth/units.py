"""Organisations of large scales: more companies, teams and universities, not bigger ones.

At scale ``s`` the generator holds about ``s`` times the organisations of scale 1,
each of the usual size: the named ones of the word banks first, then further
ones named from ``name_parts`` and ``university_places``, each with its own
network block.

Examples
--------
>>> [c.name for c in companies_for(2)][2:4]
['Cobalt Logistics', 'Amber Analytics']
>>> universities_for(2)[1].network.cidr
'140.1.0.0/16'
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from linkage.synth.network import COMPANY_NETWORKS, UNIVERSITY, Network, ipv4_strings, network_span
from linkage.synth.vocabulary import (
    COMPANIES,
    EVAL_TEAMS,
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
