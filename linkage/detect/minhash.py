"""MinHash signatures and LSH banding, shared by prompt families and busy-IP pools.

A set's MinHash signature keeps, per salt, the minimum of a salted splitmix64 hash over
its items (:func:`linkage.detect.compiled.min_hashes`); two sets agree on a signature's
position with a probability equal to their Jaccard overlap. Cutting the signature into
bands and hashing each band to a bucket key (:func:`band_keys`) makes sets that agree on
a whole band meet in a bucket, without comparing every pair.

Examples
--------
>>> owner = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2])
>>> items = np.array([1, 2, 3, 1, 2, 3, 7, 8, 9], dtype=np.uint64)
>>> _, signatures = set_signatures(owner, items, n_hashes=8, seed=0)
>>> bool((signatures[0] == signatures[1]).all()), bool((signatures[0] == signatures[2]).any())
(True, False)
>>> band_neighbours(signatures, bands=4, neighbours=1)
(array([0]), array([1]))
"""

from __future__ import annotations

import numpy as np

from linkage.detect.compiled import min_hashes


def mix64(values: np.ndarray) -> np.ndarray:
    """A 64-bit finaliser (splitmix64): spreads structured hashes over all bits."""
    z = values.astype(np.uint64, copy=True)
    with np.errstate(over="ignore"):
        z ^= z >> np.uint64(30)
        z *= np.uint64(0xBF58476D1CE4E5B9)
        z ^= z >> np.uint64(27)
        z *= np.uint64(0x94D049BB133111EB)
        z ^= z >> np.uint64(31)
    return z


def set_signatures(
    owner: np.ndarray, items: np.ndarray, n_hashes: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """The distinct owners in ascending order and the MinHash signature (``n_hashes``
    uint64 values) of each one's set of hashed items, one row per owner.

    >>> owners, signatures = set_signatures(np.array([3, 1, 3]), np.array([5, 6, 7]), 2, 0)
    >>> owners.tolist(), signatures.shape
    ([1, 3], (2, 2))
    """
    order = np.argsort(owner, kind="stable")
    owner, items = owner[order], items[order]
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]]) if len(owner) else owner
    salts = np.random.default_rng(seed).integers(0, 2**63, size=n_hashes, dtype=np.uint64)
    return owner[starts], min_hashes(items, starts, salts)


def band_keys(signatures: np.ndarray, bands: int) -> np.ndarray:
    """One bucket key per (signature row, band): a hash of the band's part of the signature."""
    rows = signatures.shape[1] // bands
    keys = np.empty((signatures.shape[0], bands), dtype=np.uint64)
    for band in range(bands):
        block = signatures[:, band * rows : (band + 1) * rows]
        combined = np.full(signatures.shape[0], np.uint64(band + 1), dtype=np.uint64)
        for column in range(block.shape[1]):
            combined = mix64(combined ^ block[:, column])
        keys[:, band] = combined
    return keys


def band_neighbours(
    signatures: np.ndarray, bands: int, neighbours: int
) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs (row indices, unique, a < b): rows agreeing on a whole band, each
    paired with its next ``neighbours`` rows in the bucket (a chain keeps a bucket
    connected at a cost linear in its size)."""
    keys = band_keys(signatures, bands)
    found = []
    for band in range(bands):
        order = np.argsort(keys[:, band], kind="stable")
        sorted_key = keys[order, band]
        for step in range(1, neighbours + 1):
            same = sorted_key[step:] == sorted_key[:-step]
            found.append(np.stack([order[:-step][same], order[step:][same]], axis=1))
    if not found:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    pairs = np.concatenate(found)
    pairs = np.unique(np.sort(pairs, axis=1), axis=0)
    return pairs[:, 0].astype(np.int64), pairs[:, 1].astype(np.int64)
