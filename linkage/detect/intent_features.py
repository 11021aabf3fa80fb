"""The intent model's input: hashed character n-grams of a prepared block of prompts.

* **Hashing in numpy.** n-grams are hashed over the UTF-32 code points of a block of prompts
  at once (no Python loop per prompt or per n-gram), into ``2**BITS`` buckets; a view's
  salt keeps head and tail n-grams apart.
  :func:`features` is the reference (training uses it); scoring computes the same margins
  in one compiled pass (:func:`linkage.detect.compiled.view_margins`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import numpy as np
import scipy.sparse as sp

from linkage.detect.prompt_text import NGRAMS, Prepared, Texts, prepare

BITS = 18
CHUNK = 1024  # prompts per vectorised block: intermediates stay in cache
COVERAGE_NGRAM = 3
NGRAM_PRIME = np.uint64(1_000_003)
NGRAM_MIX = np.uint64(0xBF58476D1CE4E5B9)
NGRAM_SHIFT = np.uint64(64 - BITS)
VIEW_SALTS = (0x243F6A8885A308D3, 0x13198A2E03707344)  # head, tail


def _ngram_ids(codes: np.ndarray, salt: int) -> Iterator[tuple[int, np.ndarray]]:
    """For each n in ``NGRAMS``, the bucket of every length-n window of ``codes``.

    The polynomial hash of the n-windows is built from that of the (n-1)-windows (one pass
    per n, not n passes), wrapping in uint64, then salted per n and view and mixed. A window
    that spans two texts gets bucket ``2**BITS``, which is dropped.
    """
    seps = np.concatenate(([0], np.cumsum(codes == 0)))
    h = np.zeros(len(codes), dtype=np.uint64)
    for n in range(1, max(NGRAMS) + 1):
        size = len(codes) - n + 1
        h = h[:size] * NGRAM_PRIME + codes[n - 1 : n - 1 + size]
        if n not in NGRAMS:
            continue
        mixed = np.uint64((0x9E3779B97F4A7C15 * n + salt) & 0xFFFFFFFFFFFFFFFF)
        ids = (((h ^ mixed) * NGRAM_MIX) >> NGRAM_SHIFT).view(np.int64)
        ids[seps[n : n + size] != seps[:size]] = 1 << BITS
        yield n, ids


def _view_keys(
    codes: np.ndarray, lengths: np.ndarray, view: int, salt: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every n-gram window of one view as a key ``text | view | bucket``, in text order,
    and the view's ``COVERAGE_NGRAM``-grams as (text, bucket) pairs."""
    n_texts = len(lengths)
    owner = np.repeat(np.arange(n_texts, dtype=np.int64), lengths + 1)
    # the joined codes end in padding longer than any n-gram: every window that counts
    # starts before ``size``, so the n-grams of one start position sit side by side
    size = len(codes) - max(NGRAMS) + 1
    owner = np.concatenate((owner, np.full(max(size - len(owner), 0), n_texts - 1)))[:size]
    columns, probe = [], np.zeros(0, dtype=np.int64)
    for n, ids in _ngram_ids(codes, salt):
        columns.append(ids[:size])
        if n == COVERAGE_NGRAM:
            probe = ids[:size]
    stacked = np.stack(columns, axis=1).ravel()
    keep = stacked < (1 << BITS)
    text = np.repeat(owner, len(columns))[keep]
    keys = (text << (BITS + 1)) | (view << BITS) | stacked[keep]
    probe_keep = probe < (1 << BITS)
    return keys, owner[probe_keep], probe[probe_keep]


_TABLE_BITS = 20
_DEDUPE_TEXTS = 64
_TABLE_SALTS = (0x2545F4914F6CDD1D, 0x9E3779B97F4A7C15, 0xD6E8FEB86659FD93, 0xA0761D6478BD642F)


@cache
def _scratch_table() -> np.ndarray:
    """A hash table of window positions, made once per process and reused (only slots
    written in a round are read in it, so it never needs clearing)."""
    return np.empty(1 << _TABLE_BITS, dtype=np.int32)


def distinct_windows(keys: np.ndarray) -> np.ndarray:
    """One position per distinct value of ``keys`` (int64), in no particular order.

    A vectorised hash table: every key writes its position into its slot, one write per
    slot wins; a key that finds its own value in its slot is a duplicate unless it is the
    winner, and keys that met another value in their slot try again with another hash.
    Linear in the number of keys, where sorting them is not (the sort was most of the
    classifier's time). The winners do not depend on which write wins, only on the keys.

    >>> keys = np.array([5, 7, 5, 9, 7, 5], dtype=np.int64)
    >>> sorted(keys[distinct_windows(keys)].tolist())
    [5, 7, 9]
    """
    table = _scratch_table()
    shift = np.uint64(64 - _TABLE_BITS)
    keep: list[np.ndarray] = []
    todo = np.arange(len(keys), dtype=np.int64)
    for round_number in range(64):
        if not len(todo):
            break
        mine = keys[todo]
        salt = np.uint64(_TABLE_SALTS[round_number % len(_TABLE_SALTS)] + round_number)
        slot = (((mine.view(np.uint64) ^ salt) * NGRAM_MIX) >> shift).astype(np.int64)
        local = np.arange(len(todo), dtype=np.int32)
        table[slot] = local
        winner = table[slot]
        keep.append(todo[winner == local])
        todo = todo[mine[winner] != mine]
    else:  # pragma: no cover - 64 rounds of collisions do not happen
        keep.append(np.unique(keys[todo], return_index=True)[1] + 0 * todo[:0])
    return np.concatenate(keep) if keep else np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class Features:
    """The model's input for a block of texts, and where to look for familiar n-grams."""

    matrix: sp.csr_matrix
    """Head and tail views' normalised n-gram sets, side by side in one hashed space."""
    probe_rows: np.ndarray
    probe_buckets: np.ndarray
    """The head view's ``COVERAGE_NGRAM``-grams, as (text, bucket) pairs."""

    def coverage(self, seen: np.ndarray, n_texts: int) -> np.ndarray:
        """Per text, the share of its head's n-grams that training texts had too."""
        hits = np.bincount(self.probe_rows, seen[self.probe_buckets], n_texts)
        total = np.bincount(self.probe_rows, minlength=n_texts)
        return np.where(total > 0, hits / np.maximum(total, 1), 1.0)


def features(prepared: Prepared) -> Features:
    """The model's input: the head and tail views' n-gram sets, present or not, each view
    divided by its L2 norm, side by side in one hashed space (each view salted apart)."""
    n_texts = len(prepared.lengths[0])
    (head, probe_rows, probe_buckets), (tail, _, _) = (
        _view_keys(codes, lengths, view, salt)
        for view, (codes, lengths, salt) in enumerate(
            zip(prepared.views, prepared.lengths, VIEW_SALTS, strict=True)
        )
    )
    # texts in pieces of _DEDUPE_TEXTS: the hash table of a piece stays in cache
    starts = np.arange(0, n_texts + _DEDUPE_TEXTS, _DEDUPE_TEXTS) << (BITS + 1)
    head_bounds, tail_bounds = np.searchsorted(head, starts), np.searchsorted(tail, starts)
    pieces = []
    for k in range(len(starts) - 1):
        piece = np.concatenate(
            (
                head[head_bounds[k] : head_bounds[k + 1]],
                tail[tail_bounds[k] : tail_bounds[k + 1]],
            )
        )
        pieces.append(piece[distinct_windows(piece)])
    keys = np.concatenate(pieces)
    rows = keys >> (BITS + 1)
    order = _radix_order(rows, n_texts)
    keys, rows = keys[order], rows[order]
    rows_views = keys >> BITS  # text * 2 + view
    per_view = np.bincount(rows_views, minlength=2 * n_texts)
    scale = (1.0 / np.sqrt(np.maximum(per_view, 1))).astype(np.float32)
    indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=n_texts))))
    matrix = sp.csr_matrix(
        (scale[rows_views], keys & ((1 << BITS) - 1), indptr), shape=(n_texts, 1 << BITS)
    )
    return Features(matrix, probe_rows, probe_buckets)


def _radix_order(rows: np.ndarray, n_texts: int) -> np.ndarray:
    """Positions of ``rows`` (text numbers) in stable text order; a radix sort when the
    numbers fit 16 bits (a block of texts always does)."""
    small = rows.astype(np.uint16) if n_texts < (1 << 16) else rows
    return np.argsort(small, kind="stable")


def text_features(texts: Texts) -> sp.csr_matrix:
    """The feature matrix of raw texts, block by block (canonical: entries sorted and
    summed, as a learner expects)."""
    blocks = [features(prepare(texts[i : i + CHUNK])).matrix for i in range(0, len(texts), CHUNK)]
    matrix = sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix((0, 1 << BITS))
    matrix.sum_duplicates()
    return matrix


def seen_buckets(texts: Texts) -> np.ndarray:
    """Which buckets the head views' ``COVERAGE_NGRAM``-grams of ``texts`` fall in."""
    seen = np.zeros(1 << BITS, dtype=bool)
    for i in range(0, len(texts), CHUNK):
        seen[features(prepare(texts[i : i + CHUNK])).probe_buckets] = True
    return seen
