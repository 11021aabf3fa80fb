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
from linkage.kinds import CONTENT_FAMILIES, CONTROL_EVIDENCE, INTENT_COLUMNS
from linkage.settings import ScoreSettings, Settings

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
    "novelty",
)

_VOLUME_FLOOR = 100.0
_VOLUME_CEILING = 10_000.0


def score_clusters(
    membership: pd.DataFrame,
    accounts: pd.DataFrame,
    profiles: pd.DataFrame,
    internal: pd.DataFrame,
    coordination: pd.DataFrame,
    data_end: pd.Timestamp | None,
    settings: Settings,
    suspicious: pd.Index | None = None,
    novelty: pd.Series | None = None,
    payments: pd.DataFrame | None = None,
    product_markers: pd.Series | None = None,
    shared_items: pd.Series | None = None,
) -> pd.DataFrame:
    """One row per cluster: counts, activity window, component signals, score and flag.

    ``novelty`` is :func:`cluster_novelty` (1 for every cluster when not given);
    ``payments`` the payment methods, whose billing names back a company mail domain;
    ``product_markers`` :func:`product_marker_share` (0 for every cluster when not given);
    ``shared_items`` :func:`cluster_shared_items` (0 when not given).
    """
    clusters = membership.groupby("cluster_key").size().rename("account_count").to_frame()
    strong = clustering_links(internal, settings, suspicious)
    clusters["link_strength"] = (
        strong.groupby("cluster_key")["strength"].mean().reindex(clusters.index)
    )
    clusters["link_strength"] = clusters["link_strength"].fillna(0.0)
    clusters["held_control"] = _control_share(strong, clusters.index, settings, with_content=False)
    clusters["concealment"] = _concealment(
        membership, _with_billing_match(accounts, payments), clusters["account_count"], settings
    )

    members = membership[["account_id", "cluster_key"]].merge(profiles, on="account_id")
    grouped = members.groupby("cluster_key")
    clusters["exchange_count"] = grouped["requests"].sum().reindex(clusters.index).fillna(0)
    clusters["exchange_count"] = clusters["exchange_count"].astype(np.int64)
    clusters["first_activity"] = grouped["first_request"].min().reindex(clusters.index)
    clusters["last_activity"] = grouped["last_request"].max().reindex(clusters.index)
    prompts = grouped["prompts"].sum().reindex(clusters.index).fillna(0).clip(lower=1)
    weighted = members[INTENT_COLUMNS].mul(members["prompts"], axis=0)
    weighted["distillation"] = members["distillation_share"] * members["prompts"]
    sums = weighted.groupby(members["cluster_key"]).sum().reindex(clusters.index).fillna(0.0)
    for family, column in zip(CONTENT_FAMILIES, INTENT_COLUMNS, strict=True):
        clusters[f"share_{family}"] = (sums[column] / prompts).round(4)
    clusters["automation"] = _weighted(members, grouped, "periodicity", clusters.index)
    # a scheduler's clock is evidence of automation, not of innocence: content is what the
    # cluster sends, however regularly it sends it
    clusters["content"] = (sums["distillation"] / prompts).clip(0.0, 1.0)
    found = novelty if novelty is not None else pd.Series(dtype=float)
    clusters["novelty"] = found.reindex(clusters.index).fillna(1.0).clip(0.0, 1.0)
    markers = product_markers if product_markers is not None else pd.Series(dtype=float)
    clusters["product_marker"] = markers.reindex(clusters.index).fillna(0.0).clip(0.0, 1.0)
    items = shared_items if shared_items is not None else pd.Series(dtype=float)
    clusters["shared_items"] = items.reindex(clusters.index).fillna(0.0).clip(0.0, 1.0)
    exchanges = grouped["requests"].sum().reindex(clusters.index).fillna(0).clip(lower=1)
    clusters["prompt_coverage"] = (prompts / exchanges).clip(0.0, 1.0)
    clusters["suspicion"] = grouped["suspicion"].mean().reindex(clusters.index).fillna(0.0)
    clusters["pooled_suspicion"] = _pooled_suspicion(members, clusters.index, settings)
    heads = np.log(clusters["account_count"].clip(lower=1)) / np.log(settings.score.heads_for_full)
    clusters["heads"] = heads.clip(0.0, 1.0)
    _volume(clusters, grouped["active_days"].sum().reindex(clusters.index).fillna(0), settings)

    # shared content is the product's when one product's marker is on nearly all members
    # and they do not send the same items: then only what they hold counts as control
    with_content = _control_share(strong, clusters.index, settings)
    products = (clusters["product_marker"] >= settings.score.product_marker_share) & (
        clusters["shared_items"] < settings.score.min_shared_items
    )
    clusters["control"] = with_content.where(~products, clusters["held_control"])
    clusters = clusters.join(coordination.set_index("cluster_key"), how="left")
    clusters["coordination"] = clusters["coordination"].fillna(0.0)
    _score_and_flag(clusters, settings)
    end = data_end if data_end is not None else clusters["last_activity"].max()
    clusters["still_active"] = clusters["last_activity"] >= end - pd.Timedelta(
        hours=settings.score.still_active_hours
    )
    # coordination arrives rounded from its own stage
    for column in (*SCORE_COMPONENTS[:2], *SCORE_COMPONENTS[3:], "requests_per_account_day"):
        clusters[column] = clusters[column].round(4)
    return clusters.reset_index()


def _score_and_flag(clusters: pd.DataFrame, settings: Settings) -> None:
    """hydra_score and the flag, from the components (see the module docstring).

    Where the input carries no prompt text for most of a cluster's traffic
    (``prompt_coverage`` below ``min_prompt_coverage``), content cannot be read: the
    score leaves content and the members' (content) suspicion out, and the distillation
    evidence is extraction-scale volume instead, net of scheduler-regular automation.
    """
    config = settings.score
    weights = config.score_weights
    readable = clusters["prompt_coverage"] >= config.min_prompt_coverage
    unread = {"content", "suspicion"}
    clusters["elicitation"] = _novelty_factor(clusters, config)
    full = sum(weights[name] * clusters[_column(name)] for name in weights) / (
        sum(weights.values()) or 1.0
    )
    blind_total = sum(w for name, w in weights.items() if name not in unread) or 1.0
    blind = sum(weights[name] * clusters[_column(name)] for name in weights if name not in unread)
    behaviour = full.where(readable, blind / blind_total)
    clusters["hydra_score"] = (clusters["concealment"] * behaviour).clip(0.0, 1.0).round(4)
    # likeness alone is beyond chance for many heads that each harvest, unless one product's
    # marker (its system prompt or client string) is on nearly all of them: the users of a
    # product look alike because of the product. Such a group needs control or coordination.
    on_likeness = (
        (clusters["account_count"] >= config.min_heads_on_likeness)
        & (clusters["suspicion"] >= config.min_member_suspicion_on_likeness)
        & (clusters["product_marker"] < config.product_marker_share)
    )
    one_operator = (
        (clusters["control"] >= config.min_control_share)
        | (clusters["coordination"] >= config.min_coordination)
        | on_likeness
    )
    # small heads pool their evidence only where something they hold or do together (not
    # only what they send: a crowd of a popular template's users sends alike) ties them
    tied = (clusters["held_control"] >= config.min_control_share) | (
        clusters["coordination"] >= config.min_coordination
    )
    heads_harvest = np.maximum(clusters["suspicion"], clusters["pooled_suspicion"].where(tied, 0.0))
    read_evidence = (clusters["content"] >= config.min_distillation_content) & (
        heads_harvest >= config.min_member_suspicion
    )
    extraction = clusters["volume"] * _novelty_factor(clusters, config) >= config.extraction_volume
    clusters["distillation_evidence"] = read_evidence.where(readable, extraction) & one_operator
    clusters["flagged"] = (clusters["hydra_score"] >= config.flag_threshold) & clusters[
        "distillation_evidence"
    ]


def _pooled_suspicion(members: pd.DataFrame, index: pd.Index, settings: Settings) -> pd.Series:
    """The members' distillation evidence pooled, as if the cluster were one account, times
    the share of members whose own prompts lean to distillation.

    A hundred small heads with twenty distillation prompts each are each below the bar, and
    together a harvest; a course whose students ask the odd step-by-step question pools a
    low share, and one heavy head among ordinary users leaves the lean share low.
    """
    behaviour = settings.behaviour
    by_cluster = members.groupby("cluster_key")
    distilled = by_cluster["distilled_prompts"].sum().reindex(index).fillna(0.0)
    prompts = by_cluster["prompts"].sum().reindex(index).fillna(0).clip(lower=1)
    count = (distilled / behaviour.suspicious_distilled_prompts).clip(upper=1.0)
    share = (distilled / prompts / behaviour.suspicious_distillation_share).clip(upper=1.0)
    leans = members["distillation_share"] >= behaviour.suspicious_distillation_share
    lean_share = leans.groupby(members["cluster_key"]).mean().reindex(index).fillna(0.0)
    return (count * share * lean_share).astype(float)


def _column(weight_name: str) -> str:
    """The clusters column a score weight applies to (novelty enters through its factor)."""
    return "elicitation" if weight_name == "novelty" else weight_name


def _novelty_factor(clusters: pd.DataFrame, config: ScoreSettings) -> pd.Series:
    """Novelty of the cluster's prompts on a 0..1 scale: full at ``novelty_for_full``."""
    return (clusters["novelty"] / config.novelty_for_full).clip(0.0, 1.0)


def product_marker_share(membership: pd.DataFrame, account_attributes: pd.DataFrame) -> pd.Series:
    """Per cluster key: the largest share of its members that hold one prompt head template
    (how a prompt starts: a system prompt), or one client string that is theirs (most of
    its holders anywhere are in the cluster): a product's system prompt or client, not the
    SDK everyone uses.

    >>> membership = pd.DataFrame({"account_id": ["a", "b", "c"], "cluster_key": [0, 0, 0]})
    >>> attributes = pd.DataFrame({"account_id": ["a", "b", "c", "a"],
    ...     "attr_type": ["user_agent"] * 4, "attr_value": ["cli/1", "cli/1", "sdk/2", "sdk/2"],
    ...     "accounts": [2, 2, 900, 900]})
    >>> product_marker_share(membership, attributes).round(2).tolist()  # sdk/2 is everyone's
    [0.67]
    """
    columns = ["account_id", "attr_type", "attr_value", "accounts"]
    held = account_attributes.loc[
        account_attributes["attr_type"].isin(PRODUCT_MARKERS),
        [c for c in columns if c in account_attributes.columns],
    ].drop_duplicates(["account_id", "attr_type", "attr_value"])
    # a product's system prompt is where a prompt starts (a head fingerprint, ``h...``); the
    # last words of prompts (tails) are common phrasings, no product's mark
    head = held["attr_value"].astype("str").str.startswith(HEAD_TEMPLATE_PREFIX)
    held = held[(held["attr_type"] != "template") | head]
    held = held.merge(membership[["account_id", "cluster_key"]], on="account_id")
    if held.empty:
        return pd.Series(dtype=float)
    per_value = held.groupby(["cluster_key", "attr_type", "attr_value"]).agg(
        members=("account_id", "size"), holders=("accounts", "max")
    )
    # a template is a scaffold whoever holds it; a client string is a product's only when
    # most of its holders are here (the SDK everyone uses marks nobody)
    kinds = per_value.index.get_level_values("attr_type")
    own = (kinds == "template") | (
        per_value["members"] >= 0.5 * per_value["holders"].fillna(per_value["members"])
    )
    top = per_value.loc[own, "members"].groupby(level="cluster_key").max()
    sizes = membership.groupby("cluster_key")["account_id"].size()
    return (top / sizes.reindex(top.index)).astype(float)


PRODUCT_MARKERS = ("template", "user_agent")
"""Attributes a product puts on every request of all its users."""
HEAD_TEMPLATE_PREFIX = "h"
"""Template ids of head fingerprints (:func:`linkage.detect.normalise.template_fingerprints`)."""


def _prompts_by_cluster(requests: pd.DataFrame, membership: pd.DataFrame) -> pd.DataFrame:
    """account_id, prompt_hash and cluster_key of every clustered request with a prompt."""
    return (
        requests[["account_id", "prompt_hash"]]
        .dropna()
        .merge(membership[["account_id", "cluster_key"]], on="account_id")
    )


def cluster_shared_items(requests: pd.DataFrame, membership: pd.DataFrame) -> pd.Series:
    """Per cluster key: the share of its prompts that two or more of its members send word
    for word (digits folded): heads fed from one task list, where the users of one product
    share its scaffold but each asks their own.

    >>> requests = pd.DataFrame({"account_id": ["a", "a", "b", "c"],
    ...                          "prompt_hash": pd.array([1, 2, 1, 3], dtype="Int64")})
    >>> membership = pd.DataFrame({"account_id": ["a", "b", "c"], "cluster_key": [0, 0, 1]})
    >>> cluster_shared_items(requests, membership).round(2).tolist()
    [0.67, 0.0]
    """
    sent = _prompts_by_cluster(requests, membership)
    senders = sent.groupby(["cluster_key", "prompt_hash"])["account_id"].transform("nunique")
    return (senders >= 2).groupby(sent["cluster_key"]).mean().astype(float)


def cluster_novelty(requests: pd.DataFrame, membership: pd.DataFrame) -> pd.Series:
    """Per cluster key: distinct prompts over prompts sent, across all its members.

    A harvest sweeps new problems and rarely sends one twice; a nightly evaluation suite
    sends the same items every night, a ticket classifier one template over fresh customer
    data (distinct prompts, and ``none`` content). ``requests`` needs ``account_id`` and
    ``prompt_hash`` (null without a prompt).

    >>> requests = pd.DataFrame({"account_id": ["a", "a", "b", "c"],
    ...                          "prompt_hash": pd.array([1, 1, 1, 2], dtype="Int64")})
    >>> membership = pd.DataFrame({"account_id": ["a", "b", "c"], "cluster_key": [0, 0, 1]})
    >>> cluster_novelty(requests, membership).round(2).tolist()
    [0.33, 1.0]
    """
    sent = _prompts_by_cluster(requests, membership)
    grouped = sent.groupby("cluster_key")["prompt_hash"]
    return (grouped.nunique() / grouped.size().clip(lower=1)).astype(float)


def _control_share(
    strong: pd.DataFrame, index: pd.Index, settings: Settings, with_content: bool = True
) -> pd.Series:
    """Per cluster, the share of its clustering links that carry evidence of common control
    (a shared card, mailbox, key, network, proxy exit met in time, a sign-up burst, and,
    ``with_content``, private content: templates and near-duplicate prompts few others
    send).

    Content counts only on a link that has a second kind of evidence too: the users of one
    product all send its system prompt, and that alone makes them customers, not heads.
    """
    groups = [f"{g}_evidence" for g in CONTROL_EVIDENCE if f"{g}_evidence" in strong.columns]
    if not groups or strong.empty:
        return pd.Series(0.0, index=index)
    threshold = settings.cluster.team_link_evidence
    held = [g for g in groups if g != "content_evidence"]
    controlled = pd.Series(False, index=strong.index)
    if held:
        controlled |= strong[held].max(axis=1) >= threshold
    if with_content and "content_evidence" in groups and "groups" in strong.columns:
        controlled |= (strong["content_evidence"] >= threshold) & (strong["groups"] >= 2)
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
    """How hidden each cluster is: 1 minus the share of its members that belong to a known
    team, each team weighed by how credible it is.

    A team is an org the members declared or, for members who declared none, a company
    mail domain two or more of them write from *and* pay under (the billing name is the
    domain's company): people who sign up with their employer's domain and card are not
    hiding. An org the provider verified is fully credible; a claim is
    ``corporate_org_credibility`` when its claimers mostly write from one company domain
    (or, for a domain team, pay as that company), else ``unverified_org_credibility``; a
    claim of one head is nothing; and an unverified team's credibility shrinks beyond
    ``transparent_team_accounts`` accounts: a "company" of a hundred heads is hiding
    in plain sight.
    """
    columns = ["account_id", "org_id", "org_verified", "email_domain", "billing_backs_domain"]
    known = accounts.reindex(columns=columns)
    freemail = set(settings.normalise.freemail_domains)
    own_domain = known["email_domain"].where(~known["email_domain"].isin(freemail))
    has_org = known["org_id"].notna() & (known["org_id"].astype("str") != "")
    domain_team = ~has_org & own_domain.notna() & known["billing_backs_domain"].fillna(False)
    known = known.assign(
        own_domain=own_domain,
        team=np.where(has_org, "org:" + known["org_id"].astype("str"), "domain:" + own_domain),
        backed=np.where(has_org, own_domain.notna(), known["billing_backs_domain"].fillna(False)),
    )
    known = known[has_org | domain_team]
    vouched = set(known.loc[known["org_verified"].fillna(False).astype(bool), "team"])
    in_clusters = membership[["account_id", "cluster_key"]].merge(known, on="account_id")
    if in_clusters.empty:
        return pd.Series(1.0, index=sizes.index)
    per_team = (
        in_clusters.groupby(["cluster_key", "team"])
        .agg(
            n=("account_id", "size"),
            domain=("own_domain", _top_share),
            backed=("backed", "mean"),
        )
        .reset_index()
    )
    is_org = per_team["team"].str.startswith("org:")
    backing = np.where(is_org, per_team["domain"], per_team["backed"])
    config = settings.score
    claimed = np.where(
        backing >= 0.5, config.corporate_org_credibility, config.unverified_org_credibility
    )
    claimed = claimed * np.minimum(1.0, config.transparent_team_accounts / per_team["n"])
    claimed = np.where(per_team["n"] >= 2, claimed, 0.0)
    credibility = np.where(per_team["team"].isin(vouched), 1.0, claimed)
    per_team["known"] = per_team["n"] / per_team["cluster_key"].map(sizes) * credibility
    transparency = per_team.groupby("cluster_key")["known"].sum()
    return (1.0 - transparency).reindex(sizes.index).fillna(1.0).clip(0.0, 1.0)


_LEGAL_FORMS = frozenset(
    (
        *("inc", "incorporated", "llc", "ltd", "limited", "plc", "gmbh", "ag", "sa", "sas"),
        *("sarl", "srl", "spa", "bv", "nv", "oy", "ab", "as", "aps", "pty", "co", "corp"),
        *("corporation", "company", "kk", "kabushiki", "kaisha", "pte", "pvt", "private"),
        *("group", "holdings"),
    )
)
"""Words of a company name that say its legal form, not who it is."""
_SECOND_LEVEL = frozenset(("co", "com", "net", "org", "ac", "edu", "gov", "ne", "or", "go"))
"""Labels under a country's domain that are no company's name (``acme.co.uk``)."""


def billing_backs_domain(billing_names: pd.Series, domains: pd.Series) -> pd.Series:
    """Whether a billing name is the company of a mail domain ("Acme Robotics Ltd" and
    ``acmerobotics.io``): the name without its legal form, letters only, equals the
    domain's registered label or one holds the other (four letters or more).

    >>> billing_backs_domain(pd.Series(["Copperleaf Point Inc", "Anna Patel", None]),
    ...                      pd.Series(["copperleafpoint.co", "acme.com", "x.io"])).tolist()
    [True, False, False]
    """
    words = billing_names.fillna("").astype("str").str.lower().str.findall(r"[^\W\d_]+")
    core = words.map(lambda ws: "".join(w for w in ws if w not in _LEGAL_FORMS))
    labels = domains.fillna("").astype("str").str.lower().str.split(".")
    label = labels.map(
        lambda parts: (
            parts[-3]
            if len(parts) >= 3 and parts[-2] in _SECOND_LEVEL
            else (parts[-2] if len(parts) >= 2 else "")
        )
    )
    label = label.str.replace(r"[^a-z]", "", regex=True)
    long_enough = (core.str.len() >= 4) & (label.str.len() >= 4)
    same = pd.Series(
        [a == b or a in b or b in a for a, b in zip(core, label, strict=True)],
        index=billing_names.index,
        dtype=bool,
    )
    return same & long_enough


def _with_billing_match(accounts: pd.DataFrame, payments: pd.DataFrame | None) -> pd.DataFrame:
    """The accounts with ``billing_backs_domain``: one of its billing names is the company
    of its mail domain."""
    if payments is None or payments.empty or "billing_name" not in payments.columns:
        return accounts.assign(billing_backs_domain=False)
    paid = payments[["account_id", "billing_name"]].dropna().drop_duplicates()
    paid = paid.merge(accounts[["account_id", "email_domain"]], on="account_id")
    paid["match"] = billing_backs_domain(paid["billing_name"], paid["email_domain"])
    matched = set(paid.loc[paid["match"], "account_id"])
    return accounts.assign(billing_backs_domain=accounts["account_id"].isin(matched))


def _top_share(domains: pd.Series) -> float:
    """Share of the values that are the most common non-missing one (0 when none is)."""
    counts = domains.dropna().value_counts()
    return float(counts.iloc[0] / len(domains)) if len(counts) else 0.0


def _volume(clusters: pd.DataFrame, account_days: pd.Series, settings: Settings) -> None:
    clusters["requests_per_account_day"] = clusters["exchange_count"] / account_days.clip(lower=1)
    total_signal = np.log10(clusters["exchange_count"].clip(lower=1) / _VOLUME_FLOOR) / np.log10(
        _VOLUME_CEILING / _VOLUME_FLOOR
    )
    rate_signal = np.log1p(clusters["requests_per_account_day"]) / np.log1p(
        settings.score.volume_saturation_per_account_day
    )
    clusters["volume"] = (total_signal.clip(0.0, 1.0) + rate_signal.clip(0.0, 1.0)) / 2.0


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
