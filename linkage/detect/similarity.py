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
  suspicious neighbours (scikit-learn's exact nearest neighbours on the
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
  a pair must meet in at least ``min_co_use_windows`` windows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.neighbors import NearestNeighbors

from linkage.detect.link import PairEvidence
from linkage.detect.profile import FEATURE_SCALES, feature_columns
from linkage.settings import Settings

_SHARED_BY_DESIGN = ("mobile", "vpn")


def suspicious_accounts(profiles: pd.DataFrame, settings: Settings) -> pd.Index:
    """Accounts whose own traffic is suspicious enough to be compared."""
    chosen = profiles["suspicion"] >= settings.behaviour.min_suspicion
    return pd.Index(profiles.loc[chosen, "account_id"].astype("str"))


def behaviour_pairs(profiles: pd.DataFrame, accounts: pd.Index, settings: Settings) -> PairEvidence:
    """Links between suspicious accounts that behave alike (nearest neighbours).

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
    chosen = profiles[profiles["suspicion"] >= config.min_suspicion]
    empty = PairEvidence(
        np.empty(0, np.int64),
        np.empty(0, np.int64),
        "behaviour",
        np.empty(0),
        np.empty(0, np.int64),
    )
    if len(chosen) < 2:
        return empty
    columns = feature_columns(chosen)
    scales = np.array([FEATURE_SCALES.get(c, FEATURE_SCALES["model_share"]) for c in columns])
    features = chosen[columns].to_numpy(dtype=float) / scales
    neighbours = min(config.neighbours + 1, len(chosen))
    model = NearestNeighbors(n_neighbors=neighbours, algorithm="auto").fit(features)
    distance, index = model.kneighbors(features)
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


def co_use_pairs(
    requests: pd.DataFrame, suspicious: pd.Index, accounts: pd.Index, settings: Settings
) -> PairEvidence:
    """Links between suspicious accounts that used one IP within the same time window."""
    empty = PairEvidence(
        np.empty(0, np.int64),
        np.empty(0, np.int64),
        "ip_co_use",
        np.empty(0),
        np.empty(0, np.int64),
    )
    if len(suspicious) < 2 or requests.empty:
        return empty
    window = pd.Timedelta(minutes=settings.behaviour.co_use_window_minutes)
    usable = ~requests["ip_kind"].isin(_SHARED_BY_DESIGN)
    used = requests.loc[usable, ["account_id", "ip", "ts"]]
    used = used.assign(window=(used["ts"] - used["ts"].min()) // window)
    per_ip = used.groupby(["account_id", "ip"], sort=False)["ts"].transform("size")
    per_account = requests.groupby("account_id")["ts"].size()
    share = per_ip / used["account_id"].map(per_account)
    used = used.assign(transient=share <= settings.behaviour.co_use_max_share)
    slots = used.drop_duplicates(["account_id", "ip", "window"])
    everyone = slots.groupby(["ip", "window"], sort=False)["account_id"].transform("size")
    slots = slots.assign(holders=everyone)
    slots = slots[
        slots["account_id"].isin(suspicious) & (slots["holders"] >= 2) & slots["transient"]
    ]
    if slots.empty:
        return empty
    slot_key = slots.groupby(["ip", "window"], sort=False).ngroup().to_numpy()
    codes = accounts.get_indexer(slots["account_id"])
    frame = pd.DataFrame({"slot": slot_key, "code": codes, "holders": slots["holders"].to_numpy()})
    pairs = frame.merge(frame, on=["slot", "holders"], suffixes=("_a", "_b"))
    pairs = pairs[pairs["code_a"] < pairs["code_b"]]
    if pairs.empty:
        return empty
    base_rate = np.minimum(1.0, settings.link.hub_allowance / (pairs["holders"] - 1))
    weight = settings.link.attribute_weights["ip_co_use"]
    log_keep = np.log1p(-np.minimum(weight * base_rate, 0.999999))
    combined = (
        pd.DataFrame({"a": pairs["code_a"], "b": pairs["code_b"], "log_keep": log_keep})
        .groupby(["a", "b"], sort=True)
        .agg(log_keep=("log_keep", "sum"), shared=("log_keep", "size"))
        .reset_index()
    )
    # one meeting on a busy exit happens by chance; a shared pool meets again and again
    combined = combined[combined["shared"] >= settings.behaviour.min_co_use_windows]
    return PairEvidence(
        a=combined["a"].to_numpy(np.int64),
        b=combined["b"].to_numpy(np.int64),
        kind="ip_co_use",
        contribution=1.0 - np.exp(combined["log_keep"].to_numpy()),
        shared=combined["shared"].to_numpy(np.int64),
    )
