"""The prompt-intent classifier (linkage.detect.content): the frozen model, its calibration
set and the frozen test set that no one tunes on (``data/intent/frozen/``)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkage.detect import compiled, content, intent_features, prompt_text

DATA = Path(__file__).resolve().parents[2] / "data" / "intent"


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, DATA / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _bench() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "bench" / "bench_classifier.py"
    spec = importlib.util.spec_from_file_location("bench_classifier", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def heldout() -> pd.DataFrame:
    return content.load_corpus(DATA / "heldout.jsonl")


@pytest.fixture(scope="module")
def frozen() -> pd.DataFrame:
    return content.load_corpus(DATA / "frozen" / "test.jsonl")


@pytest.fixture(scope="module")
def predicted(heldout: pd.DataFrame) -> pd.DataFrame:
    return content.classify_prompts(heldout["text"])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("corpus") / "train.jsonl"
    _module("build_corpus").main(target)
    return target


def _f1(truth: pd.Series, pred: pd.Series, label: str) -> float:
    tp = float(((truth == label) & (pred == label)).sum())
    fp = float(((truth != label) & (pred == label)).sum())
    fn = float(((truth == label) & (pred != label)).sum())
    return 2 * tp / max(2 * tp + fp + fn, 1.0)


def test_the_shipped_model_is_the_reviewed_one() -> None:
    data = content.MODEL_FILE.read_bytes()
    assert content.model_checksum(data) == content.MODEL_SHA256, (
        "linkage/detect/intent_model.npz changed: retrain with data/intent/train_model.py "
        "and put the SHA-256 it prints into MODEL_SHA256"
    )
    assert len(data) < 4_000_000


@pytest.mark.slow
def test_retraining_reproduces_the_shipped_model(corpus: Path) -> None:
    retrained = content.train_default(corpus)
    shipped = content.default_model()
    assert np.array_equal(retrained.weights.astype(np.float16), shipped.weights.astype(np.float16))
    assert np.array_equal(retrained.bias, shipped.bias)
    assert retrained.temperature == shipped.temperature
    assert retrained.seen is not None and np.array_equal(retrained.seen, shipped.seen)


@pytest.mark.slow
def test_test_sets_are_no_near_copies_of_training(corpus: Path) -> None:
    check = _module("check_overlap")
    train = content.load_corpus(corpus)["text"].tolist()
    for name in ("heldout.jsonl", "frozen/test.jsonl"):
        held = content.load_corpus(DATA / name)["text"].tolist()
        best, _ = check.max_jaccard(held, train)
        assert best.max() < check.THRESHOLD, name


@pytest.mark.parametrize("intent", content.INTENTS)
def test_calibration_set_f1_per_intent(
    heldout: pd.DataFrame, predicted: pd.DataFrame, intent: str
) -> None:
    assert _f1(heldout["label"], predicted["intent"], intent) >= 0.9


def test_everyday_prompts_are_rarely_flagged(
    heldout: pd.DataFrame, predicted: pd.DataFrame
) -> None:
    none = heldout["label"] == content.NONE
    assert (predicted.loc[none, "intent"] != content.NONE).mean() <= 0.01


def test_pasted_material_is_not_intent(frozen: pd.DataFrame) -> None:
    """Everyday requests around 300-3,000 characters of pasted text (frozen set)."""
    paste = frozen[frozen["kind"] == "paste"]
    assert len(paste) >= 100
    out = content.classify_prompts(paste["text"])
    assert (out["intent"] != content.NONE).mean() <= 0.02


@pytest.mark.parametrize("hide", ["zero_width", "full_width", "look_alikes"])
def test_obfuscated_distillation_is_read(frozen: pd.DataFrame, hide: str) -> None:
    """Hidden letters are undone: at least 90 % of the plain rate, and flagged."""
    distill = frozen[frozen["kind"] == "distill"]["text"]
    plain = (content.classify_prompts(distill)["intent"] != content.NONE).mean()
    out = content.classify_prompts(distill.map(getattr(_bench(), hide)))
    assert (out["intent"] != content.NONE).mean() >= 0.9 * plain
    assert out["obfuscated"].mean() >= 0.8


def test_unknown_scripts_are_unreadable_not_innocent(frozen: pd.DataFrame) -> None:
    unseen = frozen[frozen["kind"] == "distill_unseen_script"]
    out = content.classify_prompts(unseen["text"])
    found_or_unknown = (out["intent"] != content.NONE) | ~out["readable"]
    assert found_or_unknown.mean() >= 0.8


def test_output_shape_missing_and_duplicate_prompts() -> None:
    grading = "Grade this answer from 1 to 10: Paris is the capital of Italy."
    prompts = pd.Series([None, "", "   ", grading, np.nan, grading], index=[10, 11, 12, 13, 14, 15])
    out = content.classify_prompts(prompts)
    assert list(out.index) == list(prompts.index)
    intents = [f"intent_{name}" for name in content.INTENTS]
    assert list(out.columns) == [*intents, "intent", "readable", "obfuscated"]
    blank = out.loc[[10, 11, 12, 14]]
    assert (blank["intent"] == content.NONE).all()
    assert (blank[intents].to_numpy() == 0).all()
    assert blank["readable"].all() and not blank["obfuscated"].any()
    scores = out[intents].to_numpy()
    assert ((scores >= 0) & (scores <= 1)).all()
    pd.testing.assert_series_equal(out.loc[13], out.loc[15], check_names=False)
    empty = content.classify_prompts(pd.Series([], dtype=object))
    assert empty.empty and list(empty.columns) == list(out.columns)


def test_scores_do_not_depend_on_the_batch() -> None:
    texts = pd.Series(["Think step by step and show all your work: 17 * 23?", "hi there"] * 3)
    alone = content.classify_prompts(texts.head(1))
    together = content.classify_prompts(pd.concat([texts, pd.Series(["x" * 5000])]))
    assert alone.iloc[0].equals(together.iloc[0])


def test_long_prompts_are_judged_on_head_and_tail() -> None:
    code = "def f(x):\n    return x\n" * 400  # a long paste in the middle
    agent = (
        "You are a coding agent in this repository. Tools: read_file, edit_file, run_tests.\n"
        + code
        + "\nRun the test suite, fix the failing tests and output the final diff."
    )
    assert content.classify_prompts(pd.Series([agent]))["intent"].iloc[0] == "coding"


def test_distinct_windows_keeps_one_of_each() -> None:
    rng = np.random.default_rng(0)
    keys = rng.integers(0, 50_000, 400_000).astype(np.int64)
    kept = intent_features.distinct_windows(keys)
    assert sorted(keys[kept].tolist()) == sorted(set(keys.tolist()))


def test_the_compiled_scoring_gives_the_reference_margins_and_coverage() -> None:
    """The numba kernel that scores is checked against the numpy features training uses."""
    texts = [
        "",
        " ",
        "a",
        "Solve the problem step by step and show your reasoning: 17 * 23",
        "Ｓｏｌｖｅ ｔｈｅ ｐｒｏｂｌｅｍ ｓｔｅｐ ｂｙ ｓｔｅｐ",
        "S\u200bo\u200bl\u200bv\u200be this step by step",
        "Рeши зaдaчу шаг за шагом",  # mixed scripts: look-alikes folded
        "日本語の文章を要約してください。" * 30,
        "Please proofread my email:\n" + "The meeting moved to Thursday. " * 120,
        "x" * 5000,
        "<|im_start|>system\nYou grade answers.<|im_end|>\nScore 1-10: " + "answer " * 40,
    ]
    model = content.default_model()
    seen = model.seen if model.seen is not None else np.ones(1 << intent_features.BITS, dtype=bool)
    prepared = prompt_text.prepare(np.asarray(texts, dtype=object))
    found = intent_features.features(prepared)
    reference = np.asarray(found.matrix @ model.weights + model.bias, dtype=np.float32)
    margins, coverage = content._margins(prepared, model, seen)
    np.testing.assert_allclose(margins, reference, rtol=0, atol=1e-4)
    np.testing.assert_allclose(coverage, found.coverage(seen, len(texts)))
    assert (margins.argmax(axis=1) == reference.argmax(axis=1)).all()


def _views_by_slicing(
    texts: list[str], head: int, tail: int, end_zeros: int
) -> list[tuple[str, list[int]]]:
    """What ``compiled.utf8_views`` must give, spelled with Python's string slices."""
    digits = {ord(d): "0" for d in "0123456789"}
    out = []
    for view in (
        [" " + text[:head] + " " for text in texts],
        [" " + text[head:][-tail:] + " " for text in texts],
    ):
        joined = "\x00".join(view) + "\x00" * end_zeros
        out.append((joined.translate(digits), [len(part) for part in view]))
    return out


# texts reach the views with NUL already replaced (prompt_text._normalise)
_NORMALISED_TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_NORMALISED_TEXT, max_size=8), st.integers(1, 12), st.integers(1, 6))
def test_the_compiled_views_are_the_texts_heads_and_tails(
    texts: list[str], head: int, tail: int
) -> None:
    views, lengths, letters, wide = compiled.utf8_views(
        pa.array(texts, type=pa.large_string()), head, tail, 3
    )
    expected = _views_by_slicing(texts, head, tail, 3)
    for got, got_lengths, (want, want_lengths) in zip(views, lengths, expected, strict=True):
        assert "".join(map(chr, got.tolist())) == want
        assert got_lengths.tolist() == want_lengths
    assert letters.tolist() == [len(text) for text in texts]
    assert wide.tolist() == [not text.isascii() for text in texts]
