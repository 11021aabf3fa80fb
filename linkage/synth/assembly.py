"""Assembly: random streams, group sizes, the contract's tables and :func:`generate`.

Examples
--------
>>> sizes = group_sizes(0.01)
>>> sizes["regular"], sizes["agentic_swarm"], sizes["company"]
(40, 3, [2, 2, 2])
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
from linkage.synth.blocks import Block, concat_requests, draw_ids
from linkage.synth.campaigns import CAMPAIGNS, build_campaign
from linkage.synth.content import Kind, input_tokens
from linkage.synth.dataset import TABLES, GeneratedDataset
from linkage.synth.indicators import indicator_table
from linkage.synth.legit_groups import (
    cloud_developers,
    cohort,
    companies,
    families,
    heavy_user,
    regular_like,
    university,
)
from linkage.synth.network import Plan, make_plan
from linkage.synth.paraphrase import INTENTS
from linkage.synth.prompts import ORDINARY_PERSONAS
from linkage.synth.sampling import fingerprint_values, hex_strings, unique_u64
from linkage.synth.text import NUMBER_TEXT, Arr
from linkage.synth.vocabulary import COMPANIES, EVAL_TEAMS, LANGUAGE_CODES
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
LEGIT_GROUPS: tuple[str, ...] = (
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

# Fixed order of random streams: a group added at the end never shifts the others.
_STREAMS: tuple[str, ...] = (
    "network",
    *CAMPAIGNS,
    *LEGIT_GROUPS,
    "fixup",
    "fixup_campaigns",
    "indicators",
)
_BACKEND_VOLUMES = (3000, 4500, 2000, 3500)  # requests over the window, per backend in turn


def _scaled(base: int, scale: float, minimum: int = 2) -> int:
    """Scaled group size, rounded half up, at least ``minimum``."""
    return max(minimum, math.floor(base * scale + 0.5))


def group_sizes(scale: float) -> dict[str, Any]:
    """Account counts of every group at ``scale`` (and the pools that follow them)."""
    n_cloud = _scaled(100, scale)
    campaigns = {
        "reasoning_harvest": _scaled(36, scale),
        "agentic_swarm": _scaled(300, scale, minimum=3),
        "coding_firehose": _scaled(60, scale),
    }
    n_backends = _scaled(4, scale)
    return {
        **campaigns,
        "campaigns": campaigns,
        **{name: _scaled(base, scale) for name, base in ORDINARY_PERSONAS.items()},
        "popular_template": _scaled(300, scale),
        "university": _scaled(150, scale),
        "company": [_scaled(c.base_size, scale) for c in COMPANIES],
        "family_count": _scaled(40, scale, minimum=1),
        "cohort": _scaled(80, scale),
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
            (team, _scaled(team.base_size, scale))
            for team in EVAL_TEAMS[: max(1, min(len(EVAL_TEAMS), round(len(EVAL_TEAMS) * scale)))]
        ],
    }


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
            return university(rng, plan, sizes[name])
        case "company":
            return companies(rng, plan, sizes[name])
        case "family":
            return families(rng, plan, sizes["family_count"])
        case "cohort":
            return cohort(rng, plan, sizes[name])
        case "heavy_user":
            return heavy_user(rng, plan)
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
    raise AssertionError(name)  # pragma: no cover


# ---- identifiers -----------------------------------------------------------------------


def _dedupe_values(
    values: Arr, rng: np.random.Generator, width: int, taken: Arr | None = None
) -> Arr:
    """Redraw values (integers) that repeat an earlier one or one in ``taken``."""
    values = values.copy()
    _, first = np.unique(values, return_index=True)
    dup = np.ones(len(values), dtype=bool)
    dup[first] = False
    if taken is not None and len(taken):
        dup |= np.isin(values, taken)
    if dup.any():
        others = values[~dup] if taken is None else np.concatenate([values[~dup], taken])
        values[dup] = unique_u64(rng, int(dup.sum()), width, others)
    return values


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
    """Make emails distinct mailboxes (and not in ``taken``), except the shared ones (``keep``)."""
    mail = pd.Series(email, dtype=object)
    taken = taken or set()
    for _ in range(20):
        canon = _mailbox(mail)
        kept = set(canon[keep]) | taken
        clash = (canon.duplicated() & ~keep) | (canon.isin(kept) & ~keep)
        if not clash.any():
            break
        parts = mail[clash].str.split("@", n=1, expand=True)
        digits = NUMBER_TEXT[rng.integers(10, 10_000, int(clash.sum()))]
        mail[clash] = (parts[0] + digits + "@" + parts[1]).to_numpy()
    return mail.to_numpy(dtype=object)


@dataclass
class _Identifiers:
    """Every group's identifiers side by side, distinct across groups, formatted."""

    account_id: Arr
    key_id: Arr
    request_id: Arr
    card_fp: Arr  # integers, formatted in the payment table
    email: Arr


def _raw_identifiers(
    blocks: list[Block], rng: np.random.Generator, taken: _Identifiers | None
) -> _Identifiers:
    """The blocks' identifiers (integers), redrawing clashes among them and with ``taken``."""

    def joined(attr: str) -> Arr:
        return np.concatenate([getattr(b, attr) for b in blocks])

    def before(attr: str) -> Arr | None:
        return None if taken is None else getattr(taken, attr)

    card_fp = joined("card_fp")
    clash = pd.Series(card_fp).duplicated().to_numpy().copy()
    if taken is not None:
        clash |= np.isin(card_fp, taken.card_fp)
    if clash.any():  # pragma: no cover - 64-bit clash
        card_fp[clash] = fingerprint_values(rng, int(clash.sum()), card_fp[~clash])
    mailboxes = None if taken is None else set(_mailbox(pd.Series(taken.email, dtype=object)))
    return _Identifiers(
        account_id=_dedupe_values(joined("account_id"), rng, 8, before("account_id")),
        key_id=_dedupe_values(joined("key_id"), rng, 10, before("key_id")),
        card_fp=card_fp,
        email=_dedupe_emails(joined("email"), joined("keep_email"), rng, mailboxes),
        request_id=_dedupe_values(joined("request_id"), rng, 12, before("request_id")),
    )


def _resolve_identifiers(
    legit: list[Block], planted: list[Block], rngs: tuple[np.random.Generator, ...]
) -> _Identifiers:
    """Identifiers of legitimate blocks, then of campaign blocks around them, formatted.

    Legitimate identifiers are settled first, with their own stream, so they are the
    same whether or not campaigns (and which knobs) are generated.
    """
    ids = _raw_identifiers(legit, rngs[0], None)
    if planted:
        more = _raw_identifiers(planted, rngs[1], ids)
        ids = _Identifiers(
            *(
                np.concatenate([getattr(ids, f), getattr(more, f)])
                for f in _Identifiers.__dataclass_fields__
            )
        )
    return _Identifiers(
        account_id=hex_strings(ids.account_id, 8, "acct_"),
        key_id=hex_strings(ids.key_id, 10, "key_"),
        request_id=hex_strings(ids.request_id, 12, "req_"),
        card_fp=ids.card_fp,
        email=ids.email,
    )


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


def _requests_table(blocks: list[Block], ids: _Identifiers) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The requests table (in time order) and each request's kind and language."""
    acct_offset = _offsets([len(b.created) for b in blocks])
    key_offset = _offsets([len(b.key_id) for b in blocks])
    req = concat_requests([b.req for b in blocks])
    glob_acct = np.concatenate([acct_offset[i] + b.req["acct"] for i, b in enumerate(blocks)])
    glob_key = np.concatenate([key_offset[i] + b.req_key for i, b in enumerate(blocks)])
    order = np.argsort(req["ts"], kind="stable")
    prompt = pd.Series(req["prompt"][order])
    lang = req["lang"][order]
    chars = prompt.str.len().to_numpy(dtype=np.int64)
    requests = pd.DataFrame(
        {
            "request_id": ids.request_id[order],
            "account_id": ids.account_id[glob_acct[order]],
            "ts": timestamps(req["ts"][order]),
            "ip": req["ip"][order],
            "access_pathway": req["access_pathway"][order],
            "api_key_id": ids.key_id[glob_key[order]],
            "user_agent": req["user_agent"][order],
            "model": req["model"][order],
            "prompt": prompt.where(~req["missing"][order]),  # a few rows carry no sample
            "input_tokens": input_tokens(chars, lang) + req["extra_input"][order],
            "output_tokens": req["output_tokens"][order],
        }
    )
    facts = pd.DataFrame(
        {
            "kind": pd.Categorical.from_codes(req["kind"][order], [k.name.lower() for k in Kind]),
            "language": pd.Categorical.from_codes(lang, list(LANGUAGE_CODES)),
            "intent": pd.Categorical.from_codes(req["intent"][order], list(INTENTS)),
        }
    )
    return requests, facts


# ---- metadata and the entry point ------------------------------------------------------


def _campaign_metadata(tables: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    labels, req = tables["labels"], tables["requests"]
    per_req_campaign = req["account_id"].map(labels.set_index("account_id")["campaign_id"])
    campaigns = []
    for cid, org in CAMPAIGNS.items():
        sel = per_req_campaign == cid
        if not sel.any():
            continue
        ts = req.loc[sel, "ts"]
        campaigns.append(
            {
                "campaign_id": cid,
                "organization": org,
                "first_request": ts.min().strftime("%Y-%m-%dT%H:%M:%SZ"),
                "last_request": ts.max().strftime("%Y-%m-%dT%H:%M:%SZ"),
                "accounts": int((labels["campaign_id"] == cid).sum()),
                "requests": int(sel.sum()),
            }
        )
    return campaigns


def _metadata(
    tables: dict[str, pd.DataFrame], scenario: str, seed: int, scale: float, adversary: Adversary
) -> dict[str, Any]:
    """scenario.json: what was generated, the knobs, the planted campaigns, per-group counts."""
    labels = tables["labels"]
    per_req_group = tables["requests"]["account_id"].map(labels.set_index("account_id")["group"])
    groups = {
        g: {
            "accounts": int((labels["group"] == g).sum()),
            "requests": int((per_req_group == g).sum()),
        }
        for g in ("campaign", *LEGIT_GROUPS)
        if (labels["group"] == g).any()
    }
    return {
        # the generator's name before it became linkage.synth: readers may match on it
        "generator": "linkage.generate",
        "scenario": scenario,
        "description": SCENARIOS[scenario],
        "seed": seed,
        "scale": scale,
        "adversary": {"knobs": list(adversary.knobs), "descriptions": adversary.describe()},
        "window_start": iso(0),
        "window_end": iso(WINDOW),
        "campaigns": _campaign_metadata(tables),
        "groups": groups,
        "rows": {name: len(df) for name, df in tables.items()},
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
        group; the heavy user stays 1). Per-account volumes do not change.
    adversary
        Knobs applied to every campaign (see :data:`linkage.synth.adversary.KNOBS`):
        ``"unique-pay,jitter"``, a list of names, ``"all"`` or None. Legitimate
        rows do not depend on them.

    Returns
    -------
    GeneratedDataset
        ``tables`` (the six contract tables), ``metadata`` and ``truth`` (see
        :class:`GeneratedDataset`).

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

    def block(name: str) -> Block:
        content, ids = streams[name].spawn(2)
        return draw_ids(_build_group(name, content, plan, sizes, knobs), ids)

    legit = [block(name) for name in LEGIT_GROUPS]
    planted = [block(name) for name in CAMPAIGNS] if scenario == "default" else []
    ids = _resolve_identifiers(legit, planted, (streams["fixup"], streams["fixup_campaigns"]))
    blocks = legit + planted
    requests, facts = _requests_table(blocks, ids)
    tables = {
        "accounts": _accounts_table(blocks, ids),
        "requests": requests,
        "payment_methods": _payments_table(blocks, ids),
        "ip_intel": plan.intel.copy(),
        "labels": _labels_table(blocks, ids),
    }
    thin = "thin-indicators" in knobs
    tables["indicators"] = indicator_table(tables, scenario, thin, streams["indicators"])
    tables = {name: tables[name] for name in TABLES}
    return GeneratedDataset(
        tables=tables,
        metadata=_metadata(tables, scenario, seed, scale, knobs),
        truth={"requests": facts},
    )
