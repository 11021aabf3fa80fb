"""Requests held as compact Arrow chunks, one per group, merged in time order on the way out.

A group's requests become a :class:`Chunk` as soon as the group is built: sorted
by time, repeated strings (IPs, clients, models, account and key ids, the
prefixes many prompts share) dictionary encoded, the rest of the prompts in one
Arrow buffer; the group's Python strings are then freed. A prompt is joined to
its prefix only when its slice is written.
The requests table is never materialised whole: :meth:`RequestStore.slices` cuts
the window into time slices of at most ``ROWS_PER_SLICE`` rows and about
``BYTES_PER_SLICE`` bytes (long prompts make short slices), and merges each from
the chunks' matching ranges,
in exactly the order of a stable sort of all requests by time (ties: group order,
then generation order), so files are written a slice at a time.

Examples
--------
>>> from linkage.synth.text import as_objects
>>> ts = np.array([5, 1, 3])
>>> req = {"ts": ts, "acct": np.zeros(3, int), "ip": as_objects(["a", "b", "a"]),
...        "access_pathway": as_objects(["api"] * 3), "user_agent": as_objects(["x"] * 3),
...        "model": as_objects(["m"] * 3), "prompt": as_objects(["p", "q", "r"]),
...        "missing": np.zeros(3, bool), "extra_input": np.ones(3, int),
...        "output_tokens": np.ones(3, int), "kind": np.zeros(3, np.int8),
...        "lang": np.zeros(3, np.int8), "intent": np.full(3, -1, np.int8)}
>>> ids = ChunkIds(pa.array(["acct_1"]), pa.array(["key_1"]), np.zeros(3, int),
...                pa.array(["req_a", "req_b", "req_c"]))
>>> store = RequestStore([make_chunk(req, ids)])
>>> [t["request_id"].to_pylist() for t, _ in store.slices(csv=False)]
[['req_b', 'req_c', 'req_a']]
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from linkage.synth.content import Kind, input_tokens
from linkage.synth.paraphrase import INTENTS
from linkage.synth.text import Arr
from linkage.synth.vocabulary import LANGUAGE_CODES

REQUEST_COLUMNS = (
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
)
FACT_COLUMNS = ("kind", "language", "intent")
ROWS_PER_SLICE = 500_000
BYTES_PER_SLICE = 96 * 2**20
"""About this many bytes of requests (prompt text plus ``ROW_BYTES`` each) per slice."""
ROW_BYTES = 120  # a request's columns other than its prompt, roughly
_EPOCH_S = np.datetime64("2026-10-01T00:00:00", "s")


@dataclass
class ChunkIds:
    """A group's identifiers: its accounts' and keys' ids, each request's key and id."""

    account_id: pa.Array  # per account of the group
    key_id: pa.Array  # per API key of the group
    request_key: Arr  # per request: index into key_id
    request_id: pa.Array  # per request, in generation order


@dataclass
class Chunk:
    """One group's requests, sorted by time."""

    ts: Arr  # int64 seconds from the window start, ascending
    table: pa.Table
    size: Arr  # bytes of every request: its prompt's plus ROW_BYTES


def _encoded(values: Arr) -> pa.DictionaryArray:
    """Object array of strings -> dictionary array (repeated values stored once)."""
    codes, uniques = pd.factorize(values)
    return pa.DictionaryArray.from_arrays(
        pa.array(codes.astype(np.int32)), pa.array(np.asarray(uniques, dtype=object), pa.string())
    )


def make_chunk(req: dict[str, Arr], ids: ChunkIds) -> Chunk:
    """A group's request bundle as a time-sorted Arrow chunk (the bundle may then be freed)."""
    order = np.argsort(req["ts"], kind="stable")
    prompt = pa.array(req["prompt"][order], pa.large_string())
    if "prefix" in req:
        prefix = _encoded(req["prefix"][order])
    else:
        prefix = pa.DictionaryArray.from_arrays(pa.array(np.zeros(len(order), np.int32)), [""])
    codes = prefix.indices.to_numpy(zero_copy_only=False)

    def lengths(measure: Callable[[pa.Array], pa.Array]) -> Arr:
        """Length of every prompt with its prefix (in characters or bytes)."""
        own = measure(prompt).to_numpy(zero_copy_only=False).astype(np.int64)
        shared = measure(prefix.dictionary).to_numpy(zero_copy_only=False).astype(np.int64)
        return own + shared[codes]

    chars = lengths(pc.utf8_length)
    missing = req["missing"][order]
    lang = req["lang"][order]

    def indexed(ix: Arr, dictionary: pa.Array) -> pa.DictionaryArray:
        return pa.DictionaryArray.from_arrays(pa.array(ix.astype(np.int32)), dictionary)

    table = pa.table(
        {
            "request_id": ids.request_id.take(pa.array(order)),
            "account_id": indexed(req["acct"][order], ids.account_id),
            "ip": _encoded(req["ip"][order]),
            "access_pathway": _encoded(req["access_pathway"][order]),
            "api_key_id": indexed(ids.request_key[order], ids.key_id),
            "user_agent": _encoded(req["user_agent"][order]),
            "model": _encoded(req["model"][order]),
            "prompt_prefix": prefix,
            "prompt": pc.if_else(pa.array(missing), pa.scalar(None, pa.large_string()), prompt),
            "input_tokens": input_tokens(chars, lang) + req["extra_input"][order],
            "output_tokens": req["output_tokens"][order],
            "kind": req["kind"][order],
            "lang": lang,
            "intent": req["intent"][order],
        }
    )
    return Chunk(ts=req["ts"][order], table=table, size=lengths(pc.binary_length) + ROW_BYTES)


def _decoded(table: pa.Table) -> pa.Table:
    """Dictionary columns as plain strings (chunks' dictionaries differ)."""
    return pa.table(
        [
            col.cast(pa.string()) if pa.types.is_dictionary(col.type) else col
            for col in table.columns
        ],
        names=table.column_names,
    )


class RequestStore:
    """Every group's request chunk; the requests table in time order, slice by slice."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = chunks

    def __len__(self) -> int:
        return sum(len(c.ts) for c in self.chunks)

    def _bounds(self, rows_per_slice: int, bytes_per_slice: int) -> Arr:
        """Slice boundaries in seconds: at most ``rows_per_slice`` rows and about
        ``bytes_per_slice`` bytes apart (a second is never split).

        Counted per second of the window, so a burst (the firehose's last days)
        spreads over several slices instead of swelling one, and long prompts
        make shorter slices.
        """
        lo = min((int(c.ts[0]) for c in self.chunks if len(c.ts)), default=0)
        hi = max((int(c.ts[-1]) for c in self.chunks if len(c.ts)), default=0) + 1
        rows = np.zeros(hi - lo, dtype=np.int64)
        size = np.zeros(hi - lo, dtype=np.int64)
        for c in self.chunks:
            rows += np.bincount(c.ts - lo, minlength=hi - lo)
            size += np.bincount(c.ts - lo, weights=c.size, minlength=hi - lo).astype(np.int64)
        rows, size = np.cumsum(rows), np.cumsum(size)
        bounds = [0]
        while bounds[-1] < hi - lo:
            start = bounds[-1]
            done_rows = rows[start - 1] if start else 0
            done_size = size[start - 1] if start else 0
            by_rows = np.searchsorted(rows, done_rows + rows_per_slice, side="right")
            by_size = np.searchsorted(size, done_size + bytes_per_slice, side="right")
            bounds.append(max(start + 1, min(int(by_rows), int(by_size), hi - lo)))
        return lo + np.array(bounds)

    def _merged(self, t_lo: int, t_hi: int) -> tuple[pa.Table, Arr]:
        """Requests with ``t_lo <= ts < t_hi`` in final order, and their times."""
        parts, times = [], []
        for c in self.chunks:
            a, b = np.searchsorted(c.ts, [t_lo, t_hi])
            if b > a:
                parts.append(_decoded(c.table.slice(a, b - a)))
                times.append(c.ts[a:b])
        if not parts:
            return _decoded(self.chunks[0].table.slice(0, 0)), np.empty(0, np.int64)
        ts = np.concatenate(times)
        order = np.argsort(ts, kind="stable")
        return pa.concat_tables(parts).combine_chunks().take(pa.array(order)), ts[order]

    def slices(
        self,
        csv: bool,
        rows_per_slice: int = ROWS_PER_SLICE,
        bytes_per_slice: int = BYTES_PER_SLICE,
    ) -> Iterator[tuple[pa.Table, pa.Table]]:
        """(contract columns, kind/language/intent) of every time slice, in order.

        Timestamps are ``YYYY-MM-DDTHH:MM:SSZ`` strings for CSV, UTC seconds otherwise.
        """
        bounds = self._bounds(rows_per_slice, bytes_per_slice)
        for t_lo, t_hi in itertools.pairwise(bounds):
            merged, ts = self._merged(int(t_lo), int(t_hi))
            when = _EPOCH_S + ts.astype("timedelta64[s]")
            if csv:
                stamp = pa.array(np.datetime_as_string(when, unit="s", timezone="UTC"))
            else:
                stamp = pa.array(when).cast(pa.timestamp("s", tz="UTC"))
            columns = {name: merged[name] for name in REQUEST_COLUMNS if name != "ts"}
            shared = merged["prompt_prefix"].cast(pa.large_string())
            joiner = pa.scalar("", pa.large_string())
            prompt = pc.binary_join_element_wise(shared, merged["prompt"], joiner)  # null: null
            columns["prompt"] = prompt.cast(pa.string())
            requests = pa.table({**columns, "ts": stamp}).select(list(REQUEST_COLUMNS))
            facts = merged.select(["kind", "lang", "intent"])
            yield requests, facts

    def to_pandas(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """The whole requests table and its facts as DataFrames (for small datasets)."""
        pieces = list(self.slices(csv=False))
        requests = pa.concat_tables([r for r, _ in pieces]).to_pandas()
        requests["ts"] = requests["ts"].astype("datetime64[us, UTC]")
        facts = pa.concat_tables([f for _, f in pieces])

        def categorical(column: str, names: list[str]) -> pd.Categorical:
            codes = facts[column].to_numpy().astype(np.int64)
            return pd.Categorical.from_codes(codes, names)

        truth = pd.DataFrame(
            {
                "kind": categorical("kind", [k.name.lower() for k in Kind]),
                "language": categorical("lang", list(LANGUAGE_CODES)),
                "intent": categorical("intent", list(INTENTS)),
            }
        )
        return requests, truth
