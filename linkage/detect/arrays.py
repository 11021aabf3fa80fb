"""Columns between pandas and Arrow without a Python object per value.

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
