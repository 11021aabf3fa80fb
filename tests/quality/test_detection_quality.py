"""Benchmark with thresholds: detection quality on generated scenarios, measured against
the generator's labels.

What is measured: the job on the default scenario at scale 1 (about 6,400 accounts) for
three seeds the engine was never tuned on (settings were tuned on seed 1 only; the seeds
below were never looked at while tuning), scored with `linkage evaluate`; plus a run cut
24 hours after the coding firehose starts, and the ``legit_only`` scenario.

Thresholds (issue 2): account precision >= 0.99 and recall >= 0.95; every campaign caught
(>= 90% of its accounts flagged) and attributed to the right organisation; no flagged
account among the university, company, family and cohort look-alikes; the firehose
flagged and attributed while still running; nothing flagged when there is no campaign.
Why: precision is held higher than recall because a flag feeds the takedown plan (a
wrongly closed account costs more than a missed one); the look-alike groups are the
legitimate shapes a linkage engine is most likely to mistake for a campaign.

Marked ``slow``: several full-scale generations and runs.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from linkage.evaluate import evaluate_run
from linkage.jobs import run_detection as run
from linkage.settings import Settings
from linkage.synth import generate, write_dataset

UNTUNED_SEEDS = (11, 23, 37)
PROTECTED_GROUPS = ("university", "company", "family", "cohort")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=UNTUNED_SEEDS, ids=lambda seed: f"seed{seed}")
def evaluation(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp(f"default-{request.param}")
    dataset = generate("default", seed=request.param, scale=1.0)
    write_dataset(dataset, folder, fmt="parquet")
    result = run(folder, Settings())
    return evaluate_run(dataset.tables["labels"], result.clusters)


def test_account_precision_and_recall(evaluation: dict) -> None:
    assert evaluation["account_precision"] >= 0.99
    assert evaluation["account_recall"] >= 0.95


def test_every_campaign_caught_and_attributed(evaluation: dict) -> None:
    assert evaluation["campaigns_total"] == 3
    for campaign in evaluation["campaigns"]:
        assert campaign["caught"], campaign
        assert campaign["attribution_correct"], campaign


def test_no_look_alike_flagged(evaluation: dict) -> None:
    groups = evaluation["false_positives_by_group"]
    for group in PROTECTED_GROUPS:
        assert groups[group]["flagged"] == 0, (group, groups[group])


def test_firehose_flagged_while_still_running(tmp_path: Path) -> None:
    """Requests cut 24 hours after the coding firehose starts: it is already flagged."""
    dataset = generate("default", seed=11, scale=1.0)
    start = pd.Timestamp(_campaign(dataset.metadata, "coding_firehose")["first_request"])
    cut = start + pd.Timedelta(hours=24)
    tables = dict(dataset.tables)
    tables["requests"] = tables["requests"][tables["requests"]["ts"] < cut]
    dataset.tables = tables
    write_dataset(dataset, tmp_path, fmt="parquet")
    result = run(tmp_path, Settings())
    evaluation = evaluate_run(tables["labels"], result.clusters)
    firehose = next(c for c in evaluation["campaigns"] if c["campaign_id"] == "coding_firehose")
    assert firehose["caught"], firehose
    assert firehose["attribution_correct"], firehose
    flagged = [
        c for c in result.campaigns if c["flagged"] and c["organization"] == "Tidewater Labs"
    ]
    assert flagged and all(c["still_active"] for c in flagged)


def test_legit_only_scenario_flags_nothing(tmp_path: Path) -> None:
    dataset = generate("legit_only", seed=23, scale=0.5)
    write_dataset(dataset, tmp_path, fmt="parquet")
    result = run(tmp_path, Settings())
    assert not result.clusters["flagged"].any()


def _campaign(metadata: dict, campaign_id: str) -> dict:
    campaigns = metadata["campaigns"]
    if isinstance(campaigns, dict):
        return campaigns[campaign_id]
    return next(c for c in campaigns if c["campaign_id"] == campaign_id)
