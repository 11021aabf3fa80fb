"""Array helpers: columns between pandas and Arrow without a Python object per value,
ranges of work, the strongest links per account, labels numbered by their smallest member.

pandas keeps the input's text columns in Arrow (``str``); converting one with
``astype(object)`` makes a Python string per row, which cost the batch map about a second
per 200,000 requests, only for Arrow to copy the strings back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def arrow_strings(values: pd.Series) -> pa.Array:
    """A text Series as one Arrow ``large_string`` array, missing values as nulls.

    >>> import numpy as np
    >>> arrow_strings(pd.Series(["a", None, np.nan], dtype=object)).to_pylist()
    ['a', None, None]
    >>> arrow_strings(pd.Series(["x", None], dtype="str").iloc[1:]).to_pylist()
    [None]
    """
    try:
        converted = pa.array(values, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # objects that are not all strings
        converted = pa.array(values.astype("str").where(values.notna(), None), from_pandas=True)
    if isinstance(converted, pa.ChunkedArray):
        converted = converted.combine_chunks()
    if not pa.types.is_large_string(converted.type):
        converted = converted.cast(pa.large_string())
    return converted


def distinct_values(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """The distinct values of a text Series (missing values are one of them) and, per row,
    the position of its value among them: ``distinct.to_numpy()[which]`` gives ``values``
    back.

    >>> distinct, which = distinct_values(pd.Series(["b", "a", None, "b"]))
    >>> distinct.fillna("-").tolist(), which.tolist()
    (['b', 'a', '-'], [0, 1, 2, 0])
    """
    encoded = pc.dictionary_encode(arrow_strings(values), null_encoding="encode")
    distinct = encoded.dictionary.to_pandas()  # pandas' Arrow strings: no copy per value
    which = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return distinct, which


def chunk_bounds(per_code: np.ndarray, per_chunk: int) -> np.ndarray:
    """Account code boundaries so that each range makes about ``per_chunk`` rows.

    >>> chunk_bounds(np.array([5, 5, 5, 5]), 10).tolist()
    [0, 2, 4]
    """
    if not len(per_code):
        return np.array([0, 0])
    cumulative = np.cumsum(per_code)
    cuts = np.searchsorted(cumulative, np.arange(per_chunk, cumulative[-1], per_chunk))
    return np.unique(np.r_[0, cuts + 1, len(per_code)])


def strongest_per_account(a: np.ndarray, b: np.ndarray, strength: np.ndarray, k: int) -> np.ndarray:
    """Which links are among the ``k`` strongest of either end (ties: the lower partner).

    A group of n accounts that share one fact is n**2 / 2 links, and the strongest k of
    each account carry its community structure as well as all of them. Applied to a part
    of the links it keeps every link the whole would keep (an account's links in a part
    are a subset of its links, so a link among its k strongest overall is among its k
    strongest in the part): pruning each range, then the whole, gives the whole's answer.

    >>> a, b = np.array([0, 0, 0, 1]), np.array([1, 2, 3, 2])
    >>> strongest_per_account(a, b, np.array([0.9, 0.5, 0.4, 0.8]), 1).tolist()
    [True, False, True, True]
    """
    n = len(a)
    end = np.concatenate([a, b])
    other = np.concatenate([b, a])
    distinct, strength_rank = np.unique(-strength, return_inverse=True)  # 0: the strongest
    accounts = int(end.max()) + 1 if n else 1
    if accounts * len(distinct) * accounts < 2**62:
        # (end, strength rank, other) in one integer: one sort instead of three passes
        both = np.concatenate([strength_rank, strength_rank]).astype(np.int64)
        order = np.argsort((end * len(distinct) + both) * accounts + other)
    else:
        order = np.lexsort((other, -np.concatenate([strength, strength]), end))
    sorted_end = end[order]
    rank = np.arange(2 * n) - np.searchsorted(sorted_end, sorted_end)
    keep = np.zeros(n, dtype=bool)
    keep[order[rank < k] % n] = True
    return keep


def numbered_by_smallest(labels: pd.Series) -> pd.Series:
    """Each node's label (``labels``: label by node) renumbered 0, 1, ... in the order of
    each label's smallest node, so the numbers do not depend on how labels were given.

    >>> numbered_by_smallest(pd.Series([7, 3, 7, 5], index=[2, 0, 1, 3])).tolist()
    [1, 0, 1, 2]
    """
    smallest = labels.index.to_series().groupby(labels.to_numpy()).min()
    renumber = smallest.rank(method="first").astype(np.int64) - 1
    return labels.map(renumber)
