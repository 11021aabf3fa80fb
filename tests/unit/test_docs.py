"""The documents a clone ships: the data contract and the README's examples."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from typer.testing import CliRunner

from linkage.cli import app
from linkage.io.contract import INDICATOR_TYPES, TABLES

ROOT = Path(__file__).resolve().parents[2]
CONTRACT = ROOT / "docs" / "data-contract.md"
README = ROOT / "README.md"


def test_the_contract_ships_and_names_every_table_and_column() -> None:
    text = CONTRACT.read_text(encoding="utf-8")
    for name, spec in TABLES.items():
        assert f"### `{name}`" in text, name
        for column in spec.columns:
            # labels.campaign_id: a required column whose value may be empty (legitimate)
            exempt = (name, column.name) == ("labels", "campaign_id")
            required = "yes" if column.required or exempt else "no"
            assert re.search(rf"\| `{column.name}` \| \w+ \| {required} \|", text), (
                name,
                column.name,
            )
    for indicator_type in INDICATOR_TYPES:
        assert f"`{indicator_type}`" in text
    for promised in ("org_verified", "member_confidence", "rows read = rows accepted"):
        assert promised in text


def test_the_readme_points_to_the_shipped_contract() -> None:
    text = README.read_text(encoding="utf-8")
    assert "](docs/data-contract.md)" in text
    assert "../shared" not in text


def test_the_readme_allow_list_example_runs(tmp_path: Path) -> None:
    from unit.test_takedown import _write_run_folder  # tests/ is on sys.path under pytest

    block = README.read_text(encoding="utf-8").split("takedown plan out/demo --allow-list")[0]
    make_allow_list = block.rsplit("```bash\n", 1)[1].splitlines()[0]
    assert "allow.txt" in make_allow_list
    subprocess.run(make_allow_list, shell=True, cwd=tmp_path, check=True)
    run_dir = _write_run_folder(tmp_path / "run")
    result = CliRunner().invoke(
        app, ["takedown", "plan", str(run_dir), "--allow-list", str(tmp_path / "allow.txt")]
    )
    assert result.exit_code == 0, result.output
