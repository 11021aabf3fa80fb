"""report.html in a real browser (headless Chromium), and its figures against campaigns.json.

The browser tests need Debian's Chromium at /usr/bin/chromium; the Makefile's
test target installs it (``make browser``: ``apt-get install -y chromium``).
Without it they fail, saying so: a missing test dependency must not pass as a skip.
The figures test needs no browser.

The screenshot of the first campaign is saved in the test's tmp dir and as
``out/report-first-campaign.png`` (``out/`` is not tracked).
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from linkage.jobs import run_detection as run
from linkage.jobs import write_run_folder as write_run
from linkage.settings import Settings
from linkage.synth import generate, write_dataset

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
SCREENSHOT_COPY = REPO / "out" / "report-first-campaign.png"


@pytest.fixture()
def chromium() -> Path:
    """Chromium, which these tests need: its absence fails them (see the module docstring)."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} is not installed; `make browser` installs it (apt-get install -y chromium)"
        )
    return CHROMIUM


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run folder written exactly as `linkage run` writes it, with default settings."""
    data = tmp_path_factory.mktemp("generated")
    write_dataset(generate(seed=3, scale=0.2), data)
    out = tmp_path_factory.mktemp("run")
    write_run(run(data, Settings()), out)
    return out


def _campaigns(run_dir: Path) -> list[dict]:
    return json.loads((run_dir / "campaigns.json").read_text(encoding="utf-8"))


def _chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)


@pytest.mark.usefixtures("chromium")
def test_report_renders_without_console_errors(run_dir: Path, tmp_path: Path) -> None:
    report = run_dir / "report.html"
    shown = _chromium(
        tmp_path / "profile",
        "--enable-logging=stderr",
        "--v=0",
        "--dump-dom",
        report.as_uri(),
    )
    assert shown.returncode == 0, shown.stderr[-2000:]
    dom = shown.stdout
    flagged = [c for c in _campaigns(run_dir) if c["flagged"]]
    assert flagged, "the generated data plants campaigns; at least one must be flagged"
    for campaign in flagged:
        assert f'data-cluster-id="{campaign["cluster_id"]}"' in dom
    assert dom.count('class="card campaign"') == len(flagged)
    assert dom.count("<svg") >= 4 * len(flagged)
    # console messages (script errors, blocked loads, CSP violations) are logged as CONSOLE
    console = [line for line in shown.stderr.splitlines() if ":CONSOLE" in line]
    assert console == []
    assert "Refused to" not in shown.stderr


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


@pytest.mark.usefixtures("chromium")
def test_screenshot_of_the_first_campaign(run_dir: Path, tmp_path: Path) -> None:
    # A copy that hides the header, the summary and the ranking, so the first campaign
    # starts at the top of the window (headless screenshots ignore #fragment scrolling).
    page = (run_dir / "report.html").read_text(encoding="utf-8")
    hide = "<style>header, #summary, #ranking { display: none; }</style></head>"
    first_campaign = tmp_path / "report-first-campaign.html"
    first_campaign.write_text(page.replace("</head>", hide, 1), encoding="utf-8")
    shot = tmp_path / "report-first-campaign.png"
    taken = _chromium(
        tmp_path / "profile",
        f"--screenshot={shot}",
        "--window-size=1280,2000",
        "--hide-scrollbars",
        first_campaign.as_uri(),
    )
    assert taken.returncode == 0, taken.stderr[-2000:]
    assert _png_size(shot) == (1280, 2000)
    assert shot.stat().st_size > 30_000, "the screenshot looks blank"
    SCREENSHOT_COPY.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, SCREENSHOT_COPY)


class _Figures(HTMLParser):
    """Text of every element with a data-field, per campaign section (and the summary)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[dict[str, str]] = []
        self.summary: dict[str, str] = {}
        self._field: str | None = None
        self._depth = 0
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "section" and values.get("data-cluster-id"):
            self.sections.append({"section": values["data-cluster-id"] or ""})
        if self._field:
            self._depth += 1
        elif values.get("data-field"):
            self._field, self._depth, self._text = values["data-field"], 1, ""

    def handle_endtag(self, tag: str) -> None:
        if not self._field:
            return
        self._depth -= 1
        if self._depth == 0:
            target = self.sections[-1] if self.sections else self.summary
            target.setdefault(self._field, " ".join(self._text.split()))
            self._field = None

    def handle_data(self, data: str) -> None:
        if self._field:
            self._text += data


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def test_report_figures_match_campaigns_json(run_dir: Path) -> None:
    campaigns = _campaigns(run_dir)
    flagged = [c for c in campaigns if c["flagged"]]
    parser = _Figures()
    parser.feed((run_dir / "report.html").read_text(encoding="utf-8"))
    assert [s["section"] for s in parser.sections] == [c["cluster_id"] for c in flagged]
    clusters = pd.read_csv(run_dir / "clusters.csv", dtype={"cluster_id": "str"})
    members = clusters.groupby("cluster_id").size()
    for shown, campaign in zip(parser.sections, flagged, strict=True):
        assert shown["cluster_id"] == campaign["cluster_id"]
        assert _number(shown["account_count"]) == campaign["account_count"]
        assert _number(shown["account_count"]) == members[campaign["cluster_id"]]
        assert _number(shown["exchange_count"]) == campaign["exchange_count"]
        assert _number(shown["hydra_score"]) == round(campaign["hydra_score"], 2)
        if campaign["organization"]:
            assert shown["organization"] == campaign["organization"]
            confidence = _number(shown["attribution_confidence"])
            assert confidence == round(campaign["attribution_confidence"], 2)
        else:
            assert shown["organization"] == "Not attributed"
        assert shown["still_active"] == ("yes" if campaign["still_active"] else "no")
    assert _number(parser.summary["clusters"]) == len(campaigns)
    assert _number(parser.summary["flagged_clusters"]) == len(flagged)
    assert _number(parser.summary["flagged_accounts"]) == sum(c["account_count"] for c in flagged)
    takedown = pd.read_csv(run_dir / "takedown.csv")
    assert _number(parser.summary["flagged_accounts"]) == len(takedown)
