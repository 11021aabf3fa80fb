"""Loops numpy cannot vectorise, compiled (numba): the intent model's scoring, the
prompt hash and MinHash signatures.

**Scoring.**
:func:`linkage.detect.intent_features.features` builds the model's input as a sparse matrix with
numpy: every n-gram window of every text becomes a key, the keys are deduplicated, sorted
and packed. That is the reference (training uses it). Scoring only needs, per text, the
sum of the weight rows of its distinct n-gram buckets, each view scaled by the inverse
square root of its count of distinct buckets, so this kernel walks each text once, keeps
its distinct buckets in a stamp table, and adds their weight rows: the same margins
(within float rounding) without materialising tens of millions of keys per batch, which
was most of the classifier's time. Tests check it against the reference.

**Prompt hash.** :func:`folded_hashes` hashes each text of a string array with digit runs
folded to one ``0`` and whitespace runs to one space, leading and trailing whitespace
dropped, in one pass over its UTF-8 bytes (two regular expressions and a hash of Python
strings before).

**Views.** :func:`utf8_views` cuts each normalised text into its head and tail views as
code points, space-padded, joined by 0 and digits folded, straight from the Arrow array's
UTF-8 bytes (two slices, a join through one Python string and a UTF-32 copy before).

**MinHash.** :func:`min_hashes` gives each group of items (prompt bigrams, an account's
addresses) its minimum of each salted splitmix64 hash in one pass over the items per
group, the values numpy gave with one mixed copy of every item per salt.
"""

from __future__ import annotations

import numba
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_U64_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def window_salts(ngrams: tuple[int, ...], salt: int) -> np.ndarray:
    """Per n in ``ngrams``, the value an n-gram's hash is xor-ed with in this view."""
    return np.array([(_GOLDEN * n + salt) & _U64_MASK for n in ngrams], dtype=np.uint64)


@numba.njit(cache=True, nogil=True)
def _add_view(
    codes: np.ndarray,
    lengths: np.ndarray,
    ngrams: np.ndarray,
    salts: np.ndarray,
    prime: np.uint64,
    mix: np.uint64,
    shift: np.uint64,
    weights: np.ndarray,
    margins: np.ndarray,
    probe_n: int,
    seen: np.ndarray,
    coverage: np.ndarray,
) -> None:
    n_texts = lengths.shape[0]
    n_labels = weights.shape[1]
    most = 1
    for j in range(n_texts):
        most = max(most, lengths[j])
    # a text's distinct buckets in a small open-addressing table that stays in cache
    slots = 1
    while slots < 2 * most * ngrams.shape[0]:
        slots *= 2
    table = np.full(slots, -1, dtype=np.int64)
    owner = np.full(slots, -1, dtype=np.int64)
    buffer = np.empty(most * ngrams.shape[0], dtype=np.int64)
    start = 0
    for j in range(n_texts):
        length = lengths[j]
        count = 0
        hits = 0
        total = 0
        for g in range(ngrams.shape[0]):
            n = ngrams[g]
            mixed = salts[g]
            for i in range(start, start + length - n + 1):
                h = np.uint64(0)
                for k in range(n):
                    h = h * prime + codes[i + k]
                bucket = np.int64(((h ^ mixed) * mix) >> shift)
                if n == probe_n:
                    total += 1
                    if seen[bucket]:
                        hits += 1
                slot = (bucket * 0x9E3779B1) & (slots - 1)
                while owner[slot] == j and table[slot] != bucket:
                    slot = (slot + 1) & (slots - 1)
                if owner[slot] != j:
                    owner[slot] = j
                    table[slot] = bucket
                    buffer[count] = bucket
                    count += 1
        if probe_n > 0:
            coverage[j] = hits / total if total > 0 else 1.0
        if count > 0:
            scale = np.float32(1.0) / np.float32(np.sqrt(np.float32(count)))
            for t in range(count):
                row = buffer[t]
                for c in range(n_labels):
                    margins[j, c] += scale * weights[row, c]
        start += length + 1  # the text and its separator


def view_margins(
    codes: np.ndarray,
    lengths: np.ndarray,
    ngrams: tuple[int, ...],
    salt: int,
    constants: tuple[np.uint64, np.uint64, np.uint64],
    weights: np.ndarray,
    margins: np.ndarray,
    seen: np.ndarray | None = None,
    probe_n: int = 0,
) -> np.ndarray:
    """Add one view's contribution to ``margins`` (texts x labels, in place).

    ``codes`` are the view's code points, texts joined by 0 (as
    :func:`linkage.detect.prompt_text.prepare` makes them), ``lengths`` each text's length,
    ``constants`` the hash's prime, mixer and shift. When ``probe_n`` is set, returns per
    text the share of its ``probe_n``-gram windows whose bucket ``seen`` holds (1.0 for a
    text without any); otherwise an array of ones.
    """
    prime, mix, shift = constants
    coverage = np.ones(len(lengths), dtype=np.float64)
    probe = seen if seen is not None else np.ones(1, dtype=np.bool_)
    _add_view(
        np.ascontiguousarray(codes, dtype=np.uint64),
        np.ascontiguousarray(lengths, dtype=np.int64),
        np.asarray(ngrams, dtype=np.int64),
        window_salts(ngrams, salt),
        np.uint64(prime),
        np.uint64(mix),
        np.uint64(shift),
        weights,
        margins,
        probe_n if seen is not None else 0,
        probe,
        coverage,
    )
    return coverage


_SPLITMIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_SPLITMIX_2 = np.uint64(0x94D049BB133111EB)


@numba.njit(inline="always")
def _splitmix(z: np.uint64) -> np.uint64:
    """splitmix64's finaliser (what :func:`linkage.detect.minhash.mix64` does to arrays)."""
    z ^= z >> np.uint64(30)
    z *= _SPLITMIX_1
    z ^= z >> np.uint64(27)
    z *= _SPLITMIX_2
    z ^= z >> np.uint64(31)
    return z


_FNV_OFFSET = np.uint64(0xCBF29CE484222325)
_FNV_PRIME = np.uint64(0x100000001B3)


@numba.njit(cache=True, nogil=True)
def _folded_hashes(offsets: np.ndarray, data: np.ndarray, out: np.ndarray) -> None:
    for j in range(offsets.shape[0] - 1):
        h = _FNV_OFFSET
        emitted = 0
        pending_space = False
        previous_digit = False
        for i in range(offsets[j], offsets[j + 1]):
            byte = data[i]
            if byte == 32 or (byte >= 9 and byte <= 13):  # ASCII whitespace
                pending_space = emitted > 0
                previous_digit = False
                continue
            if pending_space:
                h = (h ^ np.uint64(32)) * _FNV_PRIME
                pending_space = False
            if byte >= 48 and byte <= 57:
                if previous_digit:
                    continue
                previous_digit = True
                byte = 48
            else:
                previous_digit = False
            h = (h ^ np.uint64(byte)) * _FNV_PRIME
            emitted += 1
        if emitted == 0:
            out[j] = -1
            continue
        out[j] = np.int64(_splitmix(h) >> np.uint64(1))  # FNV's low bits are weak


def _utf8_buffers(texts: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """The offsets (one more than texts) and UTF-8 bytes of a string array."""
    texts = texts.cast(pa.large_string())
    if texts.offset:
        texts = pa.concat_arrays([texts])  # a slice: its buffers start before it
    _, offset_buffer, data_buffer = texts.buffers()
    offsets = np.frombuffer(offset_buffer, dtype=np.int64)[: len(texts) + 1]
    data = (
        np.frombuffer(data_buffer, dtype=np.uint8)
        if data_buffer is not None and data_buffer.size
        else np.zeros(1, dtype=np.uint8)
    )
    return offsets, data


def folded_hashes(texts: pa.Array) -> np.ndarray:
    """A 63-bit hash of each text of a (large) string array, digit runs folded to ``0`` and
    whitespace runs to a space, trimmed; -1 for a null or blank text.

    >>> folded = folded_hashes(pa.array(["Rate answer 12", " rate  answer 7", "Rate answer 7 ",
    ...                                  "  ", None], type=pa.large_string()))
    >>> bool(folded[0] == folded[2]), bool(folded[0] == folded[1]), folded[3:].tolist()
    (True, False, [-1, -1])
    """
    offsets, data = _utf8_buffers(texts)
    out = np.empty(len(texts), dtype=np.int64)
    if len(texts):
        _folded_hashes(offsets, data, out)
    if texts.null_count:
        out[np.asarray(texts.is_null())] = -1
    return out


@numba.njit(inline="always")
def _code_point(data: np.ndarray, i: int) -> tuple[np.int64, int]:
    """The code point whose UTF-8 encoding starts at ``data[i]``, and the next start."""
    lead = np.int64(data[i])
    if lead < 0x80:
        return lead, i + 1
    if lead < 0xE0:
        return ((lead & 0x1F) << 6) | (np.int64(data[i + 1]) & 0x3F), i + 2
    if lead < 0xF0:
        return (
            ((lead & 0x0F) << 12)
            | ((np.int64(data[i + 1]) & 0x3F) << 6)
            | (np.int64(data[i + 2]) & 0x3F)
        ), i + 3
    return (
        ((lead & 0x07) << 18)
        | ((np.int64(data[i + 1]) & 0x3F) << 12)
        | ((np.int64(data[i + 2]) & 0x3F) << 6)
        | (np.int64(data[i + 3]) & 0x3F)
    ), i + 4


@numba.njit(cache=True, nogil=True)
def _view_lengths(
    offsets: np.ndarray,
    data: np.ndarray,
    head: int,
    tail: int,
    letters: np.ndarray,
    head_lengths: np.ndarray,
    tail_lengths: np.ndarray,
    wide: np.ndarray,
) -> None:
    for j in range(offsets.shape[0] - 1):
        count = 0
        non_ascii = False
        for i in range(offsets[j], offsets[j + 1]):
            byte = data[i]
            if byte & 0xC0 != 0x80:
                count += 1
            if byte >= 0x80:
                non_ascii = True
        letters[j] = count
        wide[j] = non_ascii
        head_lengths[j] = min(count, head) + 2
        tail_lengths[j] = (min(count - head, tail) if count > head else 0) + 2


@numba.njit(cache=True, nogil=True)
def _fill_views(
    offsets: np.ndarray,
    data: np.ndarray,
    head_lengths: np.ndarray,
    tail_lengths: np.ndarray,
    heads: np.ndarray,
    tails: np.ndarray,
) -> None:
    head_at = 0
    tail_at = 0
    for j in range(offsets.shape[0] - 1):
        head_count = head_lengths[j] - 2
        tail_count = tail_lengths[j] - 2
        heads[head_at] = 32
        tails[tail_at] = 32
        i = offsets[j]
        for k in range(head_count):
            code, i = _code_point(data, i)
            heads[head_at + 1 + k] = 48 if 48 <= code <= 57 else code
        heads[head_at + head_count + 1] = 32
        if tail_count:
            # the tail's first byte: walk back over its code points' lead bytes
            i = offsets[j + 1]
            found = 0
            while found < tail_count:
                i -= 1
                if data[i] & 0xC0 != 0x80:
                    found += 1
            for k in range(tail_count):
                code, i = _code_point(data, i)
                tails[tail_at + 1 + k] = 48 if 48 <= code <= 57 else code
        tails[tail_at + tail_count + 1] = 32
        head_at += head_lengths[j] + 1
        tail_at += tail_lengths[j] + 1


def utf8_views(
    texts: pa.Array, head: int, tail: int, end_zeros: int
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray], np.ndarray, np.ndarray]:
    """Each text's head view (its first ``head`` code points) and tail view (its last
    ``tail`` after the head), every view padded with a space at both ends, the views of all
    texts joined by 0 and followed by ``end_zeros`` zeros, digits folded to ``0``, as uint64
    code points.

    Returns (head codes, tail codes), (head lengths, tail lengths) (padded), each text's
    length in code points, and whether it holds any character beyond ASCII. A null is an
    empty text.

    >>> views, lengths, letters, wide = utf8_views(pa.array(["ab1", "é"]), 2, 1, 2)
    >>> "".join(map(chr, views[0])).replace(chr(0), "|"), lengths[0].tolist()
    (' ab | é ||', [4, 3])
    >>> "".join(map(chr, views[1])).replace(chr(0), "|"), letters.tolist(), wide.tolist()
    (' 0 |  ||', [3, 1], [False, True])
    """
    if texts.null_count:
        texts = pc.fill_null(texts, "")
    offsets, data = _utf8_buffers(texts)
    n = len(texts)
    letters = np.empty(n, dtype=np.int64)
    head_lengths = np.empty(n, dtype=np.int64)
    tail_lengths = np.empty(n, dtype=np.int64)
    wide = np.empty(n, dtype=np.bool_)
    _view_lengths(offsets, data, head, tail, letters, head_lengths, tail_lengths, wide)
    separators = max(n - 1, 0) + end_zeros
    heads = np.zeros(int(head_lengths.sum()) + separators, dtype=np.uint64)
    tails = np.zeros(int(tail_lengths.sum()) + separators, dtype=np.uint64)
    _fill_views(offsets, data, head_lengths, tail_lengths, heads, tails)
    return (heads, tails), (head_lengths, tail_lengths), letters, wide


@numba.njit(cache=True, nogil=True)
def _min_hashes(items: np.ndarray, starts: np.ndarray, salts: np.ndarray, out: np.ndarray) -> None:
    n_groups = starts.shape[0]
    for g in range(n_groups):
        end = starts[g + 1] if g + 1 < n_groups else items.shape[0]
        for c in range(salts.shape[0]):
            salt = salts[c]
            best = np.uint64(0xFFFFFFFFFFFFFFFF)
            for i in range(starts[g], end):
                z = _splitmix(items[i] ^ salt)
                if z < best:
                    best = z
            out[g, c] = best


def min_hashes(items: np.ndarray, starts: np.ndarray, salts: np.ndarray) -> np.ndarray:
    """Per group of ``items`` (uint64; group ``g`` runs from ``starts[g]`` to the next
    start), the minimum over its items of splitmix64(item ^ salt), for each salt.

    >>> from linkage.detect.minhash import mix64
    >>> items = np.array([5, 9, 2, 7], dtype=np.uint64)
    >>> salts = np.array([1, 99], dtype=np.uint64)
    >>> got = min_hashes(items, np.array([0, 3]), salts)
    >>> bool((got[0] == [mix64(items[:3] ^ s).min() for s in salts]).all())
    True
    """
    out = np.empty((len(starts), len(salts)), dtype=np.uint64)
    if len(starts):
        _min_hashes(
            np.ascontiguousarray(items, dtype=np.uint64),
            np.ascontiguousarray(starts, dtype=np.int64),
            np.ascontiguousarray(salts, dtype=np.uint64),
            out,
        )
    return out
