"""report.html: self-contained, escaped, complete for every flagged campaign."""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest
from markupsafe import Markup

from linkage.deliver import report_data, svg
from linkage.deliver.report import render_report
from linkage.run_model import Run

HOSTILE = "<script>alert('x')</script>\"&'"
VOID = {"meta", "br", "hr", "img", "input", "link", "area", "base", "col", "source", "wbr"}
SVG_LEAVES = {"path", "rect", "circle", "line"}


@pytest.fixture(scope="module")
def result(flagged_run: Run) -> Run:
    return flagged_run


@pytest.fixture(scope="module")
def page(result: Run) -> str:
    return render_report(result)


class _Structure(HTMLParser):
    """Checks that tags balance and collects the data-field figures of each campaign."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.campaigns: list[dict[str, str]] = []
        self._field: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "section" and values.get("data-cluster-id"):
            self.campaigns.append({"section_cluster_id": values["data-cluster-id"] or ""})
        if values.get("data-field") and self.campaigns:
            self._field, self._text = values["data-field"], ""
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID | SVG_LEAVES:
            self.problems.append(f"self-closed <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()
        if self._field and self.campaigns:
            self.campaigns[-1].setdefault(self._field, self._text.strip())
            self._field = None

    def handle_data(self, data: str) -> None:
        if self._field:
            self._text += data


def test_opens_offline_and_fetches_nothing(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert "<link" not in page.lower()
    assert "@import" not in page and "url(" not in page
    # the only references are anchors inside the page
    references = re.findall(r"""\b(?:src|href|xlink:href)\s*=\s*["']([^"']*)""", page)
    assert all(ref.startswith("#") for ref in references), references
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_markup_is_balanced(page: str) -> None:
    parser = _Structure()
    parser.feed(page)
    parser.close()
    assert parser.problems == []
    assert parser.stack == []


def test_flagged_campaigns_ranked_by_score_with_every_section(result: Run, page: str) -> None:
    flagged = [c for c in result.campaigns if c["flagged"]]
    assert len(flagged) >= 2, "the generated data plants campaigns; some must be flagged"
    positions = [page.index(f'data-cluster-id="{c["cluster_id"]}"') for c in flagged]
    assert positions == sorted(positions)
    scores = [c["hydra_score"] for c in flagged]
    assert scores == sorted(scores, reverse=True)
    sections = page.split('<section class="card campaign"')[1:]
    assert len(sections) == len(flagged)
    for section, campaign in zip(sections, flagged, strict=True):
        assert campaign["cluster_id"] in section
        for heading in (
            "Attribution",
            "Activity timeline",
            "Who was active when",
            "Cluster graph",
            "Content profile",
            "Shared infrastructure",
            "Members (",
        ):
            assert heading in section, (campaign["cluster_id"], heading)
        assert section.count("<svg") >= 4  # timeline, raster, graph, content bars
        for family in ("Reasoning elicitation", "Rubric grading", "Sensitive rewrites"):
            assert family in section
        if campaign["organization"]:
            assert "Chain of evidence" in section


def test_summary_and_unflagged_list(result: Run, page: str) -> None:
    assert 'id="summary"' in page
    read = sum(c["read"] for c in result.info["rows"].values())
    assert f'data-field="rows_read">{read:,}<' in page
    assert f'data-field="clusters">{len(result.campaigns):,}<' in page
    unflagged = [c for c in result.campaigns if not c["flagged"]]
    assert unflagged, "the generated data has linked look-alikes below the threshold"
    assert 'id="unflagged"' in page
    assert unflagged[0]["cluster_id"] in page.split('id="unflagged"', 1)[1]


def test_evidence_chain_names_account_and_matched_value(result: Run, page: str) -> None:
    attributed = [c for c in result.campaigns if c["flagged"] and c["organization"]]
    assert attributed
    campaign = attributed[0]
    section = page.split(f'data-cluster-id="{campaign["cluster_id"]}"', 1)[1]
    section = section.split("</section>", 1)[0]
    indicator = campaign["evidence"]["indicators"][0]
    chain = section.split("Chain of evidence", 1)[1].split("</ul>", 1)[0]
    assert indicator["matched_accounts"][0] in chain
    assert "via" in chain


def test_every_value_is_escaped(result: Run) -> None:
    hostile = copy.deepcopy(result.campaigns)
    target = next(c for c in hostile if c["flagged"])
    target["organization"] = HOSTILE
    target["alternatives"] = [
        {"organization": HOSTILE, "confidence": 0.9, "evidence_score": 0.9},
    ]
    target["signup_pathways"] = {HOSTILE: 3}
    for block in target["evidence"].values():
        if isinstance(block, dict):
            for item in block["items"]:
                item["value"] = HOSTILE
                if "example" in item:
                    item["example"] = HOSTILE
    accounts = result.accounts.copy()
    accounts.loc[accounts["account_id"].isin(target["accounts"]), "email"] = HOSTILE
    templates = result.templates.copy()
    templates["text"] = HOSTILE
    page = render_report(replace(result, campaigns=hostile, accounts=accounts, templates=templates))
    assert "<script" not in page
    assert "alert(&#39;x&#39;)" in page  # markupsafe's escape of the quotes
    parser = _Structure()
    parser.feed(page)
    assert parser.problems == []


def test_large_cluster_graph_is_sampled_and_says_so(
    result: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_data, "GRAPH_MAX_ACCOUNTS", 3)
    monkeypatch.setattr(report_data, "GRAPH_MAX_ATTRIBUTES", 4)
    page = render_report(result)
    assert "Sampled to stay readable: 3 of" in page
    first = page.split('<section class="card campaign"')[1]
    graph = first.split("Cluster graph", 1)[1].split("</svg>", 1)[0]
    assert graph.count("<circle") == 3
    assert graph.count("<rect") <= 4 + 1  # attributes + background


def test_no_flagged_campaign(result: Run) -> None:
    quiet = [{**c, "flagged": False} for c in result.campaigns]
    page = render_report(replace(result, campaigns=quiet))
    assert "No cluster reached the flag threshold" in page
    assert 'class="card campaign"' not in page


def test_timeline_bins_long_spans(result: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_data, "MAX_TIMELINE_BINS", 20)
    page = render_report(result)
    assert re.search(r"Exchanges per \d+ hours from", page)


def test_the_report_can_be_rebuilt_from_the_run_folder(result: Run, tmp_path: Path) -> None:
    from linkage.io.run_folder import read_run
    from linkage.jobs import write_run_folder

    paths = write_run_folder(result, tmp_path / "run")
    assert paths["report"].name == "report.html"
    written = paths["report"].read_text(encoding="utf-8")
    assert "Run summary" in written and "DEMO SHARING KEY" in written  # the run's notes
    assert render_report(read_run(tmp_path / "run")) == written


def _section(page: str, cluster_id: str) -> str:
    return page.split(f'data-cluster-id="{cluster_id}"', 1)[1].split("</section>", 1)[0]


def test_the_next_step_points_to_the_takedown_plan(result: Run, page: str) -> None:
    box = page.split('id="next-step"', 1)[1].split("</section>", 1)[0]
    assert "<code>linkage takedown plan RUN_DIR</code>" in box
    flagged_accounts = sum(c["account_count"] for c in result.campaigns if c["flagged"])
    assert f"{flagged_accounts:,} accounts" in box
    first_campaign = page.index('<section class="card campaign"')
    assert page.index('id="ranking"') < page.index('id="next-step"') < first_campaign
    quiet = [{**c, "flagged": False} for c in result.campaigns]
    calm = render_report(replace(result, campaigns=quiet))
    assert "Nothing to take down" in calm.split('id="next-step"', 1)[1]


def test_identifiers_do_not_wrap_and_tables_scroll(page: str) -> None:
    code_rule = re.search(r"code, \.mono \{[^}]*\}", page)
    assert code_rule and "white-space: nowrap" in code_rule.group(0)
    assert "word-break: keep-all" in code_rule.group(0)
    assert "break-all" not in page
    assert ".scroll { overflow-x: auto" in page
    assert page.count("<table>") == page.count('<div class="scroll"><table>')


def test_masked_numbers_show_as_hash(result: Run) -> None:
    campaigns = copy.deepcopy(result.campaigns)
    target = next(c for c in campaigns if c["flagged"])
    target["evidence"]["shared_templates"]["items"] = [
        {**target["evidence"]["shared_templates"]["items"][0], "example": "give me 0 gb of ram"}
    ]
    page = render_report(replace(result, campaigns=campaigns))
    section = _section(page, target["cluster_id"])
    assert "give me # gb of ram" in section and "0 gb of ram" not in section


LARGE = 30
"""The sample's swarm is split in shifts of 20-40 accounts; the report's large-cluster views
are tested with their threshold lowered to this."""


def _large(result: Run) -> dict:
    large = [c for c in result.campaigns if c["flagged"] and c["account_count"] >= LARGE]
    assert large, f"the generated data plants a swarm of {LARGE}+ accounts"
    return large[0]


@pytest.fixture()
def large_page(result: Run, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(report_data, "LARGE_CLUSTER", LARGE)
    return render_report(result)


def test_a_large_cluster_gets_a_heat_map_not_a_grey_block(result: Run, large_page: str) -> None:
    page = large_page
    campaign = _large(result)
    section = _section(page, campaign["cluster_id"])
    timeline = section.split("Activity timeline", 1)[1].split("Cluster graph", 1)[0]
    assert "other account(s)" not in timeline and svg.OTHER_COLOUR not in timeline
    per_row = -(-campaign["account_count"] // report_data.HEATMAP_MAX_ROWS)
    rows = "one account" if per_row == 1 else f"{per_row} accounts"
    assert f"Heat map: one row per {rows}, sorted by first activity" in timeline
    heat = timeline.split("Heat map", 1)[1]
    assert f'aria-label="heat map of {campaign["account_count"]} accounts by time"' in heat
    assert sum(heat.count(colour) for colour in svg.HEAT_COLOURS) >= 3  # several levels


def test_a_heat_map_of_many_accounts_groups_rows(
    result: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_data, "HEATMAP_MAX_ROWS", 7)
    monkeypatch.setattr(report_data, "LARGE_CLUSTER", LARGE)
    campaign = _large(result)
    timeline = _section(render_report(result), campaign["cluster_id"])
    per_row = -(-campaign["account_count"] // 7)
    assert f"one row per {per_row} accounts" in timeline


def test_a_large_cluster_graph_draws_top_accounts_and_one_node_for_the_rest(
    result: Run, large_page: str
) -> None:
    page = large_page
    campaign = _large(result)
    graph = _section(page, campaign["cluster_id"]).split("Cluster graph", 1)[1]
    graph = graph.split("</svg>", 1)[0]
    others = campaign["account_count"] - report_data.GRAPH_TOP_ACCOUNTS
    assert f"+{others}</text>" in graph
    assert graph.count('r="5"') == report_data.GRAPH_TOP_ACCOUNTS  # accounts drawn one by one
    assert graph.count("<rect") <= report_data.GRAPH_LARGE_ATTRIBUTES + 1  # attributes + background


SCRIPT = "<script>alert(1)</script>"


def test_a_hostile_account_id_and_org_name_are_escaped(result: Run) -> None:
    """An account id and a declared org that are markup show as text, in tables and SVG."""
    campaigns = copy.deepcopy(result.campaigns)
    target = next(c for c in campaigns if c["flagged"])
    victim = target["accounts"][0]
    hostile_id = f"{SCRIPT}{victim}"
    target["accounts"] = [hostile_id if a == victim else a for a in target["accounts"]]
    target["organization"] = SCRIPT
    target["declared_orgs"] = {SCRIPT: 1}
    renamed = {}
    for name in ("accounts", "activity", "account_attributes", "takedown", "indicator_matches"):
        frame = getattr(result, name).copy()
        if "account_id" in frame.columns:
            frame["account_id"] = frame["account_id"].replace({victim: hostile_id})
        renamed[name] = frame
    accounts = renamed["accounts"]
    accounts.loc[accounts["account_id"] == hostile_id, "org_id"] = SCRIPT
    page = render_report(replace(result, campaigns=campaigns, **renamed))
    assert "<script" not in page
    section = _section(page, target["cluster_id"])
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert f"<code>{escaped}{victim}</code>" in section  # the members table
    assert f"<title>account {escaped}{victim} (declared org {escaped})</title>" in section
    assert f'data-field="organization">{escaped}<' in section
    parser = _Structure()
    parser.feed(page)
    parser.close()
    assert parser.problems == [] and parser.stack == []


def test_the_svg_module_escapes_what_it_draws() -> None:
    """SVG comes out as Markup (inserted as is), so the values in it are escaped on the way in."""
    bars = svg.bar_rows([(SCRIPT, 0.5)], "#b3261e")
    assert isinstance(bars, Markup)
    assert SCRIPT not in bars and "&lt;script&gt;alert(1)&lt;/script&gt;" in bars
    graph = nx.Graph()
    graph.add_edge(("a", SCRIPT), ("t", f"ip\x1f{SCRIPT}"))
    picture = svg.cluster_graph(graph, {("t", f"ip\x1f{SCRIPT}"): SCRIPT}, {SCRIPT: SCRIPT}, SCRIPT)
    assert "<script" not in picture
    assert picture.count("&lt;script&gt;") == 4  # aria-label, account title (id and org), label
