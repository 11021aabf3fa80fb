"""What the report shows, as plain typed data: the tables and figures behind each section.

:class:`ReportTables` computes once, vectorised, the tables every flagged campaign draws on;
the ``*_of`` functions shape one section of one campaign from them. Nothing here knows about
HTML: the templates (``templates/*.html.j2``) present these values and the :mod:`svg
<linkage.deliver.svg>` module draws them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from linkage.deliver.svg import (
    ACCOUNT_COLOURS,
    ATTRIBUTE_COLOURS,
    HEAT_COLOURS,
    OTHER_COLOUR,
    OTHERS_NODE,
)
from linkage.kinds import ATTRIBUTE_KINDS, CONTENT_FAMILIES
from linkage.run_model import Run

MAX_TIMELINE_BINS = 744
"""Up to this many hours (31 days) the timeline is hourly; longer spans use wider bins."""
TIMELINE_ACCOUNTS = 10
"""Accounts drawn in their own colour on the timeline; the rest are grey."""
GRAPH_MAX_ACCOUNTS = 60
GRAPH_MAX_ATTRIBUTES = 40
LARGE_CLUSTER = 50
"""From this many members, the timeline shows a heat map of accounts by time, and the graph
the busiest accounts with the others drawn as one node."""
HEATMAP_MAX_ROWS = 120
HEATMAP_MAX_COLUMNS = 240
GRAPH_TOP_ACCOUNTS = 12
"""Accounts drawn one by one in the graph of a large cluster (those sharing most)."""
GRAPH_LARGE_ATTRIBUTES = 16
MEMBER_ROWS = 200
UNFLAGGED_ROWS = 15
MATCH_EXAMPLES = 8
DETAILED_CAMPAIGNS = 40
"""Flagged campaigns shown in full (graph, timeline, tables); the rest are in the ranking only."""

SHARED_SECTIONS = tuple((k.evidence_key, k.name, k.title) for k in ATTRIBUTE_KINDS.values())
ATTRIBUTE_LABELS = {k.name: k.title for k in ATTRIBUTE_KINDS.values()}

TIMING_LABELS = {
    "span_hours": "Active span (hours)",
    "active_hour_share": "Share of hours with traffic",
    "dispersion": "Hourly index of dispersion (1 = machine-steady)",
    "flatness": "Flatness of the combined hourly rate",
    "around_the_clock": "Around-the-clock signal",
    "member_hour_share": "Mean share of hours each member is active",
    "turn_taking": "Turn-taking (flat together, rarely overlapping)",
    "synchrony": "Minute-level synchrony beyond chance",
}

COMPONENT_LABELS = {
    "link_strength": "Link strength",
    "concealment": "Concealment (no credible declared org)",
    "coordination": "Coordination",
    "content": "Distillation content (after the automation discount)",
    "volume": "Volume",
    "suspicion": "Members' own suspicion",
    "heads": "Heads (how many accounts)",
    "automation": "Automation (scheduler-regular traffic)",
    "control": "Links with evidence of common control",
}


def template_text(text: Any) -> str:
    """A template's normalised words as shown: masked numbers as ``#``, not ``0``.

    Normalisation turns every run of digits into ``0`` (so "16 GB" and "32 GB" make one
    template); the report shows where a number was.

    Examples
    --------
    >>> template_text("give me 0 gb of ram for 0 0 users")
    'give me # gb of ram for # # users'
    """
    return "" if text is None else str(text).replace("0", "#")


def bin_unit(bin_hours: int) -> str:
    """How a time bin is named in a sentence ("exchanges per ...").

    Examples
    --------
    >>> bin_unit(1), bin_unit(6)
    ('hour', '6 hours')
    """
    return "hour" if bin_hours == 1 else f"{bin_hours} hours"


def anchor(cluster_id: str) -> str:
    """The fragment id of a campaign's section: the id with anything unsafe in a URL as ``_``.

    Examples
    --------
    >>> anchor("c/1 x")
    'campaign-c_1_x'
    """
    return "campaign-" + "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in cluster_id)


class ReportTables:
    """The run's tables joined to the flagged campaigns' members, computed once for all."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.flagged = run.flagged_campaigns
        members = pd.DataFrame(
            [(c["cluster_id"], a) for c in self.flagged for a in c["accounts"]],
            columns=["cluster_id", "account_id"],
        )
        self.members = members
        self.activity = run.activity.merge(members, on="account_id")
        per_account = run.accounts.set_index("account_id")
        self.per_account = per_account[["exchanges", "first_request", "last_request"]].rename(
            columns={"first_request": "first", "last_request": "last"}
        )
        takedown = run.takedown
        self.member_confidence = (
            takedown.set_index("account_id")["member_confidence"]
            if "member_confidence" in takedown.columns and len(takedown)
            else pd.Series(dtype=float)
        )
        accounts = run.accounts
        wanted = ("account_id", "created_at", "email", "signup_pathway", "org_id", "country")
        self.accounts = accounts[[c for c in wanted if c in accounts.columns]].set_index(
            "account_id"
        )
        incidence = run.account_attributes[["account_id", "attr_type", "attr_value"]].merge(
            members, on="account_id"
        )
        holders = incidence.groupby(["cluster_id", "attr_type", "attr_value"])[
            "account_id"
        ].transform("size")
        self.shared_incidence = incidence[holders >= 2].assign(members=holders[holders >= 2])
        templates = run.templates
        self.template_text = (
            templates.set_index("template_id")["text"] if len(templates) else pd.Series(dtype=str)
        )
        matches = run.indicator_matches
        self.matches = (
            matches.merge(members, on="account_id")
            if len(matches)
            else pd.DataFrame(columns=[*matches.columns, "cluster_id"])
        )

    @property
    def declared_orgs(self) -> pd.Series:
        """The organisation each account declared (empty when the data has none)."""
        return self.accounts["org_id"] if "org_id" in self.accounts.columns else pd.Series()


# --- the run as a whole ---------------------------------------------------------------------


@dataclass
class RunSummary:
    """The figures of the summary card."""

    rows_read: int
    rows_rejected: int
    clusters: int
    flagged_clusters: int
    flagged_accounts: int
    accounts: int
    requests: int | None
    total_seconds: float
    tables: list[tuple[str, Any, Any, Any]]
    """Per input table: name, rows read, accepted, rejected."""
    notes: list[str]


def summary_of(run: Run, flagged: list[dict[str, Any]]) -> RunSummary:
    """Rows read and rejected, clusters, flagged campaigns and accounts, run time, notes."""
    info = run.info
    rows = info.get("rows") or {}
    seconds = info.get("total_seconds")
    if seconds is None:
        seconds = sum(info.get("stage_seconds", {}).values())
    return RunSummary(
        rows_read=sum(int(c.get("read", 0)) for c in rows.values()),
        rows_rejected=sum(int(c.get("rejected", 0)) for c in rows.values()),
        clusters=len(run.campaigns),
        flagged_clusters=len(flagged),
        flagged_accounts=sum(c["account_count"] for c in flagged),
        accounts=len(run.accounts),
        requests=(info.get("summary") or {}).get("requests"),
        total_seconds=float(seconds),
        tables=[(n, c.get("read"), c.get("accepted"), c.get("rejected")) for n, c in rows.items()],
        notes=list(info.get("notes", [])),
    )


# --- one campaign -----------------------------------------------------------------------------


@dataclass
class EvidenceLink:
    """One attribution indicator and the members it matched, through which value."""

    indicator_type: str
    indicator_value: str
    organization: str
    confidence: float
    source: str | None
    matched: int
    examples: list[tuple[str, str]]
    """(account id, matched value), the first :data:`MATCH_EXAMPLES` accounts."""


def evidence_chain_of(campaign: dict[str, Any], tables: ReportTables) -> list[EvidenceLink]:
    """The indicators that matched members of the campaign, the most confident first."""
    matches = tables.matches[tables.matches["cluster_id"] == campaign["cluster_id"]]
    links = []
    for _, group in matches.groupby("indicator_id", sort=True):
        first = group.iloc[0]
        pairs = group.sort_values("account_id").drop_duplicates("account_id")
        source = first["source"]
        links.append(
            EvidenceLink(
                indicator_type=first["indicator_type"],
                indicator_value=first["indicator_value"],
                organization=first["organization"],
                confidence=float(first["confidence"]),
                source=None if source is None or pd.isna(source) else str(source),
                matched=len(pairs),
                examples=[
                    (r.account_id, r.matched_value) for r in pairs.head(MATCH_EXAMPLES).itertuples()
                ],
            )
        )
    links.sort(key=lambda link: -link.confidence)
    return links


@dataclass
class SharedValues:
    """The values of one attribute kind that members share (the campaign's evidence block)."""

    label: str
    kind: str
    shown: int
    total: int
    items: list[dict[str, Any]]
    """campaigns.json's evidence items; templates also carry ``example_text``."""


def shared_values_of(campaign: dict[str, Any]) -> list[SharedValues]:
    """The kinds of attribute the campaign's members share, in the kinds' order."""
    blocks = []
    for key, kind, label in SHARED_SECTIONS:
        block = campaign["evidence"].get(key, {"total": 0, "items": []})
        items = block["items"]
        if not items:
            continue
        if kind == "template":
            items = [{**item, "example_text": template_text(item.get("example"))} for item in items]
        blocks.append(SharedValues(label, kind, len(items), int(block["total"]), items))
    return blocks


def members_of(campaign: dict[str, Any], tables: ReportTables) -> list[dict[str, Any]]:
    """The members with their account details, the surest first (an operator acts on those)."""
    frame = pd.DataFrame({"account_id": campaign["accounts"]})
    frame = frame.join(tables.accounts, on="account_id").join(tables.per_account, on="account_id")
    frame["exchanges"] = frame["exchanges"].fillna(0).astype(np.int64)
    frame["confidence"] = frame["account_id"].map(tables.member_confidence)
    frame = frame.sort_values(
        ["confidence", "exchanges", "account_id"],
        ascending=[False, False, True],
        na_position="last",
    )
    return list(frame.head(MEMBER_ROWS).to_dict("records"))


def content_profile_of(campaign: dict[str, Any]) -> list[tuple[str, float]]:
    """Share of the campaign's prompts in each distillation family, as (label, share)."""
    profile = campaign["content_profile"]
    return [(CONTENT_FAMILIES.get(f, f), profile.get(f) or 0.0) for f in CONTENT_FAMILIES]


def time_bins(
    hours_active: pd.Series, max_bins: int | None = None
) -> tuple[pd.Timestamp, pd.Timestamp, int, int, np.ndarray]:
    """First and last hour, the bin width in hours, the number of bins, each row's bin."""
    limit = MAX_TIMELINE_BINS if max_bins is None else max_bins
    start = hours_active.min()
    end = hours_active.max()
    hours = int((end - start) / pd.Timedelta(hours=1)) + 1
    bin_hours = 1
    for candidate in (1, 2, 3, 4, 6, 8, 12, 24, 48, 168, 336, 744, 2232, 8784):
        bin_hours = candidate
        if hours / candidate <= limit:
            break
    n_bins = max(1, math.ceil(hours / bin_hours))
    offsets = (hours_active - start).to_numpy().astype("timedelta64[h]").astype(np.int64)
    return start, end, bin_hours, n_bins, np.minimum(offsets // bin_hours, n_bins - 1)


@dataclass
class HeatMap:
    """Accounts (rows, by first activity) by time bins, as colour levels."""

    levels: np.ndarray
    accounts: int
    per_row: int
    bin_hours: int
    start: pd.Timestamp
    end: pd.Timestamp


@dataclass
class Timeline:
    """Exchanges per time bin, stacked by account group (columns of ``counts``).

    A small cluster: one group per busy account (``top``), the rest as one grey group, and a
    raster of the same groups. A large one: a single group (the total), and a heat map.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    bin_hours: int
    counts: np.ndarray
    colours: list[str]
    top: list[str] = field(default_factory=list)
    others: int = 0
    heat: HeatMap | None = None

    @property
    def raster_labels(self) -> list[str]:
        """Row labels of the raster: the rank of each busy account, then the rest."""
        labels = [f"#{g + 1}" for g in range(len(self.top))]
        return [*labels, f"+{self.others:,} more"] if self.others else labels


def timeline_of(campaign: dict[str, Any], tables: ReportTables) -> Timeline | None:
    """The campaign's activity over time (None when its members made no request)."""
    activity = tables.activity[tables.activity["cluster_id"] == campaign["cluster_id"]]
    if activity.empty:
        return None
    start, end, bin_hours, n_bins, bins = time_bins(activity["hour"])
    requests = activity["requests"].to_numpy(dtype=np.int64)
    if len(campaign["accounts"]) >= LARGE_CLUSTER:
        totals = np.zeros((n_bins, 1), dtype=np.int64)
        np.add.at(totals[:, 0], bins, requests)
        heat = _heatmap_of(campaign["accounts"], activity)
        return Timeline(start, end, bin_hours, totals, [ACCOUNT_COLOURS[0]], heat=heat)
    busiest = tables.per_account.reindex(campaign["accounts"])["exchanges"].fillna(0)
    order = busiest.reset_index().sort_values(["exchanges", "account_id"], ascending=[False, True])
    top = order["account_id"].head(TIMELINE_ACCOUNTS).tolist()
    group_of = {account: i for i, account in enumerate(top)}
    others = len(campaign["accounts"]) - len(top)
    groups = activity["account_id"].map(group_of).fillna(len(top)).astype(np.int64).to_numpy()
    n_groups = len(top) + (1 if others else 0)
    counts = np.zeros((n_bins, len(top) + 1), dtype=np.int64)
    np.add.at(counts, (bins, groups), requests)
    colours = [*ACCOUNT_COLOURS[: len(top)], *([OTHER_COLOUR] if others else [])]
    return Timeline(start, end, bin_hours, counts[:, :n_groups], colours, top, others)


def _heatmap_of(accounts: Sequence[str], activity: pd.DataFrame) -> HeatMap:
    """Exchanges per account per bin, accounts sorted by first activity.

    With more accounts than :data:`HEATMAP_MAX_ROWS`, each row holds several consecutive
    accounts (in first-activity order) and shows their mean.
    """
    first = activity.groupby("account_id")["hour"].min()
    order = pd.DataFrame({"account_id": list(accounts)})
    order["first"] = order["account_id"].map(first)
    order = order.sort_values(["first", "account_id"], na_position="last", kind="stable")
    per_row = max(1, math.ceil(len(order) / HEATMAP_MAX_ROWS))
    row_of = {account: i // per_row for i, account in enumerate(order["account_id"])}
    n_rows = math.ceil(len(order) / per_row)
    start, end, bin_hours, n_bins, bins = time_bins(activity["hour"], HEATMAP_MAX_COLUMNS)
    grid = np.zeros((n_rows, n_bins), dtype=np.float64)
    rows = activity["account_id"].map(row_of).to_numpy(dtype=np.int64)
    np.add.at(grid, (rows, bins), activity["requests"].to_numpy(dtype=np.float64))
    members = np.bincount(np.array(list(row_of.values())), minlength=n_rows)
    levels = heat_levels(grid / np.maximum(members, 1)[:, None], len(HEAT_COLOURS))
    return HeatMap(levels, len(accounts), per_row, bin_hours, start, end)


def heat_levels(per_account: np.ndarray, steps: int) -> np.ndarray:
    """0 for no traffic, else 1..steps on a log scale of the busiest cell.

    Examples
    --------
    >>> heat_levels(np.array([[0.0, 1.0, 100.0]]), steps=4).tolist()
    [[0, 1, 4]]
    """
    peak = float(per_account.max())
    if peak <= 0:
        return np.zeros(per_account.shape, dtype=np.int64)
    scaled = np.log1p(per_account) / math.log1p(peak)
    levels = np.ceil(scaled * steps).astype(np.int64)
    return np.where(per_account > 0, np.clip(levels, 1, steps), 0)


# --- the graph picture ------------------------------------------------------------------------


@dataclass
class GraphPick:
    """What the graph picture of one cluster draws."""

    attributes: pd.DataFrame
    """The shared attributes drawn: attr_type, attr_value."""
    incidence: pd.DataFrame
    """Who holds which drawn attribute, among the accounts drawn one by one."""
    accounts: list[str]
    others: pd.Series
    """Large clusters: per drawn attribute node, how many of the members not drawn hold it."""
    total_accounts: int
    total_attributes: int


def graph_pick(campaign: dict[str, Any], incidence: pd.DataFrame) -> GraphPick:
    """The most widely shared attributes of each kind, and the accounts that hold most of them.

    Attributes are taken round-robin over kinds (so three members sharing a card are drawn
    even when forty IPs are shared by more). A cluster of :data:`LARGE_CLUSTER` or more
    draws its :data:`GRAPH_TOP_ACCOUNTS` best-connected accounts and the rest as one node.
    """
    large = len(campaign["accounts"]) >= LARGE_CLUSTER
    attributes = incidence.drop_duplicates(["attr_type", "attr_value"]).sort_values(
        ["members", "attr_type", "attr_value"], ascending=[False, True, True]
    )
    attributes = attributes.assign(
        _rank=attributes.groupby("attr_type").cumcount(),
        _kind=attributes["attr_type"].map({k: i for i, k in enumerate(ATTRIBUTE_COLOURS)}),
    )
    limit = GRAPH_LARGE_ATTRIBUTES if large else GRAPH_MAX_ATTRIBUTES
    attributes = attributes.sort_values(["_rank", "_kind"]).head(limit)
    chosen = incidence.merge(attributes[["attr_type", "attr_value"]])
    per_account = chosen.groupby("account_id").size().rename("n").reset_index()
    per_account = per_account.sort_values(["n", "account_id"], ascending=[False, True])
    accounts = per_account["account_id"].head(GRAPH_TOP_ACCOUNTS if large else GRAPH_MAX_ACCOUNTS)
    shown = chosen["account_id"].isin(accounts)
    others = pd.Series(dtype=np.int64)
    if large:
        rest = chosen[~shown]
        others = rest.groupby(["attr_type", "attr_value"]).size()
    return GraphPick(
        attributes=attributes[["attr_type", "attr_value"]],
        incidence=chosen[shown],
        accounts=accounts.tolist(),
        others=others,
        total_accounts=len(campaign["accounts"]),
        total_attributes=incidence.drop_duplicates(["attr_type", "attr_value"]).shape[0],
    )


@dataclass
class ClusterGraph:
    """The graph picture of one campaign: what is drawn, and how much of the cluster it is."""

    graph: nx.Graph
    labels: dict[tuple[str, str], str]
    """Hover text of each attribute node."""
    kinds: list[tuple[str, str]]
    """(colour, label) of each attribute kind drawn, for the legend."""
    shown_accounts: int
    shown_attributes: int
    total_accounts: int
    total_attributes: int

    @property
    def others(self) -> int:
        """Members drawn as the one dashed node (0 unless the cluster is large)."""
        return int(self.graph.graph["others"]) if self.graph.has_node(OTHERS_NODE) else 0

    @property
    def sampled(self) -> bool:
        """Whether some accounts or attributes are left out of the picture."""
        return (
            self.shown_accounts < self.total_accounts
            or self.shown_attributes < self.total_attributes
        )


def cluster_graph_of(campaign: dict[str, Any], tables: ReportTables) -> ClusterGraph | None:
    """The bipartite graph to draw (None when no attribute is shared by two members)."""
    incidence = tables.shared_incidence
    incidence = incidence[incidence["cluster_id"] == campaign["cluster_id"]]
    if incidence.empty:
        return None
    pick = graph_pick(campaign, incidence)
    graph: nx.Graph = nx.Graph()
    for account in sorted(pick.accounts):
        graph.add_node(("a", account))
    labels: dict[tuple[str, str], str] = {}
    for row in pick.attributes.itertuples():
        node = ("t", f"{row.attr_type}\x1f{row.attr_value}")
        graph.add_node(node)
        text = str(row.attr_value)
        if row.attr_type == "template":
            text = template_text(tables.template_text.get(row.attr_value, text))
        labels[node] = f"{ATTRIBUTE_LABELS.get(row.attr_type, row.attr_type)}: {text}"
    for row in pick.incidence.itertuples():
        graph.add_edge(("a", row.account_id), ("t", f"{row.attr_type}\x1f{row.attr_value}"))
    if len(pick.others):
        graph.add_node(OTHERS_NODE)
        for (attr_type, attr_value), count in pick.others.items():
            graph.add_edge(OTHERS_NODE, ("t", f"{attr_type}\x1f{attr_value}"), holders=count)
    graph.remove_nodes_from([n for n in list(graph.nodes) if graph.degree(n) == 0])
    shown_accounts = sum(1 for n in graph.nodes if n[0] == "a")
    graph.graph["others"] = pick.total_accounts - shown_accounts
    kinds = sorted(set(pick.attributes["attr_type"]), key=list(ATTRIBUTE_COLOURS).index)
    return ClusterGraph(
        graph=graph,
        labels=labels,
        kinds=[(ATTRIBUTE_COLOURS[k], ATTRIBUTE_LABELS.get(k, k)) for k in kinds],
        shown_accounts=shown_accounts,
        shown_attributes=sum(1 for n in graph.nodes if n[0] == "t"),
        total_accounts=pick.total_accounts,
        total_attributes=pick.total_attributes,
    )


@dataclass
class CampaignView:
    """Everything the report shows about one flagged campaign."""

    rank: int
    campaign: dict[str, Any]
    anchor: str
    evidence_chain: list[EvidenceLink]
    timeline: Timeline | None
    graph: ClusterGraph | None
    content_profile: list[tuple[str, float]]
    shared: list[SharedValues]
    members: list[dict[str, Any]]


def campaign_view(rank: int, campaign: dict[str, Any], tables: ReportTables) -> CampaignView:
    """Shape every section of one flagged campaign."""
    return CampaignView(
        rank=rank,
        campaign=campaign,
        anchor=anchor(campaign["cluster_id"]),
        evidence_chain=evidence_chain_of(campaign, tables),
        timeline=timeline_of(campaign, tables),
        graph=cluster_graph_of(campaign, tables),
        content_profile=content_profile_of(campaign),
        shared=shared_values_of(campaign),
        members=members_of(campaign, tables),
    )
