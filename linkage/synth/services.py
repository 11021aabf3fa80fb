"""Companies serving their own users on the API: each looks like a campaign on one signal.

* app_backends: consumer apps (travel, shopping, calendar, banking, food
  delivery) whose backend sends every user request with its system prompt and
  tool list: agentic prompts at high volume, day and night as its users are
  awake, on 1-4 accounts of the company (company email domain, billing name
  and declared org, verified for some) from 2-4 hosting IPs;
* agent_startup: a coding-agent start-up's backend running agent sessions on
  its customers' repositories around the clock: one fixed system prompt, very
  high volume on 2-5 company accounts, its own cloud IPs;
* judge_pipelines: companies grading their assistant every night at a fixed
  local time on a scheduler: a fixed suite of a few hundred items (a few new
  ones now and then), each account working through its share at a fixed pace,
  the same prompts night after night until the assistant is released again.

They are legitimate because they are few, declared and transparent (org,
domain, billing all name the company) and serve varied requests of their own
users and customers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from linkage.synth.agents import (
    Repos,
    Sessions,
    app_prompts,
    coding_prompts,
    draw_repos,
    handles,
)
from linkage.synth.blocks import Block, concat_requests, make_block, request_columns
from linkage.synth.content import EN, Kind
from linkage.synth.documents import slot_banks
from linkage.synth.network import Plan
from linkage.synth.people import COUNTRY_TZ, COUNTRY_WEIGHTS, People, draw_people
from linkage.synth.sampling import (
    DIURNAL,
    DIURNAL_WEEKEND,
    hour_weights,
    round_robin,
    sample_times,
    session_offsets,
)
from linkage.synth.text import (
    Arr,
    as_objects,
    fill,
    parse_template,
    pick,
    render,
    shared,
    template_pieces,
)
from linkage.synth.units import AgentStartup, AppCompany, JudgePipeline
from linkage.synth.vocabulary import CODING, JUDGES, MODELS, USER_AGENTS
from linkage.synth.window import DAY, HOUR, MINUTE, WINDOW, WINDOW_DAYS

_APP_CLIENTS = (0, 2, 6)  # python SDK, node SDK, langchain
_PATHWAYS = as_objects(["startup_program", "enterprise", "standard", "cloud_partner"])


def _service_accounts(
    rng: np.random.Generator,
    sizes: Arr,
    country: Sequence[str],
    tz: Sequence[float],
    domain: Sequence[str],
    roles: Sequence[str],
) -> tuple[Arr, People, Arr]:
    """Company of every account, the people who signed them up, role addresses on its domain.

    ``platform@``, ``api@``, ...: one role per seat, numbered when a company has
    more seats than roles.
    """
    owner = np.repeat(np.arange(len(sizes)), sizes)
    n = len(owner)
    ppl = draw_people(rng, n)
    ppl.country = as_objects(list(country))[owner]
    ppl.tz = np.asarray(tz, dtype=float)[owner]
    seat = np.arange(n) - np.searchsorted(owner, owner)
    role = as_objects(list(roles))[seat % len(roles)]
    number = np.where(seat >= len(roles), (seat // len(roles) + 1).astype(str), "").astype(object)
    email = role + number + "@" + as_objects(list(domain))[owner]
    return owner, ppl, email


def _company_block(
    group: str,
    rng: np.random.Generator,
    owner: Arr,
    ppl: People,
    email: Arr,
    req: dict[str, Arr],
    firms: Sequence[tuple[str, str, str, bool]],
) -> Block:
    """A block of company accounts: one card per company in its billing name, its org declared.

    ``firms`` holds per company (billing name, country, org_id, verified).
    """
    n = len(owner)
    created = -rng.integers(45 * DAY, 700 * DAY, n)
    added = created + rng.integers(HOUR, 10 * DAY, n)
    pathway = _PATHWAYS[rng.integers(0, len(_PATHWAYS), len(firms))][owner]
    return make_block(
        group,
        ppl,
        created,
        pathway,
        req,
        owner,  # one company card
        as_objects([f[0] for f in firms]),
        as_objects([f[1] for f in firms]),
        added,
        rng,
        org_id=as_objects([f[2] for f in firms])[owner],
        org_verified=np.array([f[3] for f in firms], dtype=bool)[owner],
        email=email,
    )


# ---- consumer apps with tool calling ---------------------------------------------------


def app_backends(
    rng: np.random.Generator, plan: Plan, units: Sequence[tuple[AppCompany, int]]
) -> Block:
    """Consumer apps' backends: their users' requests with tools, 1-4 accounts per company."""
    apps = [app for app, _ in units]
    sizes = rng.integers(1, 5, len(apps))
    owner, ppl, email = _service_accounts(
        rng,
        sizes,
        [a.country for a in apps],
        [a.utc_offset_hours for a in apps],
        [a.email_domain for a in apps],
        ("platform", "api", "backend", "ai-prod"),
    )
    req = concat_requests(
        [
            _app_traffic(rng, plan.app_hosts[i], np.flatnonzero(owner == i), app, volume)
            for i, (app, volume) in enumerate(units)
        ]
    )
    firms = [(a.legal_name, a.country, a.org_id, a.verified) for a in apps]
    return _company_block("app_backends", rng, owner, ppl, email, req, firms)


def _app_traffic(
    rng: np.random.Generator, hosts: Arr, members: Arr, app: AppCompany, r: int
) -> dict[str, Arr]:
    """One app's requests: its users' daily curve (a trickle at night), load-balanced accounts."""
    tz = np.full(r, float(app.utc_offset_hours))
    ts = sample_times(
        rng, np.zeros(r, np.int64), np.full(r, WINDOW), tz, DIURNAL + 0.08, DIURNAL_WEEKEND + 0.08
    )
    ts = np.sort(ts)
    if len(members) > 1 and rng.random() < 0.5:  # round-robin over the keys, in time order
        acct = members[round_robin(rng, len(members), r)]
    else:
        acct = pick(rng, members, r)
    prefix, text, lang = app_prompts(rng, app, r)
    main = rng.choice(3, p=[0.3, 0.5, 0.2])
    model = as_objects(MODELS)[np.where(rng.random(r) < 0.92, main, rng.integers(0, 3, r))]
    ua = USER_AGENTS[_APP_CLIENTS[app.spec % len(_APP_CLIENTS)]]
    return request_columns(
        rng,
        acct,
        ts,
        pick(rng, hosts, r),
        shared(ua, r),
        model,
        text,
        Kind.AGENT,
        lang,
        shared("api", r),
        prefix=prefix,
    )


# ---- a coding-agent start-up -----------------------------------------------------------

_CUSTOMER_DAY = hour_weights({(8, 19): 1.0, (19, 23): 0.35}, base=0.12)
_CUSTOMER_WEEKEND = hour_weights({(10, 20): 0.3}, base=0.08)
_SCHEDULED = 0.25  # sessions the customers schedule (nightly upgrades, CI-triggered fixes)
_SESSION_TURNS = 13.0  # mean requests per agent session


def agent_startups(
    rng: np.random.Generator, plan: Plan, units: Sequence[tuple[AgentStartup, int]]
) -> Block:
    """Coding-agent start-ups: sessions on customers' repositories, 2-5 accounts each."""
    firms = [s for s, _ in units]
    sizes = rng.integers(2, 6, len(firms))
    owner, ppl, email = _service_accounts(
        rng,
        sizes,
        [s.country for s in firms],
        [s.utc_offset_hours for s in firms],
        [s.email_domain for s in firms],
        ("agent-prod", "agent-batch", "platform", "eng", "infra"),
    )
    req = concat_requests(
        [
            _startup_traffic(rng, plan.startup_hosts[i], np.flatnonzero(owner == i), s, volume)
            for i, (s, volume) in enumerate(units)
        ]
    )
    details = [(s.legal_name, s.country, s.org_id, s.verified) for s in firms]
    return _company_block("agent_startup", rng, owner, ppl, email, req, details)


def _startup_traffic(
    rng: np.random.Generator, hosts: Arr, members: Arr, startup: AgentStartup, volume: int
) -> dict[str, Arr]:
    """Agent sessions for the customers, around the clock.

    Customers in every time zone open tickets in their working hours, and a
    quarter of the sessions run whenever the customers scheduled them; bigger
    customers send more. A session keeps one account (worker pool, in turn by
    start time) and one host; its steps follow each other seconds apart.
    """
    spec: dict[str, Any] = CODING["startups"][startup.spec]
    n_customers = max(8, volume // 60)
    company = slot_banks()["company"]
    name = company[rng.permutation(len(company))[: min(n_customers, len(company))]]
    customer = handles(pick(rng, name, n_customers) if n_customers > len(name) else name)
    customer_tz = COUNTRY_TZ[rng.choice(len(COUNTRY_TZ), n_customers, p=COUNTRY_WEIGHTS)]
    repos_of = rng.integers(1, 5, n_customers)
    repo_owner = np.repeat(np.arange(n_customers), repos_of)
    repos = draw_repos(rng, len(repo_owner), customer[repo_owner])
    lengths = 1 + rng.geometric(1 / _SESSION_TURNS, int(1.3 * volume / _SESSION_TURNS) + 1)
    lengths = np.minimum(lengths, 60)
    keep = np.cumsum(lengths) <= volume
    lengths = lengths[: max(1, int(keep.sum()))]
    n_sessions = len(lengths)
    weight = 1.0 / (1.0 + np.arange(n_customers)) ** 0.8
    cust = rng.choice(n_customers, n_sessions, p=weight / weight.sum())
    first_repo = np.cumsum(repos_of) - repos_of
    repo = first_repo[cust] + (rng.random(n_sessions) * repos_of[cust]).astype(np.int64)
    start = sample_times(
        rng,
        np.zeros(n_sessions, np.int64),
        np.full(n_sessions, WINDOW - HOUR),
        customer_tz[cust].astype(float),
        _CUSTOMER_DAY,
        _CUSTOMER_WEEKEND,
    )
    scheduled = np.flatnonzero(rng.random(n_sessions) < _SCHEDULED)
    start[scheduled] = rng.integers(0, WINDOW - HOUR, len(scheduled))
    offset, turn = session_offsets(rng, lengths, 4.0 + rng.exponential(18.0, int(lengths.sum())))
    session = np.repeat(np.arange(n_sessions), lengths)
    ts = np.minimum(start[session] + offset, WINDOW - 1)
    worker = np.empty(n_sessions, dtype=np.int64)
    worker[np.argsort(start, kind="stable")] = np.arange(n_sessions) % len(members)
    acct = members[worker[session]]
    ip = pick(rng, hosts, n_sessions)[session]
    system = spec["system"].replace(spec["name"], startup.name)
    per_session = Sessions(session, turn, Repos(*(values[repo] for values in repos)))
    prefix, text = coding_prompts(rng, per_session, system, spec["header"], "startup")
    r = len(ts)
    model = as_objects(MODELS)[np.where(rng.random(r) < 0.85, 0, 2)]
    ua = USER_AGENTS[0] if startup.spec % 2 == 0 else USER_AGENTS[2]
    return request_columns(
        rng,
        acct,
        ts,
        ip,
        shared(ua, r),
        model,
        text,
        Kind.CODE_AGENT,
        EN,
        shared("api", r),
        prefix=prefix,
    )


# ---- LLM-as-judge pipelines ------------------------------------------------------------

_NEW_ITEMS = 0.2  # nights on which 1-3 items join the suite
_RETIRED = 0.05  # nights on which an item leaves it
_RELEASES = 0.3  # nights after which the assistant under test answers differently
_SKIPPED = 0.03  # nights the scheduler does not run (broken CI, holiday freeze)


def judge_pipelines(
    rng: np.random.Generator, plan: Plan, units: Sequence[tuple[JudgePipeline, int]]
) -> Block:
    """LLM-as-judge pipelines: a fixed suite graded every night on a scheduler, 1-3 accounts."""
    pipes = [p for p, _ in units]
    sizes = rng.integers(1, 4, len(pipes))
    owner, ppl, email = _service_accounts(
        rng,
        sizes,
        [p.team.country for p in pipes],
        [p.team.utc_offset_hours for p in pipes],
        [p.team.email_domain for p in pipes],
        ("evals", "ml-eval", "ci-bot"),
    )
    req = concat_requests(
        [
            _nightly_suite(rng, plan.judge_hosts[i], np.flatnonzero(owner == i), pipe, suite, i)
            for i, (pipe, suite) in enumerate(units)
        ]
    )
    firms = [(p.team.name, p.team.country, p.team.org_id, p.team.verified) for p in pipes]
    return _company_block("judge_pipelines", rng, owner, ppl, email, req, firms)


def suite_items(rng: np.random.Generator, domain: str, n: int) -> tuple[Arr, Arr]:
    """``n`` distinct questions of ``domain`` and, per question, its answer variants.

    Question templates take turns, so a suite covers them all; a question and its
    answers share their slot values (the same bank, topic, ...), drawn once per item.
    Returns questions (n,) and answers (n, variants).
    """
    entries = JUDGES["items"][domain]
    banks = dict(slot_banks()) | {k: as_objects(v) for k, v in JUDGES["banks"].items()}
    questions = [e["q"] for e in entries]
    variants = len(entries[0]["a"])
    templates = [t for e in entries for t in (e["q"], *e["a"])]
    names = sorted({h for t in templates for h in parse_template(t)[1] if isinstance(h, str)})
    m = 3 * n + 50
    rounds = -(-m // len(entries))  # every question template in turn: a balanced suite
    which = np.concatenate([rng.permutation(len(entries)) for _ in range(rounds)])[:m]
    given = {name: pick(rng, banks[name], m) for name in names}
    q = fill(rng, questions, which, banks, given)
    first = np.flatnonzero(~_repeated(q))[:n]
    answers = np.empty((len(first), variants), dtype=object)
    rows = {name: values[first] for name, values in given.items()}
    for v in range(variants):
        answers[:, v] = fill(rng, [e["a"][v] for e in entries], which[first], banks, rows)
    return q[first], answers


def _repeated(values: Arr) -> Arr:
    """Whether each value already occurred earlier in ``values``."""
    _, first = np.unique(values.astype(str), return_index=True)
    out = np.ones(len(values), dtype=bool)
    out[first] = False
    return out


def _suite_nights(rng: np.random.Generator, size: int, pool: int) -> list[Arr]:
    """The suite's items (in suite order) on every night: a few join, now and then one leaves."""
    active = list(range(size))
    upcoming = size
    nights = []
    for _ in range(WINDOW_DAYS):
        nights.append(np.array(active, dtype=np.int64))
        if rng.random() < _NEW_ITEMS and upcoming < pool:
            k = min(int(rng.integers(1, 4)), pool - upcoming)
            active.extend(range(upcoming, upcoming + k))
            upcoming += k
        if rng.random() < _RETIRED and len(active) > 1:
            active.pop(int(rng.integers(0, len(active))))
    return nights


def _nightly_suite(
    rng: np.random.Generator,
    hosts: Arr,
    members: Arr,
    pipe: JudgePipeline,
    size: int,
    index: int,
) -> dict[str, Arr]:
    """One pipeline's nights: at its cron time, each account grades its share at a fixed pace.

    Item ``j`` of the night's suite goes to account ``j mod k`` as its ``j div k``-th
    item, ``pace`` seconds after the one before: every night the same prompts in the
    same order at the same times, until a release changes the answers under test.
    """
    pool = size + 40
    question, answers = suite_items(rng, pipe.domain, pool)
    pool = len(question)
    nights = _suite_nights(rng, min(size, pool), pool)
    builds = np.concatenate([[0], np.cumsum(rng.random(WINDOW_DAYS - 1) < _RELEASES)])
    variant = rng.integers(0, answers.shape[1], (pool, int(builds[-1]) + 1))
    runs = rng.random(WINDOW_DAYS) >= _SKIPPED
    hour, minute = pipe.cron
    start = (
        np.arange(WINDOW_DAYS) * DAY
        + hour * HOUR
        + minute * MINUTE
        - pipe.team.utc_offset_hours * HOUR
        + rng.integers(0, 3, WINDOW_DAYS)  # the scheduler fires within two seconds
    )
    k = len(members)
    item_parts, ts_parts, acct_parts, night_parts = [], [], [], []
    for d in np.flatnonzero(runs):
        items = nights[d]
        j = np.arange(len(items))
        item_parts.append(items)
        ts_parts.append(start[d] + (j // k) * pipe.pace)
        acct_parts.append(members[j % k])
        night_parts.append(np.full(len(items), d))
    item = np.concatenate(item_parts)
    ts = np.concatenate(ts_parts)
    acct = np.concatenate(acct_parts)
    night = np.concatenate(night_parts)
    inside = (ts >= 0) & (ts < WINDOW)
    item, ts, acct, night = item[inside], ts[inside], acct[inside], night[inside]
    r = len(item)
    answer = answers[item, variant[item, builds[night]]]
    rubrics = template_pieces(pipe.team.templates)
    rubric = item % len(pipe.team.templates)
    prefix = rubrics[rubric, 0]  # the rubric's instructions: one string object per rubric
    rubrics[:, 0] = ""
    prompt = render(rubrics, rubric, [question[item], answer])
    ua = USER_AGENTS[(0, 6, 2)[index % 3]]
    return request_columns(
        rng,
        acct,
        ts,
        pick(rng, hosts, r),
        shared(ua, r),
        shared(MODELS[0], r),
        prompt,
        Kind.RATE,
        EN,
        shared("api", r),
        prefix=prefix,
    )
