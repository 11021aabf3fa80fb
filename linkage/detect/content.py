"""Distillation intent of single prompts: a learned, multilingual, fast text classifier.

A distillation campaign harvests a model's outputs at scale, and its prompts betray what it
harvests: full reasoning traces (``reasoning``), the model as a judge or reward model
(``rubric_grading``), "neutral" rewrites of politically sensitive text
(``sensitive_rewrite``), agent and tool-use scaffolds (``agentic``) and coding-agent
sessions (``coding``). Everything else, ordinary users included, is ``none``.

How it works, and why
---------------------
* **Features: hashed character n-grams, computed in numpy.** Each prompt is cut to its
  first ``HEAD_CHARS`` plus last ``TAIL_CHARS`` characters (the instruction that reveals the
  intent sits at the start or at the end; a long code listing or problem statement in the
  middle says little), lower-cased, stripped of chat-template tokens (a scaffold says how a
  prompt was sent, not what it asks), and digits are folded to ``0`` (slot-filled numbers
  should not matter). Character n-grams (``NGRAMS``) need no tokenizer and work the same
  for Chinese, Arabic or Russian, and they survive paraphrase and inflection better than
  words. They are hashed into ``2**BITS`` buckets with vectorised arithmetic over the
  UTF-32 code points of all prompts at once, so there is no Python loop per prompt or per
  n-gram (scikit-learn's analyzers build every n-gram as a Python string, which is two
  orders of magnitude slower).
* **Model: one linear SVM per class** over those counts divided by the square root of the
  number of n-grams (close to an L2 norm, since most n-grams of a prompt are distinct, but
  computable without counting duplicates). Being linear, scoring is a table look-up: the
  weight rows of a prompt's n-grams are gathered (one 32-byte cache line each) and summed per
  prompt with ``numpy.add.reduceat``. The SVMs beat logistic regression (lbfgs or SGD) on
  the held-out set and train in seconds; n-grams of sizes 1, 3 and 5 keep nearly all the
  accuracy of 1 to 6 at half the look-ups. Measurements: ``data/intent/README.md`` and
  ``bench/bench_classifier.py``.
* **A small bias against** ``none`` (``NONE_OFFSET``), chosen on the held-out set: it buys
  recall on paraphrased campaigns while keeping everyday false positives under 1%.
* **Static embeddings (wordllama) were considered and dropped**: its wheel ships the
  embedding weights but not the tokenizer, which it downloads at first use, and model files
  cannot be downloaded here at run time.
* **Training at first use**, from ``data/intent/train.jsonl`` (in a checkout) or from the
  copy installed in the wheel as ``linkage.detect.intent_data``; deterministic (fixed seed,
  deterministic solver), about 3 to 5 seconds, cached in-process with
  :func:`functools.cache`.

Identical prompts are scored once (campaigns repeat templates verbatim); a large batch is
scored in blocks of ``CHUNK`` prompts so that intermediate arrays stay in cache.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

INTENTS = ("reasoning", "rubric_grading", "sensitive_rewrite", "agentic", "coding")
NONE = "none"
LABELS = (NONE, *INTENTS)  # the model's class order

# Settings chosen by measurement on the held-out set (data/intent/README.md tells how).
HEAD_CHARS = 400
TAIL_CHARS = 150
NGRAMS = (1, 3, 5)
BITS = 19
NORM_POWER = 0.5  # counts / n_grams ** NORM_POWER
C_REG = 1.0  # inverse regularisation of the linear SVMs
MAX_ITER = 10  # liblinear passes: stopping early keeps training to seconds (measured: no loss)
NONE_OFFSET = 0.3  # margin taken from "none": fewer missed campaigns, FP still < 1%
TEMPERATURE = 4.0  # margins -> probabilities (softmax of TEMPERATURE * margin)
SEED = 0
CHUNK = 1024  # prompts per vectorised block: intermediates stay in cache

Texts = Sequence[str] | np.ndarray  # a list of strings or a numpy array of them
_ROW = 8  # floats per weight row: 6 classes padded to 32 bytes, one cache line per look-up
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


def _prepare(texts: Texts) -> tuple[str, np.ndarray, np.ndarray]:
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
    # pad, so that words at the edges give word-start and word-end n-grams too
    arr = pc.binary_join_element_wise(_large(" "), arr, _large(" "), _large(""))
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


def _ngram_ids(codes: np.ndarray) -> Iterator[np.ndarray]:
    """For each n in ``NGRAMS``, the bucket of every length-n window of ``codes``.

    The polynomial hash of the n-windows is built from that of the (n-1)-windows (one pass
    per n, not n passes), wrapping in uint64, then salted per n and mixed. A window that
    spans two texts gets bucket ``2**BITS``, whose weights are zero.
    """
    seps = np.concatenate(([0], np.cumsum(codes == 0)))
    h = np.zeros(len(codes), dtype=np.uint64)
    for n in range(1, max(NGRAMS) + 1):
        size = len(codes) - n + 1
        h = h[:size] * _PRIME + codes[n - 1 : n - 1 + size]
        if n not in NGRAMS:
            continue
        salt = np.uint64((0x9E3779B97F4A7C15 * n) & 0xFFFFFFFFFFFFFFFF)
        ids = (((h ^ salt) * _MIX) >> _SHIFT).view(np.int64)
        ids[seps[n : n + size] != seps[:size]] = 1 << BITS
        yield ids


def _n_windows(lengths: np.ndarray) -> np.ndarray:
    """Number of counted n-grams of each padded text."""
    return sum(np.maximum(lengths - n + 1, 0) for n in NGRAMS)


def _features(texts: Texts) -> sp.csr_matrix:
    """Sparse normalised n-gram counts, one row per text (used to train)."""
    joined, lengths, _ = _prepare(texts)
    codes = _codes(joined)
    # the text each code position belongs to (separators go with the text before them)
    owner = np.repeat(np.arange(len(texts), dtype=np.int64), lengths + 1)
    owner = np.concatenate((owner, np.full(len(codes) - len(owner), len(texts) - 1)))
    keys = []
    for ids in _ngram_ids(codes):
        keep = ids < (1 << BITS)
        keys.append((owner[: len(ids)][keep] << BITS) | ids[keep])
    uniq, counts = np.unique(np.concatenate(keys), return_counts=True)  # sorted by text
    rows, cols = uniq >> BITS, uniq & ((1 << BITS) - 1)
    scale = 1.0 / np.maximum(_n_windows(lengths), 1) ** NORM_POWER
    indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=len(texts)))))
    return sp.csr_matrix(
        (counts * scale[rows], cols, indptr), shape=(len(texts), 1 << BITS), dtype=np.float64
    )


@dataclass(frozen=True)
class IntentModel:
    """A trained linear model over hashed n-grams: one weight row per bucket."""

    # (2**BITS + 1, 8) float32: columns in LABELS order, padded to 8 floats a row so that a
    # look-up reads one 32-byte cache line; the last row (windows that span texts) is zero
    weights: np.ndarray
    bias: np.ndarray  # (len(LABELS),)

    @cached_property
    def wide_weights(self) -> np.ndarray:
        """The weights in float64: each prompt's n-gram rows are summed in double precision,
        one after the other, then rounded once."""
        return self.weights.astype(np.float64)

    def logits(self, texts: Texts) -> np.ndarray:
        """Class scores of ``texts`` (rows) for ``LABELS`` (columns)."""
        if len(texts) == 0:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        joined, lengths, starts = _prepare(texts)
        codes = _codes(joined)
        total = np.zeros((len(texts), _ROW), dtype=np.float64)
        indptr = np.append(starts, 0)
        for ids in _ngram_ids(codes):
            # one cache line per window (a padded row of class weights); windows are in
            # text order. Each text's rows are summed one after the other by a sparse
            # (text x bucket) product: the sum of a text does not depend on where it sits
            # in the batch (numpy's reduceat sums in blocks at fixed offsets, so the last
            # bit of a prompt's score would depend on its neighbours: not batch-invariant)
            indptr[-1] = len(ids)
            windows = sp.csr_matrix(
                (np.ones(len(ids)), ids, indptr), shape=(len(starts), len(self.weights))
            )
            total += windows @ self.wide_weights
        total = total[:, : len(LABELS)].astype(np.float32)
        scale = 1.0 / np.maximum(_n_windows(lengths), 1) ** NORM_POWER
        return total * scale[:, None].astype(np.float32) + self.bias

    def probabilities(self, texts: Texts) -> np.ndarray:
        """Softmax of :meth:`logits`, computed block by block (bounded memory, warm caches).

        One thread: two threads were measured slower, the gathers contend for the GIL and
        for memory bandwidth.
        """
        z = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
        for i in range(0, len(texts), CHUNK):
            z[i : i + CHUNK] = self.logits(texts[i : i + CHUNK])
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
    """Fit the model on ``texts`` and their ``labels`` (names from ``LABELS``); deterministic.

    One linear SVM per class (one-vs-rest, liblinear's dual coordinate descent, which
    converges in a few passes on sparse text). Margins become probabilities through a
    softmax with temperature ``TEMPERATURE``, after ``NONE_OFFSET`` is taken from the
    ``none`` margin.
    """
    from sklearn.exceptions import ConvergenceWarning  # heavy imports, needed to train only
    from sklearn.svm import LinearSVC

    x = _features(texts)
    y = np.array([LABELS.index(label) for label in labels])
    clf = LinearSVC(C=C_REG, max_iter=MAX_ITER, tol=1e-3, random_state=SEED)
    with warnings.catch_warnings():
        # stopping after MAX_ITER passes is deliberate: do not warn about convergence
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(x, y)
    coef, intercept = clf.coef_, clf.intercept_  # (classes, buckets), (classes,)
    weights = np.zeros(((1 << BITS) + 1, _ROW), dtype=np.float32)
    weights[: 1 << BITS, clf.classes_] = coef.T * TEMPERATURE
    bias = np.zeros(len(LABELS), dtype=np.float32)
    bias[clf.classes_] = intercept * TEMPERATURE
    bias[LABELS.index(NONE)] -= NONE_OFFSET * TEMPERATURE
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
    probs = model.probabilities(np.asarray(uniques, dtype=object))
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
