"""Linking stage: accounts to what they share, projected to weighted account links.

Each shared attribute (payment fingerprint, mailbox, API key, IP, prompt template, ...)
is evidence that two accounts are run by the same hands; the attribute table
(:mod:`linkage.detect.attributes`) weighs it by kind, IP kind, base rate and how much
both accounts rely on it.

Evidence about a pair that is not a shared value comes in too: the overlap of
two accounts' pools of busy IPs, and, between *suspicious* accounts only
(:mod:`linkage.detect.similarity`), IP co-use within minutes and behavioural
likeness.

Correlated evidence counts once. Evidence is combined in three steps:

1. per kind, distinct values combine as a noisy-OR (sharing three cards is
   more than sharing one), with a template's head and tail as separate kinds;
2. per *evidence group* (payment, identity, credential, network, content,
   client, behaviour; :data:`linkage.kinds.EVIDENCE_GROUPS`) the strongest kind
   counts, so an IP and its /24, or a card and its billing name, are one fact;
3. across groups, a noisy-OR: ``strength = 1 - prod(1 - group evidence)``.

Each link keeps its per-kind counts, its per-group evidence and the number of
groups that contributed, so clustering can ask for two independent kinds. A link is kept
only when it is among the ``max_links_per_account`` strongest of one of its accounts: a
hydra of n heads that share one fact would otherwise be n**2 / 2 links, and its
strongest links per head carry its community as well (links grow with accounts, not
with the square of a campaign's size).
Pairs whose best possible contribution is below ``min_link_contribution`` are
never enumerated, so no attribute's holders are paired wholesale.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from linkage.detect.arrays import chunk_bounds, strongest_per_account
from linkage.detect.attributes import account_attributes, attribute_plan
from linkage.detect.minhash import band_neighbours, set_signatures
from linkage.detect.normalise import NormalisedInput
from linkage.detect.pair_evidence import COMBINATION_KINDS, PairEvidence
from linkage.kinds import ATTRIBUTE_KINDS, ATTRIBUTE_TYPES, EVIDENCE_GROUPS, PAIR_EVIDENCE
from linkage.settings import Settings

LOG = logging.getLogger(__name__)

# the evidence group of each combination kind
_KIND_GROUP = np.array(
    [
        EVIDENCE_GROUPS.index(
            ATTRIBUTE_KINDS[k].group
            if k in ATTRIBUTE_KINDS
            else PAIR_EVIDENCE.get(k, ATTRIBUTE_KINDS["template"].group)
        )
        for k in COMBINATION_KINDS
    ]
)
# which ``<type>_shared`` count a combination kind adds to (-1: none)
_COUNTED_AS = np.array(
    [
        ATTRIBUTE_TYPES.index(k)
        if k in ATTRIBUTE_TYPES
        else {
            "template_tail": ATTRIBUTE_TYPES.index("template"),
            "ip_pool": ATTRIBUTE_TYPES.index("ip"),
        }.get(k, -1)
        for k in COMBINATION_KINDS
    ]
)


@dataclass
class LinkResult:
    account_attributes: pd.DataFrame
    """One row per (account, attribute): account_id, attr_type, attr_value, uses,
    first_seen, last_seen, ip_kind, accounts (how many accounts hold it), contribution (weight
    per pair before usage weighting) and usage_share (share of the account's traffic using it,
    for usage-weighted kinds; 1 otherwise)."""
    links: pd.DataFrame
    """One row per linked account pair: account_a < account_b, strength, groups (evidence
    groups that contributed), shared (values in common), ``<kind>_shared`` counts and
    ``<group>_evidence`` per evidence group."""


def attribute_pairs(
    incidence: pd.DataFrame, accounts: pd.Index, settings: Settings
) -> PairEvidence:
    """Evidence rows from shared attribute values (vectorised pair enumeration).

    Values whose best pair would contribute less than ``min_link_contribution`` are
    skipped before any pair is made, so a value held by thousands is never expanded.
    """
    return attribute_plan(incidence, accounts, settings).pairs(0, len(accounts))


EVIDENCE_ROWS_PER_RANGE = 2_000_000
"""Evidence rows made and combined at once (a range of accounts' pairs)."""


def ip_pool_pairs(incidence: pd.DataFrame, accounts: pd.Index, settings: Settings) -> PairEvidence:
    """Evidence from pools of IPs: accounts that spread their traffic over the same set.

    An IP held by hundreds of accounts says little about any one pair, and an IP that
    carries a small share of each account's traffic says little too (usage weighting);
    but accounts that draw on the *same pool* of IPs (a hydra behind its own small
    network, each head rotating through all of it) share most of them: the Jaccard
    overlap of two accounts' sets of shared IPs does not fade with the pool's size or
    with how thinly each head spreads over it. A rotating account passing through
    people's homes overlaps each home by one IP in forty: no pool. Only accounts drawing
    on at least ``ip_pool_min_ips`` shared IPs have a pool (one carrier or office egress
    is no pool), and kinds shared by design (kind factor below
    ``ip_pool_min_kind_factor``) are left out.

    Pairs are never enumerated wholesale: each account's pool gets a MinHash
    signature; accounts whose signatures agree on a whole LSH band are candidates, and
    within a bucket each account is paired with its ``ip_pool_neighbours`` next ones
    (a chain keeps the bucket connected at a cost linear in its size). The Jaccard
    overlap is estimated from the signatures.
    """
    config = settings.link
    empty = PairEvidence.empty("ip_pool")
    if "ip_kind" not in incidence.columns or incidence.empty:
        return empty
    kind_factor = (
        incidence["ip_kind"]
        .map(config.ip_kind_factors)
        .astype(float)
        .fillna(config.ip_kind_factors.get("unknown", 1.0))
    )
    busy = incidence[
        (incidence["attr_type"] == "ip")
        & (incidence["accounts"] > 1)
        & (kind_factor >= config.ip_pool_min_kind_factor)
    ]
    pool_size = busy.groupby("account_id")["attr_value"].transform("size")
    busy = busy[pool_size >= config.ip_pool_min_ips]
    if busy.empty:
        return empty
    codes = accounts.get_indexer(busy["account_id"])
    ip_hash = pd.util.hash_array(busy["attr_value"].to_numpy(dtype=object)).astype(np.uint64)
    owners, signatures = set_signatures(codes, ip_hash, config.ip_pool_hashes, settings.seed)
    held = np.bincount(codes, minlength=len(accounts))[owners]
    a, b = band_neighbours(signatures, config.ip_pool_bands, config.ip_pool_neighbours)
    if not len(a):
        return empty
    jaccard = (signatures[a] == signatures[b]).mean(axis=1)
    estimated_shared = np.round(jaccard * (held[a] + held[b]) / (1.0 + jaccard))
    # a private pool of many IPs drawn on alike is as telling as a shared card; a pool of
    # three is not
    size = np.minimum(1.0, estimated_shared / config.ip_pool_full_size)
    contribution = config.attribute_weights["ip_pool"] * jaccard * size
    keep = contribution >= config.min_link_contribution
    low = np.minimum(owners[a], owners[b])[keep]
    high = np.maximum(owners[a], owners[b])[keep]
    return PairEvidence(
        a=low.astype(np.int64),
        b=high.astype(np.int64),
        kind="ip_pool",
        contribution=contribution[keep],
        shared=estimated_shared[keep].astype(np.int64),
    )


def combine_evidence(
    evidence: list[PairEvidence], accounts: pd.Index, settings: Settings
) -> pd.DataFrame:
    """Links from evidence rows: noisy-OR within a kind, strongest kind per group,
    noisy-OR across groups (see the module docstring).

    Examples
    --------
    >>> accounts = pd.Index(["a", "b"])
    >>> card = PairEvidence(np.array([0]), np.array([1]), "attribute", np.array([0.9]),
    ...                     np.array([1]), kinds=np.array([0]))
    >>> name = PairEvidence(np.array([0]), np.array([1]), "attribute", np.array([0.2]),
    ...                     np.array([1]), kinds=np.array([2]))
    >>> links = combine_evidence([card, name], accounts, Settings())
    >>> float(links.loc[0, "strength"]), int(links.loc[0, "groups"])  # card + name: one fact
    (0.9, 1)
    """
    return _links_table(_combined_columns(evidence, len(accounts), settings), accounts)


LINK_COLUMNS = [
    "account_a",
    "account_b",
    "strength",
    "groups",
    "shared",
    *(f"{t}_shared" for t in ATTRIBUTE_TYPES),
    *(f"{g}_evidence" for g in EVIDENCE_GROUPS),
]


def _links_table(columns: dict[str, np.ndarray] | None, accounts: pd.Index) -> pd.DataFrame:
    """The links table from combined columns (pair codes in ``pair``)."""
    if columns is None:
        return pd.DataFrame(columns=LINK_COLUMNS)
    n = len(accounts)
    pair = columns.pop("pair")
    names = accounts.to_numpy()
    table = {"account_a": names[pair // n], "account_b": names[pair % n], **columns}
    return pd.DataFrame(table)[LINK_COLUMNS]


def _combined_columns(
    evidence: list[PairEvidence], n: int, settings: Settings
) -> dict[str, np.ndarray] | None:
    """:func:`combine_evidence`'s columns as arrays, the pair as one code (a * n + b)."""
    parts = [e for e in evidence if len(e.a)]
    if not parts:
        return None
    pair_key = np.concatenate([e.a * n + e.b for e in parts])
    kind = np.concatenate(
        [
            e.kinds if e.kinds is not None else np.full(len(e.a), COMBINATION_KINDS.index(e.kind))
            for e in parts
        ]
    ).astype(np.int64)
    contribution = np.concatenate([e.contribution for e in parts])
    shared = np.concatenate([e.shared for e in parts])
    pair_code, unique_pairs = pd.factorize(pair_key, sort=True)
    n_pairs = len(unique_pairs)

    log_keep = np.log1p(-np.minimum(contribution, 0.999999))
    # one row per kind present (a range holds few of them), pairs along the row, so every
    # step below reads memory in order; bincount sums in input order, as np.add.at does
    # (same bits), at a fraction of its cost
    # the kinds present and each row's place among them, by counting (a sort of every
    # evidence row, as np.unique does, cost most of a second per million rows)
    present = np.flatnonzero(np.bincount(kind))
    kind_place = np.zeros(present[-1] + 1, dtype=np.int64)
    kind_place[present] = np.arange(len(present))
    kind_row = kind_place[kind]
    per_kind = np.bincount(
        kind_row * n_pairs + pair_code, weights=log_keep, minlength=len(present) * n_pairs
    ).reshape(len(present), n_pairs)
    group_rows = np.zeros((len(EVIDENCE_GROUPS), n_pairs))
    for row, code in enumerate(present):
        group = group_rows[_KIND_GROUP[code]]
        np.maximum(group, 1.0 - np.exp(per_kind[row]), out=group)
    del per_kind  # the per-kind rows are the range's largest arrays: freed as used
    keep_all = np.ones(n_pairs)
    for group in group_rows:
        keep_all *= 1.0 - group
    strength = np.round(1.0 - keep_all, 6)
    kept = strength >= settings.link.min_link_strength_kept
    # counts are made for the kept pairs only (most of a big range's pairs are weak)
    n_kept, n_types = int(kept.sum()), len(ATTRIBUTE_TYPES)
    place = np.full(n_pairs, -1, dtype=np.int64)
    place[kept] = np.arange(n_kept)
    row_place = place[pair_code]
    counted = (_COUNTED_AS[kind] >= 0) & (row_place >= 0)
    counts = np.bincount(
        row_place[counted] * n_types + _COUNTED_AS[kind][counted],
        weights=shared[counted],
        minlength=n_kept * n_types,
    ).reshape(n_kept, n_types)
    in_kept = row_place >= 0
    group_kept = group_rows[:, kept]
    links = {
        "pair": unique_pairs[kept],
        "strength": strength[kept],
        "groups": (group_kept >= settings.link.min_group_evidence).sum(axis=0),
        "shared": np.bincount(row_place[in_kept], weights=shared[in_kept], minlength=n_kept).astype(
            np.int64
        ),
    }
    for index, attr_type in enumerate(ATTRIBUTE_TYPES):
        links[f"{attr_type}_shared"] = counts[:, index].astype(np.int32)
    for index, group in enumerate(EVIDENCE_GROUPS):
        links[f"{group}_evidence"] = np.round(group_kept[index], 4)
    return links


def project_links(
    incidence: pd.DataFrame,
    settings: Settings,
    extra: list[PairEvidence] | None = None,
    accounts: pd.Index | None = None,
) -> pd.DataFrame:
    """Account-to-account links from shared attributes, busy-IP pools and ``extra`` evidence.

    Examples
    --------
    >>> incidence = pd.DataFrame({
    ...     "account_id": ["a", "b", "c", "a", "b"],
    ...     "attr_type": ["payment", "payment", "payment", "ip", "ip"],
    ...     "attr_value": ["card1", "card1", "card1", "1.2.3.4", "1.2.3.4"],
    ...     "contribution": [0.9, 0.9, 0.9, 0.6, 0.6], "usage_share": 1.0})
    >>> links = project_links(incidence, Settings())
    >>> links[["account_a", "account_b", "strength", "groups", "payment_shared", "ip_shared"]]
      account_a account_b  strength  groups  payment_shared  ip_shared
    0         a         b      0.96       2               1          1
    1         a         c      0.90       1               1          0
    2         b         c      0.90       1               1          0
    """
    if accounts is None:
        accounts = all_accounts(incidence)
    plan = attribute_plan(incidence, accounts, settings)
    others = [ip_pool_pairs(incidence, accounts, settings), *(extra or [])]
    per_account = plan.per_account(len(accounts))
    for evidence in others:
        per_account = per_account + np.bincount(evidence.a, minlength=len(accounts))
    # pairs are made and combined one range of accounts at a time (each pair whole in one
    # range, its rows in the same order as all at once: the same sums), so memory is bound
    # by EVIDENCE_ROWS_PER_RANGE, not by the pair count
    k, n = settings.link.max_links_per_account, len(accounts)
    made: list[dict[str, np.ndarray]] = []
    combined = 0
    for low, high in itertools.pairwise(chunk_bounds(per_account, EVIDENCE_ROWS_PER_RANGE)):
        part = _combined_columns(
            [plan.pairs(low, high), *(e.lower_in(low, high) for e in others)], n, settings
        )
        if part is not None:
            combined += len(part["pair"])
            made.append(_strongest_per_account(part, n, k))
        if sum(len(kept["pair"]) for kept in made) > EVIDENCE_ROWS_PER_RANGE:
            # the kept links so far, cut again: an account keeps k of them, not k per range
            made = [_strongest_per_account(_joined(made), n, k)]
    if not made:
        return _links_table(None, accounts)
    whole = _strongest_per_account(_joined(made), n, k)
    LOG.info(
        "link: %d of %d links kept (%d strongest per account)", len(whole["pair"]), combined, k
    )
    return _links_table(whole, accounts)


def _joined(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The parts' columns joined, one column at a time and each part's copy dropped once
    joined: memory for the parts and one column, not twice the links."""
    return {name: np.concatenate([part.pop(name) for part in parts]) for name in list(parts[0])}


def _strongest_per_account(columns: dict[str, np.ndarray], n: int, k: int) -> dict[str, np.ndarray]:
    """The combined columns cut to :func:`strongest_per_account`'s links."""
    pair = columns["pair"]
    keep = strongest_per_account(pair // n, pair % n, columns["strength"], k)
    if keep.all():
        return columns
    # column by column, each dropped once cut (the caller hands its columns over)
    return {name: columns.pop(name)[keep] for name in list(columns)}


def all_accounts(incidence: pd.DataFrame, *more: pd.Series) -> pd.Index:
    """The sorted accounts pair codes refer to."""
    values = [incidence["account_id"], *more]
    return pd.Index(np.sort(pd.unique(pd.concat(values, ignore_index=True).astype("str"))))


def link(
    data: NormalisedInput,
    settings: Settings,
    requested: tuple[list[pd.DataFrame], pd.Series],
    families: pd.DataFrame | None = None,
    extra: list[PairEvidence] | None = None,
    accounts: pd.Index | None = None,
) -> LinkResult:
    """Run the linking stage: incidence with base-rate weights, then the projection.

    ``requested`` is the request half of the incidence and each account's request count,
    from the engine that holds the requests (:func:`linkage.detect.requests.request_incidence`).
    """
    incidence = account_attributes(data, settings, requested, families)
    if accounts is None:
        accounts = all_accounts(incidence, data.accounts["account_id"])
    links = project_links(incidence, settings, extra, accounts)
    return LinkResult(account_attributes=incidence, links=links)
