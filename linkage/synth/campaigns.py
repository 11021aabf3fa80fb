"""The planted distillation campaigns: a reasoning harvest, an agentic swarm, a firehose.

Each one leaves the traces its indicators (see the assembly) point at: the
harvest's cards shared three ways behind one cloud /24, the swarm's rotating
residential proxies and harness user agent, the firehose's hosting block.
"""

from __future__ import annotations

import numpy as np

from linkage.synth.blocks import (
    Block,
    make_block,
    pick_models,
    request_columns,
    sdk_user_agents,
    token_counts,
)
from linkage.synth.network import Plan
from linkage.synth.people import FIRST_LOWER, LAST_LOWER, draw_people, first_index, last_index
from linkage.synth.prompts import problems
from linkage.synth.sampling import round_robin
from linkage.synth.text import Arr, as_objects, pick, render, template_pieces
from linkage.synth.vocabulary import (
    AGENT_TASK_ACTIONS,
    AGENT_TASK_SUBJECTS,
    CAMPAIGN_FREEMAIL,
    CODE_ACTIONS,
    CODE_TARGETS,
    FIREHOSE_TEMPLATE,
    GRADED_RESPONSES,
    HARVEST_GRADING_TEMPLATES,
    HARVEST_REASONING_TEMPLATES,
    HARVEST_REWRITE_TEMPLATES,
    IMAGE_QUESTIONS,
    SENSITIVE_ANSWERS,
    SENSITIVE_TOPICS,
    SWARM_SCAFFOLDS,
    USER_AGENTS,
)
from linkage.synth.window import DAY, HOUR, MINUTE, WINDOW, WINDOW_DAYS

CAMPAIGNS: dict[str, str] = {
    "reasoning_harvest": "Kestrel AI",
    "agentic_swarm": "Orca Intelligence",
    "coding_firehose": "Tidewater Labs",
}
"""Campaign id -> the organisation behind it."""

HARNESS_USER_AGENT = "orca-harness/0.9.3 (linux; py3.11)"

# Families of harvest prompts, as drawn by _harvest_prompts.
_REASONING, _GRADING, _REWRITE = 0, 1, 2
# Positions in SWARM_SCAFFOLDS of the scaffolds that are not plain agent tasks.
_SCREENSHOT, _IMAGE, _CODING = 1, 2, 4


def reasoning_harvest(rng: np.random.Generator, plan: Plan, n: int) -> Block:
    """reasoning_harvest (Kestrel AI): a 24/7 dispatcher over cards shared three ways."""
    ppl = draw_people(rng, n, domains=CAMPAIGN_FREEMAIL, domain_w=(0.6, 0.25, 0.15))
    email = ppl.email.copy()
    keep = np.zeros(n, dtype=bool)
    pair = rng.choice(n, 2, replace=False)
    email[pair] = ["kestrel.ops+a1@gmail.com", "kestrelops@gmail.com"]
    keep[pair] = True
    created = rng.integers(0, 3 * DAY, n)

    n_cards = -(-n // 3)
    card_of = rng.permutation(np.arange(n) // 3)
    names = draw_people(rng, n_cards)
    card_name = names.display.copy()
    card_name[rng.choice(n_cards, 2 if n_cards >= 4 else 1, replace=False)] = (
        "Kestrel Data Services Ltd"
    )
    added = created + rng.integers(10 * MINUTE, 12 * HOUR, n)

    r = round(n * 10_000 / 36)
    t0 = 3 * DAY
    dt = (WINDOW - t0) / r
    ts = (t0 + (np.arange(r) + 0.5 + rng.uniform(-0.1, 0.1, r)) * dt).astype(np.int64)
    acct = round_robin(rng, n, r)
    ip = plan.harvest_pool[round_robin(rng, len(plan.harvest_pool), r)]

    family, prompt = _harvest_prompts(rng, r)
    out_tok = np.where(
        family == _GRADING,
        token_counts(rng, r, 700, 0.3, 4000),
        token_counts(rng, r, 2600, 0.35, 16000),
    )
    req = request_columns(
        acct,
        ts,
        ip,
        as_objects([USER_AGENTS[0]] * r),
        pick_models(rng, r, (0.9, 0.1, 0.0)),
        prompt,
        rng.integers(20, 60, r),
        out_tok,
        as_objects(["api"] * r),
    )
    return make_block(
        "campaign",
        ppl,
        created,
        "standard",
        req,
        card_of,
        card_name,
        names.country,
        added,
        rng,
        campaign_id="reasoning_harvest",
        organization=CAMPAIGNS["reasoning_harvest"],
        email=email,
        keep_email=keep,
        n_keys=np.ones(n, dtype=np.int64),
    )


def _harvest_prompts(rng: np.random.Generator, r: int) -> tuple[Arr, Arr]:
    """``r`` harvest prompts and their families: reasoning traces, rubric grading, rewrites."""
    family = rng.choice(3, r, p=[0.45, 0.3, 0.25])
    prompt = np.empty(r, dtype=object)
    idx = np.flatnonzero(family == _REASONING)
    p = template_pieces(HARVEST_REASONING_TEMPLATES)
    prompt[idx] = render(p, rng.integers(0, len(p), len(idx)), [pick(rng, problems(), len(idx))])
    idx = np.flatnonzero(family == _GRADING)
    p = template_pieces(HARVEST_GRADING_TEMPLATES)
    prompt[idx] = render(
        p,
        rng.integers(0, len(p), len(idx)),
        [pick(rng, problems(), len(idx)), pick(rng, as_objects(GRADED_RESPONSES), len(idx))],
    )
    idx = np.flatnonzero(family == _REWRITE)
    p = template_pieces(HARVEST_REWRITE_TEMPLATES)
    prompt[idx] = render(
        p,
        rng.integers(0, len(p), len(idx)),
        [
            pick(rng, as_objects(SENSITIVE_TOPICS), len(idx)),
            pick(rng, as_objects(SENSITIVE_ANSWERS), len(idx)),
        ],
    )
    return family, prompt


def agentic_swarm(rng: np.random.Generator, plan: Plan, n: int) -> Block:
    """agentic_swarm (Orca Intelligence): three shifts behind rotating residential proxies."""
    ppl = draw_people(rng, n, domains=CAMPAIGN_FREEMAIL, domain_w=(0.5, 0.3, 0.2))
    pathway = _swarm_pathways(rng, n)
    created = rng.integers(-9 * DAY, DAY - HOUR, n)
    card_of, owner = _swarm_cards(rng, n)
    added = created + rng.integers(5 * MINUTE, DAY, n)

    r = round(n * 25_000 / 300)
    t0 = DAY
    dt = (WINDOW - t0) / r
    ts = (t0 + (np.arange(r) + 0.5 + rng.uniform(-0.3, 0.3, r)) * dt).astype(np.int64)
    acct = _shift_accounts(rng, n, ts)
    ip = _proxy_exits(rng, plan, ts)
    ua = sdk_user_agents(rng, r)
    ua[rng.random(r) < 0.3] = HARNESS_USER_AGENT
    access = np.where(pathway == "cloud_partner", "cloud_partner", "api").astype(object)[acct]
    which, prompt = _swarm_prompts(rng, r)
    extra = np.where(
        np.isin(which, [_SCREENSHOT, _IMAGE]),
        rng.integers(1200, 2600, r),
        rng.integers(600, 3000, r),
    )
    req = request_columns(
        acct,
        ts,
        ip,
        ua,
        pick_models(rng, r, (0.6, 0.4, 0.0)),
        prompt,
        extra,
        token_counts(rng, r, 350, 0.5, 4000),
        access,
    )
    return make_block(
        "campaign",
        ppl,
        created,
        pathway,
        req,
        card_of,
        ppl.display[owner],
        ppl.country[owner],
        added,
        rng,
        campaign_id="agentic_swarm",
        organization=CAMPAIGNS["agentic_swarm"],
    )


def _swarm_pathways(rng: np.random.Generator, n: int) -> Arr:
    """Sign-up pathways spread over the programmes in fixed shares (largest remainders)."""
    shares = np.array([0.3, 0.25, 0.2, 0.25])
    n_path = np.floor(shares * n).astype(np.int64)
    n_path[np.argsort(-(shares * n - n_path))[: n - n_path.sum()]] += 1
    return rng.permutation(
        np.repeat(as_objects(["education", "startup_program", "cloud_partner", "standard"]), n_path)
    )


def _swarm_cards(rng: np.random.Generator, n: int) -> tuple[Arr, Arr]:
    """Card of every account (-1: none) and the account whose name each card carries.

    Nine in ten accounts have a card; about 15% of those share theirs in pairs.
    """
    has_card = rng.random(n) >= 0.1
    carded = rng.permutation(np.flatnonzero(has_card))
    n_paired = 2 * round(0.15 * len(carded) / 2)
    card_slot = np.concatenate(
        [np.arange(n_paired) // 2, n_paired // 2 + np.arange(len(carded) - n_paired)]
    )
    card_of = np.full(n, -1, dtype=np.int64)
    card_of[carded] = card_slot
    n_cards = int(card_slot.max()) + 1 if len(card_slot) else 0
    owner = np.full(n_cards, -1, dtype=np.int64)
    owner[card_slot[::-1]] = carded[::-1]  # reversed: the first account of a pair wins
    return card_of, owner


def _shift_accounts(rng: np.random.Generator, n: int, ts: Arr) -> Arr:
    """Account of every request: eight-hour shifts, each served round-robin by its members.

    Every account works one shift and is active on 85% of days; a shift with no
    active member falls back to all its members, then to everyone.
    """
    shift = rng.permutation(np.arange(n) % 3)
    active = rng.random((n, WINDOW_DAYS)) < 0.85
    acct = np.empty(len(ts), dtype=np.int64)
    slot = (ts // DAY) * 3 + (ts % DAY) // (8 * HOUR)
    bounds = np.searchsorted(slot, np.arange(WINDOW_DAYS * 3 + 1))
    for s in range(WINDOW_DAYS * 3):
        lo_i, hi_i = bounds[s], bounds[s + 1]
        if hi_i <= lo_i:
            continue
        day, sh = divmod(s, 3)
        members = np.flatnonzero((shift == sh) & active[:, day])
        if len(members) == 0:
            members = np.flatnonzero(shift == sh)
        if len(members) == 0:
            members = np.arange(n)
        acct[lo_i:hi_i] = members[round_robin(rng, len(members), hi_i - lo_i)]
    return acct


def _proxy_exits(rng: np.random.Generator, plan: Plan, ts: Arr) -> Arr:
    """IP of every request: a tenth of the proxy pool is live each hour; 1% leak Orca's office."""
    r = len(ts)
    pool = plan.proxy_pool
    live_n = max(3, len(pool) // 10)
    hours = WINDOW // HOUR
    live = np.argsort(rng.random((hours, len(pool))), axis=1)[:, :live_n]
    ip = pool[live[ts // HOUR, rng.integers(0, live_n, r)]]
    corp = rng.random(r) < 0.01
    ip[corp] = pick(rng, plan.orca_corp, int(corp.sum()))
    return ip


def _swarm_prompts(rng: np.random.Generator, r: int) -> tuple[Arr, Arr]:
    """``r`` agent-scaffold prompts and the scaffold each one uses."""
    which = rng.integers(0, len(SWARM_SCAFFOLDS), r)
    tasks = (
        pick(rng, as_objects(AGENT_TASK_ACTIONS), r)
        + " "
        + pick(rng, as_objects(AGENT_TASK_SUBJECTS), r)
    )
    slot_text = np.where(
        which == _IMAGE,
        pick(rng, as_objects(IMAGE_QUESTIONS), r),
        np.where(
            which == _CODING,
            pick(rng, as_objects(CODE_ACTIONS), r) + " " + pick(rng, as_objects(CODE_TARGETS), r),
            tasks,
        ),
    )
    return which, render(template_pieces(SWARM_SCAFFOLDS, "\0"), which, [slot_text])


def coding_firehose(rng: np.random.Generator, plan: Plan, n: int) -> Block:
    """coding_firehose (Tidewater Labs): 60 fresh accounts hammering one coding scaffold."""
    ppl = draw_people(rng, n, domains=CAMPAIGN_FREEMAIL, domain_w=(0.5, 0.3, 0.2), country="US")
    email = ppl.email.copy()
    j = int(rng.integers(0, n))
    email[j] = (
        FIRST_LOWER[first_index(ppl.first[j : j + 1])][0]
        + "."
        + LAST_LOWER[last_index(ppl.last[j : j + 1])][0]
        + "@tidewater-labs.com"
    )
    created = 24 * DAY + rng.integers(0, 20 * HOUR, n)
    start = 25 * DAY + np.clip(np.rint(rng.normal(0, 120, n)), -300, 300).astype(np.int64)
    k = rng.integers(200, 301, n)
    acct = np.repeat(np.arange(n), k)
    r = len(acct)
    rank = np.arange(r) - np.repeat(np.cumsum(k) - k, k)
    span = (WINDOW - start)[acct] / k[acct]
    ts = (start[acct] + (rank + rng.uniform(0.1, 0.9, r)) * span).astype(np.int64)
    ts = np.minimum(ts, WINDOW - 1)
    prompt = render(
        template_pieces([FIREHOSE_TEMPLATE]),
        np.zeros(r, dtype=np.int64),
        [pick(rng, as_objects(CODE_ACTIONS), r) + " " + pick(rng, as_objects(CODE_TARGETS), r)],
    )
    req = request_columns(
        acct,
        ts,
        pick(rng, plan.twl_hosts, r),
        as_objects([USER_AGENTS[0]] * r),
        pick_models(rng, r, (0.8, 0.2, 0.0)),
        prompt,
        rng.integers(3000, 12000, r),
        token_counts(rng, r, 1100, 0.5, 12000),
        as_objects(["api"] * r),
    )
    cards = draw_people(rng, n)
    added = created + rng.integers(MINUTE, 30 * MINUTE, n)
    return make_block(
        "campaign",
        ppl,
        created,
        "standard",
        req,
        np.arange(n),
        cards.display,
        as_objects(["US"] * n),
        added,
        rng,
        campaign_id="coding_firehose",
        organization=CAMPAIGNS["coding_firehose"],
        email=email,
    )
