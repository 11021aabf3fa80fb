"""Tests of the synthetic dataset generator (small scales, so they run in seconds)."""

from __future__ import annotations

import functools
import ipaddress
import itertools
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import chi2_contingency

from linkage.io.contract import INDICATOR_TYPES
from linkage.synth import (
    SCENARIOS,
    TABLES,
    WINDOW_DAYS,
    WINDOW_START,
    GeneratedDataset,
    generate,
    write_dataset,
)
from linkage.synth.adversary import ALL_KNOBS, KNOBS
from linkage.synth.assembly import group_sizes
from linkage.synth.campaigns import HEAD_REQUESTS, KESTREL_BILLING_NAME
from linkage.synth.content import input_tokens
from linkage.synth.paraphrase import INTENTS
from linkage.synth.vocabulary import COUNTRIES, FREEMAIL

SCALE = 0.15
SEED = 11

# The contract's columns (required and optional) -- the generator fills all of them.
CONTRACT_COLUMNS: dict[str, list[str]] = {
    "accounts": [
        "account_id",
        "created_at",
        "email",
        "display_name",
        "org_id",
        "org_verified",
        "signup_pathway",
        "country",
    ],
    "requests": [
        "request_id",
        "account_id",
        "ts",
        "ip",
        "access_pathway",
        "api_key_id",
        "user_agent",
        "model",
        "prompt",
        "input_tokens",
        "output_tokens",
    ],
    "payment_methods": [
        "account_id",
        "payment_fingerprint",
        "billing_name",
        "billing_country",
        "added_at",
    ],
    "ip_intel": ["network", "asn", "as_org", "kind"],
    "indicators": ["indicator_type", "value", "organization", "confidence", "source"],
    "labels": ["account_id", "campaign_id", "organization"],
}
EXTRA_COLUMNS = {"labels": ["group"]}
REQUIRED: dict[str, list[str]] = {
    "accounts": ["account_id", "created_at"],
    "requests": ["request_id", "account_id", "ts", "ip"],
    "payment_methods": ["account_id", "payment_fingerprint"],
    "ip_intel": ["network"],
    "indicators": ["indicator_type", "value", "organization"],
    "labels": ["account_id"],
}
TIMESTAMPS = {"accounts": ["created_at"], "requests": ["ts"], "payment_methods": ["added_at"]}
LEGIT_GROUPS = {
    "regular",
    "popular_template",
    "university",
    "company",
    "family",
    "cohort",
    "heavy_user",
    "cloud_developer",
    "proxy_overlap",
    "multilingual",
    "step_by_step",
    "code_questions",
    "raters",
    "cron_job",
    "product_backend",
    "eval_team",
    "pasters",
    "app_backends",
    "agent_startup",
    "judge_pipelines",
    "cli_users",
}
DECLARED_ORGS = {
    "company",
    "eval_team",
    "product_backend",
    "app_backends",
    "agent_startup",
    "judge_pipelines",
}
PATHWAYS = {
    "standard",
    "education",
    "research_program",
    "startup_program",
    "enterprise",
    "cloud_partner",
}
ORDINARY = ("regular", "multilingual", "step_by_step", "code_questions", "raters")
CAMPAIGN_ORGS = {"Kestrel AI", "Orca Intelligence", "Tidewater Labs"}
CAMPAIGNS = {
    "reasoning_harvest": ("Kestrel AI", 36, 10_000 / 36),
    "agentic_swarm": ("Orca Intelligence", 300, 25_000 / 300),
    "coding_firehose": ("Tidewater Labs", 60, 250),
}


def _scaled(base: int, scale: float = SCALE, minimum: int = 2) -> int:
    return max(minimum, math.floor(base * scale + 0.5))


@pytest.fixture(scope="module")
def dataset() -> GeneratedDataset:
    return generate("default", seed=SEED, scale=SCALE)


@pytest.fixture(scope="module")
def legit() -> GeneratedDataset:
    return generate("legit_only", seed=SEED, scale=SCALE)


def _group_of_requests(ds: GeneratedDataset) -> pd.Series:
    labels = ds.tables["labels"].set_index("account_id")
    return ds.tables["requests"]["account_id"].map(labels["group"])


# ---- shape of the tables -------------------------------------------------------------


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_columns_exactly_as_contract(scenario: str) -> None:
    ds = generate(scenario, seed=SEED, scale=SCALE)
    assert tuple(ds.tables) == TABLES
    for table, columns in CONTRACT_COLUMNS.items():
        expected = columns + EXTRA_COLUMNS.get(table, [])
        assert list(ds.tables[table].columns) == expected, table


def test_required_values_present_and_typed(dataset: GeneratedDataset) -> None:
    for table, columns in REQUIRED.items():
        df = dataset.tables[table]
        assert len(df) > 0, table
        for column in columns:
            assert df[column].notna().all(), f"{table}.{column} has nulls"
    for table, columns in TIMESTAMPS.items():
        for column in columns:
            dtype = dataset.tables[table][column].dtype
            assert isinstance(dtype, pd.DatetimeTZDtype) and str(dtype.tz) == "UTC"
    req = dataset.tables["requests"]
    assert (req["input_tokens"] > 0).all() and (req["output_tokens"] > 0).all()
    assert req["prompt"].notna().mean() > 0.99  # a few rows carry no prompt sample
    assert pd.api.types.is_integer_dtype(dataset.tables["ip_intel"]["asn"])
    conf = dataset.tables["indicators"]["confidence"]
    assert ((conf > 0) & (conf <= 1)).all()


def test_optional_columns_filled(dataset: GeneratedDataset) -> None:
    acc = dataset.tables["accounts"]
    for column in ("email", "display_name", "signup_pathway", "country", "org_verified"):
        assert acc[column].notna().all(), column
    group = acc["account_id"].map(dataset.tables["labels"].set_index("account_id")["group"])
    declared = acc["org_id"].notna()
    assert set(group[declared]) == DECLARED_ORGS
    assert declared[group.isin(DECLARED_ORGS - {"product_backend"})].all()
    assert acc["org_verified"].dtype == bool and not acc.loc[~declared, "org_verified"].any()
    assert acc.loc[declared, "org_verified"].any() and not acc.loc[declared, "org_verified"].all()
    assert set(acc["signup_pathway"]) == PATHWAYS
    req = dataset.tables["requests"]
    for column in ("access_pathway", "api_key_id", "user_agent", "model"):
        assert req[column].notna().all(), column
    assert set(req["access_pathway"]) <= {"api", "console", "cloud_partner"}
    assert req["model"].nunique() == 3
    pay = dataset.tables["payment_methods"]
    for column in ("billing_name", "billing_country", "added_at"):
        assert pay[column].notna().all(), column
    kinds = {"residential", "mobile", "hosting", "university", "corporate", "vpn", "proxy"}
    assert set(dataset.tables["ip_intel"]["kind"]) == kinds


# ---- determinism ---------------------------------------------------------------------


def test_same_seed_same_tables(dataset: GeneratedDataset) -> None:
    again = generate("default", seed=SEED, scale=SCALE)
    for name in TABLES:
        pd.testing.assert_frame_equal(dataset.tables[name], again.tables[name])
    assert dataset.metadata == again.metadata


def test_different_seed_different_tables(dataset: GeneratedDataset) -> None:
    other = generate("default", seed=SEED + 1, scale=SCALE)
    for name in ("accounts", "requests", "payment_methods", "labels"):
        assert not dataset.tables[name].equals(other.tables[name]), name
    assert set(dataset.tables["accounts"]["account_id"]).isdisjoint(
        other.tables["accounts"]["account_id"]
    )


def test_legit_only_is_default_minus_campaigns(
    dataset: GeneratedDataset, legit: GeneratedDataset
) -> None:
    labels = dataset.tables["labels"]
    legit_ids = set(labels.loc[labels["campaign_id"] == "", "account_id"])
    assert set(legit.tables["accounts"]["account_id"]) == legit_ids
    req = dataset.tables["requests"]
    expected = req[req["account_id"].isin(legit_ids)].reset_index(drop=True)
    pd.testing.assert_frame_equal(expected, legit.tables["requests"])
    assert (legit.tables["labels"]["campaign_id"] == "").all()
    assert legit.metadata["campaigns"] == []


# ---- integrity -----------------------------------------------------------------------


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_referential_integrity_and_unique_ids(scenario: str) -> None:
    ds = generate(scenario, seed=SEED, scale=SCALE)
    acc, req = ds.tables["accounts"], ds.tables["requests"]
    pay, labels = ds.tables["payment_methods"], ds.tables["labels"]
    ids = set(acc["account_id"])
    assert acc["account_id"].is_unique
    assert req["request_id"].is_unique
    assert set(req["account_id"]) <= ids
    assert set(pay["account_id"]) <= ids
    assert labels["account_id"].is_unique and set(labels["account_id"]) == ids
    assert set(req["account_id"]) == ids  # every account made at least one request
    assert not pay.duplicated(["account_id", "payment_fingerprint"]).any()
    # an API key belongs to exactly one account
    assert (req.groupby("api_key_id")["account_id"].nunique() == 1).all()
    assert acc["account_id"].str.fullmatch(r"acct_[0-9a-f]{8}").all()
    assert req["request_id"].str.fullmatch(r"req_[0-9a-f]{12}").all()
    assert req["api_key_id"].str.fullmatch(r"key_[0-9a-f]{10}").all()


def test_times_sorted_in_window_after_signup(dataset: GeneratedDataset) -> None:
    req, acc = dataset.tables["requests"], dataset.tables["accounts"]
    assert req["ts"].is_monotonic_increasing
    end = WINDOW_START + pd.Timedelta(days=WINDOW_DAYS)
    assert req["ts"].min() >= WINDOW_START and req["ts"].max() < end
    created = req["account_id"].map(acc.set_index("account_id")["created_at"])
    assert (req["ts"] >= created).all()
    assert (acc["created_at"] < end).all()


def test_ips_and_networks_parse(dataset: GeneratedDataset) -> None:
    ips = dataset.tables["requests"]["ip"].unique()
    parsed = [ipaddress.ip_address(ip) for ip in ips]
    assert any(p.version == 6 for p in parsed)
    nets = [ipaddress.ip_network(n) for n in dataset.tables["ip_intel"]["network"]]
    assert any(n.version == 6 for n in nets)
    # intel is partial: some residential addresses are in no listed block
    v4_nets = [n for n in nets if n.version == 4]
    uncovered = [
        p
        for p in parsed
        if p.version == 4 and not any(p in n for n in v4_nets if n.prefixlen <= 16)
    ]
    assert uncovered


def test_no_card_numbers_in_fingerprints(dataset: GeneratedDataset) -> None:
    fps = dataset.tables["payment_methods"]["payment_fingerprint"]
    assert fps.str.fullmatch(r"pm_[0-9a-f]{16}").all()
    assert not fps.str.contains(r"\d{13,}").any()
    digits = fps.str.replace(r"\D", "", regex=True).str.len()
    assert (digits < 13).all()  # not even the digits alone could be a card number


# ---- planted structure ---------------------------------------------------------------


def test_every_group_labelled(dataset: GeneratedDataset, legit: GeneratedDataset) -> None:
    assert set(dataset.tables["labels"]["group"]) == LEGIT_GROUPS | {"campaign"}
    assert set(legit.tables["labels"]["group"]) == LEGIT_GROUPS
    labels = dataset.tables["labels"]
    camp = labels[labels["group"] == "campaign"]
    assert set(camp["campaign_id"]) == set(CAMPAIGNS)
    assert (labels.loc[labels["group"] != "campaign", "campaign_id"] == "").all()
    assert (labels.loc[labels["group"] != "campaign", "organization"] == "").all()
    for cid, (org, _, _) in CAMPAIGNS.items():
        assert set(camp.loc[camp["campaign_id"] == cid, "organization"]) == {org}


def test_campaign_sizes(dataset: GeneratedDataset) -> None:
    labels = dataset.tables["labels"]
    per_request = dataset.tables["requests"]["account_id"].map(
        labels.set_index("account_id")["campaign_id"]
    )
    for cid, (_, base, per_account) in CAMPAIGNS.items():
        n = int((labels["campaign_id"] == cid).sum())
        assert n == _scaled(base, minimum=3 if cid == "agentic_swarm" else 2), cid
        r = int((per_request == cid).sum())
        assert abs(r - n * per_account) <= 0.1 * n * per_account, (cid, r)
    groups = dataset.metadata["groups"]
    assert groups["heavy_user"]["accounts"] == 1
    assert 3_500 <= groups["heavy_user"]["requests"] <= 4_500
    assert groups["regular"]["accounts"] == _scaled(4000)


def test_sizes_scale_linearly() -> None:
    small = generate("default", seed=3, scale=0.1).metadata["rows"]
    big = generate("default", seed=3, scale=0.4).metadata["rows"]
    assert 3.5 <= big["accounts"] / small["accounts"] <= 4.5
    assert 2.5 <= big["requests"] / small["requests"] <= 4.5  # the heavy user does not scale


def test_harvest_signals(dataset: GeneratedDataset) -> None:
    t = dataset.tables
    ids = set(t["labels"].loc[t["labels"]["campaign_id"] == "reasoning_harvest", "account_id"])
    emails = set(t["accounts"].loc[t["accounts"]["account_id"].isin(ids), "email"])
    assert {"kestrelops@gmail.com", "kestrel.ops+a1@gmail.com"} <= emails
    pay = t["payment_methods"][t["payment_methods"]["account_id"].isin(ids)]
    assert pay["account_id"].nunique() == len(ids)
    assert pay.groupby("payment_fingerprint")["account_id"].nunique().max() == 3
    assert "Kestrel Data Services Ltd" in set(pay["billing_name"])
    req = t["requests"][t["requests"]["account_id"].isin(ids)]
    assert req["ip"].nunique() == 8
    assert len({ip.rsplit(".", 1)[0] for ip in req["ip"]}) == 1  # one /24
    assert req["user_agent"].nunique() == 1
    gaps = req["ts"].diff().dt.total_seconds().dropna()
    assert gaps.std() < 0.2 * gaps.mean()  # steady dispatcher clock


def test_swarm_and_firehose_signals(dataset: GeneratedDataset) -> None:
    t = dataset.tables
    labels = t["labels"]
    req = t["requests"]
    swarm = req[
        req["account_id"].isin(labels.loc[labels["campaign_id"] == "agentic_swarm", "account_id"])
    ]
    harness = swarm["user_agent"].str.startswith("orca-harness/").mean()
    assert 0.2 < harness < 0.4
    assert (
        req.loc[~req.index.isin(swarm.index), "user_agent"].str.startswith("orca-harness/")
    ).sum() == 0
    per_ip = swarm.groupby("ip")["account_id"].nunique()
    assert per_ip.median() > 2  # accounts active at the same time share proxy exits
    fire_ids = labels.loc[labels["campaign_id"] == "coding_firehose", "account_id"]
    fire = req[req["account_id"].isin(fire_ids)]
    start = WINDOW_START + pd.Timedelta(days=25)
    assert abs((fire["ts"].min() - start).total_seconds()) <= 600
    assert all(
        ipaddress.ip_address(ip) in ipaddress.ip_network("45.61.140.64/26") for ip in fire["ip"]
    )
    emails = t["accounts"].loc[t["accounts"]["account_id"].isin(fire_ids), "email"]
    assert emails.str.endswith("@tidewater-labs.com").sum() == 1


def test_indicators(dataset: GeneratedDataset, legit: GeneratedDataset) -> None:
    ind = dataset.tables["indicators"]
    orgs = set(ind["organization"])
    assert {"Kestrel AI", "Orca Intelligence", "Tidewater Labs"} <= orgs
    assert {"Zephyr Research", "Basilisk AI"} <= orgs
    decoys = legit.tables["indicators"]
    assert set(decoys["organization"]).isdisjoint(
        {"Kestrel AI", "Orca Intelligence", "Tidewater Labs"}
    )
    assert len(decoys) == 3
    assert set(ind["indicator_type"]) <= set(INDICATOR_TYPES)


def test_regular_prompts_rarely_share_an_opening(dataset: GeneratedDataset) -> None:
    req = dataset.tables["requests"]
    regular = req[(_group_of_requests(dataset) == "regular") & req["prompt"].notna()]
    first8 = regular["prompt"].str.split().str[:8].str.join(" ")
    accounts = regular.assign(first8=first8).groupby("first8")["account_id"].nunique()
    assert accounts.max() <= 5
    assert (accounts > 1).mean() < 0.05


# ---- writing -------------------------------------------------------------------------


def _normalised(df: pd.DataFrame, like: pd.DataFrame) -> pd.DataFrame:
    """Bring a re-read table to comparable plain values (timestamps as epoch seconds)."""
    out = {}
    for column in like.columns:
        col = df[column]
        if isinstance(like[column].dtype, pd.DatetimeTZDtype):
            ts = pd.to_datetime(col, utc=True)
            out[column] = ts.dt.tz_localize(None).to_numpy("datetime64[s]").astype(np.int64)
        elif pd.api.types.is_bool_dtype(like[column]):  # CSV spells booleans true/false
            out[column] = col.astype(str).str.lower().to_numpy()
        elif pd.api.types.is_integer_dtype(like[column]):
            out[column] = col.astype(np.int64).to_numpy()
        elif pd.api.types.is_float_dtype(like[column]):
            out[column] = col.astype(float).to_numpy()
        else:
            out[column] = col.astype(object).where(col.notna(), "").astype(str).to_numpy()
    return pd.DataFrame(out)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_write_dataset_round_trip(dataset: GeneratedDataset, tmp_path: Path, fmt: str) -> None:
    paths = write_dataset(dataset, tmp_path, fmt=fmt)
    assert [p.name for p in paths] == [f"{t}.{fmt}" for t in TABLES] + ["scenario.json"]
    for name in TABLES:
        original = dataset.tables[name]
        path = tmp_path / f"{name}.{fmt}"
        if fmt == "csv":
            back = pd.read_csv(path, dtype=str, keep_default_na=False)
        else:
            back = pd.read_parquet(path)
        assert list(back.columns) == list(original.columns)
        pd.testing.assert_frame_equal(
            _normalised(back, original), _normalised(original, original), check_dtype=False
        )
    meta = json.loads((tmp_path / "scenario.json").read_text(encoding="utf-8"))
    assert meta == json.loads(json.dumps(dataset.metadata))
    assert meta["scenario"] == "default" and meta["seed"] == SEED and meta["scale"] == SCALE
    assert meta["window_start"] == "2026-10-01T00:00:00Z"
    assert meta["window_end"] == "2026-10-29T00:00:00Z"
    labels = dataset.tables["labels"]
    for camp in meta["campaigns"]:
        assert camp["accounts"] == int((labels["campaign_id"] == camp["campaign_id"]).sum())
        assert set(camp) >= {
            "campaign_id",
            "organization",
            "first_request",
            "last_request",
            "accounts",
            "requests",
        }


def test_replaced_requests_are_written(tmp_path: Path) -> None:
    ds = generate("default", seed=4, scale=0.1)
    cut = WINDOW_START + pd.Timedelta(days=10)
    ds.tables["requests"] = ds.tables["requests"].loc[lambda r: r["ts"] < cut]
    write_dataset(ds, tmp_path, fmt="parquet")
    back = pd.read_parquet(tmp_path / "requests.parquet")
    assert len(back) == len(ds.tables["requests"]) and (back["ts"] < cut).all()


def test_csv_timestamps_are_iso_z(dataset: GeneratedDataset, tmp_path: Path) -> None:
    write_dataset(dataset, tmp_path, fmt="csv")
    header, first = (tmp_path / "requests.csv").read_text(encoding="utf-8").splitlines()[:2]
    assert header.replace('"', "").split(",")[:3] == ["request_id", "account_id", "ts"]
    ts = first.split(",")[2].strip('"')
    assert re.fullmatch(r"2026-10-\d\dT\d\d:\d\d:\d\dZ", ts)


def test_written_files_byte_identical(tmp_path: Path) -> None:
    a = write_dataset(generate("default", seed=2, scale=0.1), tmp_path / "a", fmt="parquet")
    b = write_dataset(generate("default", seed=2, scale=0.1), tmp_path / "b", fmt="parquet")
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]


# ---- validation ----------------------------------------------------------------------


@pytest.mark.parametrize("scale", [0, -1, float("nan"), float("inf"), True, "2"])
def test_bad_scale_rejected(scale: object) -> None:
    with pytest.raises(ValueError, match="scale"):
        generate(scale=scale)  # type: ignore[arg-type]


def test_bad_scenario_and_format_rejected(dataset: GeneratedDataset, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown scenario"):
        generate("nope")
    with pytest.raises(ValueError, match="format"):
        write_dataset(dataset, tmp_path, fmt="xlsx")


# ---- new legitimate groups -------------------------------------------------------------


def test_new_legitimate_groups() -> None:
    dataset = _with(None, 1.0)
    t = dataset.tables
    labels = t["labels"].set_index("account_id")
    req = t["requests"].assign(group=lambda r: r["account_id"].map(labels["group"]))
    pay = t["payment_methods"].assign(group=lambda p: p["account_id"].map(labels["group"]))
    acc = t["accounts"].set_index("account_id")
    # cron jobs: fixed intervals to within seconds, no declared org, one card and IP per developer
    cron = req[req["group"] == "cron_job"].sort_values(["account_id", "ts"])
    gaps = cron.groupby("account_id")["ts"].diff().dt.total_seconds().dropna()
    per_account = gaps.groupby(cron.loc[gaps.index, "account_id"])
    assert (per_account.max() - per_account.min()).max() <= 6
    assert gaps.between(900, 1023).any()
    assert acc.loc[cron["account_id"].unique(), "org_id"].isna().all()
    assert cron.groupby("account_id")["ip"].nunique().max() == 1
    assert cron.groupby("account_id")["prompt"].agg(lambda p: p.str[:40].nunique()).max() == 1
    # product backends: around the clock, a few hosting IPs, one card per backend
    backend = req[req["group"] == "product_backend"]
    hourly = backend["ts"].dt.hour.value_counts()
    assert hourly.min() > 0.4 * hourly.max()
    assert (
        backend["ip"].nunique()
        <= 4 * pay.loc[pay["group"] == "product_backend", "payment_fingerprint"].nunique()
    )
    # eval teams: each night all of a team's accounts grade within the same half hour
    ev = req.join(dataset.truth["requests"])
    ev = ev[(ev["group"] == "eval_team") & (ev["kind"] == "rate")]
    org = ev["account_id"].map(acc["org_id"])
    assert org.notna().all()
    batch = ev.groupby([org, ev["ts"].dt.floor("D")])
    spread = batch["ts"].agg(lambda s: (s.max() - s.min()).total_seconds())
    assert spread.quantile(0.9) < 1800
    team_size = ev.groupby(org)["account_id"].nunique()
    members = batch["account_id"].nunique()
    assert (members == team_size.reindex(members.index.get_level_values(0)).to_numpy()).mean() > 0.9


def test_ordinary_users_everywhere(dataset: GeneratedDataset) -> None:
    t = dataset.tables
    labels = t["labels"].set_index("account_id")
    acc = t["accounts"].assign(group=lambda a: a["account_id"].map(labels["group"]))
    ordinary = acc[acc["group"].isin(ORDINARY)]
    assert set(ordinary["signup_pathway"]) == PATHWAYS
    assert ordinary["country"].nunique() >= 20
    req = t["requests"].join(dataset.truth["requests"])
    multi = req[req["account_id"].map(labels["group"]) == "multilingual"]
    assert {"zh", "es", "ru", "ar", "hi", "pt", "ja"} <= set(multi["language"])
    asks = req[req["account_id"].map(labels["group"]).isin(["step_by_step", "raters"])]
    assert asks["prompt"].str.contains("step by step|step-by-step", case=False).any()
    assert asks["prompt"].str.contains("1 to 10|1-10|out of 10", case=False).any()


# ---- populations every provider has in bulk ---------------------------------------------
#
# Each looks like a campaign on one signal: long pasted documents, agentic tool-calling
# prompts at volume, a coding agent's fixed template 24/7, the same prompts every night on
# a precise clock, one client string and system prompt shared by many unrelated accounts.

BULK_GROUPS = ("pasters", "app_backends", "agent_startup", "judge_pipelines", "cli_users")


def _group_requests(ds: GeneratedDataset, group: str) -> pd.DataFrame:
    """Requests of one labelled group, with their kind and language."""
    labels = ds.tables["labels"].set_index("account_id")["group"]
    req = ds.tables["requests"].join(ds.truth["requests"])
    return req[req["account_id"].map(labels) == group]


def _group_accounts(ds: GeneratedDataset, group: str) -> pd.DataFrame:
    """Accounts of one labelled group with their payment method (one row per account)."""
    labels = ds.tables["labels"].set_index("account_id")["group"]
    acc = ds.tables["accounts"][ds.tables["accounts"]["account_id"].map(labels) == group]
    return acc.merge(ds.tables["payment_methods"], on="account_id", how="left")


def test_bulk_groups_present_labelled_and_counted(dataset: GeneratedDataset) -> None:
    labels = dataset.tables["labels"]
    groups = dataset.metadata["groups"]
    for group in BULK_GROUPS:
        mine = labels[labels["group"] == group]
        assert len(mine) and (mine["campaign_id"] == "").all(), group
        assert (mine["organization"] == "").all(), group
        assert groups[group]["accounts"] == len(mine), group
        assert groups[group]["requests"] > 0, group
    assert groups["pasters"]["accounts"] == _scaled(300)
    assert groups["cli_users"]["accounts"] == _scaled(150)
    assert list(groups)[-len(BULK_GROUPS) :] == list(BULK_GROUPS)


def test_bulk_groups_scale() -> None:
    sizes = {s: group_sizes(s) for s in (0.1, 0.5, 1, 2, 10)}
    people = [(sizes[s]["pasters"], sizes[s]["cli_users"]) for s in (0.1, 1, 10)]
    assert people == [(30, 15), (300, 150), (3000, 1500)]
    organisations = [
        (
            len(sizes[s]["app_backends"]),
            len(sizes[s]["agent_startups"]),
            len(sizes[s]["judge_pipelines"]),
        )
        for s in (0.1, 0.5, 1, 2, 10)
    ]
    assert organisations == [(1, 1, 1), (5, 1, 3), (5, 1, 3), (10, 2, 6), (50, 10, 30)]
    for key in ("app_backends", "agent_startups", "judge_pipelines"):
        names = [
            unit.team.name if key == "judge_pipelines" else unit.name for unit, _ in sizes[10][key]
        ]
        assert len(set(names)) == len(names), key
        # organisations multiply at large scales, each of its usual size; smaller below scale 1
        assert {v for _, v in sizes[10][key]} == {v for _, v in sizes[2][key]}, key
        assert sum(v for _, v in sizes[0.5][key]) < sum(v for _, v in sizes[1][key]), key
    small = generate("default", seed=3, scale=0.1).metadata["groups"]
    big = generate("default", seed=3, scale=0.4).metadata["groups"]
    for group in ("app_backends", "agent_startup", "judge_pipelines"):  # volumes of organisations
        ratio = big[group]["requests"] / small[group]["requests"]
        assert 2.5 <= ratio <= 5.5, (group, ratio)
    for group in ("pasters", "cli_users"):  # people
        assert 3.5 <= big[group]["accounts"] / small[group]["accounts"] <= 4.5, group


def test_pasters() -> None:
    ds = _with(None, 1.0)
    req = _group_requests(ds, "pasters")
    prompts = req["prompt"].dropna()
    length = prompts.str.len()
    assert length.min() >= 300 and length.median() > 600 and length.max() < 3600
    assert prompts.nunique() > 0.99 * len(prompts)  # everyone pastes their own documents
    share = req["language"].value_counts(normalize=True)
    assert 0.45 < share["en"] < 0.8 and (share.drop("en") > 0.005).sum() >= 5
    assert {"chat", "rewrite", "code"} <= set(req["kind"])
    for words in ("Subject:", "def ", "Agreement", "Attendees", "translate", "summar"):
        assert prompts.str.contains(words, case=False, regex=False).any(), words
    acc = _group_accounts(ds, "pasters")
    assert acc["payment_fingerprint"].dropna().is_unique  # own cards
    assert acc["org_id"].isna().all() and acc["email"].str.split("@").str[1].isin(FREEMAIL).all()
    assert (req["access_pathway"] == "console").any() and (req["access_pathway"] == "api").any()
    hours = req["ts"].dt.hour.value_counts(normalize=True)
    assert hours.max() > 2 * hours.min()  # people sleep


def test_app_backends() -> None:
    ds = _with(None, 1.0)
    acc = _group_accounts(ds, "app_backends")
    req = _group_requests(ds, "app_backends")
    org = acc.set_index("account_id")["org_id"]
    assert acc["org_id"].notna().all() and acc["org_id"].nunique() == 5
    assert acc["org_verified"].any() and not acc["org_verified"].all()
    for _, mine in acc.groupby("org_id"):
        assert 1 <= len(mine) <= 4
        assert mine["email"].str.split("@").str[1].nunique() == 1  # the company's domain
        assert not mine["email"].str.split("@").str[1].isin(FREEMAIL).any()
        assert mine["payment_fingerprint"].nunique() == 1 and mine["billing_name"].nunique() == 1
        name = mine["billing_name"].iloc[0].split()[0].lower()
        assert name in mine["email"].iloc[0]  # the billing name is the company's
    assert req.groupby("account_id").size().median() > 500
    assert set(req["kind"]) == {"agent"}
    for _, mine in req.groupby(req["account_id"].map(org)):
        prompts = mine["prompt"].dropna()
        assert prompts.nunique() > 0.5 * len(prompts)  # varied end-user requests
        assert mine["ts"].dt.hour.nunique() == 24  # day and night
        tools = prompts.str.extract(r'"tools":(\[.*?\]),"messages"|Tools: (\[.*?\])\n')
        listed = tools[0].fillna(tools[1])
        assert listed.notna().all() and listed.nunique() == 1  # the app's own tool list
        schema = json.loads(listed.iloc[0])
        assert len(schema) >= 3 and all({"name", "parameters"} <= set(t) for t in schema)
    envelopes = req["prompt"].dropna()
    envelopes = envelopes[envelopes.str.startswith("{")]
    assert len(envelopes) and all("messages" in json.loads(p) for p in envelopes.head(500))
    assert req["language"].nunique() >= 5


def test_agent_startup() -> None:
    ds = _with(None, 1.0)
    acc = _group_accounts(ds, "agent_startup")
    req = _group_requests(ds, "agent_startup")
    assert 2 <= len(acc) <= 5 and acc["org_id"].nunique() == 1 and acc["org_id"].notna().all()
    assert acc["email"].str.split("@").str[1].nunique() == 1
    assert acc["payment_fingerprint"].nunique() == 1
    assert acc["billing_name"].iloc[0].split()[0] in req["prompt"].dropna().iloc[0]
    assert len(req) > 10_000 and req.groupby("account_id").size().min() > 1_500
    assert set(req["kind"]) == {"code_agent"}
    intel = ds.tables["ip_intel"]
    hosting = [ipaddress.ip_network(n) for n in intel.loc[intel["kind"] == "hosting", "network"]]
    for ip in req["ip"].unique():
        assert any(ipaddress.ip_address(ip) in net for net in hosting)
    assert req["ip"].nunique() <= 6
    assert req["ts"].dt.hour.value_counts().min() > 0.25 * req["ts"].dt.hour.value_counts().max()
    repos = req["prompt"].str.extract(r"^Customer repository: (\S+)", flags=re.M)[0]
    jobs = req["prompt"].str.extract(r"^Job for (\S+)", flags=re.M)[0]
    assert repos.fillna(jobs).nunique() > 100  # its customers' many repositories
    system = req["prompt"].dropna().str.split("\n\n").str[0]
    assert system.nunique() == 1  # its own fixed system prompt


def test_judge_pipelines_rerun_a_fixed_suite_on_a_clock() -> None:
    ds = _with(None, 1.0)
    acc = _group_accounts(ds, "judge_pipelines")
    every = _group_requests(ds, "judge_pipelines")
    req = every.dropna(subset=["prompt"])
    assert acc["org_id"].nunique() == 3 and acc["org_id"].notna().all()
    assert acc.groupby("org_id").size().between(1, 3).all()
    assert (acc.groupby("org_id")["payment_fingerprint"].nunique() == 1).all()
    assert set(req["kind"]) == {"rate"}
    org = req["account_id"].map(acc.set_index("account_id")["org_id"])
    item = req["prompt"].str.rsplit("\n", n=1).str[0]  # rubric and question: the item
    night = req["ts"].dt.floor("D")
    for _, mine in req.groupby(org):
        suite = item[mine.index].groupby(night[mine.index]).agg(set)
        assert len(suite) >= 24 and all(100 <= len(s) <= 450 for s in suite)
        overlap = [len(a & b) / len(a | b) for a, b in itertools.pairwise(suite)]
        assert np.mean(np.array(overlap) > 0.95) > 0.9  # the same suite night after night
        nights_per_item = (
            item[mine.index].groupby(item[mine.index]).apply(lambda s: night[s.index].nunique())
        )
        assert (nights_per_item >= 20).mean() > 0.8
        # whole prompts recur too, until the assistant under test is released again
        assert (mine["prompt"].map(mine["prompt"].value_counts()) >= 3).mean() > 0.5
    every_org = every["account_id"].map(acc.set_index("account_id")["org_id"])
    for _, mine in every.groupby(every_org):
        start = mine["ts"].groupby(mine["ts"].dt.floor("D")).min()
        seconds = (start - start.dt.floor("D")).dt.total_seconds()
        assert seconds.max() - seconds.min() <= 3  # the scheduler's time, every night
        for _, account in mine.groupby("account_id"):
            runs = account["ts"].groupby(account["ts"].dt.floor("D"))
            gaps = runs.apply(lambda t: t.sort_values().diff().dt.total_seconds().dropna())
            assert gaps.nunique() == 1  # a fixed pace


def test_cli_users_share_only_the_product() -> None:
    from linkage.synth.legit_groups import CLI_SYSTEM_PROMPT, CLI_USER_AGENT

    ds = _with(None, 1.0)
    req = _group_requests(ds, "cli_users")
    acc = _group_accounts(ds, "cli_users")
    assert len(acc) == 150
    assert set(req["user_agent"]) == {CLI_USER_AGENT}
    everyone = ds.tables["requests"]
    assert (everyone["user_agent"] == CLI_USER_AGENT).sum() == len(req)  # no other group
    prompts = req["prompt"].dropna()
    assert prompts.str.startswith(CLI_SYSTEM_PROMPT + "\n\n").all()
    assert set(req["kind"]) == {"code_agent"}
    assert req.groupby("account_id").size().median() > 40
    # their own: cards, home IPs, repositories, tasks and hours
    assert acc["payment_fingerprint"].dropna().is_unique and acc["org_id"].isna().all()
    intel = ds.tables["ip_intel"]
    shared_exits = [
        ipaddress.ip_network(n) for n in intel.loc[intel["kind"].isin(["mobile", "vpn"]), "network"]
    ]
    users = req.groupby("ip")["account_id"].nunique()
    shared = [ip for ip in users[users > 1].index if ":" not in ip]
    assert all(any(ipaddress.ip_address(ip) in net for net in shared_exits) for ip in shared)
    home = req.sort_values("ts").groupby("account_id")["ip"].first()  # the first is from home
    assert home.is_unique
    repo = prompts.str.extract(r"cwd: ~/code/(\S+)")[0]
    owner = req.loc[prompts.index, "account_id"]
    assert pd.DataFrame({"a": owner, "r": repo}).drop_duplicates().shape[0] > 150
    task = prompts.str.extract(r"\nUser: (.*)")[0]
    assert task.nunique() > 500
    first = req.groupby("account_id")["ts"].min()
    assert (first.max() - first.min()).days > 7  # nobody sets them off together
    gaps = req.sort_values(["account_id", "ts"]).groupby("account_id")["ts"].diff()
    assert (gaps.dt.total_seconds() < 60).mean() > 0.5  # the agent's steps, seconds apart
    assert (gaps.dt.total_seconds() > 6 * 3600).mean() > 0.02  # and days off


def test_no_template_left_unfilled(dataset: GeneratedDataset) -> None:
    prompts = dataset.tables["requests"]["prompt"].dropna()
    assert not prompts.str.contains("{@", regex=False).any()
    assert not prompts.str.contains("[[", regex=False).any()


# ---- adversary knobs ------------------------------------------------------------------

KNOB_SCALE = 0.3


@functools.cache
def _with(adversary: str | None, scale: float = KNOB_SCALE) -> GeneratedDataset:
    return generate("default", seed=SEED, scale=scale, adversary=adversary)


def _campaign_rows(ds: GeneratedDataset, table: str) -> pd.DataFrame:
    labels = ds.tables["labels"]
    ids = labels.loc[labels["group"] == "campaign", "account_id"]
    df = ds.tables[table]
    return df[df["account_id"].isin(ids)]


def _legit_rows(ds: GeneratedDataset, table: str) -> pd.DataFrame:
    labels = ds.tables["labels"]
    ids = labels.loc[labels["group"] != "campaign", "account_id"]
    df = ds.tables[table]
    return df[df["account_id"].isin(ids)].reset_index(drop=True)


@pytest.mark.parametrize("adversary", [*KNOBS, "all"])
def test_knobs_change_campaign_rows_only(adversary: str) -> None:
    plain, hardened = _with(None, SCALE), _with(adversary, SCALE)
    for table in ("accounts", "requests", "payment_methods", "labels"):
        pd.testing.assert_frame_equal(_legit_rows(plain, table), _legit_rows(hardened, table))
    if adversary == "thin-indicators":
        assert not plain.tables["indicators"].equals(hardened.tables["indicators"])
    else:
        assert not _campaign_rows(plain, "requests").equals(_campaign_rows(hardened, "requests"))
    assert hardened.metadata["adversary"]["knobs"] == (
        list(ALL_KNOBS) if adversary == "all" else [adversary]
    )


def test_legit_only_equals_default_minus_campaigns_under_every_knob() -> None:
    legit = generate("legit_only", seed=SEED, scale=SCALE, adversary="all")
    hardened = _with("all", SCALE)
    pd.testing.assert_frame_equal(_legit_rows(hardened, "requests"), legit.tables["requests"])
    decoys = legit.tables["indicators"]
    assert set(decoys["organization"]).isdisjoint(CAMPAIGN_ORGS)
    thin = hardened.tables["indicators"]
    pd.testing.assert_frame_equal(
        thin[~thin["organization"].isin(CAMPAIGN_ORGS)].reset_index(drop=True), decoys
    )


def test_unique_pay() -> None:
    ds = _with("unique-pay")
    camp = _campaign_rows(ds, "accounts").set_index("account_id")
    pay = _campaign_rows(ds, "payment_methods")
    assert pay["account_id"].value_counts().eq(1).all() and len(pay) == len(camp)
    holders = ds.tables["payment_methods"].groupby("payment_fingerprint")["account_id"].nunique()
    assert (holders[pay["payment_fingerprint"]] == 1).all()
    assert (
        pay["billing_name"].to_numpy() == camp.loc[pay["account_id"], "display_name"].to_numpy()
    ).all()
    assert (
        pay["billing_country"].to_numpy() == camp.loc[pay["account_id"], "country"].to_numpy()
    ).all()
    email = camp["email"]
    assert email.str.split("@").str[1].isin(FREEMAIL).all()
    assert not email.str.contains("+", regex=False).any()
    everyone = ds.tables["accounts"]["email"].str.lower().str.replace(".", "", regex=False)
    assert (
        not everyone[everyone.isin(email.str.lower().str.replace(".", "", regex=False))]
        .duplicated()
        .any()
    )


def test_proxy_rotation() -> None:
    ds = _with("proxy-rotation")
    req = _campaign_rows(ds, "requests")
    per_account = req.groupby("account_id")["ip"].nunique()
    busy = req["account_id"].value_counts()
    assert per_account.max() <= 40 and (per_account[busy[busy >= 2].index] >= 2).all()
    assert req.groupby("ip")["account_id"].nunique().max() <= 2
    legit_ips = set(_legit_rows(ds, "requests")["ip"])
    assert np.mean([ip in legit_ips for ip in req["ip"].unique()]) > 0.95
    intel = ds.tables["ip_intel"]
    residential = [
        ipaddress.ip_network(n) for n in intel.loc[intel["kind"] == "residential", "network"]
    ]
    proxies = {n.rsplit(".", 1)[0] for n in intel.loc[intel["kind"] == "proxy", "network"]}
    for ip in req["ip"].unique()[:300]:
        assert any(ipaddress.ip_address(ip) in net for net in residential)
        assert ip.rsplit(".", 1)[0] not in proxies
    # rotation: each account holds an exit for one stretch of its requests, then moves on
    ordered = req.sort_values(["account_id", "ts"])
    switches = (
        (ordered["ip"] != ordered.groupby("account_id")["ip"].shift())
        .groupby(ordered["account_id"])
        .sum()
    )
    assert (switches == per_account[switches.index]).mean() > 0.9


def test_paraphrase() -> None:
    ds = _with("paraphrase", 1.0)
    req = _campaign_rows(ds, "requests")
    facts = ds.truth["requests"].loc[req.index]
    share = facts["language"].value_counts(normalize=True)
    assert 0.55 < share["en"] < 0.78 and 0.06 < share["zh"] < 0.14 and 0.06 < share["es"] < 0.14
    assert share["ru"] > 0.03 and share["pt"] > 0.02 and share["ja"] > 0.02
    assert set(facts["intent"].dropna()) == set(INTENTS)
    assert not req["prompt"].str.contains("Tide-Coder", na=False).any()
    labels = ds.tables["labels"].set_index("account_id")
    for cid in CAMPAIGNS:
        mine = req[req["account_id"].map(labels["campaign_id"]) == cid]
        head = mine["prompt"].str.split().str[:10].str.join(" ")
        assert head.value_counts(normalize=True).iloc[0] < 0.02, cid  # no dominant opening
        assert head.nunique() > 0.5 * len(head), cid


def _gap_cv(req: pd.DataFrame) -> float:
    """Median over accounts of the coefficient of variation of their gaps between requests."""
    ordered = req.sort_values(["account_id", "ts"])
    gaps = ordered.groupby("account_id")["ts"].diff().dt.total_seconds()
    return float(gaps.groupby(ordered["account_id"]).agg(lambda g: g.std() / g.mean()).median())


def test_jitter() -> None:
    plain, ds = _with(None, 1.0), _with("jitter", 1.0)
    labels = ds.tables["labels"].set_index("account_id")
    req = ds.tables["requests"]
    ordinary = req[req["account_id"].map(labels["group"]).isin(ORDINARY)]
    ordinary_hours = ordinary["ts"].dt.hour.value_counts(normalize=True)
    for cid in CAMPAIGNS:
        mine = req[req["account_id"].map(labels["campaign_id"]) == cid]
        assert _gap_cv(mine) > 2, cid  # sessions and idle days, not a steady clock
        hours = mine["ts"].dt.hour.value_counts(normalize=True)
        assert hours.max() > 1.3 * hours.min(), cid  # not flat around the clock ...
        assert 0.5 * hours.sub(ordinary_hours, fill_value=0).abs().sum() < 0.15, cid  # ... human
    base = _campaign_rows(plain, "requests")
    firehose = base[base["account_id"].map(labels["campaign_id"]) == "coding_firehose"]
    assert _gap_cv(firehose) < 0.5  # without jitter: evenly spaced
    mine = _campaign_rows(ds, "requests")
    country = mine["account_id"].map(ds.tables["accounts"].set_index("account_id")["country"])
    tz = country.map({c.code: c.utc_offset_hours for c in COUNTRIES})
    local_hour = (mine["ts"].dt.hour + tz) % 24
    assert local_hour.between(2, 5).mean() < 0.08  # people sleep in their own time zone
    days = mine.groupby("account_id")["ts"].agg(lambda s: s.dt.floor("D").nunique())
    span = mine.groupby("account_id")["ts"].agg(lambda s: (s.max() - s.min()).days + 1)
    assert (days / span)[span >= 7].median() < 0.9  # idle days


def test_camouflage() -> None:
    ds = _with("camouflage", 1.0)
    req = _campaign_rows(ds, "requests")
    facts = ds.truth["requests"].loc[req.index]
    benign = facts["intent"].isna()
    assert 0.45 < benign.mean() < 0.55
    per_account = benign.groupby(req["account_id"]).mean()
    assert per_account.between(0.2, 0.8)[req["account_id"].value_counts() >= 20].mean() > 0.95
    assert {"chat", "code", "rewrite", "reason", "rate"} <= set(facts.loc[benign, "kind"])
    assert (facts.loc[benign, "language"] != "en").any()


def test_common_client() -> None:
    ds = _with("common-client", 1.0)
    camp, legit = _campaign_rows(ds, "requests"), _legit_rows(ds, "requests")
    ordinary = legit[
        legit["account_id"].map(ds.tables["labels"].set_index("account_id")["group"]).isin(ORDINARY)
    ]
    assert not camp["user_agent"].str.startswith("orca-harness").any()
    a = camp["user_agent"].value_counts(normalize=True)
    b = ordinary["user_agent"].value_counts(normalize=True)
    assert 0.5 * a.sub(b, fill_value=0).abs().sum() < 0.08
    assert (
        abs(
            (camp["access_pathway"] == "console").mean()
            - (ordinary["access_pathway"] == "console").mean()
        )
        < 0.06
    )


def test_thin_indicators() -> None:
    ds = _with("thin-indicators")
    ind, labels = ds.tables["indicators"], ds.tables["labels"]
    acc = ds.tables["accounts"].merge(ds.tables["payment_methods"], on="account_id", how="left")
    acc = acc.merge(labels, on="account_id")

    def holders(row: pd.Series) -> pd.DataFrame:
        column = {
            "email": "email",
            "payment_fingerprint": "payment_fingerprint",
            "billing_name": "billing_name",
        }.get(row["indicator_type"])
        if row["indicator_type"] == "email_domain":
            return acc[acc["email"].str.endswith("@" + row["value"])]
        return acc[acc[column] == row["value"]] if column else acc.iloc[:0]

    for cid, (org, _, _) in CAMPAIGNS.items():
        rows = ind[ind["organization"] == org]
        assert 1 <= len(rows) <= 2, org
        size = int((labels["campaign_id"] == cid).sum())
        for _, row in rows.iterrows():
            held = holders(row)
            assert 1 <= held["account_id"].nunique() < size / 2, (org, row["indicator_type"])
            assert (held["group"] == "campaign").all()
    decoys = ind[~ind["organization"].isin(CAMPAIGN_ORGS)]
    matching = [holders(row) for _, row in decoys.iterrows()]
    hits = [m for m in matching if len(m)]
    assert len(hits) >= 4 and all((m["group"] != "campaign").all() for m in hits)
    assert all(m["account_id"].nunique() <= 6 for m in hits)


def test_clockwork() -> None:
    ds = _with("clockwork")
    labels = ds.tables["labels"].set_index("account_id")["campaign_id"]
    req = _campaign_rows(ds, "requests")
    for cid in CAMPAIGNS:
        mine = req[req["account_id"].map(labels) == cid].sort_values(["account_id", "ts"])
        gaps = mine.groupby("account_id")["ts"].diff().dt.total_seconds().dropna()
        assert gaps.nunique() == 1, cid  # every account exactly every P seconds, one P
        period = int(gaps.iloc[0])
        phase = (mine["ts"] - WINDOW_START).dt.total_seconds().astype(int) % period
        per_account = phase.groupby(mine["account_id"]).nunique()
        assert (per_account == 1).all() and phase.nunique() == mine["account_id"].nunique()
        spread = np.diff(np.sort(phase.unique()))
        assert spread.max() - spread.min() <= 1, cid  # phases evenly interleaved: one grid
    # legitimate rows untouched, and people keep no clock: jitter wins
    both = generate("default", seed=SEED, scale=KNOB_SCALE, adversary="jitter,clockwork")
    pd.testing.assert_frame_equal(
        _campaign_rows(both, "requests"), _campaign_rows(_with("jitter"), "requests")
    )


def test_adversary_recorded_and_deterministic(tmp_path: Path) -> None:
    a = write_dataset(
        generate("default", seed=2, scale=0.1, adversary="all"), tmp_path / "a", "parquet"
    )
    b = write_dataset(
        generate("default", seed=2, scale=0.1, adversary="all"), tmp_path / "b", "parquet"
    )
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    meta = json.loads((tmp_path / "a" / "scenario.json").read_text(encoding="utf-8"))
    assert meta["adversary"]["knobs"] == list(ALL_KNOBS)  # all: every knob but low-and-slow
    assert set(meta["adversary"]["descriptions"]) == set(ALL_KNOBS)
    assert {c["campaign_id"] for c in meta["campaigns"]} == set(CAMPAIGNS)
    assert "eval_team" in meta["groups"] and "campaign" in meta["groups"]


def _campaign_of(ds: GeneratedDataset, df: pd.DataFrame) -> pd.Series:
    return df["account_id"].map(ds.tables["labels"].set_index("account_id")["campaign_id"])


def _default_size(cid: str, scale: float = KNOB_SCALE) -> int:
    return _scaled(CAMPAIGNS[cid][1], scale, minimum=3 if cid == "agentic_swarm" else 2)


def test_low_and_slow_heads_many_and_small() -> None:
    plain, ds = _with(None), _with("low-and-slow")
    labels = ds.tables["labels"]
    req, base = _campaign_rows(ds, "requests"), _campaign_rows(plain, "requests")
    lo, hi = HEAD_REQUESTS
    for cid, (org, _, _) in CAMPAIGNS.items():
        heads = labels[labels["campaign_id"] == cid]
        assert 4 * _default_size(cid) <= len(heads) <= 8 * _default_size(cid), cid
        assert (heads["group"] == "campaign").all() and (heads["organization"] == org).all()
        mine = req[_campaign_of(ds, req) == cid]
        per_head = mine.groupby("account_id").size()
        assert len(per_head) == len(heads) and per_head.between(lo, hi).all(), cid
        volume = int((_campaign_of(plain, base) == cid).sum())
        assert 0.75 * volume <= len(mine) <= 1.1 * volume, (cid, len(mine), volume)
        # the prompts stay the campaign's: the same kinds and intents, nothing benign
        facts, before = ds.truth["requests"].loc[mine.index], plain.truth["requests"]
        before = before.loc[base.index[_campaign_of(plain, base) == cid]]
        assert set(facts["kind"].dropna()) == set(before["kind"].dropna()), cid
        assert facts["intent"].notna().all()
        assert set(facts["intent"]) == set(before["intent"]), cid
    # legitimate rows untouched
    for table in ("accounts", "requests", "payment_methods", "labels"):
        pd.testing.assert_frame_equal(_legit_rows(plain, table), _legit_rows(ds, table))


def test_low_and_slow_own_cards_and_freemail() -> None:
    for adversary in ("low-and-slow", "low-and-slow,unique-pay"):
        ds = _with(adversary)
        camp = _campaign_rows(ds, "accounts").set_index("account_id")
        pay = _campaign_rows(ds, "payment_methods")
        assert pay["account_id"].is_unique and len(pay) == len(camp)
        holders = ds.tables["payment_methods"].groupby("payment_fingerprint")["account_id"]
        assert (holders.nunique()[pay["payment_fingerprint"]] == 1).all()  # fresh cards
        own = (
            pay["billing_name"].to_numpy() == camp.loc[pay["account_id"], "display_name"].to_numpy()
        )
        company = (pay["billing_name"] == KESTREL_BILLING_NAME).to_numpy()
        domain = camp["email"].str.split("@").str[1]
        staff = domain == "tidewater-labs.com"
        mailbox = camp["email"].str.split("@").str[0].str.split("+").str[0]
        mailbox = mailbox.str.replace(".", "", regex=False) == "kestrelops"
        assert (own | company).all() and domain[~staff].isin(FREEMAIL).all()
        if adversary == "low-and-slow,unique-pay":  # nothing left of what the intel names
            assert not company.any() and not staff.any() and not mailbox.any()
            assert not camp["email"].str.contains("+", regex=False).any()
            continue
        # a share of the heads keeps what the campaigns' intel names, as without the knob
        cid = _campaign_of(ds, camp.reset_index())
        harvest = int((cid == "reasoning_harvest").sum())
        firehose = int((cid == "coding_firehose").sum())
        assert company.sum() == round(harvest / 6)
        assert set(_campaign_of(ds, pay[company])) == {"reasoning_harvest"}
        assert mailbox.sum() == max(2, round(harvest / 18))
        assert {"kestrelops@gmail.com", "kestrel.ops+a1@gmail.com"} <= set(camp["email"])
        assert staff.sum() == max(1, round(firehose / 60))
        assert (cid.to_numpy()[staff.to_numpy()] == "coding_firehose").all()


def test_low_and_slow_share_a_residential_pool() -> None:
    ds = _with("low-and-slow")
    req = _campaign_rows(ds, "requests")
    cid = _campaign_of(ds, req)
    legit_ips = set(_legit_rows(ds, "requests")["ip"])
    pools = []
    for name in CAMPAIGNS:
        mine = req[cid == name]
        heads = mine["account_id"].nunique()
        exits = mine.groupby("account_id")["ip"].nunique()
        assert exits.between(2, 6).all(), name  # several exits per head
        pool = set(mine["ip"])
        assert len(pool) <= math.ceil(heads / 2), name  # half as many IPs as heads
        sharing = mine.groupby("ip")["account_id"].nunique()
        assert sharing.median() >= 4 and sharing.mean() >= 6, name  # heads meet on exits
        assert np.mean([ip in legit_ips for ip in pool]) > 0.95, name  # ordinary users' homes
        # each head holds an exit for one stretch of its requests, then moves on
        ordered = mine.sort_values(["account_id", "ts"])
        switches = (
            (ordered["ip"] != ordered.groupby("account_id")["ip"].shift())
            .groupby(ordered["account_id"])
            .sum()
        )
        assert (switches == exits[switches.index]).all(), name
        pools.append(pool)
    assert all(a.isdisjoint(b) for a, b in itertools.combinations(pools, 2))
    intel = ds.tables["ip_intel"]
    residential = [
        ipaddress.ip_network(n) for n in intel.loc[intel["kind"] == "residential", "network"]
    ]
    proxies = {n.rsplit(".", 1)[0] for n in intel.loc[intel["kind"] == "proxy", "network"]}
    for ip in sorted(set(req["ip"]))[:300]:
        assert any(ipaddress.ip_address(ip) in net for net in residential)
        assert ip.rsplit(".", 1)[0] not in proxies


def test_low_and_slow_keep_no_shared_clock() -> None:
    ds = _with("low-and-slow", 1.0)
    labels = ds.tables["labels"].set_index("account_id")
    req = ds.tables["requests"]
    ordinary = req[req["account_id"].map(labels["group"]).isin(ORDINARY)]
    ordinary_hours = ordinary["ts"].dt.hour.value_counts(normalize=True)
    for cid in CAMPAIGNS:
        mine = req[req["account_id"].map(labels["campaign_id"]) == cid]
        assert _gap_cv(mine) > 1.5, cid  # each head in sessions and idle days
        beat = mine["ts"].diff().dt.total_seconds().dropna()
        assert beat.std() > 0.8 * beat.mean(), cid  # no dispatcher's steady beat: about random
        hours = mine["ts"].dt.hour.value_counts(normalize=True)
        assert 0.5 * hours.sub(ordinary_hours, fill_value=0).abs().sum() < 0.15, cid  # human
        first = mine.groupby("account_id")["ts"].min()
        assert (first.max() - first.min()) > pd.Timedelta(hours=12), cid  # not set off together
        if cid != "coding_firehose":  # (three days only)
            days = mine.groupby("account_id")["ts"].agg(lambda s: frozenset(s.dt.floor("D")))
            assert days.nunique() > 0.9 * len(days), cid  # each head its own days
    mine = _campaign_rows(ds, "requests")
    country = mine["account_id"].map(ds.tables["accounts"].set_index("account_id")["country"])
    tz = country.map({c.code: c.utc_offset_hours for c in COUNTRIES})
    assert ((mine["ts"].dt.hour + tz) % 24).between(2, 5).mean() < 0.08  # asleep at home


def test_low_and_slow_with_other_knobs() -> None:
    alone = _with("low-and-slow")
    # human schedules and its own exits already: jitter, clockwork and proxy-rotation add nothing
    both = generate(
        "default",
        seed=SEED,
        scale=KNOB_SCALE,
        adversary="low-and-slow,jitter,clockwork,proxy-rotation",
    )
    for table in ("accounts", "requests", "payment_methods", "labels"):
        pd.testing.assert_frame_equal(_campaign_rows(alone, table), _campaign_rows(both, table))
    # unique-pay changes the heads' cards and addresses only
    unique = _with("low-and-slow,unique-pay")
    columns = ["account_id", "ts", "ip", "user_agent", "model", "prompt"]
    pd.testing.assert_frame_equal(
        _campaign_rows(alone, "requests")[columns], _campaign_rows(unique, "requests")[columns]
    )
    every = generate("default", seed=SEED, scale=SCALE, adversary="all,low-and-slow")
    assert every.metadata["adversary"]["knobs"] == list(KNOBS)
    for table in ("accounts", "requests", "payment_methods", "labels"):
        pd.testing.assert_frame_equal(
            _legit_rows(_with(None, SCALE), table), _legit_rows(every, table)
        )


def test_low_and_slow_indicators() -> None:
    plain, ds = _with(None), _with("low-and-slow")
    pd.testing.assert_frame_equal(plain.tables["indicators"], ds.tables["indicators"])
    acc = ds.tables["accounts"].merge(ds.tables["payment_methods"], on="account_id")
    acc = acc.merge(ds.tables["labels"], on="account_id")
    heads = acc.groupby("campaign_id")["account_id"].nunique()
    # the rich intel still reaches a share of the heads as it reaches of the accounts without
    named = acc[acc["billing_name"] == KESTREL_BILLING_NAME]
    assert set(named["campaign_id"]) == {"reasoning_harvest"}
    assert 0.1 < len(named) / heads["reasoning_harvest"] < 0.25
    staff = acc[acc["email"].str.endswith("@tidewater-labs.com")]
    assert set(staff["campaign_id"]) == {"coding_firehose"} and len(staff) >= 1
    assert (acc["email"] == "kestrelops@gmail.com").sum() == 1
    req = _campaign_rows(ds, "requests")
    swarm = req[_campaign_of(ds, req) == "agentic_swarm"]
    harness = swarm.groupby("account_id")["user_agent"].agg(
        lambda u: u.str.startswith("orca-harness/").any()
    )
    assert harness.mean() > 0.9
    # thin intel names as many more of the heads' values
    thin = _with("low-and-slow,thin-indicators")
    ind = thin.tables["indicators"]
    for cid, (org, _, _) in CAMPAIGNS.items():
        rows = ind[ind["organization"] == org]
        per_account = heads[cid] / _default_size(cid)
        assert per_account <= len(rows) <= 2 * per_account, (cid, len(rows))
        held = acc[
            (acc["email"].isin(rows["value"]) | acc["payment_fingerprint"].isin(rows["value"]))
        ]
        assert set(held["campaign_id"]) == {cid}
        assert per_account <= held["account_id"].nunique() < heads[cid] / 2, cid
    decoys = _with("thin-indicators").tables["indicators"]
    pd.testing.assert_frame_equal(
        ind[~ind["organization"].isin(CAMPAIGN_ORGS)].reset_index(drop=True),
        decoys[~decoys["organization"].isin(CAMPAIGN_ORGS)].reset_index(drop=True),
    )


def test_low_and_slow_deterministic(tmp_path: Path) -> None:
    a = write_dataset(
        generate("default", seed=2, scale=0.1, adversary="low-and-slow"), tmp_path / "a", "parquet"
    )
    b = write_dataset(
        generate("default", seed=2, scale=0.1, adversary="low-and-slow"), tmp_path / "b", "parquet"
    )
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]


def test_unknown_knob_rejected() -> None:
    with pytest.raises(ValueError, match="unknown adversary knob"):
        generate(scale=0.1, adversary="teleport")


# ---- no generator artefacts -------------------------------------------------------------
#
# Whatever is not evidence must be drawn alike for campaign accounts and ordinary users.
# Compared per account (campaigns, about 400 accounts at scale 1, against the ordinary
# personas, about 5,000): country, sign-up pathway, email domain and local-part style
# (chi-square, p > 0.001), display-name shape, account age; per request: model shares
# and, per kind of request, output tokens and the context tokens beyond the prompt text.
# Evidence (volume, intent, timing, shared infrastructure) is left out on purpose.


def _chi2_p(a: pd.Series, b: pd.Series) -> float:
    """p-value of a chi-square test that two samples share one categorical distribution.

    Categories too rare for the test (expected count below 5 in the smaller sample)
    are pooled; a pool still that rare (e.g. the one planted company-domain email,
    which is evidence) carries no power and is left out.
    """
    table = pd.concat([a.value_counts(), b.value_counts()], axis=1).fillna(0)
    share = min(len(a), len(b)) / (len(a) + len(b))
    small = table.sum(axis=1) * share < 5
    pooled = table[small].sum().to_frame("other").T
    table = pd.concat([table[~small], pooled[pooled.sum(axis=1) * share >= 5]])
    return float(chi2_contingency(table.to_numpy()).pvalue)


def _email_style(email: pd.Series) -> pd.Series:
    local = email.str.split("@").str[0]
    sep = np.select(
        [local.str.contains(".", regex=False), local.str.contains("_", regex=False)],
        ["dot", "underscore"],
        "none",
    )
    return pd.Series(sep, index=email.index) + local.str.contains(r"\d").map(
        {True: "+digits", False: ""}
    )


def artefact_figures(ds: GeneratedDataset) -> dict[str, float]:
    """Campaign accounts against ordinary users on every column that is not evidence."""
    labels = ds.tables["labels"].set_index("account_id")["group"]
    acc = ds.tables["accounts"].assign(group=lambda a: a["account_id"].map(labels))
    camp, ordinary = acc[acc["group"] == "campaign"], acc[acc["group"].isin(ORDINARY)]
    figures = {
        f"p_{column}": _chi2_p(camp[column], ordinary[column])
        for column in ("country", "signup_pathway")
    }
    figures["p_email_domain"] = _chi2_p(
        camp["email"].str.split("@").str[1], ordinary["email"].str.split("@").str[1]
    )
    figures["p_email_style"] = _chi2_p(_email_style(camp["email"]), _email_style(ordinary["email"]))
    shape = r"[A-Z][a-z]+ [A-Z][a-z]+"
    figures["display_name_shape_campaign"] = camp["display_name"].str.fullmatch(shape).mean()
    figures["display_name_shape_ordinary"] = ordinary["display_name"].str.fullmatch(shape).mean()
    figures["declared_org_campaign"] = camp["org_id"].notna().mean()
    figures["declared_org_ordinary"] = ordinary["org_id"].notna().mean()
    for name, side in (("campaign", camp), ("ordinary", ordinary)):
        age = (WINDOW_START - side["created_at"]).dt.total_seconds() / 86400
        figures[f"created_before_window_{name}"] = (age > 0).mean()
        figures[f"median_age_days_{name}"] = age[age > 0].median()
    req = ds.tables["requests"].join(ds.truth["requests"])
    req["group"] = req["account_id"].map(labels)
    rc, rl = req[req["group"] == "campaign"], req[req["group"] != "campaign"]
    ro = req[req["group"].isin(ORDINARY)]
    a, b = rc["model"].value_counts(normalize=True), ro["model"].value_counts(normalize=True)
    figures["tvd_model"] = 0.5 * a.sub(b, fill_value=0).abs().sum()
    figures["missing_prompt_campaign"] = rc["prompt"].isna().mean()
    figures["missing_prompt_legit"] = rl["prompt"].isna().mean()
    text_tokens = input_tokens(
        req["prompt"].fillna("").str.len().to_numpy(), req["language"].cat.codes.to_numpy()
    )
    req["context"] = req["input_tokens"] - text_tokens
    for kind in sorted(set(rc["kind"].dropna())):
        c, legit = req.loc[rc.index][rc["kind"] == kind], req.loc[rl.index][rl["kind"] == kind]
        c, legit = c[c["prompt"].notna()], legit[legit["prompt"].notna()]
        if min(len(c), len(legit)) >= 200:
            figures[f"output_ratio_{kind}"] = (
                c["output_tokens"].median() / legit["output_tokens"].median()
            )
            figures[f"context_ratio_{kind}"] = c["context"].median() / legit["context"].median()
            figures[f"input_ratio_{kind}"] = (
                c["input_tokens"].median() / legit["input_tokens"].median()
            )
    return figures


@pytest.fixture(
    scope="module",
    params=[None, "all", "low-and-slow"],
    ids=["default", "adversary-all", "low-and-slow"],
)
def full_scale(request: pytest.FixtureRequest) -> GeneratedDataset:
    return _with(request.param, 1.0)


def test_no_generator_artefacts(full_scale: GeneratedDataset) -> None:
    f = artefact_figures(full_scale)
    for key in ("p_country", "p_signup_pathway", "p_email_domain", "p_email_style"):
        assert f[key] > 0.001, (key, f[key])
    assert f["display_name_shape_campaign"] == f["display_name_shape_ordinary"] == 1.0
    assert f["declared_org_campaign"] == f["declared_org_ordinary"] == 0.0
    assert abs(f["created_before_window_campaign"] - f["created_before_window_ordinary"]) < 0.12
    assert 0.75 < f["median_age_days_campaign"] / f["median_age_days_ordinary"] < 1.33
    assert f["tvd_model"] < 0.06
    assert 0.0015 < f["missing_prompt_campaign"] < 0.0045
    ratios = {k: v for k, v in f.items() if k.startswith(("output_ratio", "context_ratio"))}
    assert len(ratios) >= 8
    for key, value in ratios.items():
        assert 0.9 < value < 1.11, (key, value)
