"""The rules issue 8 asked for, each checked on a generated dataset changed in one way.

A declared org lowers concealment but is no kill switch; only a verified org exempts
accounts from the takedown plan; a scheduled job with no distillation content is not
flagged; one indicator matched by one member does not name the organisation; partners
get an organisation only on two independent indicator kinds. And (issue 15) no single
signal clears a group: a harvest on a precise clock is still flagged; a few heads that sign
up with their company's domain and pay under its name are a known team; prompts in a script
the intent model cannot read are unknown content, not innocent content.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from linkage.deliver.stix import build_bundle
from linkage.deliver.takedown import plan_takedown
from linkage.jobs import run_detection
from linkage.run_model import Run
from linkage.settings import Settings
from linkage.synth import generate

CAMPAIGNS = ("reasoning_harvest", "coding_firehose", "agentic_swarm")


@pytest.fixture(scope="module")
def dataset() -> dict[str, pd.DataFrame]:
    generated = generate("default", seed=5, scale=0.2)
    return {name: table.copy() for name, table in generated.tables.items()}


def _run(tables: dict[str, pd.DataFrame], folder: Path) -> Run:
    for name, table in tables.items():
        table.to_parquet(folder / f"{name}.parquet", index=False)
    return run_detection(folder, Settings())


def _members(tables: dict[str, pd.DataFrame], campaign: str) -> list[str]:
    labels = tables["labels"]
    return sorted(labels.loc[labels["campaign_id"] == campaign, "account_id"])


def _flagged(run: Run, accounts: list[str]) -> float:
    flagged = set(run.clusters.loc[run.clusters["flagged"], "account_id"])
    return sum(a in flagged for a in accounts) / len(accounts)


def test_heads_declaring_one_unverified_org_are_still_flagged_and_planned(
    dataset: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    tables = {name: table.copy() for name, table in dataset.items()}
    heads = _members(tables, "coding_firehose")
    accounts = tables["accounts"]
    accounts.loc[accounts["account_id"].isin(heads), "org_id"] = "org_front_company"
    accounts["org_verified"] = False
    run = _run(tables, tmp_path)
    assert _flagged(run, heads) >= 0.9
    planned = {a["account_id"] for a in plan_takedown(run, force_large=True)["accounts"]}
    assert len(planned & set(heads)) >= 0.9 * len(heads)


def test_a_random_org_per_head_changes_nothing(
    dataset: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    tables = {name: table.copy() for name, table in dataset.items()}
    heads = _members(tables, "reasoning_harvest")
    accounts = tables["accounts"]
    chosen = accounts["account_id"].isin(heads)
    accounts.loc[chosen, "org_id"] = [f"org_{i}" for i in range(int(chosen.sum()))]
    run = _run(tables, tmp_path)
    assert _flagged(run, heads) == 1.0
    campaign = next(c for c in run.campaigns if set(heads) <= set(c["accounts"]))
    assert campaign["score_components"]["concealment"] == 1.0
    planned = {a["account_id"] for a in plan_takedown(run, force_large=True)["accounts"]}
    assert set(heads) <= planned


def test_a_verified_org_is_exempt_from_the_plan(
    dataset: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    tables = {name: table.copy() for name, table in dataset.items()}
    heads = _members(tables, "coding_firehose")
    accounts = tables["accounts"]
    verified = accounts["account_id"] == heads[0]
    accounts.loc[verified, "org_id"] = "org_customer"
    accounts["org_verified"] = verified
    run = _run(tables, tmp_path)
    manifest = plan_takedown(run, force_large=True)
    excluded = {e["account_id"]: e["why"] for e in manifest["excluded"]}
    assert heads[0] in excluded and "verified by the provider" in excluded[heads[0]][-1]


def test_a_cron_job_without_distillation_content_is_not_flagged(
    dataset: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    tables = {name: table.copy() for name, table in dataset.items()}
    accounts = tables["accounts"]
    cron = [f"cron_{i}" for i in range(3)]
    created = pd.Timestamp("2026-09-01", tz="UTC")
    accounts = pd.concat(
        [accounts, pd.DataFrame({"account_id": cron, "created_at": created})], ignore_index=True
    )
    # every 17 minutes, from one unknown IP, no prompt at all
    ts = pd.date_range("2026-10-01", periods=2000, freq="17min", tz="UTC")
    jobs = pd.DataFrame(
        {
            "request_id": [f"cron_req_{i}" for i in range(len(ts))],
            "account_id": np.resize(cron, len(ts)),
            "ts": ts,
            "ip": "198.51.100.77",
            "user_agent": "python-requests/2.32.3",
        }
    )
    tables["accounts"] = accounts
    tables["requests"] = pd.concat([tables["requests"], jobs], ignore_index=True)
    run = _run(tables, tmp_path)
    flagged = set(run.clusters.loc[run.clusters["flagged"], "account_id"])
    assert not flagged & set(cron)


def test_one_indicator_on_one_member_names_nobody(
    dataset: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    tables = {name: table.copy() for name, table in dataset.items()}
    heads = _members(tables, "agentic_swarm")
    email = tables["accounts"].set_index("account_id").loc[heads[0], "email"]
    tables["indicators"] = pd.DataFrame(
        {
            "indicator_type": ["email"],
            "value": [email],
            "organization": ["Lone Tip Ltd"],
            "confidence": [0.95],
            "source": ["a single tip"],
        }
    )
    run = _run(tables, tmp_path)
    swarm = [c for c in run.campaigns if set(c["accounts"]) & set(heads)]
    assert swarm and all(c["organization"] != "Lone Tip Ltd" for c in swarm)


def test_partners_get_an_organisation_only_on_two_indicator_kinds(
    dataset: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    run = _run({name: table.copy() for name, table in dataset.items()}, tmp_path)
    bundle = build_bundle(run, b"a-sharing-key-of-16+bytes")
    actors = {o["name"] for o in bundle.objects if o["type"] == "threat-actor"}
    by_kinds = {
        c["organization"]
        for c in run.campaigns
        if c["flagged"] and c["organization"] and c["attribution_kinds"] >= 2
    }
    assert actors == by_kinds
    one_kind = [
        c
        for c in run.campaigns
        if c["flagged"] and c["organization"] and c["attribution_kinds"] < 2
    ]
    for campaign in one_kind:
        text = next(
            o["description"]
            for o in bundle.objects
            if o["type"] == "campaign" and o["aliases"] == [campaign["cluster_id"]]
        )
        assert "Unattributed" in text and campaign["organization"] in text


def test_without_prompt_text_volume_stands_in_for_content(
    dataset: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    tables = {name: table.copy() for name, table in dataset.items()}
    tables["requests"] = tables["requests"].drop(columns=["prompt"])
    run = _run(tables, tmp_path)
    heads = _members(tables, "coding_firehose")
    assert _flagged(run, heads) >= 0.9  # its own pool of IPs, a firehose of requests
    labels = tables["labels"]
    legitimate = set(labels.loc[labels["campaign_id"].fillna("") == "", "account_id"])
    assert not legitimate & set(run.clusters.loc[run.clusters["flagged"], "account_id"])


def test_a_precise_clock_does_not_clear_a_harvest(
    dataset: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    """The harvest's heads put on a scheduler: each request exactly 90 s after the last."""
    tables = {name: table.copy() for name, table in dataset.items()}
    heads = _members(tables, "reasoning_harvest")
    requests = tables["requests"]
    mine = requests["account_id"].isin(heads)
    order = requests[mine].sort_values(["account_id", "ts"])
    tick = order.groupby("account_id").cumcount().to_numpy()
    first = order.groupby("account_id")["ts"].transform("min")
    requests.loc[order.index, "ts"] = first + pd.to_timedelta(tick * 90, unit="s")
    run = _run(tables, tmp_path)
    assert _flagged(run, heads) >= 0.9


def test_a_company_that_signs_up_and_pays_as_itself_is_a_known_team(
    dataset: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    """The same heads, each with the company's mail domain and billing name, and few of
    them: transparent, not hidden. With freemail and people's names they are a hydra."""
    tables = {name: table.copy() for name, table in dataset.items()}
    heads = _members(tables, "coding_firehose")[:6]
    others = sorted(set(_members(tables, "coding_firehose")) - set(heads))
    keep = ~tables["labels"]["account_id"].isin(others)
    for name in ("accounts", "labels", "payment_methods"):
        tables[name] = tables[name][
            tables[name]["account_id"].isin(tables["labels"]["account_id"][keep])
        ]
    tables["requests"] = tables["requests"][~tables["requests"]["account_id"].isin(others)]
    (tmp_path / "hidden").mkdir()
    (tmp_path / "known").mkdir()
    hidden = _run({k: v.copy() for k, v in tables.items()}, tmp_path / "hidden")
    assert _flagged(hidden, heads) >= 0.9
    accounts = tables["accounts"]
    mine = accounts["account_id"].isin(heads)
    accounts.loc[mine, "email"] = [f"dev{i}@quillfern.io" for i in range(int(mine.sum()))]
    payments = tables["payment_methods"]
    payments.loc[payments["account_id"].isin(heads), "billing_name"] = "Quillfern Ltd"
    known = _run(tables, tmp_path / "known")
    assert _flagged(known, heads) == 0.0


def test_prompts_in_an_unread_script_are_unknown_content_not_innocent() -> None:
    from linkage.detect.content import classify_prompts
    from linkage.detect.profile import account_profiles

    thai = "ช่วยแก้โจทย์นี้ทีละขั้นตอน แสดงเหตุผลทุกขั้นก่อนให้คำตอบสุดท้าย ข้อที่ "
    prompts = pd.Series([f"{thai}{i}" for i in range(40)] + ["What time is it in Lima?"] * 40)
    intents = classify_prompts(prompts)
    assert not intents["readable"].iloc[:40].any() and intents["readable"].iloc[40:].all()
    ts = pd.date_range("2026-10-01", periods=80, freq="17min", tz="UTC")
    requests = pd.DataFrame(
        {
            "account_id": ["thai"] * 40 + ["lima"] * 40,
            "ts": ts,
            "ip": "10.0.0.1",
            "subnet": "10.0.0.0/24",
            "has_prompt": True,
            "prompt_chars": prompts.str.len(),
            "model": "m",
            "distilled": intents["intent"] != "none",
            "readable": intents["readable"],
            **{c: intents[c] for c in intents.columns if c.startswith("intent_")},
        }
    )
    accounts = pd.DataFrame(
        {"account_id": ["thai", "lima"], "created_at": pd.Timestamp("2026-09-01", tz="UTC")}
    )
    profiles = account_profiles(requests, accounts, Settings()).set_index("account_id")
    assert profiles.loc["thai", "prompts"] == 0  # nothing read: content unknown
    assert profiles.loc["thai", "unreadable_share"] == 1.0
    assert profiles.loc["lima", "prompts"] == 40
