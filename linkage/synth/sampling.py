"""Random helpers: identifiers, hex text, counts, dispatch order and request times.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> hex_strings(np.array([255, 4096], dtype=np.uint64), 4, "key_").tolist()
['key_00ff', 'key_1000']
>>> sorted(round_robin(rng, 3, 6)[:3].tolist())
[0, 1, 2]
>>> keys = np.array([1, 2, 3, 4], dtype=np.uint64)
>>> ids = feistel(np.arange(1000, dtype=np.uint64), 32, keys)
>>> len(np.unique(ids)), bool(ids.max() < 2**32)
(1000, True)
>>> hex_arrow(np.array([255], dtype=np.uint64), 4, "k_").to_pylist()
['k_00ff']
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from linkage.synth.text import Arr
from linkage.synth.window import DAY, HOUR, START_WEEKDAY, WINDOW, WINDOW_DAYS

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _random_u64(rng: np.random.Generator, n: int, width: int) -> Arr:
    """``n`` random integers of ``4 * width`` bits (``width`` <= 16 hex digits)."""
    if width >= 16:
        return rng.integers(0, np.iinfo(np.uint64).max, n, dtype=np.uint64, endpoint=True)
    return rng.integers(0, 16**width, n, dtype=np.uint64)


def unique_u64(rng: np.random.Generator, n: int, width: int, taken: Arr | None = None) -> Arr:
    """``n`` distinct random integers of ``width`` hex digits, none of them in ``taken``."""
    return distinct_draws(lambda k: _random_u64(rng, k, width), n, taken, "identifiers")


def distinct_draws(
    draw: Callable[[int], Arr], n: int, taken: Arr | None = None, what: str = "values"
) -> Arr:
    """``n`` values from ``draw(k)``, distinct and none in ``taken``; collisions are redrawn."""
    out = draw(n)
    for _ in range(100):
        _, first = np.unique(out, return_index=True)
        bad = np.ones(n, dtype=bool)
        bad[first] = False
        if taken is not None and len(taken):
            bad |= np.isin(out, taken)
        if not bad.any():
            return out
        out[bad] = draw(int(bad.sum()))
    raise RuntimeError(f"could not draw {n:,} distinct {what}")  # pragma: no cover


def hex_digits(values: Arr, width: int) -> Arr:
    """(n, width) matrix of the hex digit values (0..15) of ``values``."""
    shifts = np.arange(width - 1, -1, -1, dtype=np.uint64) * np.uint64(4)
    return ((values[:, None] >> shifts[None, :]) & np.uint64(15)).astype(np.uint8)


def _hex_bytes(values: Arr, width: int, prefix: str) -> Arr:
    """(n, len(prefix) + width) uint8 matrix of ``prefix`` + zero-padded lowercase hex."""
    head = np.frombuffer(prefix.encode(), dtype=np.uint8)
    buf = np.empty((len(values), len(head) + width), dtype=np.uint8)
    buf[:, : len(head)] = head
    buf[:, len(head) :] = _HEX[hex_digits(values, width)]
    return buf


def hex_strings(values: Arr, width: int, prefix: str) -> Arr:
    """Format integers as ``prefix`` + zero-padded lowercase hex (a numpy unicode array)."""
    size = len(prefix) + width
    return _hex_bytes(values, width, prefix).view(f"S{size}").ravel().astype(f"U{size}")


def hex_arrow(values: Arr, width: int, prefix: str) -> pa.StringArray:
    """Like :func:`hex_strings`, as an Arrow string array built straight from the bytes."""
    buf = _hex_bytes(values, width, prefix)
    offsets = np.arange(len(values) + 1, dtype=np.int32) * buf.shape[1]
    return pa.StringArray.from_buffers(
        len(values), pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(buf))
    )


_MIX = np.uint64(0x9E3779B97F4A7C15)


def feistel(values: Arr, bits: int, keys: Arr) -> Arr:
    """A keyed permutation of the integers below ``2**bits`` (``bits`` even), one round per key.

    Identifiers made by permuting distinct counters are distinct by construction and
    look random, so millions of them need no draw-and-dedupe loop.
    """
    half = np.uint64(bits // 2)
    mask = np.uint64((1 << (bits // 2)) - 1)
    left, right = values >> half, values & mask
    for key in np.asarray(keys, dtype=np.uint64):
        mixed = ((right ^ key) * _MIX) >> np.uint64(29)
        left, right = right, left ^ (mixed & mask)
    return (left << half) | right


def fingerprint_values(rng: np.random.Generator, n: int, taken: Arr | None = None) -> Arr:
    """Card fingerprints as 64-bit integers whose 16 hex digits hold at most 12 decimal digits.

    With ``pm_`` in front, no reading of the fingerprint (even one that strips the
    letters) gives the 13-19 digits of a card number.
    """
    values = unique_u64(rng, n, 16, taken)
    for _ in range(100):
        digits = (hex_digits(values, 16) < 10).sum(axis=1)
        bad = digits > 12
        if not bad.any():
            return values
        others = values if taken is None else np.concatenate([values, taken])
        values[bad] = unique_u64(rng, int(bad.sum()), 16, others)
    raise RuntimeError("could not draw card fingerprints")  # pragma: no cover


def round_robin(rng: np.random.Generator, n_items: int, n: int) -> Arr:
    """Dispatcher order: cycle over ``n_items``, reshuffled every cycle; ``n`` picks."""
    cycles = -(-n // n_items)
    grid = np.tile(np.arange(n_items), (cycles, 1))
    return rng.permuted(grid, axis=1).ravel()[:n]


def lognormal_counts(
    rng: np.random.Generator, n: int, mean: float, sigma: float, lo: int, hi: int
) -> Arr:
    """Integer counts with the given mean (before clipping) from a lognormal."""
    mu = math.log(mean) - sigma**2 / 2
    return np.clip(np.rint(rng.lognormal(mu, sigma, n)), lo, hi).astype(np.int64)


def hour_weights(spec: dict[tuple[int, int], float], base: float = 0.0) -> Arr:
    """24 hourly weights: ``base`` everywhere, ``w`` on the half-open ranges of ``spec``."""
    w = np.full(24, base, dtype=float)
    for (lo, hi), value in spec.items():
        w[lo:hi] = value
    return w


DIURNAL = hour_weights({(7, 9): 0.6, (9, 12): 1.0, (12, 18): 1.0, (18, 23): 1.2, (23, 24): 0.5})
DIURNAL[0:2] = 0.25
DIURNAL[2:7] = 0.05
"""Hourly weights of ordinary people: busiest in the evening, a trickle at night."""
ALWAYS = np.ones(24)
"""Hourly weights of servers: every hour alike."""


def sample_times(
    rng: np.random.Generator,
    lo: Arr,
    hi: Arr,
    tz_hours: Arr,
    weekday: Arr,
    weekend: Arr | None = None,
) -> Arr:
    """Random instants in ``[lo, hi)`` (seconds from the window start) with a daily profile.

    Parameters
    ----------
    rng
        Random generator.
    lo, hi
        Per-draw bounds in seconds from ``WINDOW_START``; ``hi > lo``.
    tz_hours
        Per-draw UTC offset of the local clock, in hours.
    weekday, weekend
        24 hourly weights on the local clock for weekdays and weekends; days whose
        weights sum lower are picked less often (zero: never). ``weekend`` defaults
        to ``weekday``.

    Returns
    -------
    numpy.ndarray
        int64 seconds from the window start.
    """
    if weekend is None:
        weekend = weekday
    n = len(lo)
    out = np.empty(n, dtype=np.int64)
    wd_sum, we_sum = float(weekday.sum()), float(weekend.sum())
    wd_cdf = np.cumsum(weekday) / max(wd_sum, 1e-12)
    we_cdf = np.cumsum(weekend) / max(we_sum, 1e-12)
    top = max(wd_sum, we_sum)
    rel_wd, rel_we = wd_sum / top, we_sum / top
    tz = (np.asarray(tz_hours) * HOUR).astype(np.int64)
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.asarray(hi, dtype=np.int64)
    todo = np.arange(n)
    for _ in range(80):
        m = len(todo)
        if m == 0:
            break
        lo_t, hi_t, tz_t = lo[todo], hi[todo], tz[todo]
        d_lo = (lo_t + tz_t) // DAY
        d_hi = (hi_t - 1 + tz_t) // DAY
        day = d_lo + (rng.random(m) * (d_hi - d_lo + 1)).astype(np.int64)
        is_we = (day + START_WEEKDAY) % 7 >= 5
        u = rng.random(m)
        hour = np.where(
            is_we,
            np.searchsorted(we_cdf, u, side="right"),
            np.searchsorted(wd_cdf, u, side="right"),
        ).clip(0, 23)
        t = day * DAY + hour * HOUR + (rng.random(m) * HOUR).astype(np.int64) - tz_t
        keep = (rng.random(m) < np.where(is_we, rel_we, rel_wd)) & (t >= lo_t) & (t < hi_t)
        out[todo[keep]] = t[keep]
        todo = todo[~keep]
    if len(todo):
        span = hi[todo] - lo[todo]
        out[todo] = lo[todo] + (rng.random(len(todo)) * span).astype(np.int64)
    return out


def _spread_in_sessions(
    rng: np.random.Generator, acct: Arr, n_sessions: Arr, starts: Arr, hi: Arr, gap_mean: float
) -> Arr:
    """Times of requests that each join one of their account's sessions, minutes apart.

    ``starts`` holds the start of every session, accounts' sessions in account order.
    """
    first_session = np.cumsum(n_sessions) - n_sessions
    session = first_session[acct] + (rng.random(len(acct)) * n_sessions[acct]).astype(np.int64)
    order = np.argsort(session, kind="stable")
    s_sorted = session[order]
    gaps = rng.exponential(gap_mean, len(acct)) + 10.0
    csum = np.cumsum(gaps)
    seg_start = np.ones(len(acct), dtype=bool)
    seg_start[1:] = s_sorted[1:] != s_sorted[:-1]
    first_idx = np.maximum.accumulate(np.where(seg_start, np.arange(len(acct)), 0))
    offset = (csum - csum[first_idx]).astype(np.int64)
    ts = np.empty(len(acct), dtype=np.int64)
    ts[order] = starts[s_sorted] + offset
    return np.minimum(ts, hi[acct] - 1)


def session_times(
    rng: np.random.Generator,
    acct: Arr,
    n_sessions: Arr,
    lo: Arr,
    hi: Arr,
    tz_hours: Arr,
    weekday: Arr,
    weekend: Arr | None = None,
    gap_mean: float = 150.0,
) -> Arr:
    """Request times in bursts: each request joins one of its account's sessions.

    ``acct`` is the account index of every request; account ``a`` has
    ``n_sessions[a]`` sessions whose starts follow the daily profile within
    ``[lo[a], hi[a])``; requests of a session are minutes apart.
    """
    session_acct = np.repeat(np.arange(len(n_sessions)), n_sessions)
    starts = sample_times(
        rng, lo[session_acct], hi[session_acct], tz_hours[session_acct], weekday, weekend
    )
    return _spread_in_sessions(rng, acct, n_sessions, starts, hi, gap_mean)


DIURNAL_WEEKEND = hour_weights({(9, 12): 0.8, (12, 18): 1.0, (18, 23): 1.0, (23, 24): 0.6})
DIURNAL_WEEKEND[0:2] = 0.35
DIURNAL_WEEKEND[2:9] = 0.06
"""Hourly weights of ordinary people at weekends: later mornings, longer evenings."""


@dataclass
class Rhythm:
    """Per-account habits of a person (see :func:`human_times`)."""

    tz_seconds: Arr  # home time zone plus a personal shift (early birds, night owls)
    active: Arr  # (accounts, days + 2) bool: on which local days the account shows up
    weekend_factor: Arr  # how much more (or less) the account is used at weekends


def draw_rhythms(rng: np.random.Generator, tz_hours: Arr) -> Rhythm:
    """Personal rhythms: a +-3 h shift of the daily curve, idle days, a weekend habit."""
    n = len(tz_hours)
    shift = np.clip(rng.normal(0.0, 1.2, n), -3.0, 3.0)
    p_active = rng.uniform(0.25, 0.95, n)
    return Rhythm(
        tz_seconds=np.rint((np.asarray(tz_hours, dtype=float) + shift) * HOUR).astype(np.int64),
        active=rng.random((n, WINDOW_DAYS + 2)) < p_active[:, None],
        weekend_factor=rng.uniform(0.2, 1.3, n),
    )


def _session_starts(
    rng: np.random.Generator, who: Arr, lo: Arr, hi: Arr, rhythm: Rhythm, weekday: Arr, weekend: Arr
) -> Arr:
    """Session starts of accounts ``who``: on their active local days, on their daily curve."""
    wd_cdf = np.cumsum(weekday) / weekday.sum()
    we_cdf = np.cumsum(weekend) / weekend.sum()
    rel_we = weekend.sum() / weekday.sum() * rhythm.weekend_factor
    top = np.maximum(1.0, rel_we)
    out = np.empty(len(who), dtype=np.int64)
    todo = np.arange(len(who))
    for _ in range(80):
        if len(todo) == 0:
            break
        a, lo_t, hi_t = who[todo], lo[todo], hi[todo]
        tz = rhythm.tz_seconds[a]
        d_lo, d_hi = (lo_t + tz) // DAY, (hi_t - 1 + tz) // DAY
        day = d_lo + (rng.random(len(todo)) * (d_hi - d_lo + 1)).astype(np.int64)
        is_we = (day + START_WEEKDAY) % 7 >= 5
        u = rng.random(len(todo))
        hour = np.where(
            is_we,
            np.searchsorted(we_cdf, u, side="right"),
            np.searchsorted(wd_cdf, u, side="right"),
        ).clip(0, 23)
        t = day * DAY + hour * HOUR + (rng.random(len(todo)) * HOUR).astype(np.int64) - tz
        shows_up = rhythm.active[a, np.clip(day + 1, 0, rhythm.active.shape[1] - 1)]
        habit = np.where(is_we, rel_we[a], 1.0) / top[a]
        keep = shows_up & (rng.random(len(todo)) < habit) & (t >= lo_t) & (t < hi_t)
        out[todo[keep]] = t[keep]
        todo = todo[~keep]
    if len(todo):  # no active day in range: any time will do
        out[todo] = lo[todo] + (rng.random(len(todo)) * (hi[todo] - lo[todo])).astype(np.int64)
    return out


def human_times(
    rng: np.random.Generator,
    acct: Arr,
    counts: Arr,
    lo: Arr,
    hi: Arr,
    tz_hours: Arr,
    weekday: Arr = DIURNAL,
    weekend: Arr = DIURNAL_WEEKEND,
) -> Arr:
    """Request times of people: each account with its own rhythm, in sessions.

    Every account has a personal shift of the daily curve in its local time,
    shows up on only some days, has its own weekend habit, and works in
    sessions of requests minutes apart; heavier accounts have longer sessions.
    Nothing is shared between accounts: no dispatcher, no common clock.

    Parameters
    ----------
    acct
        Account index of every request.
    counts
        Requests per account (``np.bincount(acct)``).
    lo, hi
        Per-account bounds in seconds from the window start.
    tz_hours
        Per-account UTC offset of the home country.
    """
    rhythm = draw_rhythms(rng, tz_hours)
    counts = np.asarray(counts, dtype=np.int64)
    per_session = rng.uniform(1.5, 4.0, len(counts)) * np.sqrt(1.0 + counts / 40.0)
    n_sess = np.clip(np.rint(counts / per_session), 1, np.maximum(counts, 1)).astype(np.int64)
    who = np.repeat(np.arange(len(counts)), n_sess)
    starts = _session_starts(rng, who, lo[who], hi[who], rhythm, weekday, weekend)
    return _spread_in_sessions(rng, acct, n_sess, starts, hi, 150.0)


def rhythm_starts(
    rng: np.random.Generator,
    who: Arr,
    lo: Arr,
    hi: Arr,
    tz_hours: Arr,
    weekday: Arr = DIURNAL,
    weekend: Arr = DIURNAL_WEEKEND,
) -> Arr:
    """Start times of sessions of the accounts ``who`` (one entry per session).

    Each account has its own rhythm, as in :func:`human_times` (a shift of the
    daily curve, idle days, a weekend habit); ``lo``, ``hi`` and ``tz_hours`` are
    per account. The caller spaces each session's requests as its users do.
    """
    rhythm = draw_rhythms(rng, tz_hours)
    who = np.asarray(who, dtype=np.int64)
    return _session_starts(rng, who, lo[who], hi[who], rhythm, weekday, weekend)


def session_offsets(rng: np.random.Generator, lengths: Arr, gap: Arr | float) -> tuple[Arr, Arr]:
    """Session and turn of every request of sessions of ``lengths`` requests, and its offset.

    ``gap`` is drawn per request (an array of the requests' gaps in seconds, or one
    mean of exponential gaps); the first request of a session has offset 0.
    Returns the offsets in seconds and the turns (0, 1, ... within each session).
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    r = int(lengths.sum())
    first = np.cumsum(lengths) - lengths
    session = np.repeat(np.arange(len(lengths)), lengths)
    turn = np.arange(r) - first[session]
    if isinstance(gap, np.ndarray):
        gaps = np.array(gap, dtype=float)
    else:
        gaps = rng.exponential(float(gap), r)
    gaps[first] = 0.0
    csum = np.cumsum(gaps)
    offset = np.rint(csum - csum[first][session]).astype(np.int64)
    return offset, turn


OFFICE_HOURS = hour_weights({(9, 12): 1.0, (13, 18): 1.0, (12, 13): 0.5})
"""Weekday office hours with a lunch dip; nothing at weekends."""


def office_sessions(
    rng: np.random.Generator,
    acct: Arr,
    counts: Arr,
    start: Arr,
    tz_hours: Arr,
    gap_mean: float = 150.0,
) -> Arr:
    """Request times of office work: about four requests per session, weekdays only,
    from each account's ``start`` to the end of the window."""
    return session_times(
        rng,
        acct,
        np.ceil(counts / 4).astype(np.int64),
        start,
        np.full(len(counts), WINDOW, dtype=np.int64),
        tz_hours,
        OFFICE_HOURS,
        np.zeros(24),
        gap_mean=gap_mean,
    )
