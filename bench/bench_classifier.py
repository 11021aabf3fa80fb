"""Benchmark of the prompt-intent classifier (linkage.detect.content): figures, not tests.

Prints, for the frozen test set (``data/intent/frozen/test.jsonl``, written apart from the
training corpus and never tuned on):

* per class precision, recall and F1 over its readable items;
* distillation found in each kind, everyday prompts (with and without 300-3,000
  characters of pasted material, and companies' operational prompts) called
  distillation;
* obfuscated distillation (a zero-width space after every character, full-width Latin,
  Cyrillic and Greek look-alike letters) found, as a share of the plain rate, and how
  often the ``obfuscated`` flag is raised on them and on plain everyday prompts;
* prompts in scripts and languages the corpus does not cover: how many are marked
  unreadable rather than called ``none``;

then the same table for the calibration set (``heldout.jsonl``, which was tuned on), the
model's load time and the throughput on 100,000 realistic prompts. Run from the
repository root::

    .venv/bin/python bench/bench_classifier.py
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

from linkage.detect import content

DATA = Path(__file__).resolve().parents[1] / "data" / "intent"
N_PROMPTS = 100_000
HOMOGLYPHS = dict(zip("aceopxyijsABCEHKMOPTXY", "асеорхуіјѕАВСЕНКМОРТХУ", strict=True))
GREEK = dict(zip("oivkptAB", "οινκρτΑΒ", strict=True))


def zero_width(text: str) -> str:
    return "\u200b".join(text)


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def look_alikes(text: str) -> str:
    return "".join(HOMOGLYPHS.get(c, GREEK.get(c, c)) for c in text)


def table(name: str, frame: pd.DataFrame, out: pd.DataFrame) -> None:
    truth, pred = frame["label"], out["intent"]
    print(f"\n{name}: {len(frame)} texts, {frame['lang'].nunique()} languages")
    print(f"{'class':<18}{'precision':>10}{'recall':>8}{'F1':>7}{'n':>6}")
    for label in (*content.INTENTS, content.NONE):
        tp = int(((truth == label) & (pred == label)).sum())
        p = tp / max(int((pred == label).sum()), 1)
        r = tp / max(int((truth == label).sum()), 1)
        f1 = 2 * p * r / max(p + r, 1e-12)
        print(f"{label:<18}{p:>10.3f}{r:>8.3f}{f1:>7.3f}{int((truth == label).sum()):>6}")


def found(out: pd.DataFrame) -> float:
    """Share called some distillation intent, or marked unreadable (content unknown)."""
    return float(((out["intent"] != content.NONE) | ~out["readable"]).mean())


def frozen() -> None:
    test = content.load_corpus(DATA / "frozen" / "test.jsonl")
    out = content.classify_prompts(test["text"])
    table("frozen test set", test, out)
    print(f"\n{'kind':<24}{'n':>5}  what is measured")
    for kind, rows in test.groupby("kind", sort=False):
        got = out.loc[rows.index]
        flagged = float((got["intent"] != content.NONE).mean())
        unreadable = float((~got["readable"]).mean())
        if (rows["label"] == content.NONE).all():
            what = f"called distillation {flagged:.1%}, unreadable {unreadable:.1%}"
        else:
            right = float((got["intent"] == rows["label"]).mean())
            what = (
                f"some distillation intent {flagged:.1%}, the right one {right:.1%}, "
                f"unreadable {unreadable:.1%} (found or unknown: {found(got):.1%})"
            )
        print(f"{kind:<24}{len(rows):>5}  {what}")
    paste = test[test["kind"] == "paste"]
    if len(paste):
        got = out.loc[paste.index]
        print(
            f"everyday prompts with 300-3,000 characters pasted: "
            f"{float((got['intent'] != content.NONE).mean()):.1%} called distillation"
        )
    distill = test[test["kind"] == "distill"]
    plain = float((out.loc[distill.index, "intent"] != content.NONE).mean())
    print(f"\nobfuscated distillation ({len(distill)} texts; plain rate {plain:.1%}):")
    for name, change in (
        ("zero-width space after each character", zero_width),
        ("full-width Latin", full_width),
        ("look-alike letters (Cyrillic, Greek)", look_alikes),
    ):
        got = content.classify_prompts(distill["text"].map(change))
        rate = float((got["intent"] != content.NONE).mean())
        print(
            f"  {name:<40} found {rate:.1%} = {rate / max(plain, 1e-9):.1%} of plain; "
            f"flagged obfuscated {float(got['obfuscated'].mean()):.1%}"
        )
    everyday = test[test["label"] == content.NONE]
    for name, change in (("plain", str), ("look-alike letters", look_alikes)):
        got = content.classify_prompts(everyday["text"].map(change))
        print(
            f"everyday prompts, {name}: called distillation "
            f"{float((got['intent'] != content.NONE).mean()):.1%}, flagged obfuscated "
            f"{float(got['obfuscated'].mean()):.1%} ({len(everyday)})"
        )


def realistic_prompts(n: int, seed: int = 0) -> pd.Series:
    """``n`` distinct prompts from the frozen and calibration sets, cut to lengths drawn
    log-uniformly from 5 to 2,000 characters (chat traffic is mostly short)."""
    rng = np.random.default_rng(seed)
    pool = pd.concat(
        [
            content.load_corpus(DATA / "frozen" / "test.jsonl")["text"],
            content.load_corpus(DATA / "heldout.jsonl")["text"],
        ]
    ).to_numpy()
    first = pool[rng.integers(0, len(pool), n)]
    second = pool[rng.integers(0, len(pool), n)]
    lengths = np.exp(rng.uniform(np.log(5), np.log(2000), n)).astype(int)
    texts = pd.Series(first).str.cat(pd.Series(second), sep="\n\n")
    cut = pd.Series([t[:k] for t, k in zip(texts, lengths, strict=True)])  # bench-side only
    return cut + " #" + pd.Series(np.arange(n)).astype(str)


def main() -> None:
    t0 = time.perf_counter()
    content.default_model()
    load_s = time.perf_counter() - t0
    frozen()
    held = content.load_corpus(DATA / "heldout.jsonl")
    table("calibration set (heldout.jsonl; tuned on)", held, content.classify_prompts(held["text"]))
    print(f"\nmodel load: {load_s:.2f} s")
    prompts = realistic_prompts(N_PROMPTS)
    t0 = time.perf_counter()
    content.classify_prompts(prompts)
    dt = time.perf_counter() - t0
    print(
        f"throughput, {N_PROMPTS:,} distinct prompts (mean {prompts.str.len().mean():.0f} "
        f"chars): {N_PROMPTS / dt:,.0f} prompts/s ({dt:.2f} s)"
    )


if __name__ == "__main__":
    main()
