"""Prompts made ready for the intent model (:mod:`linkage.detect.content`): normalised
text, cut into two views of bounded size, as code points.

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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from linkage.detect.compiled import utf8_views

HEAD_CHARS = 256
TAIL_CHARS = 128
NGRAMS = (1, 3, 5)
"""The n-gram sizes the model reads; the views end in zeros longer than the largest."""

Texts: TypeAlias = Sequence[str] | np.ndarray | pa.Array  # a list, numpy or Arrow array

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
PYTHON_WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
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
