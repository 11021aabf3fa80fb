"""Train the prompt-intent model and freeze it into the package.

Deterministic: the same corpus gives the same weights. It builds ``train.jsonl`` with
``build_corpus.py`` first. Run from the repository root after changing the corpus banks or
the text preparation or features (``linkage/detect/prompt_text.py``,
``linkage/detect/intent_features.py``)::

    .venv/bin/python data/intent/train_model.py

It writes ``linkage/detect/intent_model.npz`` and prints its SHA-256, which goes into
``MODEL_SHA256`` in ``linkage/detect/content.py`` (a test holds the two together, so a
changed model is always a reviewed change). Training data: ``train.jsonl``; calibration
(the softmax temperature): ``heldout.jsonl``. The frozen test set (``frozen/``) is never
read here.
"""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

from linkage.detect import content

HERE = Path(__file__).resolve().parent


def build_corpus(target: Path) -> None:
    """Write the training corpus with ``build_corpus.py`` (deterministic)."""
    spec = importlib.util.spec_from_file_location("build_corpus", HERE / "build_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(target)


def main() -> None:
    started = time.perf_counter()
    build_corpus(HERE / "train.jsonl")
    model = content.train_default()
    data = model.to_bytes()
    content.MODEL_FILE.write_bytes(data)
    print(
        f"{content.MODEL_FILE} ({len(data) / 1e6:.2f} MB) in {time.perf_counter() - started:.1f} s; "
        f"temperature {model.temperature}"
    )
    print(f'MODEL_SHA256 = "{content.model_checksum(data)}"')


if __name__ == "__main__":
    main()
