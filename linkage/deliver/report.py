"""Report stage: the attribution report an investigator reads, as one self-contained HTML file.

``render_report`` turns a :class:`~linkage.run_model.Run` into
``report.html``: a summary of the run, the flagged campaigns ranked by
hydra_score, and for each campaign the organisation with the chain of
evidence behind it, the alternatives, the members, the shared
infrastructure, an activity timeline, a picture of the cluster's graph and
its content profile; then a short list of the clusters that were not
flagged.

The file opens offline and fetches nothing: inline CSS and inline SVG, no
script, no external font or image, and a Content-Security-Policy that
forbids loading anything. Every value from the data is escaped. Figures
shown for a campaign carry a ``data-field`` attribute naming the
campaigns.json field they show, so tools and tests can read them back.
"""

from __future__ import annotations

import html
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from linkage import __version__
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

ACCOUNT_COLOURS = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#2f4b7c",
)
OTHER_COLOUR = "#bab0ac"
HEAT_COLOURS = ("#fde4cf", "#fbc79d", "#f7a66f", "#ef8049", "#dd5a33", "#bb3a22", "#8c2315")

SHARED_SECTIONS = tuple((k.evidence_key, k.name, k.title) for k in ATTRIBUTE_KINDS.values())
ATTRIBUTE_COLOURS = {k.name: k.colour for k in ATTRIBUTE_KINDS.values()}
ATTRIBUTE_LABELS = {k.name: k.title for k in ATTRIBUTE_KINDS.values()}
FAMILY_LABELS = CONTENT_FAMILIES

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

CSS = """
:root { --ink: #1d2330; --muted: #5b6475; --line: #d9dde5; --bg: #f6f7f9; --flag: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: var(--ink); background: var(--bg); }
main { max-width: 1180px; margin: 0 auto; padding: 24px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 21px; margin: 0 0 8px; }
h3 { font-size: 16px; margin: 22px 0 8px; border-bottom: 1px solid var(--line);
     padding-bottom: 4px; }
h4 { font-size: 14px; margin: 14px 0 6px; }
.sub, .note { color: var(--muted); }
.nowrap { white-space: nowrap; }
.note { font-size: 12.5px; }
section.card { background: #fff; border: 1px solid var(--line); border-radius: 8px;
               padding: 18px 22px; margin: 18px 0; }
section.campaign { border-left: 5px solid var(--flag); }
table { border-collapse: collapse; width: 100%; margin: 6px 0 10px; font-size: 13px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line);
         vertical-align: top; }
th { background: #eef0f4; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
              font-size: 12px; white-space: nowrap; word-break: keep-all; }
.scroll { overflow-x: auto; max-width: 100%; }
.scroll table { width: auto; min-width: 100%; }
section.next { border-left: 5px solid #2f6f3e; background: #f3faf4; }
section.next code { font-size: 13px; background: #fff; border: 1px solid var(--line);
                    border-radius: 4px; padding: 1px 6px; }
dl.facts { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 8px 18px;
           margin: 10px 0; }
dl.facts div { background: var(--bg); border-radius: 6px; padding: 8px 10px; }
dl.facts dt { color: var(--muted); font-size: 12px; }
dl.facts dd { margin: 0; font-size: 17px; font-weight: 600; }
.badge { display: inline-block; border-radius: 10px; padding: 1px 9px; font-size: 12px;
         font-weight: 600; vertical-align: middle; }
.active { background: #fde7e4; color: var(--flag); }
.inactive { background: #e8eaee; color: var(--muted); }
.demo { background: #fff3cd; border: 1px solid #e0c36a; padding: 8px 12px; border-radius: 6px; }
.chain li { margin: 4px 0; }
.arrow { color: var(--muted); }
svg { display: block; max-width: 100%; height: auto; }
svg text { font-family: system-ui, sans-serif; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 14px; font-size: 12px; margin: 4px 0; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px;
          margin-right: 4px; vertical-align: -1px; }
details summary { cursor: pointer; color: var(--muted); margin: 6px 0; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 18px; }
@media print { body { background: #fff; } section.card { break-inside: avoid-page; } }
"""

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


# --- small helpers ------------------------------------------------------------------------


def _e(value: Any) -> str:
    """Escape any value for HTML text or attributes; missing values become a dash.

    Examples
    --------
    >>> _e('<script>"x"</script>')
    '&lt;script&gt;&quot;x&quot;&lt;/script&gt;'
    >>> _e(None)
    '–'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return html.escape(str(value), quote=True)


def _int(value: Any) -> str:
    return "–" if value is None else f"{int(value):,}"


def _num(value: Any, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{float(value):.{digits}f}"


def _pct(value: Any) -> str:
    if value is None:
        return "–"
    return f"{float(value) * 100:.0f}%"


def _time(value: Any) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M UTC")


def _cell_time(value: Any) -> str:
    """A time for a table cell: no ``UTC`` (the header says it), never wrapped."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    return f'<span class="nowrap">{pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")}</span>'


def _template_text(text: Any) -> str:
    """A template's normalised words as shown: masked numbers as ``#``, not ``0``.

    Normalisation turns every run of digits into ``0`` (so "16 GB" and "32 GB" make one
    template); the report shows where a number was.

    Examples
    --------
    >>> _template_text("give me 0 gb of ram for 0 0 users")
    'give me # gb of ram for # # users'
    """
    return "" if text is None else str(text).replace("0", "#")


def _anchor(cluster_id: str) -> str:
    return "campaign-" + "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in cluster_id)


def _table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Iterable[int] = ()
) -> str:
    """An HTML table from already-escaped cells; columns in ``numeric`` align right."""
    right = set(numeric)
    head = "".join(
        f'<th class="num">{h}</th>' if i in right else f"<th>{h}</th>"
        for i, h in enumerate(headers)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="num">{c}</td>' if i in right else f"<td>{c}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<div class="scroll"><table><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table></div>"
    )


def _fact(label: str, value: str, field: str | None = None) -> str:
    attr = f' data-field="{_e(field)}"' if field else ""
    return f"<div><dt>{_e(label)}</dt><dd{attr}>{value}</dd></div>"


# --- data shared by the sections ----------------------------------------------------------


class _Context:
    """Tables computed once for all flagged campaigns (vectorised)."""

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
        keep = [
            c
            for c in (
                "account_id",
                "created_at",
                "email",
                "signup_pathway",
                "org_id",
                "country",
            )
            if c in accounts.columns
        ]
        self.accounts = accounts[keep].set_index("account_id")
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


# --- sections -----------------------------------------------------------------------------


def _summary(run: Run, flagged: list[dict[str, Any]]) -> str:
    info = run.info
    rows = info.get("rows") or {}
    summary = info.get("summary") or {}
    read = sum(int(c.get("read", 0)) for c in rows.values())
    rejected = sum(int(c.get("rejected", 0)) for c in rows.values())
    seconds = info.get("total_seconds")
    if seconds is None:
        seconds = sum(info.get("stage_seconds", {}).values())
    flagged_accounts = sum(c["account_count"] for c in flagged)
    facts = "".join(
        [
            _fact("Rows read", _int(read), "rows_read"),
            _fact("Rows rejected", _int(rejected), "rows_rejected"),
            _fact("Clusters", _int(len(run.campaigns)), "clusters"),
            _fact("Flagged campaigns", _int(len(flagged)), "flagged_clusters"),
            _fact("Flagged accounts", _int(flagged_accounts), "flagged_accounts"),
            _fact("Accounts", _int(len(run.accounts)), "accounts"),
            _fact("Exchanges", _int(summary.get("requests")), "requests"),
            _fact("Run time", f"{float(seconds):.1f} s", "total_seconds"),
        ]
    )
    table = _table(
        ["Table", "Read", "Accepted", "Rejected"],
        (
            [
                _e(name),
                _int(c.get("read")),
                _int(c.get("accepted")),
                _int(c.get("rejected")),
            ]
            for name, c in rows.items()
        ),
        numeric=(1, 2, 3),
    )
    notes = "".join(f"<li>{_e(note)}</li>" for note in info.get("notes", []))
    notes_html = f"<h4>Notes</h4><ul>{notes}</ul>" if notes else ""
    return (
        '<section class="card" id="summary"><h2>Run summary</h2>'
        f'<dl class="facts">{facts}</dl>'
        f"<details><summary>Rows per table</summary>{table}</details>{notes_html}</section>"
    )


def _ranking(flagged: list[dict[str, Any]]) -> str:
    if not flagged:
        return (
            '<section class="card" id="ranking"><h2>Flagged campaigns</h2>'
            "<p>No cluster reached the flag threshold in this run.</p></section>"
        )
    rows = []
    for rank, c in enumerate(flagged, start=1):
        status = "still active" if c["still_active"] else "inactive"
        rows.append(
            [
                _int(rank),
                f'<a href="#{_e(_anchor(c["cluster_id"]))}"><code>{_e(c["cluster_id"])}</code></a>',
                _num(c["hydra_score"]),
                _int(c["account_count"]),
                _int(c["exchange_count"]),
                _e(c["organization"]),
                _num(c["attribution_confidence"]) if c["organization"] else "–",
                _e(status),
            ]
        )
    table = _table(
        [
            "#",
            "Cluster",
            "hydra_score",
            "Accounts",
            "Exchanges",
            "Organisation",
            "Confidence",
            "Status",
        ],
        rows,
        numeric=(0, 2, 3, 4, 6),
    )
    return (
        '<section class="card" id="ranking"><h2>Flagged campaigns, by hydra_score</h2>'
        f"{table}</section>"
    )


def _next_step(flagged: list[dict[str, Any]]) -> str:
    """What to do with this report: plan the takedown (and how), or nothing to take down."""
    if not flagged:
        return (
            '<section class="card next" id="next-step"><h2>Next step</h2>'
            "<p>Nothing to take down: no cluster reached the flag threshold. The clusters that "
            "were linked are listed below and in campaigns.json.</p></section>"
        )
    accounts = sum(int(c["account_count"]) for c in flagged)
    return (
        '<section class="card next" id="next-step"><h2>Next step: plan the takedown</h2>'
        f"<p>{_int(accounts)} accounts in {_int(len(flagged))} flagged campaign(s) are in "
        "takedown.csv. Turn them into a manifest to review (every account with its evidence, "
        "the blast radius, allow-listed and declared-organisation accounts left out):</p>"
        "<p><code>linkage takedown plan RUN_DIR</code> "
        '<span class="note">(RUN_DIR: the folder this report is in; add '
        "<code>--allow-list FILE</code> for accounts never to touch)</span></p>"
        "<p>Review RUN_DIR/takedown-plan.json and remove any account you are not sure of; then "
        "<code>linkage takedown apply RUN_DIR/takedown-plan.json</code> shows what would be "
        "done, and with <code>--execute</code> writes the actions for the enforcement "
        "system.</p></section>"
    )


def _attribution(campaign: dict[str, Any], ctx: _Context) -> str:
    organization = campaign["organization"]
    if organization:
        kinds = int(campaign.get("attribution_kinds") or 0)
        shared = (
            "shared with partners as <code>attributed-to</code>"
            if kinds >= 2
            else "kept in house: partners get it only with two independent indicator kinds"
        )
        head = (
            f'<p>Attributed to <strong data-field="organization">{_e(organization)}</strong> '
            f'with confidence <strong data-field="attribution_confidence">'
            f"{_num(campaign['attribution_confidence'])}</strong>, on "
            f'<strong data-field="attribution_kinds">{kinds}</strong> independent indicator '
            f"kind(s) ({shared}).</p>"
        )
    elif campaign["alternatives"]:
        best = campaign["alternatives"][0]
        head = (
            '<p><strong data-field="organization">Not attributed</strong>: the best candidate, '
            f"{_e(best['organization'])} ({_num(best['confidence'])}), is below the minimum "
            "confidence.</p>"
        )
    else:
        head = (
            '<p><strong data-field="organization">Not attributed</strong>: no attribution '
            "indicator matched any member.</p>"
        )
    alternatives = ""
    if campaign["alternatives"]:
        alternatives = "<h4>Candidates</h4>" + _table(
            ["Organisation", "Confidence", "Evidence score", "Indicator kinds"],
            (
                [
                    _e(a["organization"]),
                    _num(a["confidence"]),
                    _num(a["evidence_score"]),
                    _int(a.get("indicator_kinds", 0)),
                ]
                for a in campaign["alternatives"]
            ),
            numeric=(1, 2, 3),
        )
    chain = _evidence_chain(campaign, ctx)
    return f"<h3>Attribution</h3>{head}{chain}{alternatives}"


def _evidence_chain(campaign: dict[str, Any], ctx: _Context) -> str:
    matches = ctx.matches[ctx.matches["cluster_id"] == campaign["cluster_id"]]
    if matches.empty:
        return ""
    items = []
    for _, group in matches.groupby("indicator_id", sort=True):
        first = group.iloc[0]
        pairs = group.sort_values("account_id").drop_duplicates("account_id")
        shown = [
            f"<code>{_e(r.account_id)}</code> <span class=arrow>via</span> "
            f"<code>{_e(r.matched_value)}</code>"
            for r in pairs.head(MATCH_EXAMPLES).itertuples()
        ]
        more = len(pairs) - len(shown)
        if more > 0:
            shown.append(f"and {more:,} more account(s)")
        source = first["source"]
        source_text = "" if source is None or pd.isna(source) else f", source {_e(source)}"
        items.append(
            (
                float(first["confidence"]),
                f"<li>Indicator <strong>{_e(first['indicator_type'])}</strong> "
                f"<code>{_e(first['indicator_value'])}</code> "
                f"<span class=arrow>→</span> {_e(first['organization'])} "
                f"(confidence {_num(first['confidence'])}{source_text}) "
                f"<span class=arrow>matched {len(pairs):,} member(s):</span> "
                + "; ".join(shown)
                + "</li>",
            )
        )
    items.sort(key=lambda item: -item[0])
    return (
        "<h4>Chain of evidence: which indicator matched which account, through what value</h4>"
        '<ul class="chain">' + "".join(text for _, text in items) + "</ul>"
    )


def _shared_infrastructure(campaign: dict[str, Any]) -> str:
    evidence = campaign["evidence"]
    parts = []
    for key, kind, label in SHARED_SECTIONS:
        block = evidence.get(key, {"total": 0, "items": []})
        items = block["items"]
        if not items:
            continue
        total = int(block["total"])
        count = f"{len(items)} of {total:,}" if total > len(items) else f"{total:,}"
        headers = [
            "Value",
            "Members",
            "Accounts overall",
            "Uses",
            "First seen (UTC)",
            "Last seen (UTC)",
        ]
        numeric: tuple[int, ...] = (1, 2, 3)
        if kind in ("ip", "subnet"):
            headers.insert(1, "Kind")
            numeric = (2, 3, 4)
        if kind == "template":
            headers.insert(1, "Example text (normalised)")
            numeric = (2, 3, 4)
        rows = []
        for item in items:
            row = [f"<code>{_e(item['value'])}</code>"]
            if kind in ("ip", "subnet"):
                row.append(_e(item.get("ip_kind")))
            if kind == "template":
                row.append(_e(_template_text(item.get("example"))))
            row += [
                _int(item["members"]),
                _int(item["accounts_overall"]),
                _int(item["uses"]),
                _cell_time(item["first_seen"]),
                _cell_time(item["last_seen"]),
            ]
            rows.append(row)
        parts.append(f"<h4>{_e(label)} ({_e(count)})</h4>" + _table(headers, rows, numeric))
    if not parts:
        return "<h3>Shared infrastructure</h3><p>No attribute is shared by two members.</p>"
    return (
        "<h3>Shared infrastructure</h3>"
        '<p class="note">Members: accounts of this cluster holding the value. Accounts overall: '
        "holders in the whole data (a value held far outside the cluster is weak evidence).</p>"
        + "".join(parts)
    )


def _members(campaign: dict[str, Any], ctx: _Context) -> str:
    accounts = campaign["accounts"]
    frame = pd.DataFrame({"account_id": accounts})
    frame = frame.join(ctx.accounts, on="account_id").join(ctx.per_account, on="account_id")
    frame["exchanges"] = frame["exchanges"].fillna(0).astype(np.int64)
    frame["confidence"] = frame["account_id"].map(ctx.member_confidence)
    # the surest members first: an operator acts on those first
    frame = frame.sort_values(
        ["confidence", "exchanges", "account_id"],
        ascending=[False, False, True],
        na_position="last",
    )
    shown = frame.head(MEMBER_ROWS)
    rows = [
        [
            f"<code>{_e(r['account_id'])}</code>",
            _num(r.get("confidence")),
            _cell_time(r.get("created_at")),
            _e(r.get("email")),
            _e(r.get("signup_pathway")),
            _e(r.get("org_id")),
            _e(r.get("country")),
            _int(r["exchanges"]),
            _cell_time(r["first"]),
            _cell_time(r["last"]),
        ]
        for r in shown.to_dict("records")
    ]
    table = _table(
        [
            "Account",
            "Member confidence",
            "Created (UTC)",
            "Email",
            "Sign-up pathway",
            "Declared org",
            "Country",
            "Exchanges",
            "First request (UTC)",
            "Last request (UTC)",
        ],
        rows,
        numeric=(1, 7),
    )
    note = (
        f'<p class="note">Showing the {MEMBER_ROWS} surest of {len(accounts):,} members; '
        "all are in clusters.csv.</p>"
        if len(accounts) > MEMBER_ROWS
        else ""
    )
    return (
        f"<h3>Members ({len(accounts):,})</h3>"
        f"<details{' open' if len(accounts) <= 25 else ''}><summary>Member accounts</summary>"
        f"{note}{table}</details>"
    )


def _bar_rows(values: Sequence[tuple[str, float]], colour: str, width: int = 520) -> str:
    """Horizontal bars (values in 0..1) as inline SVG."""
    row_height = 24
    label_width = 190
    bar_width = width - label_width - 60
    height = row_height * len(values) + 6
    parts = [f'<svg viewBox="0 0 {width} {height}" width="{width}" role="img">']
    for i, (label, value) in enumerate(values):
        y = 4 + i * row_height
        share = 0.0 if value is None or math.isnan(value) else max(0.0, min(1.0, float(value)))
        parts.append(
            f'<text x="0" y="{y + 14}" font-size="12" fill="#1d2330">{_e(label)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{bar_width}" height="14" '
            'fill="#eef0f4"/>'
            f'<rect x="{label_width}" y="{y + 3}" width="{bar_width * share:.1f}" height="14" '
            f'fill="{colour}"/>'
            f'<text x="{label_width + bar_width + 6}" y="{y + 14}" font-size="12" '
            f'fill="#1d2330">{share * 100:.0f}%</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _content_profile(campaign: dict[str, Any]) -> str:
    profile = campaign["content_profile"]
    values = [(FAMILY_LABELS.get(f, f), profile.get(f) or 0.0) for f in CONTENT_FAMILIES]
    overall = campaign["score_components"].get("content")
    return (
        "<h4>Content profile</h4>"
        f'<p class="note">Share of the cluster\'s prompts in each distillation family '
        f"(a prompt can be in several); {_pct(overall)} are in at least one.</p>"
        + _bar_rows(values, "#b3261e")
    )


def _signals(campaign: dict[str, Any]) -> str:
    components = _table(
        ["Component", "Value"],
        (
            [_e(COMPONENT_LABELS.get(name, name)), _num(value)]
            for name, value in campaign["score_components"].items()
        ),
        numeric=(1,),
    )
    timing = _table(
        ["Timing signal", "Value"],
        (
            [_e(TIMING_LABELS.get(name, name)), _num(value)]
            for name, value in campaign["timing"].items()
            if value is not None
        ),
        numeric=(1,),
    )
    return (
        "<h4>Score components</h4>"
        '<p class="note">hydra_score = concealment × weighted mean of the others.</p>'
        f"{components}<h4>Timing</h4>{timing}"
    )


def _nice_step(peak: float) -> int:
    """A round axis step giving about four ticks up to ``peak``.

    Examples
    --------
    >>> _nice_step(37), _nice_step(4), _nice_step(1200)
    (10, 1, 500)
    """
    raw = max(peak / 4.0, 1.0)
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return int(factor * magnitude)
    return int(10 * magnitude)


def _time_bins(
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


def _unit(bin_hours: int) -> str:
    return "hour" if bin_hours == 1 else f"{bin_hours} hours"


def _timeline(campaign: dict[str, Any], ctx: _Context) -> str:
    activity = ctx.activity[ctx.activity["cluster_id"] == campaign["cluster_id"]]
    if activity.empty:
        return "<h3>Activity timeline</h3><p>No requests.</p>"
    if len(campaign["accounts"]) >= LARGE_CLUSTER:
        return _large_timeline(campaign, activity)
    start, end, bin_hours, n_bins, bins = _time_bins(activity["hour"])

    busiest = ctx.per_account.reindex(campaign["accounts"])["exchanges"].fillna(0)
    order = busiest.reset_index().sort_values(["exchanges", "account_id"], ascending=[False, True])
    top = order["account_id"].head(TIMELINE_ACCOUNTS).tolist()
    group_of = {account: i for i, account in enumerate(top)}
    others = len(campaign["accounts"]) - len(top)
    groups = activity["account_id"].map(group_of).fillna(len(top)).astype(np.int64).to_numpy()
    n_groups = len(top) + (1 if others else 0)
    counts = np.zeros((n_bins, len(top) + 1), dtype=np.int64)
    np.add.at(counts, (bins, groups), activity["requests"].to_numpy(dtype=np.int64))
    counts = counts[:, :n_groups]
    colours = [*ACCOUNT_COLOURS[: len(top)], *([OTHER_COLOUR] if others else [])]

    legend = "".join(
        f'<span><span class="swatch" style="background:{colours[i]}"></span>'
        f"<code>{_e(account)}</code></span>"
        for i, account in enumerate(top)
    )
    if others:
        legend += (
            f'<span><span class="swatch" style="background:{OTHER_COLOUR}"></span>'
            f"{others:,} other account(s)</span>"
        )
    raster = _raster(counts, colours, top, others, n_bins)
    return (
        "<h3>Activity timeline</h3>"
        f'<p class="note">Exchanges per {_e(_unit(bin_hours))} from {_e(_time(start))} to '
        f"{_e(_time(end))}, stacked by account (the {len(top)} busiest in colour). "
        "Traffic that stays flat around the clock while members take turns is a dispatcher "
        "spreading one stream over many accounts; bars where all colours rise together are "
        "synchronised jobs.</p>"
        + _stacked_bars(counts, colours, start, end, bin_hours)
        + f'<div class="legend">{legend}</div>'
        + raster
    )


def _large_timeline(campaign: dict[str, Any], activity: pd.DataFrame) -> str:
    """A large cluster: the cluster's total per time bin, then the accounts-by-time heat map."""
    start, end, bin_hours, n_bins, bins = _time_bins(activity["hour"])
    totals = np.zeros((n_bins, 1), dtype=np.int64)
    np.add.at(totals[:, 0], bins, activity["requests"].to_numpy(dtype=np.int64))
    return (
        "<h3>Activity timeline</h3>"
        f'<p class="note">Exchanges per {_e(_unit(bin_hours))} of all '
        f"{len(campaign['accounts']):,} members together, from {_e(_time(start))} to "
        f"{_e(_time(end))}. Traffic that stays flat around the clock is a dispatcher spreading "
        "one stream over many accounts.</p>"
        + _stacked_bars(totals, [ACCOUNT_COLOURS[0]], start, end, bin_hours)
        + _heatmap(campaign["accounts"], activity)
    )


def _heatmap_grid(
    accounts: Sequence[str], activity: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, int, tuple[pd.Timestamp, pd.Timestamp, int]]:
    """Exchanges per account and time bin, accounts sorted by first activity.

    Returns (exchanges per row and bin, accounts per row, accounts per row at most,
    (start, end, bin hours)). With more accounts than :data:`HEATMAP_MAX_ROWS`, each row
    holds several consecutive accounts (in first-activity order).
    """
    first = activity.groupby("account_id")["hour"].min()
    order = pd.DataFrame({"account_id": list(accounts)})
    order["first"] = order["account_id"].map(first)
    order = order.sort_values(["first", "account_id"], na_position="last", kind="stable")
    per_row = max(1, math.ceil(len(order) / HEATMAP_MAX_ROWS))
    row_of = {account: i // per_row for i, account in enumerate(order["account_id"])}
    n_rows = math.ceil(len(order) / per_row)
    start, end, bin_hours, n_bins, bins = _time_bins(activity["hour"], HEATMAP_MAX_COLUMNS)
    grid = np.zeros((n_rows, n_bins), dtype=np.float64)
    rows = activity["account_id"].map(row_of).to_numpy(dtype=np.int64)
    np.add.at(grid, (rows, bins), activity["requests"].to_numpy(dtype=np.float64))
    members = np.bincount(np.array(list(row_of.values())), minlength=n_rows)
    return grid, members, per_row, (start, end, bin_hours)


def _heat_levels(per_account: np.ndarray) -> np.ndarray:
    """0 for no traffic, else 1..len(HEAT_COLOURS) on a log scale of the busiest cell."""
    peak = float(per_account.max())
    if peak <= 0:
        return np.zeros(per_account.shape, dtype=np.int64)
    scaled = np.log1p(per_account) / math.log1p(peak)
    levels = np.ceil(scaled * len(HEAT_COLOURS)).astype(np.int64)
    return np.where(per_account > 0, np.clip(levels, 1, len(HEAT_COLOURS)), 0)


def _heat_paths(levels: np.ndarray, left: float, top: float, cell_w: float, row_h: float) -> str:
    """One SVG path per level; runs of equal cells in a row are one rectangle."""
    paths: dict[int, list[str]] = {}
    for r, row in enumerate(levels):
        edges = np.flatnonzero(np.diff(np.concatenate(([-1], row, [-1]))) != 0)
        for a, b in itertools.pairwise(edges):
            if row[a]:
                paths.setdefault(int(row[a]), []).append(
                    f"M{left + a * cell_w:.1f} {top + r * row_h:.1f}"
                    f"h{(b - a) * cell_w:.2f}v{row_h:.2f}h{-(b - a) * cell_w:.2f}z"
                )
    return "".join(
        f'<path d="{"".join(parts)}" fill="{HEAT_COLOURS[level - 1]}"/>'
        for level, parts in sorted(paths.items())
    )


def _heatmap(accounts: Sequence[str], activity: pd.DataFrame) -> str:
    """Accounts x time as a heat map: who was active when, readable for any cluster size."""
    grid, members, per_row, (start, end, bin_hours) = _heatmap_grid(accounts, activity)
    levels = _heat_levels(grid / np.maximum(members, 1)[:, None])
    n_rows, n_bins = levels.shape
    width, left, right, top = 1080, 64, 12, 6
    row_h = max(2.0, min(8.0, 480 / n_rows))
    plot_h = row_h * n_rows
    cell_w = (width - left - right) / n_bins
    height = int(top + plot_h + 22)
    rows_text = "one account" if per_row == 1 else f"{per_row} accounts"
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" role="img" '
        f'aria-label="heat map of {len(accounts)} accounts by time">',
        f'<rect x="{left}" y="{top}" width="{width - left - right}" height="{plot_h:.1f}" '
        'fill="#f3f4f7"/>',
        _heat_paths(levels, left, top, cell_w, row_h),
        f'<text x="{left - 6}" y="{top + 9}" font-size="10" text-anchor="end" '
        'fill="#5b6475">first</text>'
        f'<text x="{left - 6}" y="{top + plot_h:.1f}" font-size="10" text-anchor="end" '
        'fill="#5b6475">last</text>'
        f'<text x="{left}" y="{height - 6}" font-size="11" fill="#5b6475">'
        f"{_e(start.strftime('%Y-%m-%d %H:%M'))} UTC</text>"
        f'<text x="{width - right}" y="{height - 6}" font-size="11" text-anchor="end" '
        f'fill="#5b6475">{_e(end.strftime("%Y-%m-%d %H:%M"))} UTC</text></svg>',
    ]
    scale = "".join(
        f'<span class="swatch" style="background:{colour};margin:0"></span>'
        for colour in HEAT_COLOURS
    )
    return (
        '<h4>Who was active when</h4><p class="note">Heat map: one row per '
        f"{_e(rows_text)}, sorted by first activity (top: first to start), one column per "
        f"{_e(_unit(bin_hours))}; darker is more exchanges per account. Rows that start one "
        "after another and then run side by side are accounts brought in to share one "
        "stream; dark vertical stripes are synchronised jobs.</p>"
        + "".join(parts)
        + f'<div class="legend"><span>fewer {scale} more exchanges per account</span></div>'
    )


def _stacked_bars(
    counts: np.ndarray,
    colours: Sequence[str],
    start: pd.Timestamp,
    end: pd.Timestamp,
    bin_hours: int,
) -> str:
    """An SVG of exchanges per time bin (rows of ``counts``), stacked by group (columns)."""
    n_bins, n_groups = counts.shape
    width, height = 1080, 260
    left, right, top_pad, bottom = 64, 12, 12, 40
    plot_w = width - left - right
    plot_h = height - top_pad - bottom
    peak = int(counts.sum(axis=1).max()) or 1
    step = _nice_step(peak)
    y_max = step * math.ceil(peak / step)
    bar_w = plot_w / n_bins
    cumulative = np.cumsum(counts, axis=1)
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" role="img" '
        f'aria-label="exchanges per {bin_hours} hour(s)">'
    ]
    for tick in range(0, y_max + 1, step):
        y = top_pad + plot_h - plot_h * tick / y_max
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" '
            'stroke="#e3e6ec" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#5b6475">{tick:,}</text>'
        )
    for g in range(n_groups):
        lower = cumulative[:, g] - counts[:, g]
        upper = cumulative[:, g]
        present = np.flatnonzero(counts[:, g])
        if not len(present):
            continue
        x = left + present * bar_w
        y_top = top_pad + plot_h - plot_h * upper[present] / y_max
        h = plot_h * (upper[present] - lower[present]) / y_max
        w = max(bar_w - (0.6 if bar_w > 3 else 0.0), 0.6)
        d = "".join(
            f"M{xi:.1f} {yi:.1f}h{w:.2f}v{hi:.2f}h{-w:.2f}z"
            for xi, yi, hi in zip(x, y_top, h, strict=True)
        )
        parts.append(f'<path d="{d}" fill="{colours[g]}"/>')
    days = pd.date_range(start.ceil("D"), end, freq="D")
    day_step = max(1, math.ceil(len(days) / 12))
    for day in days[::day_step]:
        x = left + plot_w * ((day - start) / pd.Timedelta(hours=1)) / (n_bins * bin_hours)
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top_pad}" y2="{top_pad + plot_h + 4}" '
            'stroke="#c5cad3" stroke-dasharray="2 3"/>'
            f'<text x="{x:.1f}" y="{height - bottom + 18}" font-size="11" text-anchor="middle" '
            f'fill="#5b6475">{_e(day.strftime("%b %d"))}</text>'
        )
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{top_pad + plot_h}" '
        f'y2="{top_pad + plot_h}" stroke="#5b6475"/>'
        f'<text x="{left}" y="{height - 6}" font-size="11" fill="#5b6475">'
        f"{_e(start.strftime('%Y-%m-%d %H:%M'))} UTC</text>"
        f'<text x="{width - right}" y="{height - 6}" font-size="11" text-anchor="end" '
        f'fill="#5b6475">{_e(end.strftime("%Y-%m-%d %H:%M"))} UTC</text></svg>'
    )
    return "".join(parts)


def _raster(
    counts: np.ndarray, colours: Sequence[str], top: Sequence[str], others: int, n_bins: int
) -> str:
    """One row per busiest account: a mark in every time bin it was active (turn-taking view)."""
    rows = len(colours)
    width, row_h, left = 1080, 13, 64
    plot_w = width - left - 12
    height = rows * row_h + 6
    bar_w = plot_w / n_bins
    w = max(bar_w - (0.4 if bar_w > 3 else 0.0), 0.8)
    parts = [f'<svg viewBox="0 0 {width} {height}" width="{width}" role="img">']
    for g in range(rows):
        present = np.flatnonzero(counts[:, g])
        y = 3 + g * row_h
        label = f"+{others:,} more" if g >= len(top) else f"#{g + 1}"
        parts.append(
            f'<text x="{left - 6}" y="{y + 10}" font-size="10" text-anchor="end" '
            f'fill="#5b6475">{_e(label)}</text>'
            f'<rect x="{left}" y="{y}" width="{plot_w}" height="{row_h - 3}" fill="#f3f4f7"/>'
        )
        if len(present):
            d = "".join(
                f"M{left + b * bar_w:.1f} {y}h{w:.2f}v{row_h - 3}h{-w:.2f}z" for b in present
            )
            parts.append(f'<path d="{d}" fill="{colours[g]}"/>')
    parts.append("</svg>")
    return (
        '<h4>Who was active when</h4><p class="note">One row per account, same colours and '
        "bins as above: staggered rows are turn-taking, aligned columns are synchrony.</p>"
        + "".join(parts)
    )


def _spread(coords: np.ndarray) -> np.ndarray:
    """Layout coordinates scaled into the unit square, a dense core spread out.

    A few attributes held by one or two sampled members float far from a
    tightly linked core; the square root of the distance from the centre
    (same angle) gives the core room without losing the outliers.

    Examples
    --------
    >>> _spread(np.array([[0.0, 0.0], [0.01, 0.0], [1.0, 1.0]])).round(2).tolist()
    [[0.0, 0.0], [0.11, 0.0], [1.0, 1.0]]
    """
    if len(coords) == 0:
        return coords
    centre = np.median(coords, axis=0)
    offsets = coords - centre
    radius = np.linalg.norm(offsets, axis=1, keepdims=True)
    scaled = np.where(
        radius > 0, offsets / np.where(radius > 0, radius, 1.0) * np.sqrt(radius), 0.0
    )
    low, high = scaled.min(axis=0), scaled.max(axis=0)
    return (scaled - low) / np.where(high - low > 0, high - low, 1.0)


@dataclass
class _GraphPick:
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


def _graph_pick(campaign: dict[str, Any], incidence: pd.DataFrame) -> _GraphPick:
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
    return _GraphPick(
        attributes=attributes[["attr_type", "attr_value"]],
        incidence=chosen[shown],
        accounts=accounts.tolist(),
        others=others,
        total_accounts=len(campaign["accounts"]),
        total_attributes=incidence.drop_duplicates(["attr_type", "attr_value"]).shape[0],
    )


OTHERS_NODE = ("o", "others")


def _graph_of(pick: _GraphPick, ctx: _Context) -> tuple[nx.Graph, dict[tuple[str, str], str]]:
    """The bipartite graph to draw, and the hover text of each attribute node."""
    graph: nx.Graph = nx.Graph()
    for account in sorted(pick.accounts):
        graph.add_node(("a", account))
    labels: dict[tuple[str, str], str] = {}
    for row in pick.attributes.itertuples():
        node = ("t", f"{row.attr_type}\x1f{row.attr_value}")
        graph.add_node(node)
        text = str(row.attr_value)
        if row.attr_type == "template":
            text = _template_text(ctx.template_text.get(row.attr_value, text))
        labels[node] = f"{ATTRIBUTE_LABELS.get(row.attr_type, row.attr_type)}: {text}"
    for row in pick.incidence.itertuples():
        graph.add_edge(("a", row.account_id), ("t", f"{row.attr_type}\x1f{row.attr_value}"))
    if len(pick.others):
        graph.add_node(OTHERS_NODE)
        for (attr_type, attr_value), count in pick.others.items():
            graph.add_edge(OTHERS_NODE, ("t", f"{attr_type}\x1f{attr_value}"), holders=count)
    graph.remove_nodes_from([n for n in list(graph.nodes) if graph.degree(n) == 0])
    return graph, labels


def _graph_svg(
    graph: nx.Graph, labels: dict[tuple[str, str], str], ctx: _Context, cluster_id: str
) -> str:
    width, height, pad = 1080, 520, 24
    positions = nx.spring_layout(graph, seed=0)
    placed = _spread(np.array([positions[n] for n in graph.nodes]))
    where = {node: placed[i] for i, node in enumerate(graph.nodes)}

    def xy(node: tuple[str, str]) -> tuple[float, float]:
        x, y = where[node]
        return pad + x * (width - 2 * pad), pad + y * (height - 2 * pad)

    plain = [(a, b) for a, b in graph.edges if OTHERS_NODE not in (a, b)]
    edges = "".join("M{:.1f} {:.1f}L{:.1f} {:.1f}".format(*xy(a), *xy(b)) for a, b in plain)
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" role="img" '
        f'aria-label="graph of cluster {_e(cluster_id)}">',
        f'<rect width="{width}" height="{height}" fill="#fbfbfc"/>',
        f'<path d="{edges}" stroke="#aab1bd" stroke-width="0.7" stroke-opacity="0.7" fill="none"/>',
    ]
    if graph.has_node(OTHERS_NODE):
        parts.append(_others_edges(graph, xy))
    declared = ctx.accounts["org_id"] if "org_id" in ctx.accounts.columns else pd.Series()
    parts.extend(_graph_node(graph, node, xy(node), labels, declared) for node in graph.nodes)
    parts.append("</svg>")
    return "".join(parts)


def _others_edges(graph: nx.Graph, xy: Any) -> str:
    """Edges from the node of the members not drawn, as thick as how many of them hold it."""
    peak = max(data["holders"] for _, _, data in graph.edges(OTHERS_NODE, data=True))
    lines = []
    for _, node, data in graph.edges(OTHERS_NODE, data=True):
        (x1, y1), (x2, y2) = xy(OTHERS_NODE), xy(node)
        stroke = 0.8 + 5.0 * data["holders"] / peak
        lines.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#7f8794" '
            f'stroke-width="{stroke:.1f}" stroke-opacity="0.35"/>'
        )
    return "".join(lines)


def _graph_node(
    graph: nx.Graph,
    node: tuple[str, str],
    at: tuple[float, float],
    labels: dict[tuple[str, str], str],
    declared: pd.Series,
) -> str:
    x, y = at
    if node == OTHERS_NODE:
        count = graph.graph.get("others", 0)
        return (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="16" fill="#dfe3ea" stroke="#5b6475" '
            f'stroke-dasharray="3 2"><title>{_e(count)} other members, drawn as one '
            f'node</title></circle><text x="{x:.1f}" y="{y + 4:.1f}" font-size="11" '
            f'text-anchor="middle" fill="#1d2330">+{_e(count)}</text>'
        )
    if node[0] == "a":
        org = declared.get(node[1])
        ring = "#1d2330" if isinstance(org, str) and org else "#ffffff"
        title = f"account {node[1]}" + (f" (declared org {org})" if ring != "#ffffff" else "")
        return (
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="#4e79a7" stroke="{ring}" '
            f'stroke-width="1.5"><title>{_e(title)}</title></circle>'
        )
    kind = node[1].split("\x1f", 1)[0]
    holders = sum(d.get("holders", 1) for _, _, d in graph.edges(node, data=True))
    size = 6 + min(8.0, holders**0.5 * 1.5)
    return (
        f'<rect x="{x - size / 2:.1f}" y="{y - size / 2:.1f}" width="{size:.1f}" '
        f'height="{size:.1f}" fill="{ATTRIBUTE_COLOURS.get(kind, "#7f7f7f")}" '
        f'stroke="#ffffff" stroke-width="1"><title>{_e(labels[node])} '
        f"({holders} members)</title></rect>"
    )


def _graph(campaign: dict[str, Any], ctx: _Context) -> str:
    cluster_id = campaign["cluster_id"]
    incidence = ctx.shared_incidence[ctx.shared_incidence["cluster_id"] == cluster_id]
    if incidence.empty:
        return "<h3>Cluster graph</h3><p>No attribute is shared by two members.</p>"
    pick = _graph_pick(campaign, incidence)
    graph, labels = _graph_of(pick, ctx)
    shown_accounts = sum(1 for n in graph.nodes if n[0] == "a")
    shown_attributes = sum(1 for n in graph.nodes if n[0] == "t")
    graph.graph["others"] = pick.total_accounts - shown_accounts
    kinds = sorted(set(pick.attributes["attr_type"]), key=list(ATTRIBUTE_COLOURS).index)
    legend = (
        '<span><span class="swatch" style="background:#4e79a7"></span>account</span>'
        + "".join(
            f'<span><span class="swatch" style="background:{ATTRIBUTE_COLOURS[k]}"></span>'
            f"{_e(ATTRIBUTE_LABELS.get(k, k))}</span>"
            for k in kinds
        )
    )
    if graph.has_node(OTHERS_NODE):
        note = (
            f" A large cluster: the {shown_accounts:,} accounts that share most are drawn one "
            f"by one, the other {graph.graph['others']:,} members as the one dashed node "
            f"(+{graph.graph['others']:,}), its lines as thick as how many of them hold the "
            f"attribute; {shown_attributes:,} of {pick.total_attributes:,} shared attributes "
            "(the most widely shared of each kind)."
        )
    elif shown_accounts < pick.total_accounts or shown_attributes < pick.total_attributes:
        note = (
            f" Sampled to stay readable: {shown_accounts:,} of {pick.total_accounts:,} accounts "
            f"and {shown_attributes:,} of {pick.total_attributes:,} shared attributes (the most "
            "widely shared of each kind)."
        )
    else:
        note = ""
    return (
        "<h3>Cluster graph</h3>"
        '<p class="note">Accounts (circles; dark ring: declared an organisation) and the '
        "attributes two or more of them share (squares, bigger when shared by more); "
        f"hover for values. Layout: spring layout, seed 0.{_e(note)}</p>"
        + _graph_svg(graph, labels, ctx, cluster_id)
        + f'<div class="legend">{legend}</div>'
    )


def _campaign(rank: int, campaign: dict[str, Any], ctx: _Context) -> str:
    cluster_id = campaign["cluster_id"]
    active = campaign["still_active"]
    badge = (
        '<span class="badge active">still active</span>'
        if active
        else '<span class="badge inactive">inactive</span>'
    )
    pathways = ", ".join(f"{k} {v:,}" for k, v in campaign["signup_pathways"].items()) or "–"
    declared = ", ".join(f"{k} {v:,}" for k, v in campaign["declared_orgs"].items()) or "none"
    facts = "".join(
        [
            _fact("hydra_score", _num(campaign["hydra_score"]), "hydra_score"),
            _fact("Accounts", _int(campaign["account_count"]), "account_count"),
            _fact("Exchanges", _int(campaign["exchange_count"]), "exchange_count"),
            _fact(
                "Per account per active day",
                _num(campaign["requests_per_account_day"], 1),
                "requests_per_account_day",
            ),
            _fact("First activity", _e(_time(campaign["first_activity"])), "first_activity"),
            _fact("Last activity", _e(_time(campaign["last_activity"])), "last_activity"),
            _fact("Still active", "yes" if active else "no", "still_active"),
            _fact("Declared orgs", _e(declared), "declared_orgs"),
        ]
    )
    return (
        f'<section class="card campaign" id="{_e(_anchor(cluster_id))}" '
        f'data-cluster-id="{_e(cluster_id)}">'
        f'<h2>#{rank} Campaign <code data-field="cluster_id">{_e(cluster_id)}</code> {badge}</h2>'
        f'<p class="sub">Sign-up pathways: {_e(pathways)}</p>'
        f'<dl class="facts">{facts}</dl>'
        + _attribution(campaign, ctx)
        + _timeline(campaign, ctx)
        + _graph(campaign, ctx)
        + '<div class="two"><div>'
        + _content_profile(campaign)
        + "</div><div>"
        + _signals(campaign)
        + "</div></div>"
        + _shared_infrastructure(campaign)
        + _members(campaign, ctx)
        + "</section>"
    )


def _unflagged(campaigns: list[dict[str, Any]], threshold: Any) -> str:
    unflagged = [c for c in campaigns if not c["flagged"]]
    if not unflagged:
        return ""
    rows = [
        [
            f"<code>{_e(c['cluster_id'])}</code>",
            _num(c["hydra_score"]),
            _int(c["account_count"]),
            _int(c["exchange_count"]),
            _e(c["organization"]),
            _e(", ".join(c["declared_orgs"]) or "–"),
            "yes" if c["still_active"] else "no",
        ]
        for c in unflagged[:UNFLAGGED_ROWS]
    ]
    more = len(unflagged) - len(rows)
    threshold_text = f" (below the flag threshold {_num(threshold)})" if threshold else ""
    note = f'<p class="note">{more:,} more in campaigns.json.</p>' if more > 0 else ""
    return (
        f'<section class="card" id="unflagged"><h2>Clusters not flagged{_e(threshold_text)}</h2>'
        f'<p class="note">Linked accounts that did not look like a campaign: the highest-scoring '
        f"{len(rows)} of {len(unflagged):,}.</p>"
        + _table(
            [
                "Cluster",
                "hydra_score",
                "Accounts",
                "Exchanges",
                "Organisation",
                "Declared orgs",
                "Still active",
            ],
            rows,
            numeric=(1, 2, 3),
        )
        + note
        + "</section>"
    )


DETAILED_CAMPAIGNS = 40
"""Flagged campaigns shown in full (graph, timeline, tables); the rest are in the ranking only."""


def _more_flagged(flagged: int) -> str:
    if flagged <= DETAILED_CAMPAIGNS:
        return ""
    return (
        f'<p class="note">{flagged - DETAILED_CAMPAIGNS} more flagged campaigns are in the '
        f"ranking above but not drawn here; every one of them is in campaigns.json.</p>"
    )


def render_report(run: Run) -> str:
    """The run's attribution report as one self-contained HTML page.

    Parameters
    ----------
    run
        A finished run, just computed or read from its folder.

    Returns
    -------
    str
        HTML that opens offline: inline CSS and SVG only, every data value escaped.
    """
    ctx = _Context(run)
    info = run.info
    threshold = run.setting("score", "flag_threshold")
    started = info.get("started_at")
    subtitle = (
        f"Run of {_e(started)} on {_e(info.get('input', 'the input'))}; "
        f"linkage {_e(info.get('engine_version', __version__))}."
        if started
        else f"linkage {_e(__version__)}."
    )
    body = [
        "<header><h1>Distillation campaigns: attribution report</h1>",
        f'<p class="sub">{subtitle} Confidential: contains account data.</p></header>',
        _summary(run, ctx.flagged),
        _ranking(ctx.flagged),
        _next_step(ctx.flagged),
        *(
            _campaign(rank, c, ctx)
            for rank, c in enumerate(ctx.flagged[:DETAILED_CAMPAIGNS], start=1)
        ),
        _more_flagged(len(ctx.flagged)),
        _unflagged(run.campaigns, threshold),
        '<footer class="note"><p>Written by linkage from the run folder\'s data; the same '
        "figures are in campaigns.json, clusters.csv and takedown.csv.</p></footer>",
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>linkage report: distillation campaigns</title>"
        f"<style>{CSS}</style></head><body><main>" + "".join(body) + "</main></body></html>\n"
    )
