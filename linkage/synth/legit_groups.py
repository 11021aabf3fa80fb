"""The legitimate groups, each built to look like a campaign on one signal.

Ordinary users (of five personas: everyday English, other languages,
step-by-step askers, code askers, raters; and the popular-template and
proxy-overlap users, who are ordinary users with one twist), a university
behind NAT, companies with a shared card and a nightly judge batch, families,
a sign-up cohort, one honest heavy user, cloud developers next to the
harvest's /24, pasters (long pasted documents to summarise, translate, ...)
and the users of one popular coding CLI (its system prompt and client string
on every request of all of them).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from linkage.synth.agents import Repos, Sessions, coding_prompts, draw_repos
from linkage.synth.blocks import (
    Block,
    access_pathways,
    block_with_own_cards,
    card_odds,
    concat_requests,
    make_block,
    ordinary_clients,
    ordinary_models,
    pick_models,
    request_columns,
    sdk_user_agents,
)
from linkage.synth.content import EN, Kind
from linkage.synth.network import Plan
from linkage.synth.people import (
    COUNTRY_CODES,
    COUNTRY_TZ,
    COUNTRY_WEIGHTS,
    FIRST_LOWER,
    INITIAL,
    LAST_LOWER,
    draw_pathways,
    draw_people,
    first_index,
    foreign_languages,
    last_index,
    ordinary_created,
)
from linkage.synth.prompts import (
    homework_prompts,
    persona_prompts,
    react_prompts,
    regular_prompts,
)
from linkage.synth.sampling import (
    ALWAYS,
    hour_weights,
    human_times,
    lognormal_counts,
    office_sessions,
    rhythm_starts,
    session_offsets,
    session_times,
)
from linkage.synth.text import (
    NUMBER_TEXT,
    Arr,
    as_objects,
    pick,
    pick_within,
    render,
    shared,
    template_pieces,
)
from linkage.synth.units import University
from linkage.synth.vocabulary import (
    APP_ADJECTIVES,
    APP_INPUTS,
    APP_NOUNS,
    APP_ROLES,
    CODING,
    COMPANIES,
    COURSE_TEMPLATE,
    COURSE_TOPICS,
    JUDGE_TEMPLATES,
    LAST_NAMES,
    MODELS,
    ONBOARDING_TEMPLATE,
    STARTUP_IDEAS,
    SUPPORT_REPLIES,
    SUPPORT_TICKETS,
    USER_AGENTS,
    Company,
)
from linkage.synth.window import DAY, HOUR, MINUTE, WINDOW, WINDOW_DAYS


def regular_like(
    rng: np.random.Generator,
    plan: Plan,
    group: str,
    n: int,
    homes: Arr,
    *,
    persona: str = "regular",
    mean_requests: float = 8.0,
    created: Arr | None = None,
    lo_delay: int = 0,
    template_frac: float = 0.0,
    ipv6: Arr | None = None,
    pathway: str | None = None,
    max_home_ips: int = 2,
) -> Block:
    """Ordinary users: own home IPs, personal rhythms, occasional mobile/VPN exits.

    ``homes`` holds two addresses per user (the second used by about a third of
    them). Pathways, account ages, clients and models are drawn as for every
    ordinary user; ``persona`` says what they ask (see ``ORDINARY_PERSONAS``).
    """
    ppl = draw_people(rng, n)
    pathways = draw_pathways(rng, n) if pathway is None else as_objects([pathway] * n)
    created = ordinary_created(rng, n) if created is None else created
    lang_of_account = foreign_languages(rng, ppl.country)
    counts = lognormal_counts(rng, n, mean_requests, 0.9, 1, 200)
    acct = np.repeat(np.arange(n), counts)
    r = len(acct)
    lo = np.maximum(created + lo_delay, 0)
    ts = human_times(rng, acct, counts, lo, np.full(n, WINDOW, dtype=np.int64), ppl.tz)
    ip = _home_ips(rng, plan, homes, acct, n, max_home_ips, ipv6)
    ua, access = ordinary_clients(rng, acct, n, pathways)
    prompt, kind, lang = persona_prompts(rng, persona, acct, lang_of_account)
    if template_frac > 0:
        sel = rng.random(r) < template_frac
        prompt[sel] = react_prompts(rng, int(sel.sum()))
        kind[sel], lang[sel] = Kind.AGENT, EN
    model = ordinary_models(rng, acct, n)
    req = request_columns(rng, acct, ts, ip, ua, model, prompt, kind, lang, access)
    has_card = rng.random(n) < card_odds(counts)
    return block_with_own_cards(group, ppl, created, pathways, req, has_card, rng)


def _home_ips(
    rng: np.random.Generator,
    plan: Plan,
    homes: Arr,
    acct: Arr,
    n: int,
    max_home_ips: int,
    ipv6: Arr | None,
) -> Arr:
    """IP of every request: the user's home(s), sometimes a mobile or VPN exit, or IPv6."""
    r = len(acct)
    second = (rng.random(n) < 0.35) if max_home_ips > 1 else np.zeros(n, dtype=bool)
    use_second = second[acct] & (rng.random(r) < 0.5)
    use_second[np.searchsorted(acct, np.arange(n))] = False
    ip = homes[2 * acct + use_second].copy() if len(homes) >= 2 * n else homes[acct].copy()
    mobile_user = rng.random(n) < 0.35
    vpn_user = rng.random(n) < 0.08
    use_mobile = mobile_user[acct] & (rng.random(r) < 0.25)
    use_vpn = vpn_user[acct] & (rng.random(r) < 0.5) & ~use_mobile
    # everyone's first request (acct is sorted) comes from home: every home IP is in use
    at_home = np.zeros(r, dtype=bool)
    at_home[np.searchsorted(acct, np.arange(n))] = True
    use_mobile &= ~at_home
    use_vpn &= ~at_home
    ip[use_mobile] = pick(rng, plan.mobile, int(use_mobile.sum()))
    ip[use_vpn] = pick(rng, plan.vpn, int(use_vpn.sum()))
    if ipv6 is not None and len(ipv6):
        v6_of = np.full(n, -1, dtype=np.int64)
        v6_of[rng.choice(n, min(n, len(ipv6)), replace=False)] = np.arange(min(n, len(ipv6)))
        sel = (v6_of[acct] >= 0) & (rng.random(r) < 0.5) & ~use_mobile & ~use_vpn & ~at_home
        ip[sel] = ipv6[v6_of[acct[sel]]]
    return ip


def university(
    rng: np.random.Generator, plan: Plan, units: Sequence[tuple[University, int]]
) -> Block:
    """Students: one course template, four NAT IPs per university, weekday lab hours."""
    uni = np.repeat(np.arange(len(units)), [size for _, size in units])
    n = len(uni)
    ppl = draw_people(rng, n, country="US")
    email = (
        INITIAL[first_index(ppl.first)]
        + LAST_LOWER[last_index(ppl.last)]
        + NUMBER_TEXT[rng.integers(1, 100, n)]
        + "@"
        + as_objects([u.email_domain for u, _ in units])[uni]
    )
    created = rng.integers(0, 7 * DAY, n)
    counts = rng.integers(20, 41, n)
    acct = np.repeat(np.arange(n), counts)
    r = len(acct)
    lab = hour_weights({(10, 12): 1.0, (14, 16): 1.0})
    ts = session_times(
        rng,
        acct,
        np.ceil(counts / 5).astype(np.int64),
        created,
        np.full(n, WINDOW, dtype=np.int64),
        np.zeros(n),
        lab,
        np.zeros(24),
        gap_mean=240.0,
    )
    course = rng.random(r) < 0.6
    prompt, kind = regular_prompts(rng, r, (0.25, 0.45, 0.05, 0.25))
    week = np.clip(ts // (7 * DAY) + 1, 1, 4)
    prompt[course] = render(
        template_pieces([COURSE_TEMPLATE]),
        np.zeros(int(course.sum()), dtype=np.int64),
        [NUMBER_TEXT[week[course]], pick(rng, as_objects(COURSE_TOPICS), int(course.sum()))],
    )
    kind[course] = Kind.CHAT
    browser = rng.random(r) < 0.7
    ua = np.where(browser, USER_AGENTS[7], USER_AGENTS[0]).astype(object)
    req = request_columns(
        rng,
        acct,
        ts,
        pick_within(rng, plan.university_nat, uni[acct]),
        ua,
        pick_models(rng, r, (0.1, 0.4, 0.5)),
        prompt,
        kind,
        EN,
        np.where(browser, "console", "api").astype(object),
    )
    return block_with_own_cards(
        "university", ppl, created, "education", req, rng.random(n) < 0.1, rng, email=email
    )


def companies(rng: np.random.Generator, plan: Plan, units: Sequence[tuple[Company, int]]) -> Block:
    """Organisations with declared orgs: shared corporate card, office IPs, nightly judge batch."""
    comp = np.repeat(np.arange(len(units)), [size for _, size in units])
    n = len(comp)
    firms = [c for c, _ in units]
    ppl = draw_people(rng, n)
    ppl.country = as_objects([c.country for c in firms])[comp]
    ppl.tz = np.array([c.utc_offset_hours for c in firms], dtype=float)[comp]
    local = FIRST_LOWER[first_index(ppl.first)] + "." + LAST_LOWER[last_index(ppl.last)]
    email = local + "@" + as_objects([c.email_domain for c in firms])[comp]
    created = -rng.integers(30 * DAY, 400 * DAY, n)
    day = _office_hours(rng, plan, comp, created, ppl.tz)
    nightly = _nightly_judge_batch(rng, plan, comp, firms)
    added = created + rng.integers(HOUR, 30 * DAY, n)
    return make_block(
        "company",
        ppl,
        created,
        "enterprise",
        concat_requests([day, nightly]),
        comp,  # one corporate card per company
        as_objects([c.name for c in firms]),
        as_objects([c.country for c in firms]),
        added,
        rng,
        org_id=as_objects([c.org_id for c in firms])[comp],
        org_verified=np.array([c.verified for c in firms])[comp],
        email=email,
    )


def _office_hours(
    rng: np.random.Generator, plan: Plan, comp: Arr, created: Arr, tz: Arr
) -> dict[str, Arr]:
    """Weekday daytime work from the company's office IPs."""
    n = len(comp)
    counts = rng.poisson(50, n).clip(5)
    acct = np.repeat(np.arange(n), counts)
    r = len(acct)
    ts = office_sessions(rng, acct, counts, np.maximum(created, 0), tz, gap_mean=300.0)
    prompt, kind = regular_prompts(rng, r, (0.45, 0.4, 0.1, 0.05))
    return request_columns(
        rng,
        acct,
        ts,
        pick_within(rng, plan.company_ips, comp[acct]),
        sdk_user_agents(rng, r),
        pick_models(rng, r, (0.3, 0.6, 0.1)),
        prompt,
        kind,
        EN,
        as_objects(["api"] * r),
    )


def _nightly_judge_batch(
    rng: np.random.Generator, plan: Plan, comp: Arr, firms: Sequence[Company]
) -> dict[str, Arr]:
    """LLM-as-judge batch at 02:00 UTC: every account, within the same minute or two.

    The synchronised burst from one office IP is what makes a company look like
    a campaign's dispatcher. Each company grades with its own rubric (the named
    companies' three, reworded for further companies).
    """
    n = len(comp)
    nights = np.arange(WINDOW_DAYS)
    batch_start = nights[None, :] * DAY + 2 * HOUR + rng.integers(0, 30, (len(firms), len(nights)))
    per = rng.integers(4, 7, (n, len(nights)))
    acct = np.repeat(np.repeat(np.arange(n), len(nights)), per.ravel())
    night = np.repeat(np.tile(nights, n), per.ravel())
    r = len(acct)
    ts = batch_start[comp[acct], night] + rng.integers(0, 100, r)
    rubrics = [
        JUDGE_TEMPLATES[i % 3].replace(COMPANIES[i % 3].name, firm.name)
        for i, firm in enumerate(firms)
    ]
    prompt = render(
        template_pieces(rubrics),
        comp[acct],
        [pick(rng, as_objects(SUPPORT_TICKETS), r), pick(rng, as_objects(SUPPORT_REPLIES), r)],
    )
    batch_ip = as_objects([ips[0] for ips in plan.company_ips])[comp[acct]]
    return request_columns(
        rng,
        acct,
        ts,
        batch_ip,
        as_objects([USER_AGENTS[4]] * r),
        as_objects([MODELS[1]] * r),
        prompt,
        Kind.RATE,
        EN,
        as_objects(["api"] * r),
    )


def families(rng: np.random.Generator, plan: Plan, n_families: int) -> Block:
    """Families: 2-4 accounts sharing one card (a parent's) and one home IP; evenings."""
    size = rng.integers(2, 5, n_families)
    fam = np.repeat(np.arange(n_families), size)
    n = len(fam)
    surname = rng.integers(0, len(LAST_NAMES), n_families)
    ci = rng.choice(len(COUNTRY_CODES), n_families, p=COUNTRY_WEIGHTS)
    ppl = draw_people(rng, n, last_idx=surname[fam])
    ppl.country = COUNTRY_CODES[ci][fam]
    ppl.tz = COUNTRY_TZ[ci][fam].astype(float)
    created = -rng.integers(DAY, 900 * DAY, n)
    counts = rng.integers(5, 21, n)
    acct = np.repeat(np.arange(n), counts)
    r = len(acct)
    ts = session_times(
        rng,
        acct,
        np.ceil(counts / 3).astype(np.int64),
        np.maximum(created, 0),
        np.full(n, WINDOW, dtype=np.int64),
        ppl.tz,
        hour_weights({(18, 23): 1.0, (17, 18): 0.4}),
        hour_weights({(10, 23): 1.0}),
    )
    ua_idx = rng.choice([7, 8, 9, 0], n, p=[0.35, 0.25, 0.3, 0.1])[acct]
    prompt, kind = regular_prompts(rng, r, (0.35, 0.1, 0.35, 0.2))
    req = request_columns(
        rng,
        acct,
        ts,
        plan.homes["family"][fam[acct]],
        as_objects(USER_AGENTS)[ua_idx],
        pick_models(rng, r, (0.2, 0.5, 0.3)),
        prompt,
        kind,
        EN,
        access_pathways(ua_idx, np.zeros(r, dtype=bool)),
    )
    parent = np.cumsum(size) - size
    added = created + rng.integers(MINUTE, 3 * DAY, n)
    return make_block(
        "family",
        ppl,
        created,
        "standard",
        req,
        fam,
        ppl.display[parent],
        ppl.country[parent],
        added,
        rng,
    )


def cohort(rng: np.random.Generator, plan: Plan, sizes: Sequence[int]) -> Block:
    """Start-up programme cohorts: each signs up one afternoon, onboarding template first."""
    unit = np.repeat(np.arange(len(sizes)), sizes)
    n = len(unit)
    signup_day = (2 + 5 * unit) % 24  # cohorts of large scales start on different days
    created = signup_day * DAY + 14 * HOUR + rng.integers(0, 3 * HOUR, n)
    block = regular_like(
        rng,
        plan,
        "cohort",
        n,
        plan.homes["cohort"],
        created=created,
        lo_delay=2 * HOUR,
        pathway="startup_program",
    )
    k = rng.integers(1, 4, n)
    acct = np.repeat(np.arange(n), k)
    m = len(acct)
    ts = created[acct] + rng.integers(2 * MINUTE, 2 * HOUR, m)
    first_ip = block.req["ip"][np.searchsorted(block.req["acct"], np.arange(n))]
    welcome = [
        ONBOARDING_TEMPLATE.replace("cohort 12", f"cohort {12 + u}") for u in range(len(sizes))
    ]
    prompt = render(template_pieces(welcome), unit[acct], [pick(rng, as_objects(STARTUP_IDEAS), m)])
    onboarding = request_columns(
        rng,
        acct,
        ts,
        first_ip[acct],
        as_objects([USER_AGENTS[7]] * m),
        as_objects([MODELS[1]] * m),
        prompt,
        Kind.CHAT,
        EN,
        as_objects(["console"] * m),
    )
    block.req = concat_requests([onboarding, block.req])
    return block


def heavy_users(rng: np.random.Generator, plan: Plan, n: int) -> Block:
    """Honest power users (one per unit of scale): ~4,000 step-by-step problems from home."""
    ppl = draw_people(rng, n, country="US")
    created = np.full(n, -400 * DAY)
    per = 4000
    acct = np.repeat(np.arange(n), per)
    r = len(acct)
    ts = session_times(
        rng,
        acct,
        np.full(n, 220),
        np.zeros(n, dtype=np.int64),
        np.full(n, WINDOW),
        ppl.tz,
        hour_weights({(8, 23): 1.0}, base=0.05),
        gap_mean=60.0,
    )
    # the phrasings step-by-step askers use: a power user's scaffolds are everyone's, not a
    # private set shared only with other power users (that would be a campaign's mark)
    prompt = homework_prompts(rng, r)
    req = request_columns(
        rng,
        acct,
        ts,
        plan.homes["heavy_user"][acct],
        as_objects([USER_AGENTS[1]] * r),
        pick_models(rng, r, (0.85, 0.15, 0.0)),
        prompt,
        Kind.REASON,
        EN,
        as_objects(["api"] * r),
    )
    return block_with_own_cards(
        "heavy_user",
        ppl,
        created,
        "standard",
        req,
        np.ones(n, dtype=bool),
        rng,
        n_keys=np.ones(n, dtype=np.int64),
    )


def cloud_developers(rng: np.random.Generator, plan: Plan, n: int) -> Block:
    """Developers calling from their own Nimbus Cloud servers; some next to the harvest."""
    ppl = draw_people(rng, n)
    created = np.where(
        rng.random(n) < 0.9, -rng.integers(DAY, 500 * DAY, n), rng.integers(0, 20 * DAY, n)
    ).astype(np.int64)
    counts = lognormal_counts(rng, n, 25.0, 0.8, 1, 400)
    acct = np.repeat(np.arange(n), counts)
    r = len(acct)
    always = rng.random(n) < 0.5
    lo = np.maximum(created, 0)
    hi = np.full(n, WINDOW, dtype=np.int64)
    n_sess = np.ceil(counts / 4).astype(np.int64)
    ts = np.empty(r, dtype=np.int64)
    office = hour_weights({(8, 19): 1.0}, base=0.1)
    for flag, weights in ((True, ALWAYS), (False, office)):
        sel_a = always == flag
        idx = np.flatnonzero(sel_a[acct])
        remap = np.cumsum(sel_a) - 1
        ts[idx] = session_times(
            rng, remap[acct[idx]], n_sess[sel_a], lo[sel_a], hi[sel_a], ppl.tz[sel_a], weights
        )
    n_shared = len(plan.cloud_shared)
    k = np.where(np.arange(n) < n_shared, 1, 1 + (rng.random(n) < 0.5)).astype(np.int64)
    first = np.cumsum(k) - k
    ip_table = np.concatenate([plan.cloud_shared, plan.cloud_other])
    ip = ip_table[first[acct] + (rng.random(r) * k[acct]).astype(np.int64)]
    role = rng.integers(0, len(APP_ROLES), n)
    product = pick(rng, as_objects(APP_ADJECTIVES), n) + pick(rng, as_objects(APP_NOUNS), n)
    app = render(template_pieces(APP_ROLES), role, [product])
    own_app = rng.random(r) < 0.7
    prompt, kind = regular_prompts(rng, r, (0.1, 0.8, 0.05, 0.05))
    prompt[own_app] = app[acct[own_app]] + pick(rng, as_objects(APP_INPUTS), int(own_app.sum()))
    kind[own_app] = Kind.BACKEND
    ua_idx = rng.choice([0, 1, 2, 3, 4], n, p=[0.4, 0.1, 0.3, 0.1, 0.1])
    req = request_columns(
        rng,
        acct,
        ts,
        ip,
        as_objects(USER_AGENTS)[ua_idx[acct]],
        pick_models(rng, r, (0.2, 0.5, 0.3)),
        prompt,
        kind,
        EN,
        as_objects(["api"] * r),
    )
    return block_with_own_cards(
        "cloud_developer", ppl, created, "standard", req, rng.random(n) < card_odds(counts), rng
    )


def pasters(rng: np.random.Generator, plan: Plan, n: int) -> Block:
    """People who paste a document (300-3,000 characters) and ask about it, in their language."""
    return regular_like(
        rng, plan, "pasters", n, plan.homes["pasters"], persona="pasters", mean_requests=10.0
    )


CLI_USER_AGENT: str = CODING["cli"]["user_agent"]
"""The popular coding CLI's client string, on every request of all its users."""
CLI_SYSTEM_PROMPT: str = CODING["cli"]["system"]
"""The system prompt the CLI sends first in every request of all its users."""
_DEV_DAY = hour_weights({(9, 12): 1.0, (12, 13): 0.6, (13, 18): 1.0, (18, 20): 0.5, (20, 24): 0.35})
_DEV_DAY[0:2] = 0.15
_DEV_WEEKEND = hour_weights({(10, 24): 0.45}, base=0.05)
_CLI_TURNS = 10.0  # mean requests per CLI session (one task: the agent's steps)


def cli_users(rng: np.random.Generator, plan: Plan, n: int) -> Block:
    """Developers using one popular coding CLI on their own repositories, on their own schedule.

    The CLI puts its fixed system prompt and client string on every request; all
    else is each developer's own: repositories and tasks, sessions on a personal
    rhythm (mostly working hours and evenings), home or office IP, card and model.
    Within a session the agent's steps follow each other seconds apart, with a
    pause now and then while the developer reads or types.
    """
    ppl = draw_people(rng, n)
    pathways = draw_pathways(rng, n)
    created = ordinary_created(rng, n)
    n_sessions = lognormal_counts(rng, n, 10.0, 0.9, 1, 120)
    who = np.repeat(np.arange(n), n_sessions)
    n_repos = rng.integers(1, 4, n)
    handle = FIRST_LOWER[first_index(ppl.first)] + LAST_LOWER[last_index(ppl.last)]
    repos = draw_repos(rng, int(n_repos.sum()), np.repeat(handle, n_repos))
    first_repo = np.cumsum(n_repos) - n_repos
    repo = first_repo[who] + (rng.random(len(who)) * n_repos[who]).astype(np.int64)
    lo = np.maximum(created, 0)
    start = rhythm_starts(rng, who, lo, np.full(n, WINDOW - HOUR), ppl.tz, _DEV_DAY, _DEV_WEEKEND)
    start = start[np.lexsort((start, who))]  # each developer's sessions in time order
    lengths = np.minimum(1 + rng.geometric(1 / _CLI_TURNS, len(who)), 60)
    r = int(lengths.sum())
    gaps = np.where(rng.random(r) < 0.12, rng.exponential(150.0, r), 3.0 + rng.exponential(15.0, r))
    offset, turn = session_offsets(rng, lengths, gaps)
    session = np.repeat(np.arange(len(who)), lengths)
    ts = np.minimum(start[session] + offset, WINDOW - 1)
    acct = who[session]
    platform = pick(rng, as_objects(CODING["cli"]["platforms"]), n)
    prefix, text = coding_prompts(
        rng,
        Sessions(session, turn, Repos(*(values[repo] for values in repos))),
        CLI_SYSTEM_PROMPT,
        CODING["cli"]["header"],
        "cli",
        extra={"platform": platform[who]},
    )
    ip = _home_ips(rng, plan, plan.homes["cli_users"], who, n, 2, None)[session]
    favourite = rng.choice(3, n, p=[0.7, 0.25, 0.05])
    model = as_objects(MODELS)[
        np.where(rng.random(r) < 0.9, favourite[acct], rng.integers(0, 3, r))
    ]
    cloud = (pathways == "cloud_partner")[acct]
    req = request_columns(
        rng,
        acct,
        ts,
        ip,
        shared(CLI_USER_AGENT, r),
        model,
        text,
        Kind.CODE_AGENT,
        EN,
        np.where(cloud, "cloud_partner", "api").astype(object),
        prefix=prefix,
    )
    counts = np.bincount(acct, minlength=n)
    return block_with_own_cards(
        "cli_users", ppl, created, pathways, req, rng.random(n) < card_odds(counts), rng
    )
