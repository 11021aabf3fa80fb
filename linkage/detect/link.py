"""Linking stage: accounts to the attributes they share, projected to weighted account links.

Each shared attribute (payment fingerprint, canonical email, billing name,
API key, IP, /24 subnet, prompt template, client string, non-freemail email
domain) is evidence that two accounts are run by the same hands. Its weight
is the attribute kind's weight, times a factor for the IP's kind (carrier NAT
and VPN exits are shared by design), times a base-rate factor: an attribute
held by ``n`` accounts keeps ``min(1, hub_allowance / (n - 1))`` of its
weight. That is the resource-allocation view of a hub: whatever is shared by
thousands says little about any one pair, and its total contribution grows
with ``n`` rather than ``n**2``. Evidence combines as a noisy-OR:

    strength(a, b) = 1 - prod over shared attributes (1 - contribution)

Pairs whose contribution would be below ``min_link_contribution`` are not
enumerated at all; that floor is on weight, not on hub size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix

from linkage.detect.normalise import NormalisedInput
from linkage.settings import Settings

ATTRIBUTE_TYPES = (
    "payment",
    "email",
    "billing_name",
    "api_key",
    "ip",
    "subnet",
    "template",
    "user_agent",
    "email_domain",
)

_REQUEST_ATTRIBUTES = {
    "ip": "ip",
    "subnet": "subnet",
    "template_head": "template",
    "template_tail": "template",
    "user_agent": "user_agent",
    "api_key_id": "api_key",
}


_SEEN_DTYPE = "datetime64[us, UTC]"


@dataclass
class LinkResult:
    account_attributes: pd.DataFrame
    """One row per (account, attribute): account_id, attr_type, attr_value, uses,
    first_seen, last_seen, ip_kind, accounts (how many accounts hold it), contribution (weight per
    pair before usage weighting) and usage_share (share of the account's requests using it, for
    usage-weighted types; 1 otherwise)."""
    links: pd.DataFrame
    """One row per linked account pair: account_a < account_b, strength, shared
    (attributes in common), and per attribute type ``<type>_shared`` counts."""


def account_attributes(data: NormalisedInput, settings: Settings) -> pd.DataFrame:
    """Who holds what: the account-to-attribute incidence table with base-rate weights."""
    requests = data.requests
    parts: list[pd.DataFrame] = []
    for column, attr_type in _REQUEST_ATTRIBUTES.items():
        if column not in requests.columns:
            continue
        used = requests[["account_id", column, "ts", "ip_kind"]].dropna(subset=[column])
        grouped = (
            used.groupby(["account_id", column], sort=False, observed=True)
            .agg(
                uses=("ts", "size"),
                first_seen=("ts", "min"),
                last_seen=("ts", "max"),
                ip_kind=("ip_kind", "first"),
            )
            .reset_index()
            .rename(columns={column: "attr_value"})
        )
        grouped["attr_type"] = attr_type
        if attr_type not in ("ip", "subnet"):
            grouped["ip_kind"] = None
        parts.append(grouped)

    accounts = data.accounts
    freemail = set(settings.normalise.freemail_domains)
    static = [
        (
            "email",
            accounts[["account_id", "email_canonical"]].rename(
                columns={"email_canonical": "attr_value"}
            ),
        ),
        (
            "email_domain",
            accounts.loc[
                ~accounts["email_domain"].isin(freemail), ["account_id", "email_domain"]
            ].rename(columns={"email_domain": "attr_value"}),
        ),
        (
            "payment",
            data.payments[["account_id", "payment_fingerprint", "added_at"]]
            if "added_at" in data.payments.columns
            else data.payments[["account_id", "payment_fingerprint"]],
        ),
        (
            "billing_name",
            data.payments[["account_id", "billing_name_normalised"]].rename(
                columns={"billing_name_normalised": "attr_value"}
            ),
        ),
    ]
    for attr_type, frame in static:
        frame = frame.rename(columns={"payment_fingerprint": "attr_value"}).dropna(
            subset=["attr_value"]
        )
        frame = frame[frame["attr_value"].astype("str").str.len() > 0]
        # one timestamp dtype for every part, or the concatenated column turns to objects
        seen = pd.to_datetime(
            frame["added_at"]
            if "added_at" in frame.columns
            else pd.Series(pd.NaT, index=frame.index),
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
    incidence = pd.concat(parts, ignore_index=True)
    for column in ("first_seen", "last_seen"):
        incidence[column] = incidence[column].astype(_SEEN_DTYPE)
    incidence["ip_kind"] = incidence["ip_kind"].astype("str").where(incidence["ip_kind"].notna())
    incidence["attr_value"] = incidence["attr_value"].astype("str")
    incidence = incidence.drop_duplicates(
        ["account_id", "attr_type", "attr_value"], ignore_index=True
    )

    holders = incidence.groupby(["attr_type", "attr_value"], sort=False)["account_id"].transform(
        "size"
    )
    incidence["accounts"] = holders.astype(np.int64)
    type_weight = incidence["attr_type"].map(settings.link.attribute_weights).astype(float)
    default_kind = settings.link.ip_kind_factors.get("unknown", 1.0)
    kind_factor = (
        incidence["ip_kind"].map(settings.link.ip_kind_factors).astype(float).fillna(default_kind)
    )
    kind_factor = kind_factor.where(incidence["attr_type"].isin(["ip", "subnet"]), 1.0)
    base_rate = np.minimum(1.0, settings.link.hub_allowance / np.maximum(holders - 1, 1))
    incidence["contribution"] = (type_weight * kind_factor * base_rate).where(holders > 1, 0.0)
    request_totals = requests.groupby("account_id").size()
    usage_share = (incidence["uses"] / incidence["account_id"].map(request_totals)).clip(upper=1.0)
    weighted = incidence["attr_type"].isin(settings.link.usage_weighted_types)
    incidence["usage_share"] = usage_share.where(weighted, 1.0).fillna(1.0)
    return incidence


def project_links(incidence: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Account-to-account links from shared attributes (vectorised pair enumeration).

    Examples
    --------
    >>> incidence = pd.DataFrame({
    ...     "account_id": ["a", "b", "c", "a", "b"],
    ...     "attr_type": ["payment", "payment", "payment", "ip", "ip"],
    ...     "attr_value": ["card1", "card1", "card1", "1.2.3.4", "1.2.3.4"],
    ...     "contribution": [0.9, 0.9, 0.9, 0.6, 0.6]})
    >>> links = project_links(incidence, Settings())
    >>> links[["account_a", "account_b", "strength", "payment_shared", "ip_shared"]]
      account_a account_b  strength  payment_shared  ip_shared
    0         a         b      0.96               1          1
    1         a         c      0.90               1          0
    2         b         c      0.90               1          0
    """
    useful = incidence[incidence["contribution"] >= settings.link.min_link_contribution]
    if "usage_share" in useful.columns:
        # the best pair an attribute can make is limited by its second-heaviest user
        share = useful[["attr_type", "attr_value", "usage_share"]].sort_values(
            "usage_share", ascending=False, kind="stable"
        )
        second = share.groupby(["attr_type", "attr_value"], sort=False)["usage_share"].nth(1)
        best_pair = pd.Series(0.0, index=useful.index)
        best_pair[second.index] = second.to_numpy()
        # nth(1) keeps the rows of second-heaviest users; spread that value to all holders
        keys = useful.groupby(["attr_type", "attr_value"], sort=False).ngroup()
        best_by_key = best_pair.groupby(keys).max()
        reachable = useful["contribution"] * keys.map(best_by_key)
        useful = useful[reachable >= settings.link.min_link_contribution]
    columns = ["account_a", "account_b", "strength", "shared"] + [
        f"{t}_shared" for t in ATTRIBUTE_TYPES
    ]
    if useful.empty and incidence.empty:
        return pd.DataFrame(columns=columns)
    all_accounts = pd.Index(np.sort(incidence["account_id"].unique()))
    account_ids = all_accounts.to_numpy()
    account_codes = all_accounts.get_indexer(useful["account_id"])
    attr_codes = useful.groupby(["attr_type", "attr_value"], sort=False).ngroup().to_numpy()
    order = np.lexsort((account_codes, attr_codes))
    accounts_sorted = account_codes[order].astype(np.int64)
    attrs_sorted = attr_codes[order]
    contribution_sorted = useful["contribution"].to_numpy(dtype=float)[order]
    share_sorted = (
        useful["usage_share"].to_numpy(dtype=float)[order]
        if "usage_share" in useful.columns
        else np.ones(len(order))
    )
    type_codes = pd.Categorical(useful["attr_type"], categories=ATTRIBUTE_TYPES).codes[order]

    group_start = np.flatnonzero(np.r_[True, attrs_sorted[1:] != attrs_sorted[:-1]])
    group_size = np.diff(np.r_[group_start, len(attrs_sorted)])
    size_of_row = np.repeat(group_size, group_size)
    local_index = np.arange(len(attrs_sorted)) - np.repeat(group_start, group_size)
    partners = size_of_row - 1 - local_index
    left = np.repeat(np.arange(len(attrs_sorted)), partners)
    block_start = np.repeat(np.cumsum(partners) - partners, partners)
    right = left + 1 + (np.arange(len(left)) - block_start)

    del block_start, local_index, size_of_row
    n_accounts = len(account_ids)
    # accounts are sorted within each attribute, so a < b already
    pair_key = accounts_sorted[left] * n_accounts + accounts_sorted[right]
    pair_contribution = contribution_sorted[left] * np.minimum(
        share_sorted[left], share_sorted[right]
    )
    log_keep = np.log1p(-np.minimum(pair_contribution, 0.999999))
    del pair_contribution
    pair_types = type_codes[left]
    row_weight = np.ones(len(left), dtype=np.int64)
    del left, right
    pool_key, pool_log_keep, pool_shared = _shared_ip_pools(incidence, all_accounts, settings)
    if len(pool_key):
        pair_key = np.concatenate([pair_key, pool_key])
        log_keep = np.concatenate([log_keep, pool_log_keep])
        pair_types = np.concatenate(
            [
                pair_types,
                np.full(len(pool_key), ATTRIBUTE_TYPES.index("ip"), dtype=pair_types.dtype),
            ]
        )
        row_weight = np.concatenate([row_weight, pool_shared])
    pair_codes, unique_pairs = pd.factorize(pair_key, sort=True)
    del pair_key
    total_log = np.bincount(pair_codes, weights=log_keep, minlength=len(unique_pairs))
    del log_keep
    strength = np.round(1.0 - np.exp(total_log), 6)
    kept = strength >= settings.link.min_link_strength_kept
    kept_index = np.cumsum(kept) - 1
    row_kept = kept[pair_codes]
    kept_codes = kept_index[pair_codes[row_kept]]
    kept_types = pair_types[row_kept]
    kept_weight = row_weight[row_kept]
    n_kept = int(kept.sum())
    kept_pairs = unique_pairs[kept]
    links = pd.DataFrame(
        {
            "account_a": account_ids[kept_pairs // n_accounts],
            "account_b": account_ids[kept_pairs % n_accounts],
            "strength": strength[kept],
            "shared": np.bincount(kept_codes, weights=kept_weight, minlength=n_kept).astype(
                np.int64
            ),
        }
    )
    for type_index, attr_type in enumerate(ATTRIBUTE_TYPES):
        mask = kept_types == type_index
        links[f"{attr_type}_shared"] = np.bincount(
            kept_codes[mask], weights=kept_weight[mask], minlength=n_kept
        ).astype(np.int32)
    return links


def _shared_ip_pools(
    incidence: pd.DataFrame, accounts: pd.Index, settings: Settings
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Evidence from busy IPs too widely held for pair-by-pair weighting.

    An IP held by hundreds of accounts says little about any one pair, so
    its per-pair weight falls below ``min_link_contribution``. But accounts
    that draw on the *same pool* of such IPs (a hydra behind its own small
    network) share most of them: the Jaccard overlap of two accounts' sets
    of busy IPs is evidence that does not fade with the pool's size. Only
    IPs whose kind is not shared by design count (kind factor at least
    ``ip_pool_min_kind_factor``: not carrier NAT, VPN exits or campus NAT).
    Computed as a sparse product (accounts x IPs), never pair by pair.

    Returns pair keys (a * n + b, a < b), log(1 - contribution) and the
    number of pool IPs each pair shares.
    """
    empty = (np.empty(0, dtype=np.int64), np.empty(0), np.empty(0, dtype=np.int64))
    if "ip_kind" not in incidence.columns or incidence.empty:
        return empty
    kind_factor = (
        incidence["ip_kind"]
        .map(settings.link.ip_kind_factors)
        .astype(float)
        .fillna(settings.link.ip_kind_factors.get("unknown", 1.0))
    )
    busy = incidence[
        (incidence["attr_type"] == "ip")
        & (incidence["accounts"] > 1)
        & (incidence["contribution"] < settings.link.min_link_contribution)
        & (kind_factor >= settings.link.ip_pool_min_kind_factor)
    ]
    if busy.empty:
        return empty
    rows = accounts.get_indexer(busy["account_id"])
    columns, _ = pd.factorize(busy["attr_value"])
    holdings = csr_matrix(
        (np.ones(len(busy)), (rows, columns)), shape=(len(accounts), int(columns.max()) + 1)
    )
    shared = (holdings @ holdings.T).tocoo()
    upper = shared.row < shared.col
    a, b, both = shared.row[upper], shared.col[upper], shared.data[upper]
    held = np.asarray(holdings.sum(axis=1)).ravel()
    jaccard = both / (held[a] + held[b] - both)
    contribution = settings.link.attribute_weights["ip"] * jaccard
    keep = contribution >= settings.link.min_link_contribution
    key = a[keep].astype(np.int64) * len(accounts) + b[keep]
    return key, np.log1p(-np.minimum(contribution[keep], 0.999999)), both[keep].astype(np.int64)


def link(data: NormalisedInput, settings: Settings) -> LinkResult:
    """Run the linking stage: incidence with base-rate weights, then the projection."""
    incidence = account_attributes(data, settings)
    links = project_links(incidence, settings)
    return LinkResult(account_attributes=incidence, links=links)
