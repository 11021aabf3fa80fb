"""Scoring stage: one hydra_score per cluster, the signals behind it, and each member's
confidence.

    hydra_score = concealment x weighted mean(link_strength, coordination, content,
                                              volume, suspicion, heads)

and a cluster is flagged when the score reaches ``flag_threshold`` *and* it carries
distillation evidence: at least ``min_distillation_content`` of its prompts with a
distillation intent, and heads that each look like extraction on their own (mean
member suspicion at least ``min_member_suspicion``). Shared infrastructure and timing
alone (a cron job, a product backend, a family) make a linked group, not a campaign;
and a course's students who each ask a dozen assignment questions the classifier reads
as reasoning elicitation are not a harvest either. Finally, the group must be one
operator, not merely alike: some of its links carry evidence of common control
(``control``: share of clustering links with payment, identity, credential, network or
sign-up evidence, at least ``min_control_share``), or its traffic is coordinated
(``min_coordination``), or it has so many heads (``min_heads_on_likeness``), each
harvesting heavily on its own (``min_member_suspicion_on_likeness``), that likeness alone
is beyond chance: the heavier users of a popular agent framework look alike too. Three
strangers who ask the same homework question are alike; a hydra is run.

* ``link_strength``: mean strength of the cluster's clustering links.
* ``concealment``: how hidden the group is. Members that declared an org are a known
  team to the degree the org is credible: fully when the provider verified it for some
  account (``org_verified``); ``corporate_org_credibility`` when it is a claim made by
  two or more members who mostly write from one company mail domain;
  ``unverified_org_credibility`` for a bare claim of two or more; not at all when a
  single head claims it;
  ``concealment = 1 - sum over orgs(share of members declaring it x credibility)``.
  A claimed org lowers the score but is no kill switch, and a random org per head
  changes nothing.
* ``coordination``: from the coordination stage (around-the-clock flat rate or
  minute-level synchrony).
* ``content``: share of the cluster's prompts whose likeliest intent (the content
  classifier) is a distillation intent (reasoning elicitation, rubric grading, sensitive
  rewrites, agentic, coding agent), discounted by ``automation``: the requests-weighted
  share of its members' gaps that fall on a scheduler's clock. A cron job sends one task
  shape per tick; whatever the classifier makes of that one template, it is one decision
  repeated, not a harvest of a model's breadth.
* ``suspicion``: mean of the members' own suspicion (:mod:`linkage.detect.profile`): a
  cluster whose every head looks like extraction on its own is more than its links.
* ``heads``: how many-headed the group is, ``log(accounts) / log(heads_for_full)``.
* ``volume``: mean of the cluster's total exchanges on a log scale (100 -> 0,
  10,000 -> 1) and its requests per account per active day (saturating at
  ``volume_saturation_per_account_day``).

Each member's confidence (``member_confidence``, 0..1) says how sure the engine is
that the account belongs to the campaign: ``1 - (1 - attachment) x (1 - suspicion/2)``
where attachment is its clustering links inside the cluster together (noisy-OR) and
suspicion its own traffic's look of extraction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from linkage.detect.cluster import attachment, clustering_links
from linkage.kinds import CONTENT_FAMILIES
from linkage.settings import Settings

# The parts of a cluster's score, in the order clusters.csv lists them.
SCORE_COMPONENTS = (
    "link_strength",
    "concealment",
    "coordination",
    "content",
    "volume",
    "suspicion",
    "heads",
    "automation",
    "control",
)

_VOLUME_FLOOR = 100.0
_VOLUME_CEILING = 10_000.0
INTENT_COLUMNS = [f"intent_{family}" for family in CONTENT_FAMILIES]
CONTROL_EVIDENCE = ("payment", "identity", "credential", "network", "signup")
"""Evidence groups that say the accounts are run by one operator, not merely alike."""


def score_clusters(
    membership: pd.DataFrame,
    accounts: pd.DataFrame,
    profiles: pd.DataFrame,
    internal: pd.DataFrame,
    coordination: pd.DataFrame,
    data_end: pd.Timestamp | None,
    settings: Settings,
    suspicious: pd.Index | None = None,
) -> pd.DataFrame:
    """One row per cluster: counts, activity window, component signals, score and flag."""
    keys = membership.groupby("cluster_key").size().rename("account_count").to_frame()
    strong = clustering_links(internal, settings, suspicious)
    keys["link_strength"] = strong.groupby("cluster_key")["strength"].mean().reindex(keys.index)
    keys["link_strength"] = keys["link_strength"].fillna(0.0)
    keys["control"] = _control_share(strong, keys.index, settings)
    keys["concealment"] = _concealment(membership, accounts, keys["account_count"], settings)

    members = membership[["account_id", "cluster_key"]].merge(profiles, on="account_id")
    grouped = members.groupby("cluster_key")
    keys["exchange_count"] = grouped["requests"].sum().reindex(keys.index).fillna(0)
    keys["exchange_count"] = keys["exchange_count"].astype(np.int64)
    keys["first_activity"] = grouped["first_request"].min().reindex(keys.index)
    keys["last_activity"] = grouped["last_request"].max().reindex(keys.index)
    prompts = grouped["prompts"].sum().reindex(keys.index).fillna(0).clip(lower=1)
    weighted = members[INTENT_COLUMNS].mul(members["prompts"], axis=0)
    weighted["distillation"] = members["distillation_share"] * members["prompts"]
    sums = weighted.groupby(members["cluster_key"]).sum().reindex(keys.index).fillna(0.0)
    for family, column in zip(CONTENT_FAMILIES, INTENT_COLUMNS, strict=True):
        keys[f"share_{family}"] = (sums[column] / prompts).round(4)
    keys["automation"] = _weighted(members, grouped, "periodicity", keys.index)
    raw_content = (sums["distillation"] / prompts).clip(0.0, 1.0)
    keys["content"] = raw_content * (1.0 - keys["automation"])
    exchanges = grouped["requests"].sum().reindex(keys.index).fillna(0).clip(lower=1)
    keys["prompt_coverage"] = (prompts / exchanges).clip(0.0, 1.0)
    keys["suspicion"] = grouped["suspicion"].mean().reindex(keys.index).fillna(0.0)
    heads = np.log(keys["account_count"].clip(lower=1)) / np.log(settings.score.heads_for_full)
    keys["heads"] = heads.clip(0.0, 1.0)
    _volume(keys, grouped["active_days"].sum().reindex(keys.index).fillna(0), settings)

    keys = keys.join(coordination.set_index("cluster_key"), how="left")
    keys["coordination"] = keys["coordination"].fillna(0.0)
    _score_and_flag(keys, settings)
    end = data_end if data_end is not None else keys["last_activity"].max()
    keys["still_active"] = keys["last_activity"] >= end - pd.Timedelta(
        hours=settings.score.still_active_hours
    )
    # coordination arrives rounded from its own stage
    for column in (*SCORE_COMPONENTS[:2], *SCORE_COMPONENTS[3:], "requests_per_account_day"):
        keys[column] = keys[column].round(4)
    return keys.reset_index()


def _score_and_flag(keys: pd.DataFrame, settings: Settings) -> None:
    """hydra_score and the flag, from the components (see the module docstring).

    Where the input carries no prompt text for most of a cluster's traffic
    (``prompt_coverage`` below ``min_prompt_coverage``), content cannot be read: the
    score leaves content and the members' (content) suspicion out, and the distillation
    evidence is extraction-scale volume instead, net of scheduler-regular automation.
    """
    config = settings.score
    weights = config.score_weights
    readable = keys["prompt_coverage"] >= config.min_prompt_coverage
    unread = {"content", "suspicion"}
    full = sum(weights[name] * keys[name] for name in weights) / (sum(weights.values()) or 1.0)
    blind_total = sum(w for name, w in weights.items() if name not in unread) or 1.0
    blind = sum(weights[name] * keys[name] for name in weights if name not in unread)
    behaviour = full.where(readable, blind / blind_total)
    keys["hydra_score"] = (keys["concealment"] * behaviour).clip(0.0, 1.0).round(4)
    on_likeness = (keys["account_count"] >= config.min_heads_on_likeness) & (
        keys["suspicion"] >= config.min_member_suspicion_on_likeness
    )
    one_operator = (
        (keys["control"] >= config.min_control_share)
        | (keys["coordination"] >= config.min_coordination)
        | on_likeness
    )
    read_evidence = (keys["content"] >= config.min_distillation_content) & (
        keys["suspicion"] >= config.min_member_suspicion
    )
    extraction = keys["volume"] * (1.0 - keys["automation"]) >= config.extraction_volume
    keys["distillation_evidence"] = read_evidence.where(readable, extraction) & one_operator
    keys["flagged"] = (keys["hydra_score"] >= config.flag_threshold) & keys["distillation_evidence"]


def _control_share(strong: pd.DataFrame, index: pd.Index, settings: Settings) -> pd.Series:
    """Per cluster, the share of its clustering links that carry evidence of common control
    (a shared card, mailbox, key, network, proxy exit met in time, or a sign-up burst)."""
    groups = [f"{g}_evidence" for g in CONTROL_EVIDENCE if f"{g}_evidence" in strong.columns]
    if not groups or strong.empty:
        return pd.Series(0.0, index=index)
    controlled = strong[groups].max(axis=1) >= settings.cluster.team_link_evidence
    return controlled.groupby(strong["cluster_key"]).mean().reindex(index).fillna(0.0)


def _weighted(
    members: pd.DataFrame, grouped: pd.core.groupby.DataFrameGroupBy, column: str, index: pd.Index
) -> pd.Series:
    """Requests-weighted mean of a member feature per cluster."""
    total = grouped["requests"].sum().reindex(index).fillna(0).clip(lower=1)
    weighted = (members[column] * members["requests"]).groupby(members["cluster_key"]).sum()
    return (weighted.reindex(index).fillna(0.0) / total).clip(0.0, 1.0)


def _concealment(
    membership: pd.DataFrame, accounts: pd.DataFrame, sizes: pd.Series, settings: Settings
) -> pd.Series:
    columns = ["account_id", "org_id", "org_verified", "email_domain"]
    declared = accounts.reindex(columns=columns)
    declared = declared[declared["org_id"].notna() & (declared["org_id"].astype("str") != "")]
    vouched = set(declared.loc[declared["org_verified"].fillna(False).astype(bool), "org_id"])
    in_clusters = membership[["account_id", "cluster_key"]].merge(declared, on="account_id")
    if in_clusters.empty:
        return pd.Series(1.0, index=sizes.index)
    freemail = set(settings.normalise.freemail_domains)
    own_domain = in_clusters["email_domain"].where(~in_clusters["email_domain"].isin(freemail))
    in_clusters = in_clusters.assign(own_domain=own_domain)
    per_org = (
        in_clusters.groupby(["cluster_key", "org_id"])
        .agg(n=("account_id", "size"), backed=("own_domain", _top_share))
        .reset_index()
    )
    config = settings.score
    # an org nobody verified is a claim, more credible when its claimers write from one
    # company's mail domain; a claim made by a single head is no team at all
    claimed = np.where(
        per_org["backed"] >= 0.5,
        config.corporate_org_credibility,
        config.unverified_org_credibility,
    )
    claimed = np.where(per_org["n"] >= 2, claimed, 0.0)
    credibility = np.where(per_org["org_id"].isin(vouched), 1.0, claimed)
    per_org["known"] = per_org["n"] / per_org["cluster_key"].map(sizes) * credibility
    transparency = per_org.groupby("cluster_key")["known"].sum()
    return (1.0 - transparency).reindex(sizes.index).fillna(1.0).clip(0.0, 1.0)


def _top_share(domains: pd.Series) -> float:
    """Share of the values that are the most common non-missing one (0 when none is)."""
    counts = domains.dropna().value_counts()
    return float(counts.iloc[0] / len(domains)) if len(counts) else 0.0


def _volume(keys: pd.DataFrame, account_days: pd.Series, settings: Settings) -> None:
    keys["requests_per_account_day"] = keys["exchange_count"] / account_days.clip(lower=1)
    total_signal = np.log10(keys["exchange_count"].clip(lower=1) / _VOLUME_FLOOR) / np.log10(
        _VOLUME_CEILING / _VOLUME_FLOOR
    )
    rate_signal = np.log1p(keys["requests_per_account_day"]) / np.log1p(
        settings.score.volume_saturation_per_account_day
    )
    keys["volume"] = (total_signal.clip(0.0, 1.0) + rate_signal.clip(0.0, 1.0)) / 2.0


def member_confidence(
    membership: pd.DataFrame,
    links: pd.DataFrame,
    profiles: pd.DataFrame,
    settings: Settings,
    suspicious: pd.Index | None = None,
) -> pd.Series:
    """Per clustered account (index account_id): how sure it belongs to its cluster, 0..1.

    >>> membership = pd.DataFrame({"account_id": ["a", "b"], "cluster_key": [0, 0]})
    >>> links = pd.DataFrame({"account_a": ["a"], "account_b": ["b"], "strength": [0.8],
    ...                       "groups": [2]})
    >>> profiles = pd.DataFrame({"account_id": ["a", "b"], "suspicion": [1.0, 0.0]})
    >>> member_confidence(membership, links, profiles, Settings()).round(2).tolist()
    [0.9, 0.8]
    """
    attached = attachment(membership, clustering_links(links, settings, suspicious)).to_numpy()
    own = profiles.set_index("account_id")["suspicion"].reindex(membership["account_id"])
    own = own.fillna(0.0).to_numpy()
    confidence = 1.0 - (1.0 - attached) * (1.0 - own / 2.0)
    return pd.Series(np.round(confidence, 4), index=membership["account_id"].to_numpy())
