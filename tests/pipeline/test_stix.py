"""indicators.stix.json: valid STIX 2.1, deterministic, keyed hashes instead of raw values."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path

import pytest
import stix2
import stix2validator  # a test dependency (the dev extras): missing, the suite fails

from linkage.deliver.stix import (
    DEMO_LABEL,
    DEMO_SHARING_KEY,
    SHARING_KEY_ENV,
    SharingKeyError,
    build_bundle,
    bundle_json,
    keyed_hash,
    sharing_key_from_env,
)
from linkage.run_model import Run

KEY = b"partner-lab-shared-secret-0123456789"


@pytest.fixture(scope="module")
def result(flagged_run: Run) -> Run:
    return flagged_run


@pytest.fixture(scope="module")
def text(result: Run) -> str:
    return bundle_json(build_bundle(result, KEY))


@pytest.fixture(scope="module")
def objects(text: str) -> list[dict]:
    return json.loads(text)["objects"]


def _by_type(objects: list[dict], kind: str) -> list[dict]:
    return [o for o in objects if o["type"] == kind]


def test_parses_back(text: str, result: Run) -> None:
    bundle = stix2.parse(text, allow_custom=True)
    assert bundle.type == "bundle"
    campaigns = [o for o in bundle.objects if o.type == "campaign"]
    flagged = [c for c in result.campaigns if c["flagged"]]
    assert len(flagged) >= 2
    assert sorted(c.aliases[0] for c in campaigns) == sorted(c["cluster_id"] for c in flagged)


def test_valid_for_the_stix_validator_in_strict_mode(text: str) -> None:
    results = stix2validator.validate_string(
        text, stix2validator.ValidationOptions(version="2.1", strict=True)
    )
    problems = [str(e) for e in results.errors] + [str(w) for w in results.warnings]
    assert results.is_valid, problems
    assert problems == []


def test_same_run_same_bundle(result: Run, text: str) -> None:
    assert bundle_json(build_bundle(result, KEY)) == text


def test_every_object_is_tlp_amber(objects: list[dict]) -> None:
    markings = _by_type(objects, "marking-definition")
    assert [m["id"] for m in markings] == [stix2.TLP_AMBER.id]
    for obj in objects:
        if obj["type"] != "marking-definition":
            assert obj["object_marking_refs"] == [stix2.TLP_AMBER.id], obj["id"]


def test_campaign_intrusion_set_and_attribution(objects: list[dict], result: Run) -> None:
    relations = {
        (r["source_ref"], r["relationship_type"], r["target_ref"])
        for r in _by_type(objects, "relationship")
    }
    ids = {o["id"]: o for o in objects}
    by_cluster = {c["cluster_id"]: c for c in result.campaigns}
    for campaign in _by_type(objects, "campaign"):
        source = by_cluster[campaign["aliases"][0]]
        targets = {ids[t]["type"]: ids[t] for s, r, t in relations if s == campaign["id"]}
        assert "intrusion-set" in targets
        if source["organization"] and source["attribution_kinds"] >= 2:
            actor = targets["threat-actor"]
            assert actor["name"] == source["organization"]
            identities = [
                ids[t] for s, r, t in relations if s == actor["id"] and r == "attributed-to"
            ]
            assert [i["identity_class"] for i in identities] == ["organization"]
            confidence = next(
                r["confidence"]
                for r in _by_type(objects, "relationship")
                if r["source_ref"] == campaign["id"] and r["target_ref"] == actor["id"]
            )
            assert confidence == round(100 * source["attribution_confidence"])
        else:
            assert "threat-actor" not in targets
    indicated = {t for s, r, t in relations if r == "indicates"}
    assert indicated, "no campaign has an indicator"


def test_indicator_patterns(objects: list[dict]) -> None:
    patterns = [i["pattern"] for i in _by_type(objects, "indicator")]
    assert any(p.startswith("[ipv4-addr:value ISSUBSET '") for p in patterns)
    assert any(p.startswith("[x-linkage-prompt-template:") for p in patterns)
    assert any(
        p.startswith("[x-linkage-payment-method:fingerprint_hmac_sha256 = '") for p in patterns
    )
    for indicator in _by_type(objects, "indicator"):
        assert indicator["pattern_type"] == "stix"
        assert indicator["name"] and indicator["description"]


def test_raw_sensitive_values_are_not_shared(result: Run, text: str) -> None:
    for campaign in (c for c in result.campaigns if c["flagged"]):
        evidence = campaign["evidence"]
        for item in evidence["shared_payment_methods"]["items"]:
            assert item["value"] not in text
        for item in evidence["shared_emails"]["items"]:
            assert item["value"] not in text
        for item in evidence["shared_templates"]["items"]:
            assert not item.get("example") or item["example"] not in text


def test_partner_with_the_key_can_match(result: Run, text: str) -> None:
    """A lab holding the key hashes its own copy of a value and finds it in the bundle."""
    hashed = []
    for campaign in (c for c in result.campaigns if c["flagged"]):
        for item in campaign["evidence"]["shared_payment_methods"]["items"]:
            if item["members"] / item["accounts_overall"] >= 0.5:
                hashed.append(item["value"])
    assert hashed
    for value in hashed:
        assert keyed_hash(KEY, value) in text
        assert keyed_hash(b"some-other-key-of-16-bytes", value) not in text


def test_unspecific_values_are_left_out(result: Run) -> None:
    changed = copy.deepcopy(result.campaigns)
    target = next(c for c in changed if c["flagged"])
    target["evidence"]["shared_user_agents"]["items"] = [
        {"value": "popular-sdk/1.0", "members": 3, "accounts_overall": 900, "uses": 10},
        {"value": "it's \\ odd'agent", "members": 3, "accounts_overall": 3, "uses": 10},
    ]
    bundle = build_bundle(replace(result, campaigns=changed), KEY)
    text = bundle_json(bundle)
    assert "popular-sdk/1.0" not in text
    pattern = next(
        o.pattern for o in bundle.objects if o.type == "indicator" and "odd" in o.pattern
    )
    assert pattern.endswith("= 'it\\'s \\\\ odd\\'agent']")
    stix2.parse(text, allow_custom=True)  # patterns were checked when the objects were made


def test_demo_key_is_marked_everywhere(result: Run) -> None:
    objects = json.loads(bundle_json(build_bundle(result, DEMO_SHARING_KEY)))["objects"]
    for obj in objects:
        if obj["type"] == "marking-definition":
            continue
        assert DEMO_LABEL in obj["labels"], obj["id"]
        if "description" in obj:
            assert obj["description"].startswith("DEMO SHARING KEY - DO NOT SHARE")


def test_real_key_is_not_marked_demo(objects: list[dict]) -> None:
    assert all(DEMO_LABEL not in o.get("labels", []) for o in objects)


def test_sharing_key_from_env() -> None:
    assert sharing_key_from_env({}) == (DEMO_SHARING_KEY, True)
    assert sharing_key_from_env({SHARING_KEY_ENV: KEY.decode()}) == (KEY, False)
    with pytest.raises(SharingKeyError, match="at least 16"):
        sharing_key_from_env({SHARING_KEY_ENV: "short"})


def test_write_run_uses_env_key_and_notes_demo_key(
    result: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from linkage.jobs import write_run_folder as write_run

    monkeypatch.delenv(SHARING_KEY_ENV, raising=False)
    paths = write_run(result, tmp_path / "demo")
    notes = json.loads(paths["run"].read_text(encoding="utf-8"))["notes"]
    assert any("DEMO SHARING KEY" in note for note in notes)
    assert DEMO_LABEL in paths["stix"].read_text(encoding="utf-8")

    monkeypatch.setenv(SHARING_KEY_ENV, KEY.decode())
    paths = write_run(result, tmp_path / "real")
    run_json = paths["run"].read_text(encoding="utf-8")
    assert "DEMO SHARING KEY" not in run_json
    assert KEY.decode() not in run_json
    assert paths["stix"].name == "indicators.stix.json"
    assert paths["stix"].read_text(encoding="utf-8") == bundle_json(build_bundle(result, KEY))


def test_no_flagged_campaign_gives_a_bundle_with_only_the_producer(result: Run) -> None:
    quiet = [{**c, "flagged": False} for c in result.campaigns]
    bundle = build_bundle(replace(result, campaigns=quiet), KEY)
    assert sorted(o.type for o in bundle.objects) == ["identity", "marking-definition"]
