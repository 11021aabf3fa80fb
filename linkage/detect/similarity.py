"""Similarity stage: evidence between *suspicious* accounts that shared values do not give.

A campaign that pays with fresh cards, exits through residential proxies and
paraphrases its prompts still has accounts that behave alike (the same intent
mix, volume, prompt lengths, models, IP churn) and that pass through the same
proxy exits within minutes of each other. Both are common among ordinary
users too (families share a router, many people write short prompts at
night), so this evidence is only drawn between accounts whose own traffic is
suspicious (:func:`linkage.detect.profile.suspicion`): an ordinary user is
never linked by it, and so can never be the bridge that merges a campaign
with its neighbourhood.

* **Behaviour**: each suspicious account is compared with its nearest
  suspicious neighbours (SciPy's k-d tree: exact nearest neighbours on the
  scaled features; the set is small, so this stays far from quadratic in the
  accounts). Contribution ``weight x max(0, 1 - distance / radius)``, where the
  distance is the root-mean-square difference in feature scale units.
* **IP co-use**: two suspicious accounts sending from one IP in the same
  ``co_use_window_minutes`` window, where the IP carries only a small share of
  each one's traffic (``co_use_max_share``): two transient users of one exit are
  a proxy pool; a household's own router is not (that is ordinary IP sharing,
  weighed in the linking stage), and neither is a rotating account passing
  through somebody's home. Each such (IP, window) is discounted by how many
  accounts used it then (base rate), and a pair's windows combine as a noisy-OR;
  the two must ask for the same mix of intents (cosine at least
  ``co_use_min_intent_similarity``): two labs renting one proxy provider meet on its
  exits too;
  a pair must meet in at least ``min_co_use_windows`` windows.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from linkage.detect.arrays import chunk_bounds
from linkage.detect.pair_evidence import PairEvidence
from linkage.detect.profile import FEATURE_SCALES, feature_columns
from linkage.kinds import INTENT_COLUMNS
from linkage.settings import Settings

LOG = logging.getLogger(__name__)
SHARED_BY_DESIGN = ("mobile", "vpn")
"""IP kinds whose exits are shared by design: no co-use evidence on them."""


MAX_SLOT_HOLDERS = 400
"""At most this many suspicious accounts of one (IP, window) slot are paired (a
deterministic sample of them beyond): one slot never makes more than 79,800 pairs."""


def _cap_slot_holders(frame: pd.DataFrame) -> pd.DataFrame:
    """Cut slots with more than ``MAX_SLOT_HOLDERS`` suspicious accounts to a deterministic
    sample of them (by a hash of slot and account), and log the pairs the merge will make."""
    sizes = frame.groupby("slot")["code"].transform("size").to_numpy()
    big = sizes > MAX_SLOT_HOLDERS
    if big.any():
        mixed = pd.util.hash_array(frame["slot"].to_numpy() * 1_000_003 + frame["code"].to_numpy())
        rank = pd.Series(mixed).groupby(frame["slot"].to_numpy()).rank(method="first")
        cut = len(np.unique(frame["slot"].to_numpy()[big]))
        frame = frame[~big | (rank.to_numpy() <= MAX_SLOT_HOLDERS)]
        LOG.warning("ip co-use: %d slot(s) cut to %d sampled holders", cut, MAX_SLOT_HOLDERS)
    counts = frame.groupby("slot").size().to_numpy(dtype=np.int64)
    LOG.info(
        "ip co-use: %d pairs to enumerate from %d slots (largest %d holders)",
        int((counts * (counts - 1) // 2).sum()),
        len(counts),
        int(counts.max()) if len(counts) else 0,
    )
    return frame


MEETINGS_PER_RANGE = 8_000_000
"""Meetings (pair, slot) made at once: pairs are made for one range of accounts at a time."""


def _meetings(frame: pd.DataFrame, per_chunk: int) -> Iterator[tuple[np.ndarray, ...]]:
    """Every (a, b, holders) meeting of two accounts in one slot, a < b, in chunks of ranges
    of ``a`` (so each pair is whole in one chunk), each chunk in the order a self-merge of
    ``frame`` on the slot would give (by the row of ``a``), so sums come out the same."""
    n = len(frame)
    position = np.arange(n)
    code = frame["code"].to_numpy(dtype=np.int64)
    order = np.lexsort((code, frame["slot"].to_numpy()))
    slot, code, position = frame["slot"].to_numpy()[order], code[order], position[order]
    holders = frame["holders"].to_numpy()[order]
    start = np.flatnonzero(np.r_[True, slot[1:] != slot[:-1]]) if n else np.empty(0, np.int64)
    size = np.diff(np.r_[start, n])
    local = np.arange(n) - np.repeat(start, size)
    partners = np.repeat(size, size) - 1 - local  # members after this one (higher codes)
    per_code = np.bincount(code, weights=partners) if n else np.empty(0)
    bounds = chunk_bounds(per_code, per_chunk)
    for low, high in itertools.pairwise(bounds):
        left = np.flatnonzero((code >= low) & (code < high) & (partners > 0))
        count = partners[left]
        first = np.repeat(left, count)
        offset = np.arange(len(first)) - np.repeat(np.cumsum(count) - count, count)
        second = first + 1 + offset
        by_row = np.argsort(position[first], kind="stable")
        first, second = first[by_row], second[by_row]
        yield code[first], code[second], holders[first]


def _combine_meetings(
    meetings: tuple[np.ndarray, ...],
    profiles: pd.DataFrame | None,
    accounts: pd.Index,
    settings: Settings,
) -> tuple[np.ndarray, ...]:
    """Per pair of one chunk: (a, b, log_keep, shared), its meetings' evidence combined
    (noisy-OR as log sums, added in meeting order), pairs in (a, b) order.

    Pairs that meet too rarely or ask for different things are dropped first, by integer
    counts and once per pair (the sums of the others do not change)."""
    code_a, code_b, holders = meetings
    n = len(accounts)
    unique, inverse, met = np.unique(code_a * n + code_b, return_inverse=True, return_counts=True)
    wanted = met >= settings.behaviour.min_co_use_windows
    if profiles is not None and wanted.any():
        candidates = pd.DataFrame({"code_a": unique[wanted] // n, "code_b": unique[wanted] % n})
        wanted[np.flatnonzero(wanted)] = _same_task_mix(candidates, profiles, accounts, settings)
    rows = wanted[inverse]
    base_rate = np.minimum(1.0, settings.link.hub_allowance / (holders[rows] - 1))
    weight = settings.link.attribute_weights["ip_co_use"]
    log_keep = np.log1p(-np.minimum(weight * base_rate, 0.999999))
    sums = np.bincount(inverse[rows], weights=log_keep, minlength=len(unique))
    return unique[wanted] // n, unique[wanted] % n, sums[wanted], met[wanted]


def suspicious_accounts(profiles: pd.DataFrame, settings: Settings) -> pd.Index:
    """Accounts whose own traffic is suspicious enough to be compared."""
    chosen = profiles["suspicion"] >= settings.behaviour.min_suspicion
    return pd.Index(profiles.loc[chosen, "account_id"].astype("str"))


def leaning_accounts(profiles: pd.DataFrame, settings: Settings) -> pd.Index:
    """Accounts whose prompts lean to distillation (at least ``suspicious_distillation_share``
    of ``min_prompts_to_lean`` or more), however few: heads too small to be suspicious."""
    behaviour = settings.behaviour
    chosen = (profiles["distillation_share"] >= behaviour.suspicious_distillation_share) & (
        profiles["prompts"] >= behaviour.min_prompts_to_lean
    )
    return pd.Index(profiles.loc[chosen, "account_id"].astype("str"))


def behaviour_pairs(
    profiles: pd.DataFrame,
    accounts: pd.Index,
    settings: Settings,
    compared: pd.Index | None = None,
) -> PairEvidence:
    """Links between the ``compared`` accounts (by default the suspicious ones) that behave
    alike (nearest neighbours).

    Examples
    --------
    >>> from linkage.detect.profile import FEATURE_COLUMNS_BASE
    >>> profiles = pd.DataFrame({c: [0.0, 0.01, 3.0] for c in FEATURE_COLUMNS_BASE})
    >>> profiles["account_id"] = ["a", "b", "c"]
    >>> profiles["suspicion"] = 1.0
    >>> pairs = behaviour_pairs(profiles, pd.Index(["a", "b", "c"]), Settings())
    >>> [(int(a), int(b)) for a, b in zip(pairs.a, pairs.b)]  # c behaves like nobody
    [(0, 1)]
    """
    config = settings.behaviour
    if compared is None:
        chosen = profiles[profiles["suspicion"] >= config.min_suspicion]
    else:
        chosen = profiles[profiles["account_id"].astype("str").isin(compared)]
    empty = PairEvidence.empty("behaviour")
    if len(chosen) < 2:
        return empty
    columns = feature_columns(chosen)
    scales = np.array([FEATURE_SCALES.get(c, FEATURE_SCALES["model_share"]) for c in columns])
    features = chosen[columns].to_numpy(dtype=float) / scales
    neighbours = min(config.neighbours + 1, len(chosen))
    # scikit-learn's NearestNeighbors gave the same; importing it cost every run 1.5 s
    distance, index = cKDTree(features).query(features, k=neighbours)
    rms = distance / np.sqrt(len(columns))
    source = np.repeat(np.arange(len(chosen)), neighbours)
    target = index.ravel()
    closeness = np.clip(1.0 - rms.ravel() / config.similarity_radius, 0.0, 1.0)
    keep = (source != target) & (closeness > 0)
    codes = accounts.get_indexer(chosen["account_id"].astype("str"))
    a = codes[source[keep]]
    b = codes[target[keep]]
    low, high = np.minimum(a, b), np.maximum(a, b)
    pairs = pd.DataFrame({"a": low, "b": high, "c": closeness[keep]})
    pairs = pairs.groupby(["a", "b"], sort=True)["c"].max().reset_index()
    weight = settings.link.attribute_weights["behaviour"]
    return PairEvidence(
        a=pairs["a"].to_numpy(np.int64),
        b=pairs["b"].to_numpy(np.int64),
        kind="behaviour",
        contribution=weight * pairs["c"].to_numpy(),
        shared=np.ones(len(pairs), dtype=np.int64),
    )


def signup_pairs(
    accounts_table: pd.DataFrame, suspicious: pd.Index, accounts: pd.Index, settings: Settings
) -> PairEvidence:
    """Links between suspicious accounts opened within ``signup_window_hours`` of each other.

    A hydra's heads are opened in batches. Each pair is discounted by how many accounts
    (of anyone) were opened around then: a busy sign-up day says less.
    """
    empty = PairEvidence.empty("signup")
    created = accounts_table[["account_id", "created_at"]].dropna()
    if len(suspicious) < 2 or created.empty:
        return empty
    window = pd.Timedelta(hours=settings.behaviour.signup_window_hours)
    everyone = np.sort(created["created_at"].to_numpy())
    chosen = created[created["account_id"].isin(suspicious)].sort_values(
        ["created_at", "account_id"]
    )
    times = chosen["created_at"].to_numpy()
    around = np.searchsorted(everyone, times + window, "right") - np.searchsorted(
        everyone, times - window, "left"
    )
    codes = accounts.get_indexer(chosen["account_id"].astype("str"))
    left, right = [], []
    for step in range(1, settings.behaviour.neighbours + 1):
        close = (times[step:] - times[:-step]) <= window
        left.append(np.flatnonzero(close))
        right.append(np.flatnonzero(close) + step)
    a_pos, b_pos = np.concatenate(left), np.concatenate(right)
    if not len(a_pos):
        return empty
    busiest = np.maximum(around[a_pos], around[b_pos])
    base_rate = np.minimum(1.0, settings.link.hub_allowance / np.maximum(busiest - 1, 1))
    a, b = codes[a_pos], codes[b_pos]
    return PairEvidence(
        a=np.minimum(a, b).astype(np.int64),
        b=np.maximum(a, b).astype(np.int64),
        kind="signup",
        contribution=settings.link.attribute_weights["signup"] * base_rate,
        shared=np.ones(len(a_pos), dtype=np.int64),
    )


def task_similarity(a: np.ndarray, b: np.ndarray, profiles: pd.DataFrame) -> np.ndarray:
    """Cosine similarity of two accounts' intent mixes, for account id arrays ``a`` and ``b``.

    >>> profiles = pd.DataFrame({"account_id": ["x", "y", "z"],
    ...     **{c: [1.0, 0.9, 0.0] for c in INTENT_COLUMNS[:1]},
    ...     **{c: [0.0, 0.1, 1.0] for c in INTENT_COLUMNS[1:2]},
    ...     **{c: 0.0 for c in INTENT_COLUMNS[2:]}})
    >>> task_similarity(np.array(["x", "x"]), np.array(["y", "z"]), profiles).round(2).tolist()
    [0.99, 0.0]
    """
    mix = profiles.set_index("account_id")[INTENT_COLUMNS]
    left = mix.reindex(a).fillna(0.0).to_numpy(dtype=float)
    right = mix.reindex(b).fillna(0.0).to_numpy(dtype=float)
    norms = np.linalg.norm(left, axis=1) * np.linalg.norm(right, axis=1)
    return np.asarray((left * right).sum(axis=1) / np.where(norms > 0, norms, 1.0))


def _same_task_mix(
    pairs: pd.DataFrame, profiles: pd.DataFrame, accounts: pd.Index, settings: Settings
) -> np.ndarray:
    """Whether the two accounts of each pair ask for the same mix of distillation intents.

    Campaigns of different labs may rent exits from one residential proxy provider;
    meeting on an exit says "same provider" unless the two also harvest the same thing.
    """
    ids = accounts.to_numpy()
    cosine = task_similarity(
        ids[pairs["code_a"].to_numpy()], ids[pairs["code_b"].to_numpy()], profiles
    )
    return np.asarray(cosine >= settings.behaviour.co_use_min_intent_similarity)


def co_use_pairs(
    slots: pd.DataFrame,
    suspicious: pd.Index,
    accounts: pd.Index,
    settings: Settings,
    profiles: pd.DataFrame | None = None,
) -> PairEvidence:
    """Links between suspicious accounts that used one IP within the same time window.

    ``slots`` are the suspicious accounts' (account_id, ip, window) slots with ``holders``
    (how many accounts used the IP in that window), already cut to IPs that carry at most
    ``co_use_max_share`` of the account's traffic and to slots held by two or more, in the
    order they were first met: :func:`linkage.detect.requests.co_use_slots` asks the
    engine for them (windows of ``co_use_window_minutes`` from the first request, IPs of
    kinds shared by design left out).
    """
    empty = PairEvidence.empty("ip_co_use")
    if len(suspicious) < 2 or slots.empty:
        return empty
    slot_key = slots.groupby(["ip", "window"], sort=False).ngroup().to_numpy()
    codes = accounts.get_indexer(slots["account_id"])
    frame = pd.DataFrame({"slot": slot_key, "code": codes, "holders": slots["holders"].to_numpy()})
    frame = _cap_slot_holders(frame)
    parts = [
        _combine_meetings(meetings, profiles, accounts, settings)
        for meetings in _meetings(frame, MEETINGS_PER_RANGE)
    ]
    if not parts:
        return empty
    # one meeting on a busy exit happens by chance; a shared pool meets again and again
    # (pairs met fewer times are dropped already)
    a, b, log_keep, shared = (np.concatenate(column) for column in zip(*parts, strict=True))
    return PairEvidence(
        a=a.astype(np.int64),
        b=b.astype(np.int64),
        kind="ip_co_use",
        contribution=1.0 - np.exp(log_keep),
        shared=shared.astype(np.int64),
    )
