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
* **Prompts prepared, then hashed.** :mod:`linkage.detect.prompt_text` normalises each
  prompt (Unicode, hidden and look-alike letters, chat scaffolds) and cuts it into a head
  and a tail view; :mod:`linkage.detect.intent_features` hashes the views' character
  n-grams into ``2**BITS`` buckets, one L2-normalised set per view, so that length cannot
  drive the score.
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
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from linkage.detect.arrays import arrow_strings
from linkage.detect.compiled import view_margins
from linkage.detect.intent_features import (
    BITS,
    CHUNK,
    COVERAGE_NGRAM,
    NGRAM_MIX,
    NGRAM_PRIME,
    NGRAM_SHIFT,
    VIEW_SALTS,
    seen_buckets,
    text_features,
)
from linkage.detect.language import readable_language
from linkage.detect.prompt_text import (
    HEAD_CHARS,
    NGRAMS,
    PYTHON_WHITESPACE,
    TAIL_CHARS,
    Prepared,
    Texts,
    prepare,
)

INTENTS = ("reasoning", "rubric_grading", "sensitive_rewrite", "agentic", "coding")
NONE = "none"
LABELS = (NONE, *INTENTS)  # the model's class order

C_REG = 0.5  # inverse regularisation of the linear SVMs
MAX_ITER = 5_000  # liblinear passes: enough to converge (training warns if it does not)
SEED = 0
NONE_OFFSETS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
"""Biases against ``none`` :func:`calibrate` chooses from."""
MAX_NONE_FLAGGED = 0.01
"""The calibration set's everyday prompts the chosen bias may call distillation."""
COVERAGE_FOR_LANGUAGE_CHECK = 0.9
"""A prompt whose head has fewer 3-grams the training texts had than this share goes to
the language check (:mod:`linkage.detect.language`); the others are in a read language."""

MODEL_FILE = Path(__file__).with_name("intent_model.npz")
MODEL_SHA256 = "3694050f8ce848db6ff651b0fcc0470441aea36bd81f58501f010c5d764c9d49"
"""Checksum of the frozen weights: a changed model is a reviewed change, never an accident."""


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
        "salts": list(VIEW_SALTS),
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
    constants = (NGRAM_PRIME, NGRAM_MIX, NGRAM_SHIFT)
    coverage = view_margins(
        prepared.views[0], prepared.lengths[0], NGRAMS, VIEW_SALTS[0], constants,
        model.weights, margins, seen, COVERAGE_NGRAM,
    )  # fmt: skip
    view_margins(
        prepared.views[1], prepared.lengths[1], NGRAMS, VIEW_SALTS[1], constants,
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
    blank_distinct = pc.equal(pc.utf8_trim(distinct, PYTHON_WHITESPACE), "")
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
