"""Assembly: random streams, group sizes, the contract's tables and :func:`generate`.

Examples
--------
>>> sizes = group_sizes(0.01)
>>> sizes["regular"], sizes["agentic_swarm"], sizes["company"]
(40, 3, [2, 2, 2])
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from linkage.detect.normalise import canonical_email
from linkage.synth.blocks import Block, concat_requests, draw_ids
from linkage.synth.campaigns import CAMPAIGNS, agentic_swarm, coding_firehose, reasoning_harvest
from linkage.synth.dataset import GeneratedDataset
from linkage.synth.legit_groups import (
    cloud_developers,
    cohort,
    companies,
    families,
    heavy_user,
    regular_like,
    university,
)
from linkage.synth.network import (
    BASILISK_CIDR,
    NIMBUS_CLOUD,
    ORCA_CORP,
    TWL,
    Plan,
    make_plan,
)
from linkage.synth.sampling import fingerprint_values, hex_strings, unique_u64
from linkage.synth.text import NUMBER_TEXT, Arr
from linkage.synth.vocabulary import COMPANIES
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
)

# Fixed order of random streams: a group added at the end never shifts the others.
_STREAMS: tuple[str, ...] = ("network", *CAMPAIGNS, *LEGIT_GROUPS, "fixup")


def _scaled(base: int, scale: float, minimum: int = 2) -> int:
    """Scaled group size, rounded half up, at least ``minimum``."""
    return max(minimum, math.floor(base * scale + 0.5))


def group_sizes(scale: float) -> dict[str, Any]:
    """Account counts of every group at ``scale`` (and the pools that follow them)."""
    n_cloud = _scaled(100, scale)
    return {
        "reasoning_harvest": _scaled(36, scale),
        "agentic_swarm": _scaled(300, scale, minimum=3),
        "coding_firehose": _scaled(60, scale),
        "regular": _scaled(4000, scale),
        "popular_template": _scaled(300, scale),
        "university": _scaled(150, scale),
        "company": [_scaled(c.base_size, scale) for c in COMPANIES],
        "family_count": _scaled(40, scale, minimum=1),
        "cohort": _scaled(80, scale),
        "cloud_developer": n_cloud,
        "cloud_shared": min(n_cloud, 200, _scaled(10, scale, minimum=1)),
        "proxy_overlap": _scaled(10, scale),
        "proxy_pool": _scaled(600, scale, minimum=30),
    }


def _build_group(name: str, rng: np.random.Generator, plan: Plan, sizes: dict[str, Any]) -> Block:
    """The block of the campaign or legitimate group called ``name``."""
    match name:
        case "reasoning_harvest":
            return reasoning_harvest(rng, plan, sizes[name])
        case "agentic_swarm":
            return agentic_swarm(rng, plan, sizes[name])
        case "coding_firehose":
            return coding_firehose(rng, plan, sizes[name])
        case "regular":
            return regular_like(
                rng, plan, name, sizes[name], plan.homes[name], ipv6=plan.ipv6_homes
            )
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
    raise AssertionError(name)  # pragma: no cover


# ---- identifiers -----------------------------------------------------------------------


def _dedupe_values(values: Arr, rng: np.random.Generator, width: int) -> Arr:
    """Redraw values (integers) that repeat an earlier one; returns the fixed array."""
    values = values.copy()
    _, first = np.unique(values, return_index=True)
    dup = np.ones(len(values), dtype=bool)
    dup[first] = False
    if dup.any():
        values[dup] = unique_u64(rng, int(dup.sum()), width, values[~dup])
    return values


def _mailbox(email: pd.Series) -> pd.Series:
    """The pipeline's canonical email, with local-part dots dropped on every domain.

    :func:`linkage.detect.normalise.canonical_email` drops them for Gmail only; the
    generator has always treated ``a.b@x`` and ``ab@x`` as one mailbox on any
    domain, and dropping that rule would change the datasets of existing seeds.
    """
    undotted = email.str.replace(r"\.(?=[^@]*@)", "", regex=True)
    return canonical_email(undotted)["email"]


def _dedupe_emails(email: Arr, keep: Arr, rng: np.random.Generator) -> Arr:
    """Make emails distinct mailboxes, except the deliberately shared ones (``keep``)."""
    mail = pd.Series(email, dtype=object)
    for _ in range(20):
        canon = _mailbox(mail)
        kept = set(canon[keep])
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


def _resolve_identifiers(blocks: list[Block], rng: np.random.Generator) -> _Identifiers:
    """Concatenate the groups' identifiers, redrawing the few that clash across groups."""
    account_id = _dedupe_values(np.concatenate([b.account_id for b in blocks]), rng, 8)
    key_id = _dedupe_values(np.concatenate([b.key_id for b in blocks]), rng, 10)
    card_fp = np.concatenate([b.card_fp for b in blocks])
    if pd.Series(card_fp).duplicated().any():  # pragma: no cover - 64-bit clash
        dup = pd.Series(card_fp).duplicated().to_numpy()
        card_fp[dup] = fingerprint_values(rng, int(dup.sum()), card_fp[~dup])
    email = _dedupe_emails(
        np.concatenate([b.email for b in blocks]),
        np.concatenate([b.keep_email for b in blocks]),
        rng,
    )
    request_id = _dedupe_values(np.concatenate([b.request_id for b in blocks]), rng, 12)
    return _Identifiers(
        account_id=hex_strings(account_id, 8, "acct_"),
        key_id=hex_strings(key_id, 10, "key_"),
        request_id=hex_strings(request_id, 12, "req_"),
        card_fp=card_fp,
        email=email,
    )


# ---- tables ----------------------------------------------------------------------------


def _offsets(lengths: list[int]) -> Arr:
    """Start of every block's rows once the blocks are concatenated."""
    return np.cumsum([0, *lengths])


def _accounts_table(blocks: list[Block], ids: _Identifiers) -> pd.DataFrame:
    accounts = pd.DataFrame(
        {
            "account_id": ids.account_id,
            "created_at": timestamps(np.concatenate([b.created for b in blocks])),
            "email": ids.email,
            "display_name": np.concatenate([b.display_name for b in blocks]),
            "org_id": np.concatenate([b.org_id for b in blocks]),
            "signup_pathway": np.concatenate([b.pathway for b in blocks]),
            "country": np.concatenate([b.country for b in blocks]),
        }
    )
    return accounts.sort_values(["created_at", "account_id"], kind="stable", ignore_index=True)


def _labels_table(blocks: list[Block], ids: _Identifiers) -> pd.DataFrame:
    def per_account(value: str, block: Block) -> Arr:
        return np.full(len(block.created), value)

    labels = pd.DataFrame(
        {
            "account_id": ids.account_id,
            "campaign_id": np.concatenate([per_account(b.campaign_id, b) for b in blocks]),
            "organization": np.concatenate([per_account(b.organization, b) for b in blocks]),
            "group": np.concatenate([per_account(b.group, b) for b in blocks]),
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


def _requests_table(blocks: list[Block], ids: _Identifiers) -> pd.DataFrame:
    acct_offset = _offsets([len(b.created) for b in blocks])
    key_offset = _offsets([len(b.key_id) for b in blocks])
    req = concat_requests([b.req for b in blocks])
    glob_acct = np.concatenate([acct_offset[i] + b.req["acct"] for i, b in enumerate(blocks)])
    glob_key = np.concatenate([key_offset[i] + b.req_key for i, b in enumerate(blocks)])
    order = np.argsort(req["ts"], kind="stable")
    prompt = pd.Series(req["prompt"][order])
    lengths = prompt.str.len().to_numpy(dtype=np.int64)
    input_tokens = -(-lengths // 4) + req["extra_input"][order]
    prompt = prompt.where(~req["missing"][order])  # a few rows with no prompt sample
    return pd.DataFrame(
        {
            "request_id": ids.request_id[order],
            "account_id": ids.account_id[glob_acct[order]],
            "ts": timestamps(req["ts"][order]),
            "ip": req["ip"][order],
            "access_pathway": req["access_pathway"][order],
            "api_key_id": ids.key_id[glob_key[order]],
            "user_agent": req["user_agent"][order],
            "model": req["model"][order],
            "prompt": prompt,
            "input_tokens": input_tokens,
            "output_tokens": req["output_tokens"][order],
        }
    )


def _indicators(scenario: str) -> pd.DataFrame:
    """Threat intel on the campaigns (``default`` only) and decoys that match nothing planted."""
    rows: list[tuple[str, str, str, float, str]] = []
    if scenario == "default":
        rows += [
            ("email", "kestrelops@gmail.com", "Kestrel AI", 0.9, "partner-lab-share"),
            ("billing_name", "Kestrel Data Services Ltd", "Kestrel AI", 0.8, "payments-risk"),
            ("user_agent", "orca-harness/", "Orca Intelligence", 0.8, "threat-intel-feed"),
            ("asn", str(ORCA_CORP.asn), "Orca Intelligence", 0.7, "rir-whois"),
            ("ip_cidr", TWL.cidr, "Tidewater Labs", 0.85, "threat-intel-feed"),
            ("email_domain", "tidewater-labs.com", "Tidewater Labs", 0.6, "osint"),
        ]
    rows += [
        ("asn", str(NIMBUS_CLOUD[0].asn), "Zephyr Research", 0.3, "unverified-tip"),
        ("org_id", COMPANIES[1].org_id, COMPANIES[1].name, 0.95, "customer-declared"),
        ("ip_cidr", BASILISK_CIDR, "Basilisk AI", 0.7, "threat-intel-feed"),
    ]
    return pd.DataFrame(
        rows, columns=["indicator_type", "value", "organization", "confidence", "source"]
    )


def _assemble(
    blocks: list[Block], plan: Plan, rng: np.random.Generator, scenario: str
) -> dict[str, pd.DataFrame]:
    """Concatenate the groups, resolve cross-group id clashes and build the tables."""
    ids = _resolve_identifiers(blocks, rng)
    return {
        "accounts": _accounts_table(blocks, ids),
        "requests": _requests_table(blocks, ids),
        "payment_methods": _payments_table(blocks, ids),
        "ip_intel": plan.intel.copy(),
        "indicators": _indicators(scenario),
        "labels": _labels_table(blocks, ids),
    }


# ---- metadata and the entry point ------------------------------------------------------


def _metadata(
    tables: dict[str, pd.DataFrame], scenario: str, seed: int, scale: float
) -> dict[str, Any]:
    """scenario.json: what was generated, the planted campaigns and per-group counts."""
    labels = tables["labels"]
    req = tables["requests"]
    group_of = labels.set_index("account_id")["group"]
    camp_of = labels.set_index("account_id")["campaign_id"]
    per_req_group = req["account_id"].map(group_of)
    per_req_campaign = req["account_id"].map(camp_of)
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
    groups = {
        g: {
            "accounts": int((labels["group"] == g).sum()),
            "requests": int((per_req_group == g).sum()),
        }
        for g in ("campaign", *LEGIT_GROUPS)
        if (labels["group"] == g).any()
    }
    return {
        # the generator's name before it became linkage.synth: datasets of a seed
        # stay byte-identical, and readers of scenario.json may match on it
        "generator": "linkage.generate",
        "scenario": scenario,
        "description": SCENARIOS[scenario],
        "seed": seed,
        "scale": scale,
        "window_start": iso(0),
        "window_end": iso(WINDOW),
        "campaigns": campaigns,
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


def generate(scenario: str = "default", seed: int = 0, scale: float = 1.0) -> GeneratedDataset:
    """Generate a synthetic dataset of API-provider logs.

    Pure and deterministic: the same ``(scenario, seed, scale)`` gives equal
    tables (and byte-identical files through :func:`write_dataset`).

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
        group; the heavy user stays 1). Per-account volumes do not change, so
        ``scale=1`` gives about 5,000 accounts and 110,000 requests, ``scale=10``
        about 52,000 accounts and 1.1 million requests.

    Returns
    -------
    GeneratedDataset
        ``tables`` (the six contract tables) and ``metadata`` (see
        :class:`GeneratedDataset`).

    Raises
    ------
    ValueError
        Unknown scenario, or ``scale`` not a finite number > 0.
    """
    _validate(scenario, scale)
    sizes = group_sizes(scale)
    children = np.random.default_rng(seed).spawn(len(_STREAMS))
    streams = dict(zip(_STREAMS, children, strict=True))
    plan = make_plan(streams["network"], sizes)
    blocks = []
    for name in [*(CAMPAIGNS if scenario == "default" else ()), *LEGIT_GROUPS]:
        content, ids = streams[name].spawn(2)
        blocks.append(draw_ids(_build_group(name, content, plan, sizes), ids))
    tables = _assemble(blocks, plan, streams["fixup"], scenario)
    return GeneratedDataset(tables=tables, metadata=_metadata(tables, scenario, seed, scale))
