"""Tests of the synthetic dataset generator (small scales, so they run in seconds)."""

from __future__ import annotations

import ipaddress
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

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
}
PATHWAYS = {
    "standard",
    "education",
    "research_program",
    "startup_program",
    "enterprise",
    "cloud_partner",
}
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
    assert set(group[declared]) == {"company", "eval_team", "product_backend"}
    assert declared[group.isin(["company", "eval_team"])].all()
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
