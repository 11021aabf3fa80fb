"""The prompt-intent classifier (linkage.detect.content) on its separately written held-out set."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

from linkage.detect import content

DATA = Path(__file__).resolve().parents[1] / "data" / "intent"


def _check_overlap_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_overlap", DATA / "check_overlap.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def heldout() -> pd.DataFrame:
    return content.load_corpus(DATA / "heldout.jsonl")


@pytest.fixture(scope="module")
def predicted(heldout: pd.DataFrame) -> pd.DataFrame:
    return content.classify_prompts(heldout["text"])


def _f1(truth: pd.Series, pred: pd.Series, label: str) -> float:
    tp = float(((truth == label) & (pred == label)).sum())
    fp = float(((truth != label) & (pred == label)).sum())
    fn = float(((truth == label) & (pred != label)).sum())
    return 2 * tp / max(2 * tp + fp + fn, 1.0)


def test_corpora_have_the_promised_shape(heldout: pd.DataFrame) -> None:
    train = content.load_corpus(content.training_file())
    counts = train["label"].value_counts()
    assert set(counts.index) == {*content.INTENTS, content.NONE}
    assert all(counts[name] >= 600 for name in content.INTENTS)
    assert counts[content.NONE] >= 2500
    assert train["lang"].nunique() >= 8
    held = heldout["label"].value_counts()
    assert all(held[name] >= 150 for name in content.INTENTS)
    assert held[content.NONE] >= 600


@pytest.mark.parametrize("intent", content.INTENTS)
def test_heldout_f1_per_intent(heldout: pd.DataFrame, predicted: pd.DataFrame, intent: str) -> None:
    assert _f1(heldout["label"], predicted["intent"], intent) >= 0.9


def test_everyday_prompts_are_rarely_flagged(
    heldout: pd.DataFrame, predicted: pd.DataFrame
) -> None:
    none = heldout["label"] == content.NONE
    false_positive_rate = (predicted.loc[none, "intent"] != content.NONE).mean()
    assert false_positive_rate <= 0.01


def test_heldout_has_no_near_duplicate_of_training() -> None:
    check = _check_overlap_module()
    train = content.load_corpus(content.training_file())["text"].tolist()
    held = content.load_corpus(DATA / "heldout.jsonl")["text"].tolist()
    best, _ = check.max_jaccard(held, train)
    assert best.max() < check.THRESHOLD


def test_training_and_scoring_are_deterministic(heldout: pd.DataFrame) -> None:
    train = content.load_corpus(content.training_file())
    one = content.train(train["text"].tolist(), train["label"].tolist())
    two = content.train(train["text"].tolist(), train["label"].tolist())
    assert np.array_equal(one.weights, two.weights)
    assert np.array_equal(one.bias, two.bias)
    sample = heldout["text"].head(200)
    pd.testing.assert_frame_equal(
        content.classify_prompts(sample, one), content.classify_prompts(sample, two)
    )
    pd.testing.assert_frame_equal(
        content.classify_prompts(sample), content.classify_prompts(sample)
    )


def test_output_shape_missing_and_duplicate_prompts() -> None:
    grading = "Grade this answer from 1 to 10: Paris is the capital of Italy."
    prompts = pd.Series([None, "", "   ", grading, np.nan, grading], index=[10, 11, 12, 13, 14, 15])
    out = content.classify_prompts(prompts)
    assert list(out.index) == list(prompts.index)
    assert list(out.columns) == [f"intent_{name}" for name in content.INTENTS] + ["intent"]
    blank = out.loc[[10, 11, 12, 14]]
    assert (blank["intent"] == content.NONE).all()
    assert (blank.drop(columns="intent").to_numpy() == 0).all()
    scores = out.drop(columns="intent").to_numpy()
    assert ((scores >= 0) & (scores <= 1)).all()
    pd.testing.assert_series_equal(out.loc[13], out.loc[15], check_names=False)
    empty = content.classify_prompts(pd.Series([], dtype=object))
    assert empty.empty and list(empty.columns) == list(out.columns)


def test_long_prompts_are_judged_on_head_and_tail() -> None:
    code = "def f(x):\n    return x\n" * 400  # a long paste in the middle
    agent = (
        "You are a coding agent in this repository. Tools: read_file, edit_file, run_tests.\n"
        + code
        + "\nRun the test suite, fix the failing tests and output the final diff."
    )
    assert content.classify_prompts(pd.Series([agent]))["intent"].iloc[0] == "coding"
