"""Assembly: random streams, group sizes, the contract's tables and :func:`generate`.

Examples
--------
>>> sizes = group_sizes(0.01)
>>> sizes["regular"], sizes["agentic_swarm"], [n for _, n in sizes["company"]]
(40, 3, [2, 2, 2])
>>> len(group_sizes(40)["company"]), len(group_sizes(40)["universities"])
(120, 40)
>>> sizes = group_sizes(1)
>>> sizes["pasters"], sizes["cli_users"], len(sizes["app_backends"]), len(sizes["agent_startups"])
(300, 150, 5, 1)
>>> [len(group_sizes(s)["judge_pipelines"]) for s in (0.1, 1, 10)]
[1, 3, 30]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from linkage.synth.adversary import Adversary, parse_adversary
from linkage.synth.automation import cron_jobs, eval_teams, product_backends
from linkage.synth.blocks import Block, draw_ids
from linkage.synth.campaigns import CAMPAIGNS, build_campaign, head_count
from linkage.synth.dataset import TABLES, GeneratedDataset, LazyTables
from linkage.synth.indicators import indicator_table
from linkage.synth.legit_groups import (
    cli_users,
    cloud_developers,
    cohort,
    companies,
    families,
    heavy_users,
    pasters,
    regular_like,
    university,
)
from linkage.synth.network import Plan, make_plan
from linkage.synth.prompts import ORDINARY_PERSONAS
from linkage.synth.sampling import fingerprint_values, hex_arrow, hex_strings
from linkage.synth.services import agent_startups, app_backends, judge_pipelines
from linkage.synth.store import Chunk, ChunkIds, RequestStore, make_chunk
from linkage.synth.text import NUMBER_TEXT, Arr
from linkage.synth.units import (
    app_companies_for,
    companies_for,
    company_networks,
    eval_teams_for,
    judge_pipelines_for,
    startups_for,
    universities_for,
)
from linkage.synth.window import WINDOW, iso, timestamps

SCENARIOS: dict[str, str] = {
    "default": (
        "Three planted distillation campaigns (reasoning_harvest, agentic_swarm, "
        "coding_firehose) among legitimate users and their look-alikes."
    ),
    "legit_only": (
        "The default scenario minus the three campaigns and their indicators "
        "(decoy indicators kept): every cluster found here is a false positive."
    ),
}

PERSONA_GROUPS: tuple[str, ...] = tuple(ORDINARY_PERSONAS)
"""Ordinary users, one group per persona (regular, multilingual, step_by_step, ...)."""
_FIRST_GROUPS: tuple[str, ...] = (
    "regular",
    "popular_template",
    "university",
    "company",
    "family",
    "cohort",
    "heavy_user",
    "cloud_developer",
    "proxy_overlap",
    "multilingual",
    "step_by_step",
    "code_questions",
    "raters",
    "cron_job",
    "product_backend",
    "eval_team",
)
LATER_GROUPS: tuple[str, ...] = (
    "pasters",
    "app_backends",
    "agent_startup",
    "judge_pipelines",
    "cli_users",
)
"""Populations every provider has in bulk, added after the first look-alikes."""
LEGIT_GROUPS: tuple[str, ...] = (*_FIRST_GROUPS, *LATER_GROUPS)
"""Every legitimate group, in the order they are built (and listed in scenario.json)."""

# Fixed order of random streams (children of the seed are numbered): groups added later
# come after every stream that was there before them, so they shift nothing.
_STREAMS: tuple[str, ...] = (
    "network",
    *CAMPAIGNS,
    *_FIRST_GROUPS,
    "fixup",
    "fixup_campaigns",
    "indicators",
    "ids",
    *LATER_GROUPS,
)
_GROUP_INDEX = {name: i for i, name in enumerate((*_FIRST_GROUPS, *CAMPAIGNS, *LATER_GROUPS))}
"""Fixed position of every group: the high bits of its identifiers' counters."""
_BACKEND_VOLUMES = (3000, 4500, 2000, 3500)  # requests over the window, per backend in turn


def _scaled(base: int, scale: float, minimum: int = 2) -> int:
    """Scaled group size, rounded half up, at least ``minimum``."""
    return max(minimum, math.floor(base * scale + 0.5))


def group_sizes(scale: float) -> dict[str, Any]:
    """Account counts of every group at ``scale`` (and the pools that follow them).

    Ordinary users, families, cloud developers, cron developers, product backends,
    pasters, CLI users and the campaigns grow with ``scale``. Organisations do not
    grow beyond their usual size: from scale 1.5 on there are ``round(scale)`` times
    as many universities, companies, evaluation teams, sign-up cohorts, heavy users,
    app companies, agent start-ups and judge pipelines. Below scale 1 organisations
    keep their accounts but send fewer requests (apps, start-ups) or grade smaller
    suites (judges), and there are fewer of them below scale 0.5.
    """
    n_cloud = _scaled(100, scale)
    campaigns = {
        "reasoning_harvest": _scaled(36, scale),
        "agentic_swarm": _scaled(300, scale, minimum=3),
        "coding_firehose": _scaled(60, scale),
    }
    units = max(1, round(scale))
    per_unit = scale / units
    n_backends = _scaled(4, scale)
    n_teams = 3 * units if scale >= 0.5 else max(1, round(3 * scale))
    company_list = companies_for(units)
    return {
        **campaigns,
        "campaigns": campaigns,
        **{name: _scaled(base, scale) for name, base in ORDINARY_PERSONAS.items()},
        "popular_template": _scaled(300, scale),
        "universities": [(u, _scaled(150, per_unit)) for u in universities_for(units)],
        "company": [(c, _scaled(c.base_size, per_unit)) for c in company_list],
        "company_networks": company_networks(company_list),
        "family_count": _scaled(40, scale, minimum=1),
        "cohort": [_scaled(80, per_unit)] * units,
        "heavy_users": units,
        "cloud_developer": n_cloud,
        "cloud_shared": min(n_cloud, 200, _scaled(10, scale, minimum=1)),
        "proxy_overlap": _scaled(10, scale),
        "proxy_pool": _scaled(600, scale, minimum=30),
        "cron_developers": _scaled(8, scale, minimum=1),
        # a backend's volume is its users': smaller below scale 1, like every group
        "product_backends": [
            max(100, round(_BACKEND_VOLUMES[b % 4] * min(1.0, scale))) for b in range(n_backends)
        ],
        "eval_teams": [
            (team, _scaled(team.base_size, min(1.0, per_unit))) for team in eval_teams_for(units)
        ][:n_teams],
        "pasters": _scaled(300, scale),
        "cli_users": _scaled(150, scale),
        "app_backends": [
            (app, max(200, round(app.volume * share)))
            for app, share in _organisations(app_companies_for(units), 5, scale)
        ],
        "agent_startups": [
            (startup, max(300, round(startup.volume * share)))
            for startup, share in _organisations(startups_for(units), 1, scale)
        ],
        "judge_pipelines": [
            (pipe, max(20, round(pipe.team.base_size * share)))
            for pipe, share in _organisations(judge_pipelines_for(units), 3, scale)
        ],
    }


def _organisations(orgs: list[Any], per_unit: int, scale: float) -> list[tuple[Any, float]]:
    """The organisations of a kind at ``scale`` and the share of its usual volume each sends.

    ``per_unit`` of them at scale 1 (``orgs`` holds ``round(scale)`` times as many from
    scale 1.5 on); below scale 1 they send less, and below scale 0.5 there are fewer of
    them, each sending more, so that their requests stay proportional to ``scale``.
    """
    if scale >= 0.5:
        return [(org, min(1.0, scale)) for org in orgs]
    n = max(1, round(per_unit * scale))
    return [(org, min(1.0, scale * per_unit / n)) for org in orgs[:n]]


def _build_group(
    name: str, rng: np.random.Generator, plan: Plan, sizes: dict[str, Any], adversary: Adversary
) -> Block:
    """The block of the campaign or legitimate group called ``name``."""
    if name in CAMPAIGNS:
        return build_campaign(name, rng, plan, sizes[name], adversary)
    if name in PERSONA_GROUPS:
        ipv6 = plan.ipv6_homes if name == "regular" else None
        return regular_like(rng, plan, name, sizes[name], plan.homes[name], persona=name, ipv6=ipv6)
    match name:
        case "popular_template":
            return regular_like(rng, plan, name, sizes[name], plan.homes[name], template_frac=0.5)
        case "university":
            return university(rng, plan, sizes["universities"])
        case "company":
            return companies(rng, plan, sizes[name])
        case "family":
            return families(rng, plan, sizes["family_count"])
        case "cohort":
            return cohort(rng, plan, sizes[name])
        case "heavy_user":
            return heavy_users(rng, plan, sizes["heavy_users"])
        case "cloud_developer":
            return cloud_developers(rng, plan, sizes[name])
        case "proxy_overlap":
            return regular_like(
                rng, plan, name, sizes[name], plan.proxy_overlap_homes, max_home_ips=1
            )
        case "cron_job":
            return cron_jobs(rng, plan, sizes["cron_developers"])
        case "product_backend":
            return product_backends(rng, plan, sizes["product_backends"])
        case "eval_team":
            return eval_teams(rng, plan, sizes["eval_teams"])
        case "pasters":
            return pasters(rng, plan, sizes["pasters"])
        case "app_backends":
            return app_backends(rng, plan, sizes["app_backends"])
        case "agent_startup":
            return agent_startups(rng, plan, sizes["agent_startups"])
        case "judge_pipelines":
            return judge_pipelines(rng, plan, sizes["judge_pipelines"])
        case "cli_users":
            return cli_users(rng, plan, sizes["cli_users"])
    raise AssertionError(name)  # pragma: no cover


# ---- identifiers -----------------------------------------------------------------------


def _mailbox(email: pd.Series) -> pd.Series:
    """The mailbox an address reaches: lower case, no ``+tag``, no dots in the local part.

    The generator's own rule (any domain), so that no two accounts share a mailbox
    by accident; deliberately shared ones are kept (``keep_email``).
    """
    lower = email.str.lower()
    parts = lower.str.split("@", n=1, expand=True)
    local = parts[0].str.split("+", n=1).str[0].str.replace(".", "", regex=False)
    return local + "@" + parts[1]


def _dedupe_emails(
    email: Arr, keep: Arr, rng: np.random.Generator, taken: set[str] | None = None
) -> Arr:
    """Make emails distinct mailboxes (and not in ``taken``), except the shared ones (``keep``).

    Only the addresses changed in a round are looked at again in the next one.
    """
    mail = pd.Series(email, dtype=object)
    canon = _mailbox(mail).to_numpy(dtype=object).copy()
    seen = set(canon[keep]) | (taken or set())
    for _ in range(20):
        canon_s = pd.Series(canon)
        clash = (canon_s.duplicated().to_numpy() | canon_s.isin(seen).to_numpy()) & ~keep
        if not clash.any():
            break
        parts = mail[clash].str.split("@", n=1, expand=True)
        digits = NUMBER_TEXT[rng.integers(10, 10_000, int(clash.sum()))]
        mail[clash] = (parts[0] + digits + "@" + parts[1]).to_numpy()
        canon[clash] = _mailbox(mail[clash]).to_numpy(dtype=object)
    return mail.to_numpy(dtype=object)


def _cards(blocks: list[Block], rng: np.random.Generator, taken: Arr | None) -> Arr:
    """The blocks' card fingerprints, redrawing (64-bit) clashes among them and with ``taken``."""
    card_fp = np.concatenate([b.card_fp for b in blocks])
    clash = pd.Series(card_fp).duplicated().to_numpy().copy()
    if taken is not None:
        clash |= np.isin(card_fp, taken)
    if clash.any():  # pragma: no cover - 64-bit clash
        card_fp[clash] = fingerprint_values(rng, int(clash.sum()), card_fp[~clash])
    return card_fp


@dataclass
class _Identifiers:
    """Per account (blocks in order): formatted id and email; per card: the fingerprint."""

    account_id: Arr
    card_fp: Arr  # integers, formatted in the payment table
    email: Arr


def _resolve_identifiers(
    legit: list[Block], planted: list[Block], rngs: tuple[np.random.Generator, ...]
) -> _Identifiers:
    """Settle cards and emails of legitimate blocks, then of campaign blocks around them.

    Legitimate values are settled first, with their own stream, so they are the same
    whether or not campaigns (and which knobs) are generated. Account ids are
    distinct by construction (see :func:`~linkage.synth.blocks.draw_ids`).
    """

    def emails(blocks: list[Block], rng: np.random.Generator, taken: set[str] | None) -> Arr:
        mail = np.concatenate([b.email for b in blocks])
        return _dedupe_emails(mail, np.concatenate([b.keep_email for b in blocks]), rng, taken)

    card_fp, email = _cards(legit, rngs[0], None), emails(legit, rngs[0], None)
    if planted:
        taken = set(_mailbox(pd.Series(email, dtype=object)))
        card_fp = np.concatenate([card_fp, _cards(planted, rngs[1], card_fp)])
        email = np.concatenate([email, emails(planted, rngs[1], taken)])
    account_id = np.concatenate([b.account_id for b in legit + planted])
    return _Identifiers(hex_strings(account_id, 8, "acct_"), card_fp, email)


def _chunk(block: Block) -> Chunk:
    """The block's requests as a time-sorted Arrow chunk; the block's bundle is freed."""
    ids = ChunkIds(
        account_id=hex_arrow(block.account_id, 8, "acct_"),
        key_id=hex_arrow(block.key_id, 10, "key_"),
        request_key=block.req_key,
        request_id=hex_arrow(block.request_id, 12, "req_"),
    )
    chunk = make_chunk(block.req, ids)
    block.req = {}  # its Python strings are in the chunk now
    return chunk


# ---- tables ----------------------------------------------------------------------------


def _offsets(lengths: list[int]) -> Arr:
    """Start of every block's rows once the blocks are concatenated."""
    return np.cumsum([0, *lengths])


def _per_account(blocks: list[Block], attr: str) -> Arr:
    return np.concatenate([np.full(len(b.created), getattr(b, attr)) for b in blocks])


def _accounts_table(blocks: list[Block], ids: _Identifiers) -> pd.DataFrame:
    accounts = pd.DataFrame(
        {
            "account_id": ids.account_id,
            "created_at": timestamps(np.concatenate([b.created for b in blocks])),
            "email": ids.email,
            "display_name": np.concatenate([b.display_name for b in blocks]),
            "org_id": np.concatenate([b.org_id for b in blocks]),
            "org_verified": np.concatenate([b.org_verified for b in blocks]).astype(bool),
            "signup_pathway": np.concatenate([b.pathway for b in blocks]),
            "country": np.concatenate([b.country for b in blocks]),
        }
    )
    return accounts.sort_values(["created_at", "account_id"], kind="stable", ignore_index=True)


def _labels_table(blocks: list[Block], ids: _Identifiers) -> pd.DataFrame:
    labels = pd.DataFrame(
        {
            "account_id": ids.account_id,
            "campaign_id": _per_account(blocks, "campaign_id"),
            "organization": _per_account(blocks, "organization"),
            "group": _per_account(blocks, "group"),
        }
    )
    return labels.sort_values("account_id", kind="stable", ignore_index=True)


def _payments_table(blocks: list[Block], ids: _Identifiers) -> pd.DataFrame:
    acct_offset = _offsets([len(b.created) for b in blocks])
    card_offset = _offsets([len(b.card_name) for b in blocks])
    pay_acct, pay_card, pay_added = [], [], []
    for i, b in enumerate(blocks):
        has = np.flatnonzero(b.card_of >= 0)
        pay_acct.append(acct_offset[i] + has)
        pay_card.append(card_offset[i] + b.card_of[has])
        pay_added.append(b.card_added[has])
    pa_idx = np.concatenate(pay_acct)
    pc_idx = np.concatenate(pay_card)
    payments = pd.DataFrame(
        {
            "account_id": ids.account_id[pa_idx],
            "payment_fingerprint": hex_strings(ids.card_fp[pc_idx], 16, "pm_"),
            "billing_name": np.concatenate([b.card_name for b in blocks])[pc_idx],
            "billing_country": np.concatenate([b.card_country for b in blocks])[pc_idx],
            "added_at": timestamps(np.concatenate(pay_added)),
        }
    )
    return payments.sort_values(["added_at", "account_id"], kind="stable", ignore_index=True)


# ---- metadata and the entry point ------------------------------------------------------


def _metadata(
    blocks: list[Block],
    chunks: list[Chunk],
    rows: dict[str, int],
    run: dict[str, Any],
    adversary: Adversary,
) -> dict[str, Any]:
    """scenario.json: what was generated, the knobs, the planted campaigns, per-group counts.

    Counted from the blocks and chunks, never from the (perhaps huge) requests table.
    """
    groups: dict[str, dict[str, int]] = {}
    campaigns = []
    for block, chunk in zip(blocks, chunks, strict=True):
        entry = groups.setdefault(block.group, {"accounts": 0, "requests": 0})
        entry["accounts"] += len(block.created)
        entry["requests"] += len(chunk.ts)
        if block.campaign_id and len(chunk.ts):
            campaigns.append(
                {
                    "campaign_id": block.campaign_id,
                    "organization": block.organization,
                    "first_request": iso(int(chunk.ts[0])),
                    "last_request": iso(int(chunk.ts[-1])),
                    "accounts": len(block.created),
                    "requests": len(chunk.ts),
                }
            )
    return {
        # the generator's name before it became linkage.synth: readers may match on it
        "generator": "linkage.generate",
        "scenario": run["scenario"],
        "description": SCENARIOS[run["scenario"]],
        "seed": run["seed"],
        "scale": run["scale"],
        "adversary": {"knobs": list(adversary.knobs), "descriptions": adversary.describe()},
        "window_start": iso(0),
        "window_end": iso(WINDOW),
        "campaigns": campaigns,
        "groups": {g: groups[g] for g in ("campaign", *LEGIT_GROUPS) if g in groups},
        "rows": rows,
    }


def _validate(scenario: str, scale: float) -> None:
    if scenario not in SCENARIOS:
        raise ValueError(
            f"unknown scenario {scenario!r}; choose one of: {', '.join(sorted(SCENARIOS))}"
        )
    if (
        isinstance(scale, bool)
        or not isinstance(scale, int | float)
        or not math.isfinite(scale)
        or scale <= 0
    ):
        raise ValueError(f"scale must be a finite number > 0, got {scale!r}")


def _dataset(
    blocks: tuple[list[Block], list[Block]],
    chunks: list[Chunk],
    plan: Plan,
    streams: dict[str, np.random.Generator],
    run: dict[str, Any],
    knobs: Adversary,
) -> GeneratedDataset:
    """The tables of the built blocks and their chunks, metadata, and lazy requests."""
    legit, planted = blocks
    spread: dict[str, float] = {}  # heads per account it would have, under low-and-slow
    if "low-and-slow" in knobs:
        sizes = group_sizes(run["scale"])["campaigns"]
        spread = {cid: head_count(cid, n) / n for cid, n in sizes.items()}
    ids = _resolve_identifiers(legit, planted, (streams["fixup"], streams["fixup_campaigns"]))
    every = legit + planted
    tables = {
        "accounts": _accounts_table(every, ids),
        "payment_methods": _payments_table(every, ids),
        "ip_intel": plan.intel.copy(),
        "labels": _labels_table(every, ids),
    }
    thin = "thin-indicators" in knobs
    tables["indicators"] = indicator_table(
        tables, run["scenario"], thin, streams["indicators"], spread
    )
    store = RequestStore(chunks)
    rows = {name: len(tables[name]) if name != "requests" else len(store) for name in TABLES}
    built: dict[str, tuple[pd.DataFrame, pd.DataFrame]] = {}

    def requests_and_facts() -> tuple[pd.DataFrame, pd.DataFrame]:
        if not built:
            built["both"] = store.to_pandas()
        return built["both"]

    return GeneratedDataset(
        tables=LazyTables(tables, {"requests": lambda: requests_and_facts()[0]}, TABLES),
        metadata=_metadata(every, chunks, rows, run, knobs),
        truth=LazyTables({}, {"requests": lambda: requests_and_facts()[1]}, ("requests",)),
        requests=store,
    )


def generate(
    scenario: str = "default",
    seed: int = 0,
    scale: float = 1.0,
    adversary: str | Sequence[str] | Adversary | None = None,
) -> GeneratedDataset:
    """Generate a synthetic dataset of API-provider logs.

    Pure and deterministic: the same ``(scenario, seed, scale, adversary)`` gives
    equal tables (and byte-identical files through :func:`write_dataset`).

    Parameters
    ----------
    scenario
        A key of :data:`SCENARIOS`: ``"default"`` (three planted campaigns among
        legitimate traffic) or ``"legit_only"`` (the same legitimate rows, no
        campaigns, decoy indicators only).
    seed
        Seed of ``numpy.random.default_rng``; every group uses its own child stream.
    scale
        Multiplies the account count of every group (rounded, at least 2 per
        group; see :func:`group_sizes`). Per-account volumes do not change.
    adversary
        Knobs applied to every campaign (see :data:`linkage.synth.adversary.KNOBS`):
        ``"unique-pay,jitter"``, a list of names, ``"all"`` or None. Legitimate
        rows do not depend on them.

    Returns
    -------
    GeneratedDataset
        ``tables`` (the six contract tables; ``requests`` is built on first access),
        ``metadata``, ``truth`` and ``requests`` (see :class:`GeneratedDataset`).

    Raises
    ------
    ValueError
        Unknown scenario or knob, or ``scale`` not a finite number > 0.
    """
    _validate(scenario, scale)
    knobs = adversary if isinstance(adversary, Adversary) else parse_adversary(adversary)
    sizes = group_sizes(scale)
    children = np.random.default_rng(seed).spawn(len(_STREAMS))
    streams = dict(zip(_STREAMS, children, strict=True))
    plan = make_plan(streams["network"], sizes)
    id_keys = streams["ids"].integers(0, 2**63, (3, 4), dtype=np.uint64)
    chunks: list[Chunk] = []

    def block(name: str) -> Block:
        content, ids = streams[name].spawn(2)
        built = _build_group(name, content, plan, sizes, knobs)
        built = draw_ids(built, ids, _GROUP_INDEX[name], id_keys)
        chunks.append(_chunk(built))
        return built

    legit = [block(name) for name in LEGIT_GROUPS]
    planted = [block(name) for name in CAMPAIGNS] if scenario == "default" else []
    run = {"scenario": scenario, "seed": seed, "scale": scale}
    return _dataset((legit, planted), chunks, plan, streams, run, knobs)
