"""Settings files: what `linkage settings` writes, and how a bad file is reported."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from linkage.errors import LinkageError, SettingsError
from linkage.settings import Settings, load_settings

GOLDEN_TOML = Path(__file__).parent / "golden" / "settings" / "settings.toml"


def test_written_defaults_match_the_golden_file() -> None:
    # users keep and diff these files: a change of wording or order is made on purpose
    produced = Settings().to_toml()
    if os.environ.get("LINKAGE_UPDATE_GOLDEN") == "1":
        GOLDEN_TOML.write_text(produced, encoding="utf-8")
    assert produced == GOLDEN_TOML.read_text(encoding="utf-8")


def test_written_file_reads_back_to_the_same_settings(tmp_path: Path) -> None:
    changed = Settings.from_dict(
        {
            "seed": 7,
            "score": {"flag_threshold": 0.6, "score_weights": {"content": 0.3}},
            "link": {"ip_kind_factors": {"satellite": 0.2}, "usage_weighted_types": ['a"b']},
            "normalise": {"freemail_domains": []},
        }
    )
    path = tmp_path / "settings.toml"
    path.write_text(changed.to_toml(), encoding="utf-8")
    assert load_settings(path) == changed


def test_every_problem_is_reported_at_once_with_file_key_and_range(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(
        "seed = -1\nflag_treshold = 0.7\n"
        "[cluster]\nmin_team_size = 2.5\n"
        "[families]\nhash = 3\n"
        "[link.attribute_weights]\npaymnt = 0.5\n",
        encoding="utf-8",
    )
    with pytest.raises(SettingsError) as raised:
        load_settings(path)
    assert isinstance(raised.value, LinkageError)
    assert str(raised.value).splitlines() == [
        f"{path}: seed must be at least 0, got -1",
        f"{path}: unknown setting 'flag_treshold' (did you mean 'score.flag_threshold'?)",
        f"{path}: cluster.min_team_size must be a whole number, got 2.5",
        f"{path}: unknown setting 'families.hash' (did you mean 'families.hashes'?)",
        f"{path}: link.attribute_weights has unknown keys ['paymnt'] (known: "
        + str(list(Settings().link.attribute_weights))
        + ")",
    ]


def test_ranges_types_and_tables_are_checked() -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_dict(
            {
                "score": {"flag_threshold": 2},
                "normalise": {"ipv4_subnet_bits": 7, "ipv6_subnet_bits": float("nan")},
                "link": {"usage_weighted_types": "ip"},
                "ids": 3,
            }
        )
    assert str(raised.value).splitlines() == [
        "settings: score.flag_threshold must be at most 1.0, got 2",
        "settings: normalise.ipv4_subnet_bits must be at least 8, got 7",
        "settings: normalise.ipv6_subnet_bits must be a number, got nan",
        "settings: link.usage_weighted_types must be a list of strings, got 'ip'",
        "settings: [ids] must be a table of settings",
    ]


def test_open_dict_settings_take_new_keys_closed_ones_do_not() -> None:
    settings = Settings.from_dict({"link": {"ip_kind_factors": {"satellite": 0.2}}})
    assert settings.link.ip_kind_factors["satellite"] == 0.2
    assert settings.link.ip_kind_factors["vpn"] == Settings().link.ip_kind_factors["vpn"]
    with pytest.raises(SettingsError, match=r"score_weights has unknown keys \['extra'\]"):
        Settings.from_dict({"score": {"score_weights": {"extra": 0.2}}})


def test_flat_names_of_earlier_run_json_go_to_their_section(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    path.write_text('{"settings": {"flag_threshold": 0.4, "seed": 3}}', encoding="utf-8")
    settings = load_settings(path)
    assert (settings.score.flag_threshold, settings.seed) == (0.4, 3)


def test_unreadable_and_invalid_files_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="cannot read settings file"):
        load_settings(tmp_path / "missing.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("[score\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=re.escape(f"settings file {broken} is not valid")):
        load_settings(broken)
