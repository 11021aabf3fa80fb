"""Small value formats every output shares (timestamps in JSON, rounded numbers).

>>> iso_utc(pd.Timestamp("2026-10-01T12:30:00.7Z"))
'2026-10-01T12:30:00Z'
>>> iso_utc(None) is None, rounded(float("nan")) is None, rounded(0.123456)
(True, True, 0.1235)
"""

from __future__ import annotations

from typing import Any

import pandas as pd


def is_missing(value: Any) -> bool:
    """None, NaN, NaT or pd.NA (a list or other container is never missing)."""
    if value is None:
        return True
    if isinstance(value, list | tuple | dict | set | str):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def iso_utc(value: Any) -> str | None:
    """A timestamp as ``YYYY-MM-DDTHH:MM:SSZ`` (UTC, whole seconds), or None when missing."""
    if is_missing(value) or value == "":
        return None
    return pd.Timestamp(value).strftime("%Y-%m-%dT%H:%M:%SZ")


def rounded(value: Any, digits: int = 4) -> float | None:
    """A number rounded for JSON output, or None when missing."""
    if is_missing(value):
        return None
    return round(float(value), digits)


def text_or_none(value: Any) -> str | None:
    """A non-empty string, or None for missing and empty values."""
    if is_missing(value):
        return None
    text = str(value)
    return text if text else None
