"""Near-duplicate check between the held-out set and the training corpus.

A held-out text must not be a near copy of a training text: for every pair, the Jaccard
similarity of their sets of character 5-grams (lower-cased, whitespace collapsed) must stay
below 0.5. Computed exactly (no MinHash): the shingle sets become a sparse binary matrix and
one sparse product gives every pairwise intersection size. Run from the repository root::

    python data/intent/check_overlap.py

Exits non-zero and lists the worst pairs if any pair reaches the threshold.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp

HERE = Path(__file__).resolve().parent
THRESHOLD = 0.5
N = 5


def _shingles(text: str) -> set[str]:
    t = re.sub(r"\s+", " ", text.lower()).strip()
    if len(t) < N:
        return {t}
    return {t[i : i + N] for i in range(len(t) - N + 1)}


def _matrix(texts: list[str], vocab: dict[str, int]) -> sp.csr_matrix:
    rows, cols = [], []
    for r, text in enumerate(texts):
        for s in _shingles(text):
            cols.append(vocab.setdefault(s, len(vocab)))
            rows.append(r)
    data = np.ones(len(rows), dtype=np.float32)
    return sp.csr_matrix((data, (rows, cols)), shape=(len(texts), max(len(vocab), 1)))


def max_jaccard(heldout: list[str], train: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """For each held-out text, its highest 5-gram Jaccard with any training text, and which.

    >>> best, which = max_jaccard(["hello there world"], ["hello there world!", "unrelated"])
    >>> bool(best[0] > 0.8), int(which[0])
    (True, 0)
    """
    vocab: dict[str, int] = {}
    a = _matrix(heldout, vocab)
    b = _matrix(train, vocab)
    width = len(vocab)
    a = sp.csr_matrix((a.data, a.indices, a.indptr), shape=(a.shape[0], width))
    b = sp.csr_matrix((b.data, b.indices, b.indptr), shape=(b.shape[0], width))
    inter = (a @ b.T).toarray()  # held-out x train intersection sizes
    size_a = np.asarray(a.sum(axis=1)).ravel()[:, None]
    size_b = np.asarray(b.sum(axis=1)).ravel()[None, :]
    jac = inter / np.maximum(size_a + size_b - inter, 1.0)
    return jac.max(axis=1), jac.argmax(axis=1)


def load(name: str) -> list[dict[str, object]]:
    with (HERE / name).open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main() -> int:
    train = [str(r["text"]) for r in load("train.jsonl")]
    held = [str(r["text"]) for r in load("heldout.jsonl")]
    best, which = max_jaccard(held, train)
    bad = np.flatnonzero(best >= THRESHOLD)
    print(f"held-out {len(held)}, train {len(train)}; max Jaccard {best.max():.3f}; "
          f"pairs >= {THRESHOLD}: {len(bad)}")
    for i in bad[np.argsort(-best[bad])][:20]:
        print(f"{best[i]:.3f}\n  H: {held[i][:150]!r}\n  T: {train[which[i]][:150]!r}")
    return 1 if len(bad) else 0


if __name__ == "__main__":
    sys.exit(main())
