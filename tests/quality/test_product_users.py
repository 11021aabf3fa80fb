"""Benchmark with a threshold: a product's own system prompt and client string, shared by
all its users, never make them a campaign.

Two thousand developers use one coding CLI. The CLI puts its system prompt in front of every
request and its name in the client string; everything else is each developer's own: their
repositories and tasks, their home IP, their card, their pace (a person's, heavy-tailed).
Their prompts are all coding-agent prompts, their fingerprints alike, and the system prompt
and client string tie every one of them to every other. The data is written here, in the
test's own words, not by the generator.

What is measured: how many of the CLI's users the job flags. Threshold: none (zero false
positives). Why: what every user of a product shares says nothing about a campaign, and a
flag feeds the takedown plan, so one flagged user is one wrongly closed account.

Marked ``slow``: two thousand accounts through the whole job.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from linkage.jobs import run_detection
from linkage.settings import Settings

pytestmark = pytest.mark.slow

USERS = 2_000
SYSTEM_PROMPT = (
    "You are Tern, a terminal coding assistant. You work inside the user's repository and "
    "may call the tools read_file(path), write_file(path, content), run(command) and "
    "search(pattern). Think about the smallest change that solves the task, explain the plan "
    "in one or two sentences, then act through the tools. Never touch files outside the "
    "repository, never push, and ask before deleting anything. Answer tool results with the "
    "next tool call or with a short summary when the task is done.\n\n"
)
CLIENT = "tern-cli/2.0.1 (node 20; {os})"
VERBS = ["fix", "add", "refactor", "speed up", "document", "test", "remove", "rename"]
THINGS = [
    "the login form validation",
    "the CSV export",
    "pagination in the orders API",
    "the retry logic of the HTTP client",
    "the flaky date test",
    "dark mode in the settings page",
    "the Dockerfile build cache",
    "null handling in the parser",
    "the migration for the invoices table",
    "error messages of the CLI",
]
FILES = ["src/app.ts", "lib/parser.py", "cmd/main.go", "src/lib.rs", "api/views.py", "web/index.js"]


def _dataset(folder: Path, seed: int = 3) -> None:
    rng = np.random.default_rng(seed)
    ids = np.array([f"dev{i:05d}" for i in range(USERS)], dtype=object)
    start = pd.Timestamp("2026-09-01", tz="UTC")
    created = start - pd.to_timedelta(rng.integers(1, 900, USERS), unit="D")
    accounts = pd.DataFrame(
        {
            "account_id": ids,
            "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "email": [f"{i}@mail{rng.integers(0, 40)}.example" for i in ids],
            "country": rng.choice(["US", "DE", "IN", "BR", "JP", "FR", "GB"], USERS),
        }
    )
    payments = pd.DataFrame(
        {
            "account_id": ids,
            "payment_fingerprint": [f"card-{i}" for i in ids],
            "billing_name": [f"Dev {i}" for i in range(USERS)],
        }
    )
    # a person's pace: sessions of agent steps, heavy-tailed per developer
    sessions = np.clip(rng.lognormal(1.6, 0.9, USERS).astype(int), 1, 80)
    who = np.repeat(np.arange(USERS), sessions)
    session_start = rng.uniform(0, 14 * 86400, len(who))
    steps = np.minimum(1 + rng.geometric(0.15, len(who)), 30)
    owner = np.repeat(who, steps)
    step = np.concatenate([np.arange(k) for k in steps])
    ts = np.repeat(session_start, steps) + step * rng.uniform(4, 40, len(owner))
    repo = np.array([f"{i}-project{rng.integers(0, 3)}" for i in ids], dtype=object)[owner]
    task = (
        np.array(VERBS, dtype=object)[rng.integers(0, len(VERBS), len(owner))]
        + " "
        + np.array(THINGS, dtype=object)[rng.integers(0, len(THINGS), len(owner))]
    )
    file = np.array(FILES, dtype=object)[rng.integers(0, len(FILES), len(owner))]
    prompt = (
        SYSTEM_PROMPT
        + "Repository: "
        + repo
        + "\nTask: "
        + task
        + "\nStep "
        + step.astype(str)
        + ": last tool result from "
        + file
        + " line "
        + rng.integers(1, 900, len(owner)).astype(str)
    )
    home = np.array(
        [
            f"{rng.integers(11, 200)}.{rng.integers(0, 255)}.{rng.integers(0, 255)}.{i % 250 + 1}"
            for i in range(USERS)
        ],
        dtype=object,
    )
    os_name = np.array(["linux", "darwin", "win32"], dtype=object)[rng.integers(0, 3, USERS)]
    requests = pd.DataFrame(
        {
            "request_id": [f"r{i}" for i in range(len(owner))],
            "account_id": ids[owner],
            "ts": (start + pd.to_timedelta(ts, unit="s")).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "ip": home[owner],
            "user_agent": pd.Series(os_name[owner]).map(lambda o: CLIENT.format(os=o)),
            "model": "model-large",
            "prompt": prompt,
        }
    )
    folder.mkdir(parents=True, exist_ok=True)
    accounts.to_csv(folder / "accounts.csv", index=False)
    payments.to_csv(folder / "payment_methods.csv", index=False)
    requests.to_parquet(folder / "requests.parquet", index=False)


@pytest.mark.slow
def test_thousands_of_users_of_one_cli_are_no_campaign(tmp_path: Path) -> None:
    _dataset(tmp_path / "in")
    run = run_detection(tmp_path / "in", Settings())
    flagged = run.clusters[run.clusters["flagged"]]
    assert flagged.empty, (
        f"{len(flagged)} CLI users flagged in {flagged['cluster_id'].nunique()} clusters: "
        + "; ".join(
            f"{c['cluster_id']} ({c['account_count']} accounts, score {c['hydra_score']}, "
            f"{c['score_components']})"
            for c in run.campaigns
            if c["flagged"]
        )
    )
