"""Kinds of exchange, languages, and the token counts that follow from them.

Every group (legitimate or planted) tags each request with a kind and a
language and draws its token counts here, from the kind alone. A campaign's
reasoning-trace prompt therefore costs what a student's step-by-step question
costs: token counts are no tell of who sent a prompt, only of what was asked.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> context, output = kind_tokens(rng, np.array([Kind.CHAT, Kind.CODE_AGENT]))
>>> bool(output[1] > output[0]), bool(context[1] > context[0])
(True, True)
>>> input_tokens(np.array([40, 40]), np.array([LANG["en"], LANG["zh"]])).tolist()
[10, 34]
"""

from __future__ import annotations

import math
from enum import IntEnum

import numpy as np

from linkage.synth.text import Arr
from linkage.synth.vocabulary import CHARS_PER_TOKEN, KIND_TOKENS, LANGUAGE_CODES


class Kind(IntEnum):
    """What an exchange asks for; the order of ``vocab/content.json``."""

    CHAT = 0
    CODE = 1
    REASON = 2  # step-by-step explanations and reasoning traces alike
    RATE = 3  # "rate this 1 to 10", rubric grading, LLM-as-judge
    REWRITE = 4
    AGENT = 5  # tool use, planning, browsing scaffolds
    VISION = 6  # screenshots and images attached
    CODE_AGENT = 7  # repository-level coding agents
    AUTOMATION = 8  # scheduled jobs
    BACKEND = 9  # a product's server relaying its users


assert [k.name.lower() for k in Kind] == [row.kind for row in KIND_TOKENS]

LANG: dict[str, int] = {code: i for i, code in enumerate(LANGUAGE_CODES)}
"""Language code -> index (English is 0)."""
EN = LANG["en"]

_CPT = np.asarray(CHARS_PER_TOKEN)
_PARAMS = np.array(
    [
        (
            math.log(k.context_median),
            k.context_sigma,
            k.context_max,
            math.log(k.output_median),
            k.output_sigma,
            k.output_max,
        )
        for k in KIND_TOKENS
    ]
)


def kind_tokens(rng: np.random.Generator, kind: Arr) -> tuple[Arr, Arr]:
    """Context tokens (beyond the prompt text) and output tokens of requests of ``kind``."""
    p = _PARAMS[np.asarray(kind, dtype=np.int64)]
    n = len(p)
    context = np.exp(p[:, 0] + p[:, 1] * rng.standard_normal(n))
    output = np.exp(p[:, 3] + p[:, 4] * rng.standard_normal(n))
    context = np.clip(np.rint(context), 1, p[:, 2]).astype(np.int64)
    output = np.clip(np.rint(output), 1, p[:, 5]).astype(np.int64)
    return context, output


def input_tokens(chars: Arr, lang: Arr) -> Arr:
    """Tokens of prompt texts of ``chars`` characters in languages ``lang`` (at least 1)."""
    return np.maximum(1, np.ceil(np.asarray(chars) / _CPT[np.asarray(lang)])).astype(np.int64)
