"""Random people: names, email addresses, home countries and time zones.

Examples
--------
>>> people = draw_people(np.random.default_rng(0), 3, country="GB")
>>> people.country.tolist(), people.tz.tolist()
(['GB', 'GB', 'GB'], [0.0, 0.0, 0.0])
>>> created = burst_created(np.random.default_rng(0), 40)
>>> len(created), bool((created < 28 * DAY - HOUR).all())
(40, True)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from linkage.synth.content import LANG
from linkage.synth.text import NUMBER_TEXT, Arr, as_objects
from linkage.synth.vocabulary import (
    COUNTRIES,
    FIRST_NAMES,
    FREEMAIL,
    FREEMAIL_WEIGHTS,
    LAST_NAMES,
    NON_ENGLISH_BY_COUNTRY,
    PATHWAY_WEIGHTS,
    PATHWAYS,
)
from linkage.synth.window import DAY, HOUR


@dataclass
class People:
    """Parallel arrays, one row per person."""

    first: Arr
    last: Arr
    display: Arr
    email: Arr
    country: Arr
    tz: Arr  # UTC offset in hours


COUNTRY_CODES = as_objects([c.code for c in COUNTRIES])
COUNTRY_WEIGHTS = np.array([c.weight for c in COUNTRIES]) / sum(c.weight for c in COUNTRIES)
COUNTRY_TZ = np.array([c.utc_offset_hours for c in COUNTRIES])
_TZ_OF = {c.code: c.utc_offset_hours for c in COUNTRIES}
FIRST_BANK = as_objects(FIRST_NAMES)
_LAST_BANK = as_objects(LAST_NAMES)
LAST_BANK = _LAST_BANK
FIRST_LOWER = as_objects([s.lower() for s in FIRST_NAMES])
LAST_LOWER = as_objects([s.lower() for s in LAST_NAMES])
INITIAL = as_objects([s[0].lower() for s in FIRST_NAMES])
_FIRST_INDEX = {name: i for i, name in enumerate(FIRST_NAMES)}
_LAST_INDEX = {name: i for i, name in enumerate(LAST_NAMES)}


def first_index(names: Arr) -> Arr:
    """Positions of first names in the name bank (to reuse their lower-case forms)."""
    return pd.Series(names).map(_FIRST_INDEX).to_numpy(dtype=np.int64)


def last_index(names: Arr) -> Arr:
    """Positions of surnames in the name bank (to reuse their lower-case forms)."""
    return pd.Series(names).map(_LAST_INDEX).to_numpy(dtype=np.int64)


def draw_people(
    rng: np.random.Generator,
    n: int,
    *,
    domains: Sequence[str] = FREEMAIL,
    domain_w: Sequence[float] | None = FREEMAIL_WEIGHTS,
    country: str | None = None,
    last_idx: Arr | None = None,
) -> People:
    """Random people with freemail-style (or given-domain) emails and a home country.

    ``last_idx`` fixes the surnames (indices into the surname bank), e.g. for families.
    """
    fi = rng.integers(0, len(FIRST_NAMES), n)
    li = rng.integers(0, len(LAST_NAMES), n) if last_idx is None else np.asarray(last_idx)
    first = FIRST_BANK[fi]
    surname = _LAST_BANK[li]
    lf = FIRST_LOWER[fi]
    ll = LAST_LOWER[li]
    initial = INITIAL[fi]
    style = rng.integers(0, 5, n)
    local = np.select(
        [style == 0, style == 1, style == 2, style == 3],
        [lf + "." + ll, lf + ll, initial + ll, lf + "_" + ll],
        default=ll + "." + lf,
    )
    with_num = rng.random(n) < 0.6
    num = NUMBER_TEXT[rng.integers(1, 10_000, n)]
    local = np.where(with_num, local + num, local)
    dom = as_objects(domains)[
        rng.choice(len(domains), n, p=None if domain_w is None else np.asarray(domain_w))
    ]
    if country is None:
        ci = rng.choice(len(COUNTRY_CODES), n, p=COUNTRY_WEIGHTS)
        countries = COUNTRY_CODES[ci]
        tz = COUNTRY_TZ[ci].astype(float)
    else:
        countries = as_objects([country] * n)
        tz = np.full(n, float(_TZ_OF.get(country, 0)))
    return People(first, surname, first + " " + surname, local + "@" + dom, countries, tz)


_PATHWAY_BANK = as_objects(PATHWAYS)
_PATHWAY_P = np.asarray(PATHWAY_WEIGHTS) / sum(PATHWAY_WEIGHTS)
AGED_SHARE = 0.85
"""Share of ordinary accounts created before the window (the rest sign up during it)."""
MAX_AGE_DAYS = 700


def draw_pathways(rng: np.random.Generator, n: int) -> Arr:
    """Sign-up pathways in the shares of ordinary people (every pathway occurs)."""
    return _PATHWAY_BANK[rng.choice(len(_PATHWAY_BANK), n, p=_PATHWAY_P)]


def _created_from_quantile(u: Arr) -> Arr:
    """Inverse of the ordinary sign-up time distribution (seconds from the window start)."""
    before = u < AGED_SHARE
    age = DAY + (u / AGED_SHARE) * (MAX_AGE_DAYS - 1) * DAY
    within = (u - AGED_SHARE) / (1 - AGED_SHARE) * 27 * DAY
    return np.where(before, -age, within).astype(np.int64)


def ordinary_created(rng: np.random.Generator, n: int) -> Arr:
    """Sign-up times of ordinary accounts: 85% up to 700 days before the window, 15% during it."""
    return _created_from_quantile(rng.random(n))


def burst_created(rng: np.random.Generator, n: int) -> Arr:
    """Sign-up times of a campaign: batches of 3-12 accounts within three hours.

    The batches' times follow the ordinary distribution (stratified, so even a
    small campaign has its accounts' ages spread like ordinary accounts'); only
    the batching, a sign-up burst, is evidence.
    """
    sizes = rng.integers(3, 13, n)
    n_batches = int(np.searchsorted(np.cumsum(sizes), n)) + 1
    batch_of = np.repeat(np.arange(n_batches), sizes[:n_batches])[:n]
    u = (rng.permutation(n_batches) + rng.random(n_batches)) / n_batches
    centre = _created_from_quantile(u)
    return rng.permutation(centre[batch_of] + rng.integers(0, 3 * HOUR, n))


def foreign_languages(rng: np.random.Generator, country: Arr) -> Arr:
    """The language a non-English writer from each country uses (index into ``LANG``)."""
    out = np.empty(len(country), dtype=np.int8)
    country = np.asarray(country, dtype=object)
    for code in np.unique(country):
        sel = np.flatnonzero(country == code)
        table = NON_ENGLISH_BY_COUNTRY.get(str(code), NON_ENGLISH_BY_COUNTRY["*"])
        langs = np.array([LANG[lang] for lang in table], dtype=np.int8)
        w = np.array(list(table.values()), dtype=float)
        out[sel] = langs[rng.choice(len(langs), len(sel), p=w / w.sum())]
    return out
