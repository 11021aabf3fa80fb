"""The indicators table: threat intel on the campaigns, and decoys.

By default the intel is rich: two indicators per campaign, each pointing at the
trace the campaign leaves (the harvest's mailbox and billing name, the swarm's
harness string and office ASN, the firehose's /24 and company domain), plus
three decoys that match nothing planted. Under ``thin-indicators`` each campaign
gets one or two indicators taken from a few of its own accounts (an email, a
card fingerprint; never a majority), and four more decoys name other
organisations on values a few legitimate accounts hold. Under ``low-and-slow``
as well, where a campaign's accounts are 4-8 times as many heads each with its
own card and address, thin intel names that many times more of its values (4-8
of each kind it names instead of one), so that it still reaches about the share
of the campaign it reaches without the knob.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from linkage.synth.campaigns import CAMPAIGNS, HARNESS_USER_AGENT, KESTREL_BILLING_NAME
from linkage.synth.network import BASILISK_CIDR, NIMBUS_CLOUD, ORCA_CORP, TWL
from linkage.synth.vocabulary import COMPANIES

COLUMNS = ["indicator_type", "value", "organization", "confidence", "source"]
Row = tuple[str, str, str, float, str]

RICH: tuple[Row, ...] = (
    ("email", "kestrelops@gmail.com", "Kestrel AI", 0.9, "partner-lab-share"),
    ("billing_name", KESTREL_BILLING_NAME, "Kestrel AI", 0.8, "payments-risk"),
    (
        "user_agent",
        HARNESS_USER_AGENT.split("/")[0] + "/",
        "Orca Intelligence",
        0.8,
        "threat-intel-feed",
    ),
    ("asn", str(ORCA_CORP.asn), "Orca Intelligence", 0.7, "rir-whois"),
    ("ip_cidr", TWL.cidr, "Tidewater Labs", 0.85, "threat-intel-feed"),
    ("email_domain", "tidewater-labs.com", "Tidewater Labs", 0.6, "osint"),
)
"""The default intel on the three campaigns."""

DECOYS: tuple[Row, ...] = (
    ("asn", str(NIMBUS_CLOUD[0].asn), "Zephyr Research", 0.3, "unverified-tip"),
    ("org_id", COMPANIES[1].org_id, COMPANIES[1].name, 0.95, "customer-declared"),
    ("ip_cidr", BASILISK_CIDR, "Basilisk AI", 0.7, "threat-intel-feed"),
)
"""Decoys present in every scenario."""


def _one_of(rng: np.random.Generator, values: pd.Series) -> str | None:
    """A random value of a (sorted, deterministic) series, or None when it is empty."""
    values = values.dropna().sort_values(kind="stable").reset_index(drop=True)
    return None if values.empty else str(values[int(rng.integers(0, len(values)))])


def _members(tables: dict[str, pd.DataFrame], group: str) -> pd.DataFrame:
    """Accounts of one labelled group with their emails and cards (sorted by account)."""
    labels = tables["labels"]
    ids = labels.loc[labels["group"] == group, ["account_id", "campaign_id"]]
    acc = ids.merge(tables["accounts"][["account_id", "email"]], on="account_id")
    pay = tables["payment_methods"][["account_id", "payment_fingerprint", "billing_name"]]
    return acc.merge(pay, on="account_id", how="left").sort_values("account_id", kind="stable")


def thin_decoys(rng: np.random.Generator, tables: dict[str, pd.DataFrame]) -> list[Row]:
    """Intel on other organisations that happens to match a few legitimate accounts."""
    picks = (
        ("regular", "email", "email", "Zephyr Research", 0.6, "unverified-tip"),
        (
            "family",
            "payment_fingerprint",
            "payment_fingerprint",
            "Basilisk AI",
            0.5,
            "payments-risk",
        ),
        ("product_backend", "email", "email_domain", "Corvid Analytics", 0.4, "osint"),
        ("cron_job", "billing_name", "billing_name", "Nightjar Systems", 0.5, "payments-risk"),
    )
    rows: list[Row] = []
    for group, column, kind, org, confidence, source in picks:
        value = _one_of(rng, _members(tables, group)[column])
        if value is not None:
            value = value.split("@")[1] if kind == "email_domain" else value
            rows.append((kind, value, org, confidence, source))
    return rows


def thin_campaign_intel(
    rng: np.random.Generator, tables: dict[str, pd.DataFrame], per_account: dict[str, float]
) -> list[Row]:
    """One or two indicators per campaign, each matching a few of its accounts (a minority).

    ``per_account`` (campaign -> heads per account it would have, 1 without
    ``low-and-slow``) multiplies the values named of each kind, so that spread
    campaigns are reached in about the same share.
    """
    members = _members(tables, "campaign")
    rows: list[Row] = []
    for cid, org in CAMPAIGNS.items():
        mine = members[members["campaign_id"] == cid]
        if mine.empty:
            continue
        kinds = ["email", "payment_fingerprint"][: int(rng.integers(1, 3))]
        named: set[str] = set()
        want = max(1, round(per_account.get(cid, 1.0)))
        for kind in rng.permutation(kinds):
            found = 0
            for _ in range(1 if want == 1 else 3 * want):  # a value named twice: another
                value = _one_of(rng, mine[str(kind)])
                held = int((mine[str(kind)] == value).sum())
                if value is None or value in named or 2 * held >= mine["account_id"].nunique():
                    continue
                named.add(value)
                found += 1
                rows.append(
                    (
                        str(kind),
                        value,
                        org,
                        round(float(rng.uniform(0.5, 0.8)), 2),
                        "partner-lab-share",
                    )
                )
                if found == want:
                    break
    return rows


def indicator_table(
    tables: dict[str, pd.DataFrame],
    scenario: str,
    thin: bool,
    rng: np.random.Generator,
    per_account: dict[str, float] | None = None,
) -> pd.DataFrame:
    """The indicators table of a scenario (the campaigns' intel only where campaigns are).

    ``per_account``: heads per account of each campaign under ``low-and-slow`` (thin
    intel names that many times more values; see :func:`thin_campaign_intel`).
    """
    decoy_rng, campaign_rng = rng.spawn(2)  # decoys alike with or without campaigns
    rows: list[Row] = []
    if scenario == "default":
        if thin:
            rows += thin_campaign_intel(campaign_rng, tables, per_account or {})
        else:
            rows += list(RICH)
    rows += DECOYS
    if thin:
        rows += thin_decoys(decoy_rng, tables)
    return pd.DataFrame(rows, columns=COLUMNS)
