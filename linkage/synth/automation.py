"""Legitimate automation that looks like a campaign to a behavioural detector.

* cron_job: a developer's scheduled jobs (no declared org): 1-3 accounts that
  share the developer's card and one hosting IP, each firing one prompt
  template at a fixed interval (15-17 minutes, 30 minutes, hourly, six-hourly
  or daily) to within a few seconds;
* product_backend: a company's server relaying its own users' requests: a few
  accounts behind a load balancer (round-robin for half of them) on 2-4
  hosting IPs, one card, a steady around-the-clock rate, varied prompts in
  several languages; every other one declares an org, every other of those verified;
* eval_team: a customer's evaluation team grading model outputs every night:
  all accounts fire rubric prompts within the same three minutes from the
  office network, on the company card, under a declared org (verified or not).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from linkage.synth.blocks import (
    Block,
    concat_requests,
    make_block,
    ordinary_models,
    request_columns,
)
from linkage.synth.content import EN, Kind
from linkage.synth.network import Plan
from linkage.synth.people import (
    COUNTRY_CODES,
    COUNTRY_TZ,
    COUNTRY_WEIGHTS,
    FIRST_LOWER,
    LAST_LOWER,
    draw_pathways,
    draw_people,
    first_index,
    foreign_languages,
    last_index,
)
from linkage.synth.prompts import foreign_prompts, problems, regular_prompts
from linkage.synth.sampling import (
    DIURNAL,
    office_sessions,
    round_robin,
    sample_times,
)
from linkage.synth.text import NUMBER_TEXT, Arr, as_objects, pick, render, template_pieces
from linkage.synth.vocabulary import (
    APP_INPUTS,
    APP_ROLES,
    BACKEND_PRODUCTS,
    CRON_JOBS,
    GRADED_RESPONSES,
    LAST_NAMES,
    MODELS,
    SUPPORT_REPLIES,
    SUPPORT_TICKETS,
    USER_AGENTS,
    EvalTeam,
)
from linkage.synth.window import DAY, HOUR, MINUTE, WINDOW, WINDOW_DAYS

# job intervals in seconds (low, high) and how often a job uses them
_INTERVALS = ((900, 1020), (1800, 1800), (3600, 3600), (6 * 3600, 6 * 3600), (DAY, DAY))
_INTERVAL_P = (0.35, 0.15, 0.3, 0.1, 0.1)
_SCRIPT_CLIENTS = (4, 5, 0, 2)  # python-requests, curl, python and node SDKs


def _owners(rng: np.random.Generator, n_owners: int, sizes: Arr) -> tuple[Arr, Arr, Arr]:
    """Owner of every account, and each owner's country and UTC offset (ordinary shares)."""
    owner = np.repeat(np.arange(n_owners), sizes)
    ci = rng.choice(len(COUNTRY_CODES), n_owners, p=COUNTRY_WEIGHTS)
    return owner, COUNTRY_CODES[ci], COUNTRY_TZ[ci].astype(float)


def cron_jobs(rng: np.random.Generator, plan: Plan, n_devs: int) -> Block:
    """Developers' scheduled jobs: fixed intervals, one template each, a shared card and IP."""
    dev, country, tz = _owners(rng, n_devs, rng.choice([1, 2, 3], n_devs, p=[0.4, 0.4, 0.2]))
    n = len(dev)
    ppl = draw_people(rng, n, last_idx=rng.integers(0, len(LAST_NAMES), n_devs)[dev])
    ppl.country, ppl.tz = country[dev], tz[dev]
    ppl.display = ppl.display[np.searchsorted(dev, dev)]  # one developer, one name
    created = -rng.integers(30 * DAY, 900 * DAY, n)
    choice = rng.choice(len(_INTERVALS), n, p=_INTERVAL_P)
    lo_hi = np.array(_INTERVALS)[choice]
    interval = rng.integers(lo_hi[:, 0], lo_hi[:, 1] + 1)
    start = rng.integers(0, 10 * DAY, n)
    end = np.where(rng.random(n) < 0.2, rng.integers(15 * DAY, WINDOW, n), WINDOW)
    runs = np.maximum(1, (end - start) // interval)
    acct = np.repeat(np.arange(n), runs)
    rank = np.arange(len(acct)) - np.repeat(np.cumsum(runs) - runs, runs)
    ts = start[acct] + rank * interval[acct] + rng.integers(0, 4, len(acct))
    job = rng.integers(0, len(CRON_JOBS), n)
    prompt = np.empty(len(acct), dtype=object)
    for j, (template, slots) in enumerate(CRON_JOBS):
        idx = np.flatnonzero(job[acct] == j)
        fill = pick(rng, as_objects(slots), len(idx))
        prompt[idx] = render(template_pieces([template]), np.zeros(len(idx), np.int64), [fill])
    ua = as_objects(USER_AGENTS)[rng.choice(_SCRIPT_CLIENTS, n)][acct]
    model = as_objects(MODELS)[rng.choice(3, n, p=[0.1, 0.4, 0.5])][acct]
    req = request_columns(
        rng,
        acct,
        ts,
        plan.cron_hosts[dev[acct]],
        ua,
        model,
        prompt,
        Kind.AUTOMATION,
        EN,
        as_objects(["api"] * len(acct)),
    )
    owner_first = np.searchsorted(dev, np.arange(n_devs))
    added = created + rng.integers(5 * MINUTE, 2 * DAY, n)
    return make_block(
        "cron_job",
        ppl,
        created,
        draw_pathways(rng, n_devs)[dev],
        req,
        dev,
        ppl.display[owner_first],
        country,
        added,
        rng,
    )


def _slug(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def product_backends(rng: np.random.Generator, plan: Plan, volumes: Sequence[int]) -> Block:
    """Companies' servers relaying their users: steady 24/7 volume, load-balanced accounts."""
    n_back = len(volumes)
    backend, country, tz = _owners(rng, n_back, rng.integers(2, 6, n_back))
    n = len(backend)
    product = [
        BACKEND_PRODUCTS[b % len(BACKEND_PRODUCTS)] + ("" if b < len(BACKEND_PRODUCTS) else f" {b}")
        for b in range(n_back)
    ]
    domain = as_objects([_slug(p) + ".com" for p in product])
    ppl = draw_people(rng, n)
    ppl.country, ppl.tz = country[backend], tz[backend]
    seat = np.arange(n) - np.searchsorted(backend, backend)
    role = as_objects(["api", "backend", "platform", "prod", "ml-ops"])[seat % 5]
    email = role + NUMBER_TEXT[seat // 5 + 1] + "@" + domain[backend]
    declares = np.arange(n_back) % 2 == 0  # every other backend declares its org ...
    org_id = np.full(n_back, None, dtype=object)
    org_id[declares] = as_objects(["org_" + _slug(p) for p in product])[declares]
    verified = (np.arange(n_back) % 4 == 0)[backend]  # ... and every other of those is verified
    req = concat_requests(
        [
            _backend_traffic(
                rng, plan, b, np.flatnonzero(backend == b), volumes[b], tz[b], product[b]
            )
            for b in range(n_back)
        ]
    )
    created = -rng.integers(30 * DAY, 600 * DAY, n)
    added = created + rng.integers(HOUR, 5 * DAY, n)
    pathway = as_objects(["startup_program", "enterprise", "standard", "cloud_partner"])
    return make_block(
        "product_backend",
        ppl,
        created,
        pathway[rng.integers(0, 4, n_back)][backend],
        req,
        backend,
        as_objects([p + " Inc." for p in product]),
        country,
        added,
        rng,
        org_id=org_id[backend],
        org_verified=verified,
        email=email,
    )


def _backend_traffic(
    rng: np.random.Generator, plan: Plan, b: int, members: Arr, r: int, tz: float, product: str
) -> dict[str, Arr]:
    """One backend's requests: a near-flat daily rate, spread over its accounts and IPs."""
    flat = 0.6 + 0.4 * DIURNAL / DIURNAL.max()  # its users sleep, the server does not
    ts = np.sort(sample_times(rng, np.zeros(r, np.int64), np.full(r, WINDOW), np.full(r, tz), flat))
    if rng.random() < 0.5:  # round-robin load balancer over the accounts' keys
        acct = members[round_robin(rng, len(members), r)]
    else:
        acct = pick(rng, members, r)
    ips = plan.backend_hosts[4 * b : 4 * b + int(rng.integers(2, 5))]
    role = render(
        template_pieces(APP_ROLES), rng.integers(0, len(APP_ROLES), r), [as_objects([product] * r)]
    )
    user_text, _ = regular_prompts(rng, r)
    apps = rng.random(r) < 0.4
    user_text[apps] = pick(rng, as_objects(APP_INPUTS), int(apps.sum()))
    lang = np.full(r, EN, dtype=np.int8)
    foreign = np.flatnonzero(rng.random(r) < 0.15)  # end users writing in their language
    lang[foreign] = foreign_languages(rng, pick(rng, COUNTRY_CODES, len(foreign)))
    user_text[foreign] = foreign_prompts(rng, lang[foreign])[0]
    ua = as_objects(USER_AGENTS)[[0, 2][int(rng.integers(0, 2))]]
    model = as_objects(MODELS)[
        np.where(rng.random(r) < 0.9, int(rng.integers(0, 3)), rng.integers(0, 3, r))
    ]
    return request_columns(
        rng,
        acct,
        ts,
        pick(rng, ips, r),
        np.full(r, ua, dtype=object),
        model,
        role + user_text,
        Kind.BACKEND,
        lang,
        as_objects(["api"] * r),
    )


def eval_teams(
    rng: np.random.Generator, plan: Plan, teams: Sequence[tuple[EvalTeam, int]]
) -> Block:
    """Evaluation teams: synchronised nightly rubric grading from the office, declared org."""
    sizes = np.array([size for _, size in teams])
    team = np.repeat(np.arange(len(teams)), sizes)
    n = len(team)
    ppl = draw_people(rng, n)
    ppl.country = as_objects([t.country for t, _ in teams])[team]
    ppl.tz = np.array([t.utc_offset_hours for t, _ in teams], dtype=float)[team]
    domain = as_objects([t.email_domain for t, _ in teams])[team]
    email = (
        FIRST_LOWER[first_index(ppl.first)] + "." + LAST_LOWER[last_index(ppl.last)] + "@" + domain
    )
    created = -rng.integers(20 * DAY, 500 * DAY, n)
    req = concat_requests(
        [_nightly_grading(rng, plan, team, teams), _daytime(rng, plan, team, ppl.tz)]
    )
    added = created + rng.integers(HOUR, 10 * DAY, n)
    return make_block(
        "eval_team",
        ppl,
        created,
        "enterprise",
        req,
        team,
        as_objects([t.name for t, _ in teams]),
        as_objects([t.country for t, _ in teams]),
        added,
        rng,
        org_id=as_objects([t.org_id for t, _ in teams])[team],
        org_verified=np.array([t.verified for t, _ in teams])[team],
        email=email,
    )


def _nightly_grading(
    rng: np.random.Generator, plan: Plan, team: Arr, teams: Sequence[tuple[EvalTeam, int]]
) -> dict[str, Arr]:
    """Every night at about 01:00 local time, every account grades 15-40 outputs in 3 minutes."""
    n, nights = len(team), np.arange(WINDOW_DAYS)
    tz = np.array([t.utc_offset_hours for t, _ in teams])
    start = (
        nights[None, :] * DAY
        + HOUR
        - tz[:, None] * HOUR
        + rng.integers(0, 20 * MINUTE, (len(teams), WINDOW_DAYS))
    )
    runs = (rng.random((len(teams), WINDOW_DAYS)) < 0.92)[team]  # a few nights the suite is off
    per = rng.integers(15, 41, (n, WINDOW_DAYS)) * runs
    acct = np.repeat(np.repeat(np.arange(n), WINDOW_DAYS), per.ravel())
    night = np.repeat(np.tile(nights, n), per.ravel())
    ts = np.clip(start[team[acct], night] + rng.integers(0, 180, len(acct)), 0, WINDOW - 1)
    r = len(acct)
    item = np.where(
        rng.random(r) < 0.5, pick(rng, problems(), r), pick(rng, as_objects(SUPPORT_TICKETS), r)
    )
    answer = np.where(
        rng.random(r) < 0.5,
        pick(rng, as_objects(GRADED_RESPONSES), r),
        pick(rng, as_objects(SUPPORT_REPLIES), r),
    )
    prompt = np.empty(r, dtype=object)
    for t, (spec, _) in enumerate(teams):
        idx = np.flatnonzero(team[acct] == t)
        pieces = template_pieces(spec.templates)
        prompt[idx] = render(
            pieces, rng.integers(0, len(pieces), len(idx)), [item[idx], answer[idx]]
        )
    ips = [plan.eval_team_ips[t][0] for t in range(len(teams))]
    return request_columns(
        rng,
        acct,
        ts,
        as_objects(ips)[team[acct]],
        as_objects([USER_AGENTS[0]] * r),
        as_objects(MODELS)[np.where(rng.random(r) < 0.8, 1, 0)],
        prompt,
        Kind.RATE,
        EN,
        as_objects(["api"] * r),
    )


def _daytime(rng: np.random.Generator, plan: Plan, team: Arr, tz: Arr) -> dict[str, Arr]:
    """Light office-hours use from the office network."""
    n = len(team)
    counts = rng.integers(10, 31, n)
    acct = np.repeat(np.arange(n), counts)
    r = len(acct)
    ts = office_sessions(rng, acct, counts, np.zeros(n, np.int64), tz)
    ip = np.empty(r, dtype=object)
    for t in np.unique(team):
        sel = np.flatnonzero(team[acct] == t)
        ip[sel] = pick(rng, plan.eval_team_ips[t], len(sel))
    prompt, kind = regular_prompts(rng, r, (0.4, 0.45, 0.1, 0.05))
    ua = as_objects(USER_AGENTS)[rng.choice([0, 7, 8], r, p=[0.5, 0.3, 0.2])]
    access = np.where(ua == USER_AGENTS[0], "api", "console").astype(object)
    return request_columns(
        rng, acct, ts, ip, ua, ordinary_models(rng, acct, n), prompt, kind, EN, access
    )
