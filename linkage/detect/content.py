"""Distillation intent of single prompts: a learned, multilingual, fast text classifier.

A distillation campaign harvests a model's outputs at scale, and its prompts betray what it
harvests: full reasoning traces (``reasoning``), the model as a judge or reward model
(``rubric_grading``), "neutral" rewrites of politically sensitive text
(``sensitive_rewrite``), agent and tool-use scaffolds (``agentic``) and coding-agent
sessions (``coding``). Everything else, ordinary users included, is ``none``.

How it works, and why
---------------------
* **Features: hashed character n-grams, computed in numpy.** Each prompt is lower-cased,
  digits are folded to ``0`` (slot-filled numbers should not matter), and it is cut to its
  first ``HEAD_CHARS`` plus last ``TAIL_CHARS`` characters: the instruction that reveals the
  intent sits at the start or at the end (a long code listing or problem statement in the
  middle says little). Character n-grams (``NGRAMS``) need no tokenizer and work the same
  for Chinese, Arabic or Russian, and they survive paraphrase and inflection better than
  words. They are hashed into ``2**BITS`` buckets with vectorised arithmetic over the
  UTF-32 code points of all prompts at once, so there is no Python loop per prompt or per
  n-gram (scikit-learn's analyzers build every n-gram as a Python string, which is two
  orders of magnitude slower).
* **Model: multinomial logistic regression** over those counts divided by the square root
  of the number of n-grams (close to an L2 norm, since most n-grams of a prompt are
  distinct, but computable without counting duplicates). Being linear, scoring is a table
  look-up: the weight rows of a prompt's n-grams are gathered and summed per prompt with
  ``numpy.add.reduceat``. The choice was made by measurement: see ``data/intent/README.md``
  and ``bench/bench_classifier.py``.
* **Static embeddings (wordllama) were considered and dropped**: its wheel ships the
  embedding weights but not the tokenizer, which it downloads at first use, and model files
  cannot be downloaded here at run time.
* **Training at first use**, from ``data/intent/train.jsonl`` (in a checkout) or from the
  copy installed in the wheel as ``linkage.detect.intent_data``; deterministic (fixed seed,
  deterministic solver), a few seconds, cached in-process with :func:`functools.cache`.

Identical prompts are scored once (campaigns repeat templates verbatim), and a large batch
is split across two threads (numpy releases the GIL in the gather and the sums).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

INTENTS = ("reasoning", "rubric_grading", "sensitive_rewrite", "agentic", "coding")
NONE = "none"
LABELS = (NONE, *INTENTS)  # the model's class order

# Feature settings, chosen by cross-validation on the training corpus (see the README).
HEAD_CHARS = 600
TAIL_CHARS = 200
NGRAMS = (1, 2, 3, 4, 5)
BITS = 20
NORM_POWER = 0.5  # counts / n_grams ** NORM_POWER
C_REG = 10.0  # inverse regularisation of the logistic regression
SEED = 0
CHUNK = 4096  # prompts per vectorised block: bounds memory (about 100 MB a block)

_PRIME = np.uint64(1_000_003)
_MIX = np.uint64(0xBF58476D1CE4E5B9)
_SHIFT = np.uint64(64 - BITS)
_DIGIT_ZERO = np.uint64(ord("0"))


# Chat-template tokens and role labels say how a prompt was sent, not what it asks; they are
# removed so that a scaffold never seen in training does not dilute the prompt's own n-grams.
_SCAFFOLD = (
    r"<\|[a-z_]{1,30}\|>|\[/?inst\]|<</?sys>>|</?s>|<(?:start|end)_of_turn>|"
    r"(?m:^\s*(?:#{1,3}\s*)?(?:human|assistant|user|system|model)\s*:)|"
    r"\\[nt]|\\\""
)


def _prepare(texts: Sequence[str]) -> tuple[str, np.ndarray, np.ndarray]:
    """All texts as one string of code points, with each text's start and padded length.

    Each text is cut to its head and tail (where intent shows), lower-cased, stripped of chat
    scaffolding and space-padded; texts are joined with code 0, which never occurs inside
    an n-gram that counts, and trailing separators make every text start before the end
    of every n-gram array. pyarrow's compute kernels do the string work in C.
    """
    arr = pa.array(texts, type=pa.large_string())
    arr = pc.replace_substring(arr, "\x00", " ")
    long = pc.greater(pc.utf8_length(arr), HEAD_CHARS + TAIL_CHARS)
    cut = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(arr, 0, HEAD_CHARS),
        pc.utf8_slice_codeunits(arr, -TAIL_CHARS),
        _large(" … "),
    )
    arr = pc.if_else(long, cut, arr)
    arr = pc.replace_substring_regex(pc.utf8_lower(arr), _SCAFFOLD, " ")
    arr = pc.binary_join_element_wise(_large(" "), arr, _large(" "), _large(""))  # pad: word-start/end n-grams
    lengths = pc.utf8_length(arr).to_numpy(zero_copy_only=False).astype(np.int64)
    joined = pc.binary_join(pa.LargeListArray.from_arrays([0, len(arr)], arr), _large("\x00"))
    return joined[0].as_py() + "\x00" * (max(NGRAMS) + 1), lengths, _starts(lengths)


def _large(text: str) -> pa.Scalar:
    return pa.scalar(text, type=pa.large_string())


def _starts(lengths: np.ndarray) -> np.ndarray:
    return np.concatenate(([0], np.cumsum(lengths + 1)[:-1])).astype(np.int64)


def _codes(joined: str) -> np.ndarray:
    """Code points of the joined texts, digits folded to 0 and whitespace to a space."""
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    codes[(codes >= 48) & (codes <= 57)] = _DIGIT_ZERO  # "42" and "17" look alike
    codes[(codes == 9) | (codes == 10) | (codes == 13)] = 32  # all whitespace is a space
    return codes


def _ngram_ids(codes: np.ndarray, n: int) -> np.ndarray:
    """Bucket of every length-``n`` window; ``2**BITS`` (a zero row) where it spans texts."""
    size = len(codes) - n + 1
    h = np.zeros(size, dtype=np.uint64)
    for k in range(n):  # polynomial rolling hash, wrapping in uint64
        h = h * _PRIME + codes[k : k + size]
    salt = np.uint64((0x9E3779B97F4A7C15 * n) & 0xFFFFFFFFFFFFFFFF)  # one salt per n
    h = ((h ^ salt) * _MIX) >> _SHIFT
    seps = np.concatenate(([0], np.cumsum(codes == 0)))
    spans = seps[n : n + size] != seps[:size]
    h[spans] = 1 << BITS
    return h.astype(np.int64)


def _n_windows(lengths: np.ndarray) -> np.ndarray:
    """Number of counted n-grams of each padded text."""
    return sum(np.maximum(lengths - n + 1, 0) for n in NGRAMS)


def _features(texts: Sequence[str]) -> sp.csr_matrix:
    """Sparse normalised n-gram counts, one row per text (used to train)."""
    joined, lengths, starts = _prepare(texts)
    codes = _codes(joined)
    rows, cols = [], []
    for n in NGRAMS:
        ids = _ngram_ids(codes, n)
        doc = np.searchsorted(starts, np.arange(len(ids)), side="right") - 1
        keep = ids < (1 << BITS)
        rows.append(doc[keep])
        cols.append(ids[keep])
    r, c = np.concatenate(rows), np.concatenate(cols)
    x = sp.csr_matrix((np.ones(len(r), dtype=np.float64), (r, c)), shape=(len(texts), 1 << BITS))
    x.sum_duplicates()
    scale = 1.0 / np.maximum(_n_windows(lengths), 1) ** NORM_POWER
    return sp.csr_matrix(sp.diags(scale) @ x)


@dataclass(frozen=True)
class IntentModel:
    """A trained linear model over hashed n-grams: one weight row per bucket."""

    weights: np.ndarray  # (2**BITS + 1, len(LABELS)) float32; the last row is zero
    bias: np.ndarray  # (len(LABELS),)

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Class scores of ``texts`` (rows) for ``LABELS`` (columns)."""
        if len(texts) == 0:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        joined, lengths, starts = _prepare(texts)
        codes = _codes(joined)
        total = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
        for n in NGRAMS:
            ids = _ngram_ids(codes, n)
            # rows in text order, so one reduceat sums each text's rows
            total += np.add.reduceat(self.weights[ids], starts, axis=0)
        scale = 1.0 / np.maximum(_n_windows(lengths), 1) ** NORM_POWER
        return total * scale[:, None].astype(np.float32) + self.bias

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Softmax of :meth:`logits`, scored block by block on two threads."""
        blocks = [texts[i : i + CHUNK] for i in range(0, len(texts), CHUNK)]
        if len(blocks) > 1:
            with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
                z = np.concatenate(list(pool.map(self.logits, blocks)))
        else:
            z = self.logits(texts)
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


def training_file() -> Path:
    """Where ``train.jsonl`` is: the checkout's ``data/intent/`` or the installed package data.

    >>> training_file().name
    'train.jsonl'
    """
    here = Path(__file__).resolve()
    candidates = [
        here.parents[2] / "data" / "intent" / "train.jsonl",  # a checkout
        here.parent / "intent_data" / "train.jsonl",  # an installed wheel
    ]
    for path in candidates:
        if path.is_file():
            return path
    raise FileNotFoundError(f"intent training corpus not found in {candidates}")


def load_corpus(path: Path) -> pd.DataFrame:
    """A ``.jsonl`` corpus as a table ``text, label, lang`` (plus any other fields)."""
    with path.open(encoding="utf-8") as f:
        return pd.DataFrame([json.loads(line) for line in f if line.strip()])


def train(texts: Sequence[str], labels: Sequence[str]) -> IntentModel:
    """Fit the model on ``texts`` and their ``labels`` (names from ``LABELS``); deterministic."""
    from sklearn.linear_model import LogisticRegression  # heavy import, needed to train only

    x = _features(texts)
    y = np.array([LABELS.index(label) for label in labels])
    clf = LogisticRegression(C=C_REG, max_iter=2000, random_state=SEED)
    clf.fit(x, y)
    weights = np.zeros(((1 << BITS) + 1, len(LABELS)), dtype=np.float32)
    weights[: 1 << BITS, clf.classes_] = clf.coef_.T
    bias = np.zeros(len(LABELS), dtype=np.float32)
    bias[clf.classes_] = clf.intercept_
    return IntentModel(weights=weights, bias=bias)


@cache
def default_model() -> IntentModel:
    """The model trained on the shipped corpus, once per process."""
    corpus = load_corpus(training_file())
    return train(corpus["text"].tolist(), corpus["label"].tolist())


def classify_prompts(prompts: pd.Series, model: IntentModel | None = None) -> pd.DataFrame:
    """Distillation intent of each prompt.

    Returns a table with the index of ``prompts``: one column ``intent_<name>`` per name in
    ``INTENTS``, the probability (0..1) that the prompt has that intent, and ``intent``, the
    most probable label, ``"none"`` included. Missing or blank prompts get zeros and
    ``"none"``. Identical prompts are scored once.

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
     'intent_agentic', 'intent_coding', 'intent']
    >>> float(out.loc[2, "intent_reasoning"])
    0.0
    """
    model = model or default_model()
    text = prompts.astype("string").fillna("")
    blank = text.str.strip().eq("").to_numpy(dtype=bool)
    codes, uniques = pd.factorize(text, sort=False)  # score each distinct prompt once
    probs = model.probabilities([str(u) for u in uniques])
    p = probs[codes] if len(codes) else np.zeros((0, len(LABELS)), dtype=np.float32)
    p[blank] = 0.0
    out = pd.DataFrame(
        {f"intent_{name}": p[:, LABELS.index(name)].astype(float) for name in INTENTS},
        index=prompts.index,
    )
    label = np.asarray(LABELS, dtype=object)[p.argmax(axis=1)] if len(p) else []
    out["intent"] = pd.Series(label, index=prompts.index, dtype=object)
    out.loc[blank, "intent"] = NONE
    return out
