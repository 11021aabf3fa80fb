"""Benchmark of the prompt-intent classifier (linkage.detect.content).

Prints, for the held-out set (data/intent/heldout.jsonl): per-class precision, recall and F1;
the false-positive rate on ``none`` (all everyday prompts, and the hard look-alikes alone);
accuracy per language; then the first-use training time and the throughput on 100,000
realistic prompts (lengths up to 2,000 characters), all distinct and with the repeats that
campaign traffic has. Run from the repository root::

    PYTHONPATH=. python bench/bench_classifier.py
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from linkage.detect import content

DATA = Path(__file__).resolve().parents[1] / "data" / "intent"
N_PROMPTS = 100_000


def realistic_prompts(
    n: int, seed: int = 0, repeat_share: float = 0.0, long_tail: bool = True
) -> pd.Series:
    """``n`` prompts built from both corpora: whole texts, pastes of two texts, cut to a length.

    Lengths are drawn log-uniformly from 5 to 2,000 characters (chat traffic is mostly short,
    with a long tail) or, with ``long_tail=False``, uniformly from 5 to 2,000 (a harsher mix).
    With ``repeat_share`` > 0 that share of prompts repeats earlier ones.
    """
    rng = np.random.default_rng(seed)
    pool = pd.concat(
        [
            content.load_corpus(content.training_file())["text"],
            content.load_corpus(DATA / "heldout.jsonl")["text"],
        ]
    ).to_numpy()
    first = pool[rng.integers(0, len(pool), n)]
    second = pool[rng.integers(0, len(pool), n)]
    if long_tail:
        lengths = np.exp(rng.uniform(np.log(5), np.log(2000), n)).astype(int)
    else:
        lengths = rng.integers(5, 2001, n)
    texts = pd.Series(first).str.cat(pd.Series(second), sep="\n\n")
    cut = pd.Series([t[:k] for t, k in zip(texts, lengths, strict=True)])  # bench-side only
    cut = cut + " #" + pd.Series(np.arange(n)).astype(str)  # distinct unless repeated below
    if repeat_share > 0:
        repeats = rng.random(n) < repeat_share
        cut[repeats] = cut.to_numpy()[rng.integers(0, max(int(n * 0.05), 1), repeats.sum())]
    return cut


def main() -> None:
    t0 = time.perf_counter()
    content.default_model()
    train_s = time.perf_counter() - t0

    held = content.load_corpus(DATA / "heldout.jsonl")
    out = content.classify_prompts(held["text"])
    truth, pred = held["label"], out["intent"]

    print(f"held-out: {len(held)} texts, {held['lang'].nunique()} languages\n")
    print(f"{'class':<18}{'precision':>10}{'recall':>8}{'F1':>7}{'n':>6}")
    for label in (*content.INTENTS, content.NONE):
        tp = int(((truth == label) & (pred == label)).sum())
        p = tp / max(int((pred == label).sum()), 1)
        r = tp / max(int((truth == label).sum()), 1)
        f1 = 2 * p * r / max(p + r, 1e-12)
        print(f"{label:<18}{p:>10.3f}{r:>8.3f}{f1:>7.3f}{int((truth == label).sum()):>6}")

    none = truth == content.NONE
    hard = none & held["hard"].astype(bool)
    print(
        f"\nnone flagged as distillation: {(pred[none] != content.NONE).mean():.2%} "
        f"of {int(none.sum())} everyday prompts; hard look-alikes "
        f"{(pred[hard] != content.NONE).mean():.2%} of {int(hard.sum())}; others "
        f"{(pred[none & ~hard] != content.NONE).mean():.2%}"
    )
    flagged = held[none & (pred != content.NONE)]
    for text, got in zip(flagged["text"], pred[flagged.index], strict=True):
        print(f"  -> {got}: {text[:110]!r}")

    print("\naccuracy per language (n):")
    by_lang = (truth == pred).groupby(held["lang"]).agg(["mean", "size"])
    for lang, row in by_lang.sort_values("size", ascending=False).iterrows():
        print(f"  {lang}: {row['mean']:.3f} ({int(row['size'])})")

    print(f"\nfirst-use training (load corpus, features, fit): {train_s:.2f} s")
    for long_tail, share in ((True, 0.0), (True, 0.3), (False, 0.0)):
        prompts = realistic_prompts(N_PROMPTS, repeat_share=share, long_tail=long_tail)
        t0 = time.perf_counter()
        content.classify_prompts(prompts)
        dt = time.perf_counter() - t0
        mix = "log-uniform" if long_tail else "uniform"
        print(
            f"throughput, {N_PROMPTS:,} prompts ({mix} lengths 5-2000, mean "
            f"{prompts.str.len().mean():.0f} chars, {share:.0%} repeats): "
            f"{N_PROMPTS / dt:,.0f} prompts/s ({dt:.2f} s)"
        )


if __name__ == "__main__":
    main()
