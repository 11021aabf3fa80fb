"""Personal data in the rejects: card numbers found (Luhn) and scrubbed, long cells cut.

Split from ``tests/pipeline/test_privacy.py`` (which runs the job on a planted input):
these tests call the functions of ``linkage.io.privacy`` on hand-made values.
"""

from __future__ import annotations

import pandas as pd
import pytest

from linkage.io.privacy import (
    CARD_PLACEHOLDER,
    luhn_valid,
    scrub_card_numbers,
    scrub_rejects,
)

CARD = "4111111111111111"
"""A test card number (passes the Luhn check)."""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4111111111111111", CARD_PLACEHOLDER),
        ("card 4111 1111 1111 1111, exp 12/26", f"card {CARD_PLACEHOLDER}, exp 12/26"),
        ("5500-0055-5555-5559", CARD_PLACEHOLDER),
        ("378282246310005", CARD_PLACEHOLDER),  # 15 digits
        ("4111111111111112", "4111111111111112"),  # fails the Luhn check
        ("411111111111", "411111111111"),  # 12 digits: too short
        ("4111 1111 1111 1111 2026", f"{CARD_PLACEHOLDER} 2026"),  # a card, then more digits
        ("id 20261001123456789012", "id 20261001123456789012"),  # one long run is no card
        ("", ""),
    ],
)
def test_scrub_card_numbers(text: str, expected: str) -> None:
    assert scrub_card_numbers(text) == expected


def test_luhn() -> None:
    assert luhn_valid("79927398713") and not luhn_valid("79927398710")


def test_scrub_rejects_scrubs_every_text_cell_and_keeps_the_rest() -> None:
    rejects = pd.DataFrame(
        {
            "_row": [1, 2],
            "billing_name": ["Ann", f"Bo {CARD}"],
            "_raw_line": [None, "y" * 900],
            "_reason": ["bad", f'unparsable timestamp "{CARD}"'],
        }
    )
    clean = scrub_rejects(rejects)
    assert clean["_row"].tolist() == [1, 2]
    assert clean["billing_name"].tolist() == ["Ann", f"Bo {CARD_PLACEHOLDER}"]
    assert pd.isna(clean.loc[0, "_raw_line"]) and len(clean.loc[1, "_raw_line"]) == 201
    assert CARD not in clean.to_csv()
