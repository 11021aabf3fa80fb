"""The generated time window; the generator counts time in seconds from its start.

Examples
--------
>>> iso(WINDOW)
'2026-10-29T00:00:00Z'
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

WINDOW_START = pd.Timestamp("2026-10-01T00:00:00Z")
"""First instant of the generated window (UTC)."""
WINDOW_DAYS = 28
"""Length of the generated window in days."""

DAY = 86_400
HOUR = 3_600
MINUTE = 60
WINDOW = WINDOW_DAYS * DAY
START_WEEKDAY = 3  # 2026-10-01 is a Thursday (Monday = 0)
_EPOCH = np.datetime64("2026-10-01T00:00:00", "s")


def timestamps(seconds: npt.ArrayLike) -> pd.Series:
    """Seconds from the window start -> tz-aware UTC timestamps (microsecond unit)."""
    values = (_EPOCH + np.asarray(seconds, dtype=np.int64).astype("timedelta64[s]")).astype(
        "datetime64[us]"
    )
    return pd.Series(values).dt.tz_localize("UTC")


def iso(seconds: float | int) -> str:
    """Seconds from the window start as ``YYYY-MM-DDTHH:MM:SSZ``."""
    return (WINDOW_START + pd.Timedelta(seconds=int(seconds))).strftime("%Y-%m-%dT%H:%M:%SZ")
