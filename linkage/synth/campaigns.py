"""The planted distillation campaigns: a reasoning harvest, an agentic swarm, a firehose.

Every campaign is built by one pipeline of components (accounts, schedule,
content, network, clients, models, payment), each on its own random stream, so
an adversary knob (:mod:`linkage.synth.adversary`) swaps one component and
leaves the others' draws as they were.

What is *not* evidence is drawn as for ordinary users in every scenario:
people (names, email style, country), sign-up pathway, account ages (sign-ups
come in batches, whose times follow the ordinary distribution), models, API
keys and token counts (by kind of request). What is evidence, by default:

* reasoning_harvest (Kestrel AI): a 24/7 round-robin dispatcher from day 3,
  eight IPs of one cloud /24, cards shared three ways (two in the name of
  Kestrel Data Services Ltd), one mailbox behind two sign-ups, fixed templates
  for reasoning traces, rubric grading and sensitive rewrites;
* agentic_swarm (Orca Intelligence): three eight-hour shifts served round-robin
  from day 1, rotating residential proxies (many accounts per exit, 1% leaks
  from Orca's office), a harness client string on 30% of requests, cards shared
  in pairs, six fixed agent scaffolds;
* coding_firehose (Tidewater Labs): from day 25, 200-300 evenly spaced requests
  per account from a hosting /26, one fixed coding-agent template, one account
  with a company email.

Under ``clockwork`` every campaign's dispatcher becomes a scheduler on a precise
clock (each account exactly every P seconds, the accounts' phases interleaved on
one grid), the timing of legitimate cron jobs and judge pipelines.

Under ``low-and-slow`` a campaign sends its harvest through many small heads
instead: 4-8 heads per account it would have (:func:`head_count`), 10-40 requests
each on a person's rhythm, each head with its own card and freemail address, all
of them exiting in turn through one pool of ordinary users' home IPs
(:func:`pooled_exits`). The prompts are the campaign's. A share of the heads keeps
what the campaign's intel names (the harvest's mailbox and company cards, the
firehose's company domain), as large a share as without the knob, unless
``unique-pay`` removes it.
"""

from __future__ import annotations

import itertools
from typing import Any, NamedTuple

import numpy as np

from linkage.synth.adversary import Adversary
from linkage.synth.blocks import (
    Block,
    block_with_own_cards,
    make_block,
    ordinary_clients,
    ordinary_models,
    request_columns,
    sdk_user_agents,
)
from linkage.synth.intents import camouflage, campaign_prompts, draw_forms
from linkage.synth.network import Plan
from linkage.synth.people import (
    FIRST_LOWER,
    LAST_LOWER,
    People,
    burst_created,
    draw_pathways,
    draw_people,
    first_index,
    last_index,
)
from linkage.synth.sampling import human_times, round_robin
from linkage.synth.text import Arr, as_objects, pick
from linkage.synth.vocabulary import USER_AGENTS
from linkage.synth.window import DAY, HOUR, MINUTE, WINDOW, WINDOW_DAYS


class Spec(NamedTuple):
    """A campaign's organisation, volume and start."""

    organization: str
    per_account: float  # mean requests per account
    start: int  # seconds from the window start


SPECS: dict[str, Spec] = {
    "reasoning_harvest": Spec("Kestrel AI", 10_000 / 36, 3 * DAY),
    "agentic_swarm": Spec("Orca Intelligence", 25_000 / 300, DAY),
    "coding_firehose": Spec("Tidewater Labs", 250, 25 * DAY),
}
CAMPAIGNS: dict[str, str] = {cid: spec.organization for cid, spec in SPECS.items()}
"""Campaign id -> the organisation behind it."""

HARNESS_USER_AGENT = "orca-harness/0.9.3 (linux; py3.11)"
KESTREL_BILLING_NAME = "Kestrel Data Services Ltd"
HEAD_REQUESTS = (10, 40)
"""Under ``low-and-slow``: fewest and most requests a head sends over the window."""
HEADS_PER_ACCOUNT = (4.0, 8.0)
"""Under ``low-and-slow``: fewest and most heads per account the campaign would have."""
_HEAD_AIM = 25  # requests per head the number of heads is chosen for
_HEAD_MEAN_CAP = 30  # mean requests per head at most: a heavy campaign sends a little less
_HEAD_EXITS = (2, 6)  # exits each head takes in turn from the campaign's pool
# Shares of the campaign's accounts that carry what its intel names, by default: the
# harvest's two mailbox sign-ups of 36 and six accounts of 36 on its two company cards,
# the firehose's one company address of 60. Heads keep them at the same shares.
_KESTREL_MAILBOX_SHARE = 2 / 36
_KESTREL_CARD_SHARE = 6 / 36
_TIDEWATER_ADDRESS_SHARE = 1 / 60
_COMPONENTS = (
    "accounts",
    "schedule",
    "content",
    "camouflage",
    "network",
    "clients",
    "models",
    "payment",
    "tokens",
)


def head_count(name: str, n: int) -> int:
    """Heads of campaign ``name`` under ``low-and-slow`` in place of its ``n`` accounts.

    As many as leave about 25 requests per head, between 4 and 8 per account.

    >>> head_count("reasoning_harvest", 36), head_count("agentic_swarm", 300)
    (288, 1200)
    >>> head_count("coding_firehose", 60)
    480
    """
    lo, hi = HEADS_PER_ACCOUNT
    return round(n * min(hi, max(lo, SPECS[name].per_account / _HEAD_AIM)))


def build_campaign(
    name: str, rng: np.random.Generator, plan: Plan, n: int, adversary: Adversary
) -> Block:
    """The block of campaign ``name`` with ``n`` accounts under the adversary's knobs.

    Under ``low-and-slow`` the block holds :func:`head_count` heads instead.
    """
    s = dict(zip(_COMPONENTS, rng.spawn(len(_COMPONENTS)), strict=True))
    low_and_slow = "low-and-slow" in adversary
    volume = n * SPECS[name].per_account  # the campaign's requests without the knob, about
    if low_and_slow:
        n = head_count(name, n)
    ppl = draw_people(s["accounts"], n)
    pathway = draw_pathways(s["accounts"], n)
    created = burst_created(s["accounts"], n)
    # first request: once signed up (as ordinary users may) and the campaign has started,
    # at the latest an hour before the window ends
    ready = np.minimum(np.maximum(created, SPECS[name].start), WINDOW - HOUR)
    if low_and_slow:
        acct, ts = _small_heads(s["schedule"], volume, ready, ppl.tz)
    else:
        acct, ts = _schedule(
            name,
            s["schedule"],
            ready,
            ppl.tz,
            jitter="jitter" in adversary,
            clockwork="clockwork" in adversary,
        )
    form = draw_forms(s["content"], name, len(acct))
    paraphrase = "paraphrase" in adversary
    prompt, kind, lang, intent = campaign_prompts(s["content"], name, form, paraphrase=paraphrase)
    if "camouflage" in adversary:
        intent[camouflage(s["camouflage"], acct, ppl.country, prompt, kind, lang)] = -1
    if low_and_slow:
        ip = pooled_exits(s["network"], acct, ts, n, plan.residential_exits[name])
    elif "proxy-rotation" in adversary:
        ip = rotating_exits(s["network"], acct, ts, n, plan.residential_exits[name])
    else:
        ip = _own_network(name, s["network"], plan, ts)
    if "common-client" in adversary:
        ua, access = ordinary_clients(s["clients"], acct, n, pathway)
    else:
        ua, access = _harness_clients(name, s["clients"], acct, pathway)
    model = ordinary_models(s["models"], acct, n)
    req = request_columns(s["tokens"], acct, ts, ip, ua, model, prompt, kind, lang, access, intent)
    unique = "unique-pay" in adversary
    if low_and_slow:
        return _heads_block(name, s["payment"], ppl, created, pathway, req, unique)
    return _accounts_block(name, s["payment"], ppl, created, pathway, req, unique)


# ---- schedules -------------------------------------------------------------------------


def _schedule(
    name: str, rng: np.random.Generator, ready: Arr, tz: Arr, *, jitter: bool, clockwork: bool
) -> tuple[Arr, Arr]:
    """Account and time of every request.

    The number of requests does not depend on jitter; under clockwork (ignored with
    jitter) it follows from the campaign's period, within an account's share of it.
    """
    n = len(ready)
    if name == "coding_firehose":
        counts = rng.integers(200, 301, n)
        if jitter:
            return _human(rng, counts, ready, tz)
        if clockwork:
            return _clockwork(rng, int(counts.sum()), ready)
        return _evenly_spaced(rng, counts, ready)
    r = round(n * SPECS[name].per_account)
    if jitter:
        return _human(rng, _shares(rng, r, ready), ready, tz)
    if clockwork:
        return _clockwork(rng, r, ready)
    if name == "reasoning_harvest":
        return _dispatcher(rng, r, ready)
    return _shifts(rng, r, ready)


def _small_heads(rng: np.random.Generator, volume: float, ready: Arr, tz: Arr) -> tuple[Arr, Arr]:
    """Account and time of every request of heads sending 10-40 requests each.

    Their mean is the campaign's ``volume`` shared out, at most 30 (a heavier
    campaign sends somewhat less); each head keeps its own human rhythm.
    """
    n = len(ready)
    lo, hi = HEAD_REQUESTS
    mean = min(volume / n, _HEAD_MEAN_CAP)
    p = min(0.95, max(0.05, (mean - lo) / (hi - lo)))
    counts = lo + np.rint((hi - lo) * rng.beta(3 * p, 3 * (1 - p), n)).astype(np.int64)
    return _human(rng, counts, ready, tz)


def _clockwork(rng: np.random.Generator, r: int, ready: Arr) -> tuple[Arr, Arr]:
    """A scheduler on a precise clock: every account exactly every ``period`` seconds.

    The period is the campaign's (about ``r`` requests in all); account phases are
    spread evenly over it in a random order, so all requests fall on one grid of
    step ``period / n``, each account taking its turn. An account sends from its
    first tick after it is ready; one that signs up after its last tick sends once,
    at the grid's next step.
    """
    n = len(ready)
    t0 = int(ready.min())
    period = max(n, round(float((WINDOW - ready).sum()) / r))
    phase = t0 + (rng.permutation(n) * period) // n
    first = phase + np.maximum(0, -(-(ready - phase) // period)) * period
    counts = np.maximum(0, -(-(WINDOW - first) // period))
    late = counts == 0
    step = period / n
    first[late] = np.minimum(t0 + np.ceil((ready[late] - t0) / step) * step, WINDOW - 1)
    counts[late] = 1
    acct = np.repeat(np.arange(n), counts)
    rank = np.arange(len(acct)) - np.repeat(np.cumsum(counts) - counts, counts)
    return acct, first[acct] + rank * period


def _shares(rng: np.random.Generator, r: int, ready: Arr) -> Arr:
    """Requests per account summing to ``r``: uneven, more for accounts active longer."""
    n = len(ready)
    w = rng.lognormal(0.0, 0.6, n) * (WINDOW - ready)
    quota = (r - n) * w / w.sum()
    counts = np.floor(quota).astype(np.int64)
    counts[np.argsort(-(quota - counts))[: r - n - counts.sum()]] += 1
    return counts + 1


def _human(rng: np.random.Generator, counts: Arr, ready: Arr, tz: Arr) -> tuple[Arr, Arr]:
    acct = np.repeat(np.arange(len(counts)), counts)
    hi = np.full(len(counts), WINDOW, dtype=np.int64)
    return acct, human_times(rng, acct, counts, ready, hi, tz)


def _dispatcher(rng: np.random.Generator, r: int, ready: Arr) -> tuple[Arr, Arr]:
    """A 24/7 dispatcher: evenly spaced requests, round-robin over the accounts ready by then."""
    t0 = int(ready.min())
    dt = (WINDOW - t0) / r
    ts = (t0 + (np.arange(r) + 0.5 + rng.uniform(-0.1, 0.1, r)) * dt).astype(np.int64)
    order = np.argsort(ready, kind="stable")
    alive = np.searchsorted(ready[order], ts, side="right")
    acct = np.empty(r, dtype=np.int64)
    bounds = np.flatnonzero(np.diff(alive, prepend=-1, append=-1))
    for lo, hi in itertools.pairwise(bounds):  # one pass per sign-up epoch
        acct[lo:hi] = order[round_robin(rng, int(alive[lo]), int(hi - lo))]
    return acct, ts


def _shifts(rng: np.random.Generator, r: int, ready: Arr) -> tuple[Arr, Arr]:
    """Three eight-hour shifts, each served round-robin by its members active that day."""
    n = len(ready)
    t0 = int(ready.min())
    dt = (WINDOW - t0) / r
    ts = (t0 + (np.arange(r) + 0.5 + rng.uniform(-0.3, 0.3, r)) * dt).astype(np.int64)
    shift = rng.permutation(np.arange(n) % 3)
    active = rng.random((n, WINDOW_DAYS)) < 0.85
    acct = np.empty(r, dtype=np.int64)
    slot = (ts // DAY) * 3 + (ts % DAY) // (8 * HOUR)
    bounds = np.searchsorted(slot, np.arange(WINDOW_DAYS * 3 + 1))
    for s in range(WINDOW_DAYS * 3):
        lo_i, hi_i = bounds[s], bounds[s + 1]
        if hi_i <= lo_i:
            continue
        day, sh = divmod(s, 3)
        ok = ready <= s * 8 * HOUR
        members = np.flatnonzero((shift == sh) & active[:, day] & ok)
        if len(members) == 0:
            members = np.flatnonzero(ok) if ok.any() else np.array([int(np.argmin(ready))])
        acct[lo_i:hi_i] = members[round_robin(rng, len(members), hi_i - lo_i)]
    return acct, np.maximum(ts, ready[acct])


def _evenly_spaced(rng: np.random.Generator, counts: Arr, ready: Arr) -> tuple[Arr, Arr]:
    """Each account's requests evenly spaced from its start (within minutes of the others')."""
    start = ready + np.clip(np.rint(np.abs(rng.normal(0, 120, len(ready)))), 0, 300).astype(
        np.int64
    )
    acct = np.repeat(np.arange(len(counts)), counts)
    rank = np.arange(len(acct)) - np.repeat(np.cumsum(counts) - counts, counts)
    span = (WINDOW - start)[acct] / counts[acct]
    ts = (start[acct] + (rank + rng.uniform(0.1, 0.9, len(acct))) * span).astype(np.int64)
    return acct, np.minimum(ts, WINDOW - 1)


# ---- network ---------------------------------------------------------------------------


def rotating_exits(rng: np.random.Generator, acct: Arr, ts: Arr, n: int, pool: Arr) -> Arr:
    """Residential proxy exits: 2-40 IPs per account, used in turn over its requests' times.

    Every IP of ``pool`` (ordinary users' homes) serves at most two accounts while
    the pool holds two slots per account IP; each account keeps an exit for a
    stretch of its requests, then moves on to the next one.
    """
    k = np.floor(np.exp(rng.uniform(np.log(2), np.log(41), n))).astype(np.int64)
    cap = 2 * len(pool)
    if k.sum() > cap:
        k = np.maximum(2, k * cap // k.sum())
    copies = -(-int(k.sum()) // len(pool))
    slots = np.concatenate([pool[rng.permutation(len(pool))] for _ in range(copies)])
    return _in_turn(slots, k, acct, ts, n)


def pooled_exits(rng: np.random.Generator, acct: Arr, ts: Arr, n: int, homes: Arr) -> Arr:
    """Exits of ``n`` small heads: 2-6 distinct IPs each, in turn, from a pool they share.

    The pool is the first half as many of ``homes`` (ordinary users' home IPs, in
    the plan's random order) as there are heads, at least four. Some of its IPs
    are handed out more often than others, so with four exits per head an IP
    serves eight heads over the window on average, a few of them many more.
    """
    size = min(len(homes), max(4, -(-n // 2)))
    lo, hi = _HEAD_EXITS
    counts = np.bincount(acct, minlength=n)
    k = np.clip(rng.integers(lo, hi + 1, n), 1, np.maximum(1, np.minimum(counts, size)))
    w = rng.lognormal(0.0, 0.3, size)
    slot = rng.choice(size, int(k.sum()), p=w / w.sum())
    owner = np.repeat(np.arange(n), k)
    for _ in range(50):  # an exit twice for one head: draw again
        _, first = np.unique(owner * size + slot, return_index=True)
        again = np.ones(len(slot), dtype=bool)
        again[first] = False
        if not again.any():
            break
        slot[again] = rng.choice(size, int(again.sum()), p=w / w.sum())
    return _in_turn(homes[slot], k, acct, ts, n)


def _in_turn(slots: Arr, k: Arr, acct: Arr, ts: Arr, n: int) -> Arr:
    """IP of every request: account ``a`` holds ``k[a]`` consecutive slots, each for a stretch.

    Accounts take their slots in account order; an account keeps an exit for a
    stretch of its requests (in time order), then moves on to the next one.
    """
    first_slot = np.cumsum(k) - k
    order = np.lexsort((ts, acct))
    counts = np.bincount(acct, minlength=n)
    rank = np.arange(len(acct)) - (np.cumsum(counts) - counts)[acct[order]]
    a = acct[order]
    ip = np.empty(len(acct), dtype=object)
    ip[order] = slots[first_slot[a] + rank * k[a] // counts[a]]
    return ip


def _own_network(name: str, rng: np.random.Generator, plan: Plan, ts: Arr) -> Arr:
    """The campaign's own infrastructure (without proxy rotation)."""
    r = len(ts)
    match name:
        case "reasoning_harvest":  # eight NAT addresses taking turns, in time order
            ip = np.empty(r, dtype=object)
            ip[np.argsort(ts, kind="stable")] = plan.harvest_pool[
                round_robin(rng, len(plan.harvest_pool), r)
            ]
            return ip
        case "agentic_swarm":
            return _proxy_exits(rng, plan, ts)
    return pick(rng, plan.twl_hosts, r)


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


# ---- clients ---------------------------------------------------------------------------


def _harness_clients(
    name: str, rng: np.random.Generator, acct: Arr, pathway: Arr
) -> tuple[Arr, Arr]:
    """The campaign's own clients: one SDK string, or the swarm's SDK mix plus its harness."""
    r = len(acct)
    access = np.where((pathway == "cloud_partner")[acct], "cloud_partner", "api").astype(object)
    if name == "agentic_swarm":
        ua = sdk_user_agents(rng, r)
        ua[rng.random(r) < 0.3] = HARNESS_USER_AGENT
        return ua, access
    return as_objects([USER_AGENTS[0]] * r), access


# ---- accounts, cards and emails --------------------------------------------------------


def _accounts_block(
    name: str,
    rng: np.random.Generator,
    ppl: People,
    created: Arr,
    pathway: Arr,
    req: dict[str, Arr],
    unique: bool,
) -> Block:
    """The campaign's block: its cards and emails, shared as the campaign shares them."""
    n = len(created)
    details: dict[str, Any] = {"campaign_id": name, "organization": SPECS[name].organization}
    if unique or name == "coding_firehose":
        email = ppl.email if unique else _firehose_email(rng, ppl)
        has_card = np.ones(n, dtype=bool)
        return block_with_own_cards(
            "campaign", ppl, created, pathway, req, has_card, rng, email=email, **details
        )
    added = created + rng.integers(5 * MINUTE, 2 * DAY, n)
    if name == "agentic_swarm":
        card_of, owner = _swarm_cards(rng, n)
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
            **details,
        )
    email, keep = _kestrel_emails(rng, ppl)
    n_cards = -(-n // 3)
    card_of = rng.permutation(np.arange(n) // 3)
    names = draw_people(rng, n_cards)
    card_name = names.display.copy()
    card_name[rng.choice(n_cards, 2 if n_cards >= 4 else 1, replace=False)] = KESTREL_BILLING_NAME
    return make_block(
        "campaign",
        ppl,
        created,
        pathway,
        req,
        card_of,
        card_name,
        names.country,
        added,
        rng,
        email=email,
        keep_email=keep,
        **details,
    )


def _heads_block(
    name: str,
    rng: np.random.Generator,
    ppl: People,
    created: Arr,
    pathway: Arr,
    req: dict[str, Arr],
    unique: bool,
) -> Block:
    """Small heads' block: each its own fresh card and its own freemail address.

    Without ``unique`` a share of the heads keeps what the campaign's intel names, as
    large a share as without the knob: the harvest's mailbox (dotted and +tagged forms,
    the two known addresses among them) and cards billed to its company (each head
    still its own card), the firehose's company addresses.
    """
    n = len(created)
    email, keep = ppl.email.copy(), np.zeros(n, dtype=bool)
    card_name = ppl.display.copy()
    if not unique and name == "reasoning_harvest":
        mailbox = rng.choice(n, min(n, max(2, round(n * _KESTREL_MAILBOX_SHARE))), replace=False)
        email[mailbox], keep[mailbox] = _kestrel_mailbox(rng, len(mailbox)), True
        company = rng.choice(n, max(1, round(n * _KESTREL_CARD_SHARE)), replace=False)
        card_name[company] = KESTREL_BILLING_NAME
    elif not unique and name == "coding_firehose":
        staff = rng.choice(n, max(1, round(n * _TIDEWATER_ADDRESS_SHARE)), replace=False)
        first = FIRST_LOWER[first_index(ppl.first[staff])]
        last = LAST_LOWER[last_index(ppl.last[staff])]
        email[staff] = first + "." + last + "@tidewater-labs.com"
    added = created + rng.integers(5 * MINUTE, 2 * DAY, n)
    return make_block(
        "campaign",
        ppl,
        created,
        pathway,
        req,
        np.arange(n),
        card_name,
        ppl.country,
        added,
        rng,
        email=email,
        keep_email=keep,
        campaign_id=name,
        organization=SPECS[name].organization,
    )


def _kestrel_mailbox(rng: np.random.Generator, k: int) -> Arr:
    """``k`` addresses of the harvest's one mailbox: the two known ones, then variants.

    A variant puts a dot somewhere in ``kestrelops`` (or none) and a +tag of its own.
    """
    base = "kestrelops"
    cut = rng.integers(0, len(base), k)
    out = ["kestrel.ops+a1@gmail.com", "kestrelops@gmail.com"]
    for i in range(2, k):
        local = base if cut[i] == 0 else f"{base[: cut[i]]}.{base[cut[i] :]}"
        out.append(f"{local}+{chr(97 + i % 26)}{i // 26 + 1}@gmail.com")
    return as_objects(out[:k])


def _kestrel_emails(rng: np.random.Generator, ppl: People) -> tuple[Arr, Arr]:
    """Two harvest sign-ups behind one mailbox (a dotted variant and a +tag)."""
    email = ppl.email.copy()
    keep = np.zeros(len(email), dtype=bool)
    pair = rng.choice(len(email), 2, replace=False)
    email[pair] = ["kestrel.ops+a1@gmail.com", "kestrelops@gmail.com"]
    keep[pair] = True
    return email, keep


def _firehose_email(rng: np.random.Generator, ppl: People) -> Arr:
    """One firehose account signed up with its company address."""
    email = ppl.email.copy()
    j = int(rng.integers(0, len(email)))
    first = FIRST_LOWER[first_index(ppl.first[j : j + 1])][0]
    last = LAST_LOWER[last_index(ppl.last[j : j + 1])][0]
    email[j] = f"{first}.{last}@tidewater-labs.com"
    return email


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
