"""Blocks: one group's accounts, cards and requests, with account-local indices.

Every group builder returns a :class:`Block`; :func:`draw_ids` then gives it
identifiers from the group's own ``ids`` stream, and the assembly concatenates
the blocks into the contract's tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from linkage.synth.content import kind_tokens
from linkage.synth.people import People
from linkage.synth.sampling import feistel, fingerprint_values
from linkage.synth.text import Arr, as_objects, shared
from linkage.synth.vocabulary import (
    MODELS,
    N_SDK_USER_AGENTS,
    USER_AGENT_WEIGHTS,
    USER_AGENTS,
)
from linkage.synth.window import DAY, MINUTE


@dataclass
class Block:
    """One group's rows, with account-local indices; ids are attached by ``draw_ids``."""

    group: str
    campaign_id: str
    organization: str
    created: Arr  # int64 seconds from the window start
    email: Arr
    display_name: Arr
    org_id: Arr  # None where no org was declared
    org_verified: Arr  # bool: the provider verified org_id (False without one)
    pathway: Arr
    country: Arr
    n_keys: Arr
    req: dict[str, Arr]  # acct, ts, ip, access_pathway, user_agent, model, prompt, kind, ...
    card_of: Arr  # card index per account, -1 for none
    card_name: Arr  # per card
    card_country: Arr  # per card
    card_added: Arr  # per account (seconds), used where card_of >= 0
    keep_email: Arr  # emails that are deliberately canonical duplicates
    # ids as integers (formatted once, after cross-group clashes are resolved)
    account_id: Arr = field(default_factory=lambda: np.empty(0, dtype=np.uint64))
    key_id: Arr = field(default_factory=lambda: np.empty(0, dtype=np.uint64))
    key_start: Arr = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    req_key: Arr = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    request_id: Arr = field(default_factory=lambda: np.empty(0, dtype=np.uint64))
    card_fp: Arr = field(default_factory=lambda: np.empty(0, dtype=np.uint64))


MISSING_PROMPT_RATE = 0.003
"""Share of requests logged without a prompt sample, the same for every group."""


def request_columns(
    rng: np.random.Generator,
    acct: Arr,
    ts: Arr,
    ip: Arr,
    user_agent: Arr,
    model: Arr,
    prompt: Arr,
    kind: Arr | int,
    lang: Arr | int,
    access_pathway: Arr,
    intent: Arr | None = None,
    *,
    prefix: Arr | None = None,
) -> dict[str, Arr]:
    """Bundle request columns (account-local ``acct``) and draw their token counts.

    Token counts come from each request's kind (:func:`~linkage.synth.content.kind_tokens`)
    and a few prompts go unlogged, at the same rate for every group: neither
    may tell a campaign from a user. ``intent`` (ground truth only) is the
    distillation intent of campaign requests (an index into
    :data:`~linkage.synth.paraphrase.INTENTS`), -1 for everything else.
    ``prefix`` is text in front of each prompt that many requests share (a system
    prompt, a tool list): rows holding the same string object, kept once per
    distinct value until the requests are written (``prompt`` is then the rest).
    """
    n = len(acct)
    kind = np.broadcast_to(np.asarray(kind, dtype=np.int8), (n,)).copy()
    context, output = kind_tokens(rng, kind)
    return {
        "acct": np.asarray(acct, dtype=np.int64),
        "ts": np.asarray(ts, dtype=np.int64),
        "ip": np.asarray(ip, dtype=object),
        "user_agent": np.asarray(user_agent, dtype=object),
        "model": np.asarray(model, dtype=object),
        "prompt": np.asarray(prompt, dtype=object),
        "prefix": shared("", n) if prefix is None else np.asarray(prefix, object),
        "kind": kind,
        "lang": np.broadcast_to(np.asarray(lang, dtype=np.int8), (n,)).copy(),
        "extra_input": context,
        "output_tokens": output,
        "access_pathway": np.asarray(access_pathway, dtype=object),
        "missing": rng.random(n) < MISSING_PROMPT_RATE,
        "intent": np.full(n, -1, np.int8) if intent is None else np.asarray(intent, np.int8),
    }


def concat_requests(parts: Sequence[dict[str, Arr]]) -> dict[str, Arr]:
    """Requests of several bundles, in order, as one bundle."""
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def pick_models(rng: np.random.Generator, n: int, p: Sequence[float]) -> Arr:
    """``n`` models drawn with probabilities ``p`` (large, medium, small)."""
    return as_objects(MODELS)[rng.choice(3, n, p=np.asarray(p))]


def ordinary_models(rng: np.random.Generator, acct: Arr, n_acct: int) -> Arr:
    """Models as ordinary users pick them: a favourite per account, another one in 20%."""
    favourite = rng.choice(3, n_acct, p=[0.3, 0.5, 0.2])
    r = len(acct)
    idx = np.where(rng.random(r) < 0.8, favourite[acct], rng.integers(0, 3, r))
    return as_objects(MODELS)[idx]


def sdk_user_agents(rng: np.random.Generator, n: int) -> Arr:
    """``n`` programmatic clients, with their relative shares among ordinary users."""
    w = np.asarray(USER_AGENT_WEIGHTS[:N_SDK_USER_AGENTS])
    return as_objects(USER_AGENTS)[rng.choice(N_SDK_USER_AGENTS, n, p=w / w.sum())]


def access_pathways(ua_idx: Arr, cloud_partner: Arr) -> Arr:
    """Access pathway of requests: the console for browsers, else the API or the cloud partner."""
    api = np.where(np.asarray(cloud_partner, dtype=bool), "cloud_partner", "api")
    return np.where(np.asarray(ua_idx) >= N_SDK_USER_AGENTS, "console", api).astype(object)


def ordinary_clients(
    rng: np.random.Generator, acct: Arr, n_acct: int, pathway: Arr
) -> tuple[Arr, Arr]:
    """User agents and access pathways as ordinary users have them.

    Each account has a usual client (SDK or browser, in the shares of
    ``vocab/clients.json``) and uses another one for 15% of its requests;
    accounts that signed up through a cloud partner reach the API through it.
    """
    w = np.asarray(USER_AGENT_WEIGHTS)
    primary = rng.choice(len(USER_AGENTS), n_acct, p=w)
    r = len(acct)
    ua_idx = np.where(rng.random(r) < 0.15, rng.choice(len(USER_AGENTS), r, p=w), primary[acct])
    cloud = (np.asarray(pathway, dtype=object) == "cloud_partner")[acct]
    return as_objects(USER_AGENTS)[ua_idx], access_pathways(ua_idx, cloud)


def card_odds(counts: Arr) -> Arr:
    """Chance that an account has a card on file: most do, nearly all heavy users do."""
    return 0.7 + 0.3 * (1.0 - np.exp(-np.asarray(counts, dtype=float) / 30.0))


def _own_cards(
    rng: np.random.Generator, people: People, created: Arr, has_card: Arr
) -> tuple[Arr, Arr, Arr, Arr]:
    """One card per account where ``has_card``: card_of, billing names, countries, added."""
    card_of = np.where(has_card, np.cumsum(has_card) - 1, -1).astype(np.int64)
    added = created + rng.integers(5 * MINUTE, 2 * DAY, len(created))
    return card_of, people.display[has_card], people.country[has_card], added


def block_with_own_cards(
    group: str,
    people: People,
    created: Arr,
    pathway: Arr | str,
    req: dict[str, Arr],
    has_card: Arr,
    rng: np.random.Generator,
    **details: Any,
) -> Block:
    """A group whose accounts each have their own card (where ``has_card``)."""
    card_of, names, countries, added = _own_cards(rng, people, created, has_card)
    return make_block(
        group, people, created, pathway, req, card_of, names, countries, added, rng, **details
    )


def make_block(
    group: str,
    people: People,
    created: Arr,
    pathway: Arr | str,
    req: dict[str, Arr],
    card_of: Arr,
    card_name: Arr,
    card_country: Arr,
    card_added: Arr,
    rng: np.random.Generator,
    *,
    campaign_id: str = "",
    organization: str = "",
    org_id: Arr | None = None,
    org_verified: Arr | None = None,
    email: Arr | None = None,
    keep_email: Arr | None = None,
    n_keys: Arr | None = None,
) -> Block:
    """A group's block: ``people`` and requests, cards given per account by ``card_of``.

    Unless given, accounts have no declared org, their people's emails, none of
    them deliberately shared, and 1-3 API keys each (drawn here).
    """
    n = len(created)
    return Block(
        group=group,
        campaign_id=campaign_id,
        organization=organization,
        created=np.asarray(created, dtype=np.int64),
        email=people.email if email is None else email,
        display_name=people.display,
        org_id=np.full(n, None, dtype=object) if org_id is None else org_id,
        org_verified=np.zeros(n, dtype=bool) if org_verified is None else org_verified,
        pathway=as_objects([pathway] * n) if isinstance(pathway, str) else pathway,
        country=people.country,
        n_keys=rng.choice([1, 2, 3], n, p=[0.75, 0.2, 0.05]) if n_keys is None else n_keys,
        req=req,
        card_of=np.asarray(card_of, dtype=np.int64),
        card_name=np.asarray(card_name, dtype=object),
        card_country=np.asarray(card_country, dtype=object),
        card_added=np.asarray(card_added, dtype=np.int64),
        keep_email=np.zeros(n, dtype=bool) if keep_email is None else keep_email,
    )


def draw_ids(block: Block, rng: np.random.Generator, index: int, keys: Arr) -> Block:
    """The block's ids: accounts, keys and requests by permuting counters, cards drawn.

    ``index`` (the group's fixed position) goes into the counters' high bits, so ids
    of different groups never clash and a group's ids do not depend on the others;
    ``keys`` holds the permutations' round keys (accounts, API keys, requests).
    """
    n = len(block.created)
    total_keys = int(block.n_keys.sum())
    acct = block.req["acct"]
    base = np.uint64(index)
    block.account_id = feistel((base << np.uint64(24)) | np.arange(n, dtype=np.uint64), 32, keys[0])
    block.key_id = feistel(
        (base << np.uint64(32)) | np.arange(total_keys, dtype=np.uint64), 40, keys[1]
    )
    block.request_id = feistel(
        (base << np.uint64(40)) | np.arange(len(acct), dtype=np.uint64), 48, keys[2]
    )
    block.key_start = np.cumsum(block.n_keys) - block.n_keys
    block.req_key = block.key_start[acct] + (rng.random(len(acct)) * block.n_keys[acct]).astype(
        np.int64
    )
    block.card_fp = fingerprint_values(rng, len(block.card_name))
    return block
