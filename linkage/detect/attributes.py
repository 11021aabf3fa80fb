"""The attribute table: who holds what, with the weight each shared value gives a pair.

Each shared attribute (payment fingerprint, canonical email, billing name, API
key, IP, /24 subnet, prompt template, client string, non-freemail email domain,
prompt family) is evidence that two accounts are run by the same hands. Its
weight is the kind's weight, times a factor for the IP's kind (carrier NAT and
VPN exits are shared by design), times a base-rate factor: an attribute held
by ``n`` accounts keeps ``min(1, hub_allowance / (n - 1))`` of its weight (the
resource-allocation view of a hub: its total contribution grows with ``n``,
not ``n**2``). For kinds that are *used* (IPs, networks, templates, client
strings, prompt families) a pair also gets only as much as both accounts rely
on the value: ``min(1, min(share of a's traffic, share of b's) /
usage_share_for_full_weight)``. A residential proxy exit that carried 2 % of a
rotating account's traffic says little about the household that lives behind
it, and one heavy account with a thousand IPs cannot bridge a thousand homes.

:func:`attribute_plan` says who pairs with whom through which value before any pair is
made: values whose best pair is below ``min_link_contribution`` are left out, so no
attribute's holders are paired wholesale, and the pairs are made one range of accounts
at a time (:mod:`linkage.detect.link`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from linkage.detect.normalise import NormalisedInput
from linkage.detect.pair_evidence import COMBINATION_KINDS, PairEvidence
from linkage.settings import Settings

REQUEST_ATTRIBUTES = {
    "ip": "ip",
    "subnet": "subnet",
    "template_head": "template",
    "template_tail": "template",
    "user_agent": "user_agent",
    "api_key_id": "api_key",
}
_SEEN_DTYPE = "datetime64[us, UTC]"
LOG = logging.getLogger(__name__)


def _static_parts(data: NormalisedInput, settings: Settings) -> list[pd.DataFrame]:
    accounts = data.accounts
    freemail = set(settings.normalise.freemail_domains)
    payments = data.payments
    static = [
        ("email", accounts[["account_id"]].assign(attr_value=accounts["email_canonical"])),
        (
            "email_domain",
            accounts.loc[~accounts["email_domain"].isin(freemail), ["account_id"]].assign(
                attr_value=accounts["email_domain"]
            ),
        ),
        ("payment", payments.assign(attr_value=payments["payment_fingerprint"])),
        ("billing_name", payments.assign(attr_value=payments["billing_name_normalised"])),
    ]
    parts = []
    for attr_type, frame in static:
        frame = frame.dropna(subset=["attr_value"])
        frame = frame[frame["attr_value"].astype("str").str.len() > 0]
        # one timestamp dtype for every part, or the concatenated column turns to objects
        seen = pd.to_datetime(
            frame["added_at"] if "added_at" in frame.columns else pd.Series(pd.NaT, frame.index),
            utc=True,
        ).astype(_SEEN_DTYPE)
        parts.append(
            pd.DataFrame(
                {
                    "account_id": frame["account_id"].to_numpy(),
                    "attr_value": frame["attr_value"].astype("str").to_numpy(),
                    "uses": 1,
                    "first_seen": seen.array,
                    "last_seen": seen.array,
                    "ip_kind": pd.Series(None, index=frame.index, dtype="str").to_numpy(),
                    "attr_type": attr_type,
                }
            ).drop_duplicates(["account_id", "attr_value"])
        )
    return parts


def account_attributes(
    data: NormalisedInput,
    settings: Settings,
    requested: tuple[list[pd.DataFrame], pd.Series],
    families: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Who holds what: the account-to-attribute incidence table with base-rate weights.

    ``requested`` is the request half of the incidence and each account's request count,
    from the engine that holds the requests (:func:`linkage.detect.requests.request_incidence`).
    ``families`` is the prompt-family incidence of :func:`linkage.detect.families.prompt_families`
    (its ``sampled`` column is the account's sampled prompts, the denominator of its usage share).
    """
    request_parts, request_totals = requested
    parts = request_parts + _static_parts(data, settings)
    if families is not None and len(families):
        parts.append(families.assign(ip_kind=None))
    incidence = pd.concat(parts, ignore_index=True)
    for column in ("first_seen", "last_seen"):
        incidence[column] = pd.to_datetime(incidence[column], utc=True).astype(_SEEN_DTYPE)
    incidence["ip_kind"] = incidence["ip_kind"].astype("str").where(incidence["ip_kind"].notna())
    incidence["attr_value"] = incidence["attr_value"].astype("str")
    # every part is distinct already (the engine's GROUP BY, the static parts' own
    # drop_duplicates, one row per family): no drop_duplicates (a copy of the table)
    holders = incidence.groupby(["attr_type", "attr_value"], sort=False)["account_id"].transform(
        "size"
    )
    incidence["accounts"] = holders.astype(np.int64)
    config = settings.link
    type_weight = looked_up(incidence["attr_type"], config.attribute_weights).fillna(0.0)
    default_kind = config.ip_kind_factors.get("unknown", 1.0)
    kind_factor = looked_up(incidence["ip_kind"], config.ip_kind_factors).fillna(default_kind)
    kind_factor = kind_factor.where(incidence["attr_type"].isin(["ip", "subnet"]), 1.0)
    base_rate = np.minimum(1.0, config.hub_allowance / np.maximum(holders - 1, 1))
    incidence["contribution"] = (type_weight * kind_factor * base_rate).where(holders > 1, 0.0)

    denominator = looked_up(incidence["account_id"], request_totals)
    if "sampled" in incidence.columns:
        sampled = incidence["sampled"].astype(float)
        denominator = sampled.where(incidence["attr_type"] == "prompt_family", denominator)
        incidence = incidence.drop(columns=["sampled"])
    usage_share = (incidence["uses"] / denominator).clip(upper=1.0)
    weighted = incidence["attr_type"].isin(config.usage_weighted_types)
    incidence["usage_share"] = usage_share.where(weighted, 1.0).fillna(1.0)
    return incidence


def looked_up(values: pd.Series, table: Mapping[str, float] | pd.Series) -> pd.Series:
    """``values.map(table)`` as floats, looking up each distinct value once (mapping
    millions of strings one by one is the slow part of a large incidence table).

    >>> looked_up(pd.Series(["ip", "email", "ip", None]), {"ip": 0.6}).tolist()
    [0.6, nan, 0.6, nan]
    """
    codes, uniques = pd.factorize(values)
    found = pd.Series(uniques).map(table).to_numpy(dtype=float)
    mapped = found[np.maximum(codes, 0)] if len(found) else np.full(len(codes), np.nan)
    return pd.Series(np.where(codes >= 0, mapped, np.nan), index=values.index)


def attribute_plan(
    incidence: pd.DataFrame, accounts: pd.Index, settings: Settings
) -> AttributePlan:
    """Who pairs with whom through which value, before any pair is made (see
    :func:`linkage.detect.link.attribute_pairs`): the pair count is known, and pairs are
    made in ranges."""
    config = settings.link
    full = config.usage_share_for_full_weight
    useful = incidence[incidence["contribution"] >= config.min_link_contribution]
    share = (useful["usage_share"] / full).clip(upper=1.0)
    # the best pair a value can make is limited by its second-heaviest user
    keys = useful.groupby(["attr_type", "attr_value"], sort=False).ngroup().to_numpy()
    order = np.lexsort((-share.to_numpy(), keys))
    second = np.zeros(keys.max() + 1 if len(keys) else 0)
    sorted_keys = keys[order]
    rank = np.arange(len(order)) - np.searchsorted(sorted_keys, sorted_keys)
    second[sorted_keys[rank == 1]] = share.to_numpy()[order][rank == 1]
    reachable = useful["contribution"].to_numpy() * second[keys]
    keep = reachable >= config.min_link_contribution
    useful, share, keys = useful[keep], share[keep], keys[keep]
    useful, share, keys = _cap_holders(useful, share, keys)

    codes = accounts.get_indexer(useful["account_id"])
    kind_code = pd.Categorical(useful["attr_type"], categories=COMBINATION_KINDS).codes.astype(
        np.int64
    )
    tail = (useful["attr_type"] == "template") & useful["attr_value"].str.startswith("t")
    kind_code = np.where(tail.to_numpy(), COMBINATION_KINDS.index("template_tail"), kind_code)
    order = np.lexsort((codes, keys))
    keys = keys[order]
    group_start = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else keys
    group_size = np.diff(np.r_[group_start, len(keys)])
    local = np.arange(len(keys)) - np.repeat(group_start, group_size)
    return AttributePlan(
        codes=codes[order].astype(np.int64),
        contribution=useful["contribution"].to_numpy(dtype=float)[order],
        share=share.to_numpy(dtype=float)[order],
        kinds=kind_code[order],
        partners=np.repeat(group_size, group_size) - 1 - local,
    )


@dataclass
class AttributePlan:
    """Holders of every value worth pairing, sorted by value then account: each row pairs
    with the ``partners`` rows after it (the same value's holders with higher codes)."""

    codes: np.ndarray
    contribution: np.ndarray
    share: np.ndarray
    kinds: np.ndarray
    partners: np.ndarray

    def per_account(self, n: int) -> np.ndarray:
        """Pairs each account code will make as the lower code of the pair."""
        return np.bincount(self.codes, weights=self.partners, minlength=n)

    def pairs(self, low: int, high: int) -> PairEvidence:
        """The pairs whose lower account code is in ``low..high-1`` (vectorised), in the
        order a whole enumeration gives them (by value, then account)."""
        left = np.flatnonzero((self.codes >= low) & (self.codes < high) & (self.partners > 0))
        count = self.partners[left]
        first = np.repeat(left, count)
        second = first + 1 + (np.arange(len(first)) - np.repeat(np.cumsum(count) - count, count))
        share = np.minimum(self.share[first], self.share[second])
        return PairEvidence(
            a=self.codes[first],
            b=self.codes[second],
            kind="attribute",
            contribution=self.contribution[first] * share,
            shared=np.ones(len(first), dtype=np.int64),
            kinds=self.kinds[first],
        )


MAX_VALUE_HOLDERS = 2_000
"""A value is paired among at most this many of its holders (its heaviest users), so one
value never makes more than about two million pairs. With the default weights no value
that can reach ``min_link_contribution`` has that many holders (an API key, the heaviest
kind, stops at ``0.95 * hub_allowance / min_link_contribution + 1`` = 571)."""


def _cap_holders(
    useful: pd.DataFrame, share: pd.Series, keys: np.ndarray
) -> tuple[pd.DataFrame, pd.Series, np.ndarray]:
    """Holders of each value cut to its ``MAX_VALUE_HOLDERS`` heaviest users; the pairs the
    expansion will make are counted and logged before it runs."""
    sizes = np.bincount(keys) if len(keys) else np.zeros(0, dtype=np.int64)
    if len(sizes) and sizes.max() > MAX_VALUE_HOLDERS:
        order = np.lexsort((useful["account_id"].to_numpy(), -share.to_numpy(), keys))
        sorted_keys = keys[order]
        rank = np.empty(len(keys), dtype=np.int64)
        rank[order] = np.arange(len(keys)) - np.searchsorted(sorted_keys, sorted_keys)
        kept = rank < MAX_VALUE_HOLDERS
        LOG.warning(
            "link: %d value(s) paired among their %d heaviest holders only",
            int((sizes > MAX_VALUE_HOLDERS).sum()),
            MAX_VALUE_HOLDERS,
        )
        useful, share, keys = useful[kept], share[kept], keys[kept]
        sizes = np.bincount(keys)
    LOG.info(
        "link: %d attribute pairs to enumerate from %d shared values (largest %d holders)",
        int((sizes * (sizes - 1) // 2).sum()),
        int((sizes > 1).sum()),
        int(sizes.max()) if len(sizes) else 0,
    )
    return useful, share, keys
