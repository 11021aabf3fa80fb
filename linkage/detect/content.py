"""Distillation intent of single prompts: a learned, multilingual, fast text classifier.

A distillation campaign harvests a model's outputs at scale, and its prompts betray what it
harvests: full reasoning traces (``reasoning``), the model as a judge or reward model
(``rubric_grading``), "neutral" rewrites of politically sensitive text
(``sensitive_rewrite``), agent and tool-use scaffolds (``agentic``) and coding-agent
sessions (``coding``). Everything else, ordinary users and ordinary business use included,
is ``none``. A prompt's intent is evidence about the account that sends it, never a verdict:
tool-calling apps, LLM-as-judge pipelines and coding agents are mainstream legitimate uses,
and the later stages weigh intent together with how many accounts, how hidden, how novel.

How it works, and why
---------------------
* **Text normalised first.** Unicode NFKC (full-width and mathematical letters become plain
  ones), format characters removed (zero-width spaces, joiners, direction marks, soft
  hyphens), stray combining marks removed, letters that only *look* Latin (Cyrillic ``а``,
  Greek ``ο``, ...) folded to Latin in texts that are mostly Latin or mix scripts inside a
  word, lower-cased, chat-template tokens stripped, digits folded to ``0``. What was undone
  is kept as its own signal: ``obfuscated`` is true when a prompt needed it on a noticeable
  share of its letters (a person does not type a zero-width space after every character).
* **Two views of bounded size.** The instruction that reveals the intent sits at the start
  or at the end of a prompt; the pasted article, e-mail or code in the middle says little.
  Each prompt is read as its first ``HEAD_CHARS`` and its last ``TAIL_CHARS`` characters,
  each view a set of hashed character n-grams (``NGRAMS``), present or not, divided by the
  square root of their number: a true L2 norm per view. A 3,000-character paste weighs as
  much as a 300-character question, so length cannot drive the score.
* **Hashing in numpy.** n-grams are hashed over the UTF-32 code points of a block of prompts
  at once (no Python loop per prompt or per n-gram), into ``2**BITS`` buckets; a view's
  salt keeps head and tail n-grams apart.
* **Model: one linear SVM per class**, trained to convergence by liblinear on
  ``data/intent/train.jsonl`` (which puts long pasted material of every kind under every
  label, so that the material carries no weight), margins turned into probabilities by a
  softmax whose temperature is fitted on a separate calibration set
  (``data/intent/heldout.jsonl``). The weights are frozen in the package
  (``intent_model.npz``, checked against :data:`MODEL_SHA256`), so every process loads
  the same model in milliseconds instead of training its own.
* **Readable or not.** A prompt in a script or a language the corpus does not cover
  (:mod:`linkage.detect.language`) cannot be read by this model: it is marked
  ``readable = False`` rather than silently called ``none``, and the later stages treat its
  content as unknown, as they treat a request without prompt text.

``data/intent/README.md`` and ``bench/bench_classifier.py`` hold the measurements;
``data/intent/frozen/`` a test set that no one tunes on.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from linkage.detect.arrays import arrow_strings
from linkage.detect.compiled import utf8_views, view_margins
from linkage.detect.language import readable_language

INTENTS = ("reasoning", "rubric_grading", "sensitive_rewrite", "agentic", "coding")
NONE = "none"
LABELS = (NONE, *INTENTS)  # the model's class order

HEAD_CHARS = 256
TAIL_CHARS = 128
NGRAMS = (1, 3, 5)
BITS = 18
C_REG = 0.5  # inverse regularisation of the linear SVMs
MAX_ITER = 5_000  # liblinear passes: enough to converge (training warns if it does not)
SEED = 0
NONE_OFFSETS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
"""Biases against ``none`` :func:`calibrate` chooses from."""
MAX_NONE_FLAGGED = 0.01
"""The calibration set's everyday prompts the chosen bias may call distillation."""
CHUNK = 1024  # prompts per vectorised block: intermediates stay in cache
COVERAGE_NGRAM = 3
COVERAGE_FOR_LANGUAGE_CHECK = 0.9
"""A prompt whose head has fewer 3-grams the training texts had than this share goes to
the language check (:mod:`linkage.detect.language`); the others are in a read language."""

MODEL_FILE = Path(__file__).with_name("intent_model.npz")
MODEL_SHA256 = "3694050f8ce848db6ff651b0fcc0470441aea36bd81f58501f010c5d764c9d49"
"""Checksum of the frozen weights: a changed model is a reviewed change, never an accident."""

Texts: TypeAlias = Sequence[str] | np.ndarray | pa.Array  # a list, numpy or Arrow array
_PRIME = np.uint64(1_000_003)
_MIX = np.uint64(0xBF58476D1CE4E5B9)
_SHIFT = np.uint64(64 - BITS)
_VIEW_SALTS = (0x243F6A8885A308D3, 0x13198A2E03707344)  # head, tail

# A raw prompt is cut to this many times its views before normalisation: format characters
# can double a text's length, and NFKC of a 20,000-character paste is wasted work.
_RAW_FACTOR = 4
WHITESPACE_RUN = r"\s\s+|[\t\n\f\r]"
"""What ``\\s+`` matches, less the single spaces: replaced by one space, the same text, but
RE2 no longer rewrites every space of every prompt (five times faster)."""

# Chat-template tokens and role labels say how a prompt was sent, not what it asks; they are
# removed so that a scaffold never seen in training does not dilute the prompt's own n-grams.
_SCAFFOLD = (
    r"<\|[a-z_]{1,30}\|>|\[/?inst\]|<</?sys>>|</?s>|<(?:start|end)_of_turn>|"
    r"(?m:^\s*(?:#{1,3}\s*)?(?:human|assistant|user|system|model)\s*:)|"
    r"\\[nt]|\\\""
)
# Invisible characters no one types inside words: zero-width space, word joiner and its
# kin, BOM, soft hyphen, Mongolian vowel separator, direction marks and overrides. (ZWJ and
# ZWNJ, U+200C/D, are removed too but not counted: emoji sequences and Persian use them.)
_INVISIBLE = (
    r"[\x{200B}\x{2060}-\x{2064}\x{FEFF}\x{00AD}\x{180E}\x{200E}\x{200F}"
    r"\x{202A}-\x{202E}\x{2066}-\x{2069}\x{034F}\x{115F}\x{1160}\x{3164}\x{FFA0}]"
)
_REMOVED = r"[\p{Cf}\x{0300}-\x{036F}\x{20D0}-\x{20FF}\x{FE00}-\x{FE0F}\x{034F}\x{3164}]"
# Letters that only look Latin: full-width forms, mathematical alphanumerics, circled and
# squared letters (NFKC turns them into plain letters, so they are counted before it).
_STYLED = (
    r"[\x{FF21}-\x{FF3A}\x{FF41}-\x{FF5A}\x{1D400}-\x{1D7FF}\x{24B6}-\x{24E9}\x{1F130}-\x{1F189}]"
)
# what Python's str.strip() removes (Arrow's own trim leaves the separators U+001C-U+001F)
_PYTHON_WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
# the two sets share no character: one pass counts both
_INVISIBLE_OR_STYLED = f"{_INVISIBLE}|{_STYLED}"
_OBFUSCATED_MIN_CHARS = 4
_OBFUSCATED_MIN_SHARE = 0.05

# Lower-case letters of other scripts that Unicode's confusables list (via the
# confusable_homoglyphs package's data) maps to one Latin letter, and those letters; then
# the lower-case forms of capitals that look Latin (Cyrillic В Н К М Т, Greek Β Ε Ζ Η Κ Μ
# Τ Χ): texts are lower-cased before they are folded.
_CONFUSABLE_FROM = (
    "ıɑɡɪʏͺαγινορσυϱϲϳагеорсухѕіјѡѵүһҽӏԁԛԝագզհոռսցքօᴄᴏᴜᴠᴡᴢᴦιꙇꜱꭵꮁꮃꮓꮩꮪꮯ" + "внкмтβεζηκμτχ"
)
_CONFUSABLE_TO = (
    "iagiyiayivopoupcjareopcyxsijwvyheidqwwqqhnnugfocouvwzriisirwzvsc" + "bhkmtbezhkmtx"
)
_FOLD_SIZE = 0xAC00
_FOLD = np.arange(_FOLD_SIZE, dtype=np.uint64)
_FOLD[[ord(c) for c in _CONFUSABLE_FROM]] = [ord(c) for c in _CONFUSABLE_TO]
_CONFUSABLE = np.zeros(_FOLD_SIZE, dtype=bool)
_CONFUSABLE[[ord(c) for c in _CONFUSABLE_FROM]] = True


@dataclass(frozen=True)
class Prepared:
    """A block of prompts made ready for the model: views as code points, and flags."""

    views: tuple[np.ndarray, ...]
    """Per view, the code points of every text joined by 0, with trailing zeros."""
    lengths: tuple[np.ndarray, ...]
    """Per view, the length of each text's view (padded with a space at both ends)."""
    obfuscated: np.ndarray
    """Per text: characters that hide letters (invisible, styled, homoglyphs) were undone."""
    normalised: pa.Array
    """The normalised texts (head and tail of long ones), for the language check."""


def _large(text: str) -> pa.Scalar:
    return pa.scalar(text, type=pa.large_string())


def _normalise(texts: Texts) -> tuple[pa.Array, np.ndarray]:
    """Texts normalised (see the module docstring) and the count of characters undone."""
    arr = pa.array(texts, type=pa.large_string())
    arr = pc.replace_substring(arr, "\x00", " ")
    head_raw, tail_raw = _RAW_FACTOR * HEAD_CHARS, _RAW_FACTOR * TAIL_CHARS
    long = pc.greater(pc.utf8_length(arr), head_raw + tail_raw)
    if pc.any(long).as_py():  # only the long texts are cut (most are short)
        longer = pc.filter(arr, long)
        cut = pc.binary_join_element_wise(
            pc.utf8_slice_codeunits(longer, 0, head_raw),
            pc.utf8_slice_codeunits(longer, -tail_raw),
            _large("\n"),
        )
        arr = pc.replace_with_mask(arr, long, cut)
    undone = np.zeros(len(arr), dtype=np.int64)
    wide = np.flatnonzero(~pc.string_is_ascii(arr).to_numpy(zero_copy_only=False))
    if len(wide):  # Unicode work only for texts that are not plain ASCII (most are)
        unicode, hidden = _normalise_unicode(pc.take(arr, pa.array(wide)))
        undone[wide] = hidden
        order = np.argsort(np.concatenate((np.setdiff1d(np.arange(len(arr)), wide), wide)))
        rest = pc.filter(arr, pa.array(np.isin(np.arange(len(arr)), wide, invert=True)))
        arr = pa.concat_arrays([rest, unicode]).take(pa.array(order))
    arr = pc.replace_substring_regex(pc.utf8_lower(arr), _SCAFFOLD, " ")
    arr = pc.replace_substring_regex(arr, WHITESPACE_RUN, " ")
    arr = pc.utf8_trim_whitespace(arr)
    return arr, undone


def _normalise_unicode(arr: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """NFKC, invisible characters and stray marks removed; how many were undone per text."""
    undone = pc.count_substring_regex(arr, _INVISIBLE_OR_STYLED)
    arr = pc.utf8_normalize(arr, "NFKC")
    # marks left after NFKC composed every accent it could are stacked on purpose (zalgo)
    undone = pc.add(undone, pc.count_substring_regex(arr, r"[\x{0300}-\x{036F}]"))
    arr = pc.replace_substring_regex(arr, _REMOVED, "")
    return arr, undone.to_numpy(zero_copy_only=False).astype(np.int64)


def _fold_confusables(codes: np.ndarray, lengths: np.ndarray, wide: np.ndarray) -> np.ndarray:
    """Per text, how many look-alike letters were folded to Latin (``codes`` in place).

    A text is folded when at least a third of its letters are Latin, or when one of its
    words mixes Latin with Cyrillic, Greek or Armenian letters: a Russian or Greek text
    stays as it is, an English one salted with Cyrillic ``а`` and ``о`` reads as English.
    Only the texts beyond ASCII (``wide``) can hold a look-alike, and only they are read.
    """
    n = len(lengths)
    texts = np.flatnonzero(wide)
    if not len(texts):
        return np.zeros(n, dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(lengths + 1)[:-1]))
    spans = lengths[texts] + 1  # each text with its separator: words end there
    places = np.arange(int(spans.sum())) + np.repeat(
        starts[texts] - np.cumsum(spans) + spans, spans
    )
    sub = codes[places]
    owner = np.repeat(np.arange(len(texts)), spans)
    index = np.minimum(sub, _FOLD_SIZE - 1).astype(np.int64)
    confusable = _CONFUSABLE[index] & (sub < _FOLD_SIZE)
    latin = ((sub >= 97) & (sub <= 122)) | ((sub >= 0xC0) & (sub <= 0x24F))
    other = (sub >= 0x370) & (sub <= 0x58F)  # Greek, Cyrillic, Armenian
    word = np.cumsum((sub == 32) | (sub == 0))
    n_words = int(word[-1]) + 1
    mixed_word = (np.bincount(word, latin, n_words) > 0) & (np.bincount(word, other, n_words) > 0)
    latin_per_text = np.bincount(owner, latin, len(texts))
    letters = latin_per_text + np.bincount(owner, other, len(texts))
    mixed_text = np.bincount(owner, mixed_word[word], len(texts)) > 0
    fold_text = mixed_text | (latin_per_text >= letters / 3.0) & (latin_per_text > 0)
    fold = confusable & fold_text[owner]
    sub[fold] = _FOLD[index[fold]]
    codes[places] = sub
    folded = np.zeros(n, dtype=np.int64)
    folded[texts] = np.bincount(owner, fold, len(texts))
    return folded


def prepare(texts: Texts) -> Prepared:
    """Normalise a block of texts and cut them into their head and tail views."""
    arr, undone = _normalise(texts)
    # the tail view reads only what the head did not: a short prompt is its head alone
    views, lengths, letters, wide = utf8_views(arr, HEAD_CHARS, TAIL_CHARS, max(NGRAMS) + 1)
    folded = _fold_confusables(views[0], lengths[0], wide)
    folded += _fold_confusables(views[1], lengths[1], wide)
    hidden = undone + folded
    obfuscated = (hidden >= _OBFUSCATED_MIN_CHARS) & (
        hidden >= _OBFUSCATED_MIN_SHARE * np.maximum(letters, 1)
    )
    return Prepared(tuple(views), tuple(lengths), obfuscated, arr)


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
        h = h[:size] * _PRIME + codes[n - 1 : n - 1 + size]
        if n not in NGRAMS:
            continue
        mixed = np.uint64((0x9E3779B97F4A7C15 * n + salt) & 0xFFFFFFFFFFFFFFFF)
        ids = (((h ^ mixed) * _MIX) >> _SHIFT).view(np.int64)
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
        slot = (((mine.view(np.uint64) ^ salt) * _MIX) >> shift).astype(np.int64)
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
            zip(prepared.views, prepared.lengths, _VIEW_SALTS, strict=True)
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


@dataclass(frozen=True)
class IntentModel:
    """A trained linear model over hashed n-grams, with its calibration."""

    weights: np.ndarray
    """(2**BITS, len(LABELS)) float32, columns in ``LABELS`` order."""
    bias: np.ndarray
    """(len(LABELS),) float32."""
    temperature: float = 1.0
    """Margins are multiplied by this before the softmax (fitted on a calibration set)."""
    seen: np.ndarray | None = None
    """(2**BITS,) bool: buckets the training texts' head ``COVERAGE_NGRAM``-grams fell in."""

    def logits(self, texts: Texts) -> np.ndarray:
        """Class margins of ``texts`` (rows) for ``LABELS`` (columns)."""
        if len(texts) == 0:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        return np.asarray(text_features(texts) @ self.weights + self.bias, dtype=np.float32)

    def probabilities_of(self, margins: np.ndarray) -> np.ndarray:
        """Softmax of ``temperature x margins``."""
        z = margins * np.float32(self.temperature)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)

    def probabilities(self, texts: Texts) -> np.ndarray:
        """Calibrated class probabilities of ``texts``."""
        return self.probabilities_of(self.logits(texts))

    def to_bytes(self) -> bytes:
        """The model as an ``.npz`` file: nonzero weight rows only, in float16."""
        rows = np.flatnonzero(np.abs(self.weights).sum(axis=1) > 0).astype(np.int32)
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            rows=rows,
            weights=self.weights[rows].astype(np.float16),
            bias=self.bias.astype(np.float32),
            temperature=np.float64(self.temperature),
            seen=np.packbits(self.seen if self.seen is not None else np.ones(1 << BITS, bool)),
            config=np.frombuffer(json.dumps(_config()).encode(), dtype=np.uint8),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> IntentModel:
        """A model written by :meth:`to_bytes` (refused if made for other features)."""
        with np.load(io.BytesIO(data)) as stored:
            config = json.loads(stored["config"].tobytes().decode())
            if config != _config():
                raise ValueError(f"intent model made for {config}, this code reads {_config()}")
            weights = np.zeros((1 << BITS, len(LABELS)), dtype=np.float32)
            weights[stored["rows"]] = stored["weights"].astype(np.float32)
            seen = np.unpackbits(stored["seen"])[: 1 << BITS].astype(bool)
            return cls(weights, stored["bias"].copy(), float(stored["temperature"]), seen)


def _config() -> dict[str, object]:
    return {
        "labels": list(LABELS),
        "head_chars": HEAD_CHARS,
        "tail_chars": TAIL_CHARS,
        "ngrams": list(NGRAMS),
        "bits": BITS,
        "salts": list(_VIEW_SALTS),
    }


def corpus_file(name: str) -> Path:
    """A file of the checkout's ``data/intent/`` (training and calibration corpora)."""
    return Path(__file__).resolve().parents[2] / "data" / "intent" / name


def load_corpus(path: Path) -> pd.DataFrame:
    """A ``.jsonl`` corpus as a table ``text, label, lang`` (plus any other fields)."""
    with path.open(encoding="utf-8") as f:
        return pd.DataFrame([json.loads(line) for line in f if line.strip()])


def train(texts: Sequence[str], labels: Sequence[str]) -> IntentModel:
    """Fit the model on ``texts`` and their ``labels`` (names from ``LABELS``); deterministic.

    One linear SVM per class (one-vs-rest, liblinear's dual coordinate descent), run to
    convergence. The temperature is 1 until :func:`calibrate` fits it.
    """
    from sklearn.exceptions import ConvergenceWarning  # heavy imports, needed to train only
    from sklearn.svm import LinearSVC

    x = text_features(np.asarray(texts, dtype=object))
    y = np.array([LABELS.index(label) for label in labels])
    clf = LinearSVC(C=C_REG, max_iter=MAX_ITER, tol=1e-4, random_state=SEED)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # a model that did not converge
        clf.fit(x, y)
    weights = np.zeros((1 << BITS, len(LABELS)), dtype=np.float32)
    weights[:, clf.classes_] = clf.coef_.T
    bias = np.zeros(len(LABELS), dtype=np.float32)
    bias[clf.classes_] = clf.intercept_
    return IntentModel(
        weights=weights, bias=bias, seen=seen_buckets(np.asarray(texts, dtype=object))
    )


def calibrate(model: IntentModel, texts: Sequence[str], labels: Sequence[str]) -> IntentModel:
    """The model calibrated on a set it was not trained on: the largest bias against
    ``none`` (from a grid of ``NONE_OFFSETS``) that keeps the set's everyday prompts called
    distillation at most ``MAX_NONE_FLAGGED``, then the softmax temperature that maximises
    the likelihood of ``labels``."""
    margins = model.logits(np.asarray(texts, dtype=object))
    truth = np.array([LABELS.index(label) for label in labels])
    everyday = truth == LABELS.index(NONE)
    offset = 0.0
    for candidate in NONE_OFFSETS:
        shifted = margins.copy()
        shifted[:, LABELS.index(NONE)] -= candidate
        flagged = shifted[everyday].argmax(axis=1) != LABELS.index(NONE)
        if flagged.mean() <= MAX_NONE_FLAGGED:
            offset = candidate
    bias = model.bias.copy()
    bias[LABELS.index(NONE)] -= np.float32(offset)
    margins[:, LABELS.index(NONE)] -= offset
    best, best_loss = 1.0, np.inf
    for temperature in np.exp(np.linspace(np.log(0.25), np.log(64.0), 161)):
        trial = IntentModel(model.weights, bias, float(temperature), model.seen)
        p = trial.probabilities_of(margins)[np.arange(len(truth)), truth]
        loss = -float(np.mean(np.log(np.maximum(p, 1e-9))))
        if loss < best_loss:
            best, best_loss = float(temperature), loss
    return IntentModel(model.weights, bias, round(best, 4), model.seen)


def train_default(
    train_path: Path | None = None, calibration_path: Path | None = None
) -> IntentModel:
    """The shipped model: trained on ``train.jsonl`` (built by
    ``data/intent/build_corpus.py``), calibrated on ``heldout.jsonl``."""
    corpus = load_corpus(train_path or corpus_file("train.jsonl"))
    model = train(corpus["text"].tolist(), corpus["label"].tolist())
    calibration = load_corpus(calibration_path or corpus_file("heldout.jsonl"))
    return calibrate(model, calibration["text"].tolist(), calibration["label"].tolist())


def model_checksum(data: bytes) -> str:
    """SHA-256 of a model file's bytes."""
    return hashlib.sha256(data).hexdigest()


_LOADING = threading.Lock()


def default_model() -> IntentModel:
    """The frozen model shipped in the package, loaded once per process (the batch map's
    threads ask for it at once)."""
    with _LOADING:
        return _load_default_model()


@cache
def _load_default_model() -> IntentModel:
    return IntentModel.from_bytes(MODEL_FILE.read_bytes())


def _margins(
    prepared: Prepared, model: IntentModel, seen: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The model's margins of a prepared block and its head views' coverage by ``seen``:
    what ``features(prepared)`` gives, computed by :mod:`linkage.detect.compiled`."""
    n_texts = len(prepared.lengths[0])
    margins = np.zeros((n_texts, len(LABELS)), dtype=np.float32)
    constants = (_PRIME, _MIX, _SHIFT)
    coverage = view_margins(
        prepared.views[0], prepared.lengths[0], NGRAMS, _VIEW_SALTS[0], constants,
        model.weights, margins, seen, COVERAGE_NGRAM,
    )  # fmt: skip
    view_margins(
        prepared.views[1], prepared.lengths[1], NGRAMS, _VIEW_SALTS[1], constants,
        model.weights, margins,
    )  # fmt: skip
    return margins + model.bias, coverage


def classify_prompts(prompts: pd.Series, model: IntentModel | None = None) -> pd.DataFrame:
    """Distillation intent of each prompt.

    Returns a table with the index of ``prompts``: one column ``intent_<name>`` per name in
    ``INTENTS``, the probability (0..1) that the prompt has that intent; ``intent``, the
    most probable label, ``"none"`` included; ``readable``, false when the prompt is in a
    script or language the model was not trained on and it sees no distillation in it
    (its content is then unknown, not ``none``); and ``obfuscated``, true when letters
    were hidden (zero-width characters, full-width or mathematical letters, look-alikes
    from other scripts) on a noticeable share of the text. Missing or blank prompts get
    zeros, ``"none"``, readable and not obfuscated. Identical prompts are scored once.

    Examples
    --------
    >>> out = classify_prompts(pd.Series([
    ...     "Solve the problem. Think step by step inside <think></think> tags, then write "
    ...     "'Final answer:'. Problem: how many primes are below 30?",
    ...     "What's a good recipe for banana bread?",
    ...     None,
    ... ]))
    >>> out["intent"].tolist()
    ['reasoning', 'none', 'none']
    >>> list(out.columns)  # doctest: +NORMALIZE_WHITESPACE
    ['intent_reasoning', 'intent_rubric_grading', 'intent_sensitive_rewrite',
     'intent_agentic', 'intent_coding', 'intent', 'readable', 'obfuscated']
    >>> float(out.loc[2, "intent_reasoning"])
    0.0
    """
    model = model or default_model()
    # score each distinct prompt once
    encoded = pc.dictionary_encode(pc.fill_null(arrow_strings(prompts), ""))
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    distinct = encoded.dictionary
    blank_distinct = pc.equal(pc.utf8_trim(distinct, _PYTHON_WHITESPACE), "")
    blank = blank_distinct.to_numpy(zero_copy_only=False)[codes]
    p = np.zeros((len(distinct), len(LABELS)), dtype=np.float32)
    readable = np.ones(len(distinct), dtype=bool)
    obfuscated = np.zeros(len(distinct), dtype=bool)
    seen = model.seen if model.seen is not None else np.ones(1 << BITS, dtype=bool)
    for start in range(0, len(distinct), CHUNK):
        block = distinct.slice(start, CHUNK)
        prepared = prepare(block)
        rows = slice(start, start + len(block))
        margins, coverage = _margins(prepared, model, seen)
        p[rows] = model.probabilities_of(margins)
        obfuscated[rows] = prepared.obfuscated
        # a prompt whose n-grams the training texts mostly had is in a language they cover;
        # the others, when the model sees nothing in them, go to the language check
        unfamiliar = coverage < COVERAGE_FOR_LANGUAGE_CHECK
        ask = np.flatnonzero(unfamiliar & (p[rows].argmax(axis=1) == LABELS.index(NONE)))
        if len(ask):
            texts = pc.take(prepared.normalised, pa.array(ask))
            readable[start + ask] = readable_language(texts)
    p, readable, obfuscated = p[codes], readable[codes], obfuscated[codes]
    p[blank] = 0.0
    out = pd.DataFrame(
        {f"intent_{name}": p[:, LABELS.index(name)].astype(float) for name in INTENTS},
        index=prompts.index,
    )
    label = np.asarray(LABELS, dtype=object)[p.argmax(axis=1)] if len(p) else []
    out["intent"] = pd.Series(label, index=prompts.index, dtype=object)
    out.loc[blank, "intent"] = NONE
    out["readable"] = np.where(blank, True, readable) if len(p) else []
    out["obfuscated"] = np.where(blank, False, obfuscated) if len(p) else []
    out["readable"] = out["readable"].astype(bool)
    out["obfuscated"] = out["obfuscated"].astype(bool)
    return out
