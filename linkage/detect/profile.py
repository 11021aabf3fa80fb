"""Profile stage: a behavioural fingerprint of every account, from its requests.

Shared infrastructure is what a careful campaign removes first (fresh cards,
residential proxies, common client strings). What it cannot remove without
giving up the harvest is how its accounts *behave*: how much they send, what
they ask for (the content classifier's intent mix), how long and how regular
their prompts are, which models they call, how fast their IPs churn, how soon
after sign-up they start. This stage turns requests into one row per account
of such features, all by group-bys (no per-request Python):

* volume: requests, active days, requests per active day;
* rhythm: hour-of-day entropy (flat = around the clock), weekend share,
  median gap between requests, burstiness (share of gaps under 10 s),
  sessions per active day (a gap of 30 min starts a session), periodicity
  (share of gaps within 1 % of the account's usual gap: a scheduler's clock);
* content: mean probability of each distillation intent, share of requests
  with a prompt, median prompt length, median input and output tokens;
* models: share of each of the data's most used models;
* network: distinct IPs and networks per request, distinct IPs;
* account: hours from sign-up to first request.

It also gives each account a *suspicion prior* in 0..1: how far its own
traffic looks like extraction (distillation intent share, or volume far above
the population's). Behavioural links are only drawn between suspicious
accounts: ordinary users resembling each other is cheap evidence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from linkage.kinds import INTENT_COLUMNS
from linkage.settings import Settings

PROFILE_COLUMNS = [
    "account_id",
    "requests",
    "active_days",
    "log_rate",
    "hour_entropy",
    "weekend_share",
    "log_median_gap",
    "burst_share",
    "periodicity",
    "sessions_per_day",
    "prompt_share",
    *INTENT_COLUMNS,
    "prompts",
    "distilled_prompts",
    "distillation_share",
    "unreadable_share",
    "obfuscated_prompts",
    "novelty",
    "log_prompt_chars",
    "log_input_tokens",
    "log_output_tokens",
    "ip_churn",
    "subnet_churn",
    "log_distinct_ips",
    "first_request",
    "last_request",
    "log_hours_to_first_request",
    "suspicion",
]
"""The profile's columns (plus ``model_share_<i>`` when the data names models)."""

SESSION_GAP_SECONDS = 30 * 60
BURST_GAP_SECONDS = 10
PERIODIC_TOLERANCE = 0.01
PERIODIC_MIN_REQUESTS = 20
MAX_MODELS = 6
"""The data's most used models each get a share column; the rest count as one."""


def account_profiles(
    requests: pd.DataFrame, accounts: pd.DataFrame, settings: Settings
) -> pd.DataFrame:
    """One row per account with requests: behavioural features and the suspicion prior.

    ``requests`` needs ``account_id``, ``ts``, ``ip``, ``subnet``, ``has_prompt``,
    ``prompt_chars``, the ``intent_*`` columns and, when present, ``model``,
    ``input_tokens``, ``output_tokens``; it must be sorted by ``ts``.

    Examples
    --------
    >>> ts = pd.date_range("2026-10-01", periods=6, freq="7min", tz="UTC")
    >>> requests = pd.DataFrame({"account_id": ["a", "b"] * 3, "ts": ts,
    ...     "ip": ["1.1.1.1", "2.2.2.2"] * 3, "subnet": ["1.1.1.0/24", "2.2.2.0/24"] * 3,
    ...     "has_prompt": True, "prompt_chars": 100, "model": "m", "distilled": [True, False] * 3,
    ...     **{c: [0.9, 0.0] * 3 for c in INTENT_COLUMNS}})
    >>> accounts = pd.DataFrame({"account_id": ["a", "b"],
    ...     "created_at": pd.Timestamp("2026-09-30", tz="UTC")})
    >>> profiles = account_profiles(requests, accounts, Settings())
    >>> profiles["requests"].tolist(), profiles["distillation_share"].round(2).tolist()
    ([3, 3], [1.0, 0.0])
    """
    if requests.empty:
        return pd.DataFrame(columns=PROFILE_COLUMNS)
    features = account_features(requests, accounts, model_categories(requests))
    return finish_profiles(features, settings)


def account_features(
    requests: pd.DataFrame, accounts: pd.DataFrame, models: list[str] | None
) -> pd.DataFrame:
    """Every feature but the suspicion prior, one row per account (indexed by account_id).

    Each account's row depends on its own requests only, so the requests may come in
    groups of whole accounts (:mod:`linkage.detect.requests`); ``models`` are the share
    columns, from the whole data (:func:`model_categories`).
    """
    # grouped by integer codes (in the order of the sorted ids): the dozen groupings below
    # each factorised the id strings again, about a second per million requests in all
    code, names = pd.factorize(requests["account_id"], sort=True)
    requests = requests.assign(account_id=code)
    by_account = requests.groupby("account_id", sort=True)
    profile = pd.DataFrame(index=by_account.size().index)
    profile["requests"] = by_account.size()
    _volume(profile, requests)
    _rhythm(profile, requests)
    _content(profile, requests, by_account)
    _models(profile, requests, models)
    _network(profile, by_account)
    profile["first_request"] = by_account["ts"].min()
    profile["last_request"] = by_account["ts"].max()
    profile.index = pd.Index(names.take(profile.index.to_numpy()), name=profile.index.name)
    first = profile["first_request"]
    created = accounts.set_index("account_id")["created_at"].reindex(profile.index)
    age_hours = (first - created).dt.total_seconds() / 3600.0
    profile["log_hours_to_first_request"] = np.log1p(age_hours.clip(lower=0).fillna(0))
    return profile


def finish_profiles(features: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """The profiles table from every account's features: the suspicion prior added (it
    compares an account with the whole population)."""
    if features.empty:
        return pd.DataFrame(columns=PROFILE_COLUMNS)
    profile = features.copy()
    profile["suspicion"] = suspicion(profile, settings)
    return profile.reset_index().rename(columns={"index": "account_id"})


def model_categories(requests: pd.DataFrame) -> list[str] | None:
    """The model share columns: the data's ``MAX_MODELS`` most used models (``(none)`` for
    requests that name none) and ``(other)`` for the rest; None when no request names one."""
    if "model" not in requests.columns or requests["model"].isna().all():
        return None
    model = requests["model"].fillna("(none)").astype("str")
    ranked = model.value_counts().index
    top = list(ranked[:MAX_MODELS])
    return sorted(top + (["(other)"] if len(ranked) > MAX_MODELS else []))


def _volume(profile: pd.DataFrame, requests: pd.DataFrame) -> None:
    days = requests["ts"].dt.floor("D")
    active_days = days.groupby(requests["account_id"]).nunique()
    profile["active_days"] = active_days.reindex(profile.index)
    profile["log_rate"] = np.log1p(profile["requests"] / profile["active_days"].clip(lower=1))


def _rhythm(profile: pd.DataFrame, requests: pd.DataFrame) -> None:
    account = requests["account_id"]
    # integer codes: sorting and counting by code is many times faster than by string
    code, names = pd.factorize(account)
    hour = requests["ts"].dt.hour.to_numpy(dtype=np.int64)
    per_hour = pd.DataFrame(
        np.bincount(code * 24 + hour, minlength=len(names) * 24).reshape(len(names), 24),
        index=names,
    ).reindex(profile.index, fill_value=0)
    shares = per_hour.div(per_hour.sum(axis=1).clip(lower=1), axis=0).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.nansum(np.where(shares > 0, shares * np.log(shares), 0.0), axis=1)
    profile["hour_entropy"] = entropy / np.log(24)
    weekend = requests["ts"].dt.day_of_week >= 5
    profile["weekend_share"] = weekend.groupby(account).mean().reindex(profile.index)

    seconds = requests["ts"].dt.as_unit("s").astype("int64")
    order = np.lexsort((seconds.to_numpy(), code))
    sorted_code = code[order]
    sorted_seconds = seconds.to_numpy()[order]
    same = np.r_[False, sorted_code[1:] == sorted_code[:-1]]
    gaps = pd.Series(np.diff(sorted_seconds, prepend=0)[same], dtype=float)
    gap_code = sorted_code[same]  # grouping by code, not by name: many times faster
    account_names = np.asarray(names, dtype=object)

    def per_account(by_code: pd.Series) -> pd.Series:
        """Figures by account code as a column of ``profile`` (0 for accounts without gaps)."""
        named = by_code.set_axis(account_names[by_code.index.to_numpy()])
        return named.reindex(profile.index).fillna(0)

    grouped = gaps.groupby(gap_code)
    profile["log_median_gap"] = per_account(np.log1p(grouped.median()))
    profile["burst_share"] = per_account((gaps < BURST_GAP_SECONDS).groupby(gap_code).mean())
    # a scheduler fires on the clock: most gaps within 1 % of the account's usual gap
    usual = grouped.transform("median")
    on_clock = ((gaps - usual).abs() <= PERIODIC_TOLERANCE * usual) & (usual > 0)
    periodic = per_account(on_clock.groupby(gap_code).mean())
    enough = profile["requests"] >= PERIODIC_MIN_REQUESTS
    profile["periodicity"] = periodic.where(enough, 0.0)
    sessions = per_account((gaps >= SESSION_GAP_SECONDS).groupby(gap_code).sum()) + 1
    profile["sessions_per_day"] = sessions / profile["active_days"].clip(lower=1)


def _content(
    profile: pd.DataFrame,
    requests: pd.DataFrame,
    by_account: pd.core.groupby.DataFrameGroupBy,
) -> None:
    """What the account asks for, from the prompts the intent model can read.

    Distillation is counted softly: a prompt adds its probability of a distillation intent
    (the calibrated classifier's), not a yes or no, so ten prompts at 0.5 weigh five.
    Prompts the model cannot read (unknown script or language) are left out of the content
    figures, as requests without a prompt are: their content is unknown, not innocent.
    """
    has_prompt = requests["has_prompt"].astype(bool)
    readable = has_prompt & _flag(requests, "readable", True)
    with_prompt = requests[has_prompt]
    read = requests[readable]
    prompted = read.groupby("account_id")
    profile["prompt_share"] = by_account["has_prompt"].mean()
    for column in INTENT_COLUMNS:
        profile[column] = prompted[column].mean().reindex(profile.index).fillna(0.0)
    soft = read[INTENT_COLUMNS].sum(axis=1).clip(0.0, 1.0)
    distilled = soft.groupby(read["account_id"]).sum().reindex(profile.index).fillna(0.0)
    profile["prompts"] = prompted.size().reindex(profile.index).fillna(0).astype(np.int64)
    profile["distilled_prompts"] = distilled.round(3)
    profile["distillation_share"] = distilled / profile["prompts"].clip(lower=1)
    sent = with_prompt.groupby("account_id").size().reindex(profile.index).fillna(0)
    unreadable = (~readable[has_prompt]).groupby(with_prompt["account_id"]).sum()
    profile["unreadable_share"] = unreadable.reindex(profile.index).fillna(0) / sent.clip(lower=1)
    hidden = _flag(with_prompt, "obfuscated", False).groupby(with_prompt["account_id"]).sum()
    profile["obfuscated_prompts"] = hidden.reindex(profile.index).fillna(0).astype(np.int64)
    if "prompt_hash" in with_prompt.columns:
        distinct = with_prompt.groupby("account_id")["prompt_hash"].nunique()
    else:
        distinct = sent
    profile["novelty"] = (distinct.reindex(profile.index).fillna(0) / sent.clip(lower=1)).clip(
        0.0, 1.0
    )
    lengths = np.log1p(with_prompt["prompt_chars"].astype(float))
    profile["log_prompt_chars"] = (
        lengths.groupby(with_prompt["account_id"]).median().reindex(profile.index).fillna(0.0)
    )
    for column in ("input_tokens", "output_tokens"):
        if column in requests.columns:
            tokens = np.log1p(pd.to_numeric(requests[column], errors="coerce").astype(float))
            median = tokens.groupby(requests["account_id"]).median()
            profile[f"log_{column}"] = median.reindex(profile.index).fillna(0.0)
        else:
            profile[f"log_{column}"] = 0.0


def _flag(requests: pd.DataFrame, column: str, default: bool) -> pd.Series:
    """A boolean column of the requests, ``default`` where it is absent or null."""
    if column not in requests.columns:
        return pd.Series(default, index=requests.index)
    return requests[column].astype("boolean").fillna(default).astype(bool)


def _models(profile: pd.DataFrame, requests: pd.DataFrame, models: list[str] | None) -> None:
    if not models:
        return
    model = requests["model"].fillna("(none)").astype("str")
    # counted on integer codes: a crosstab of two string columns cost seconds per million
    column = pd.Categorical(model, categories=models).codes.astype(np.int64)
    if "(other)" in models:
        column[column < 0] = models.index("(other)")
    row = profile.index.get_indexer(requests["account_id"])
    kept = (column >= 0) & (row >= 0)
    counts = np.bincount(
        row[kept] * len(models) + column[kept], minlength=len(profile) * len(models)
    ).reshape(len(profile), len(models))
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    for position in range(len(models)):
        profile[f"model_share_{position}"] = shares[:, position]


def _network(profile: pd.DataFrame, by_account: pd.core.groupby.DataFrameGroupBy) -> None:
    ips = by_account["ip"].nunique()
    profile["ip_churn"] = ips / profile["requests"]
    profile["subnet_churn"] = by_account["subnet"].nunique() / profile["requests"]
    profile["log_distinct_ips"] = np.log1p(ips)


def suspicion(profile: pd.DataFrame, settings: Settings) -> pd.Series:
    """How far an account's own traffic looks like extraction, 0..1.

    The largest of three pieces of evidence: distillation (enough prompts with a
    distillation intent, counted softly, and a large enough share of the prompts the model
    can read), hidden letters (enough prompts written to slip past a text filter, on the
    same count and share scales: nobody types a zero-width space after every letter), and
    volume (requests per active day far above the population's typical account).
    """
    behaviour = settings.behaviour
    needed = behaviour.suspicious_distilled_prompts
    count = (profile["distilled_prompts"] / needed).clip(upper=1)
    share = (profile["distillation_share"] / behaviour.suspicious_distillation_share).clip(upper=1)
    content = count * share
    hidden = profile.get("obfuscated_prompts", pd.Series(0, index=profile.index))
    sent = (profile["requests"] * profile["prompt_share"]).clip(lower=1)
    obfuscation = (hidden / needed).clip(upper=1) * (
        hidden / sent / behaviour.suspicious_distillation_share
    ).clip(upper=1)
    typical_rate = float(np.median(profile["log_rate"])) if len(profile) else 0.0
    excess = profile["log_rate"] - typical_rate - np.log(behaviour.volume_excess_factor)
    volume = (excess / np.log(behaviour.volume_excess_factor)).clip(0.0, 1.0)
    volume = volume * (profile["requests"] >= needed)
    return np.maximum(np.maximum(content, volume), obfuscation).round(4)


FEATURE_COLUMNS_BASE = [
    "log_rate",
    "hour_entropy",
    "weekend_share",
    "log_median_gap",
    "burst_share",
    "sessions_per_day",
    "prompt_share",
    *INTENT_COLUMNS,
    "log_prompt_chars",
    "log_input_tokens",
    "log_output_tokens",
    "ip_churn",
    "subnet_churn",
    "log_hours_to_first_request",
]
"""The features behavioural similarity compares (plus the model shares present)."""


FEATURE_SCALES: dict[str, float] = {
    "log_rate": 1.0,
    "hour_entropy": 0.15,
    "weekend_share": 0.15,
    "log_median_gap": 1.0,
    "burst_share": 0.2,
    "sessions_per_day": 2.0,
    "prompt_share": 0.2,
    **dict.fromkeys(INTENT_COLUMNS, 0.2),
    "log_prompt_chars": 0.5,
    "log_input_tokens": 0.5,
    "log_output_tokens": 0.5,
    "ip_churn": 0.2,
    "subnet_churn": 0.2,
    "log_hours_to_first_request": 1.5,
    "model_share": 0.3,
}
"""How far apart two accounts must be on a feature to count as one unit of difference:
fixed, interpretable scales rather than the population's spread, which for shares that
are zero for most accounts is no scale at all."""


def feature_columns(profiles: pd.DataFrame) -> list[str]:
    models = sorted(c for c in profiles.columns if c.startswith("model_share_"))
    return [c for c in FEATURE_COLUMNS_BASE if c in profiles.columns] + models
