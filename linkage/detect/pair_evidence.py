"""Evidence rows about account pairs, the currency between the stages that find evidence
(shared attributes, busy-IP pools, similarity) and the one that combines it into links.

Examples
--------
>>> rows = PairEvidence(np.array([0, 2]), np.array([1, 3]), "ip_pool", np.array([0.5, 0.4]),
...                     np.array([3, 4]))
>>> rows.lower_in(1, 3).a.tolist()
[2]
>>> COMBINATION_KINDS.index("template_tail") == len(ATTRIBUTE_TYPES)
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from linkage.kinds import ATTRIBUTE_TYPES, PAIR_EVIDENCE

COMBINATION_KINDS = (*ATTRIBUTE_TYPES, "template_tail", *PAIR_EVIDENCE)
"""The kinds evidence is combined by: every attribute kind, a template's tail apart from
its head, and pair evidence. A row's kind code is its position here."""


@dataclass
class PairEvidence:
    """Evidence rows about account pairs, by account code (a < b) and combination kind."""

    a: np.ndarray
    b: np.ndarray
    kind: str
    contribution: np.ndarray
    shared: np.ndarray
    """How many values the row stands for (1 per shared value, n for a pool of n IPs)."""
    kinds: np.ndarray | None = None
    """Per-row kind codes when the rows mix kinds (attribute pairs)."""

    @classmethod
    def empty(cls, kind: str) -> PairEvidence:
        """No rows of ``kind``."""
        none = np.empty(0, np.int64)
        return cls(none, none.copy(), kind, np.empty(0), none.copy())

    def lower_in(self, low: int, high: int) -> PairEvidence:
        """The rows whose lower account code ``a`` is in ``low..high-1``, in order."""
        keep = (self.a >= low) & (self.a < high)
        return PairEvidence(
            self.a[keep],
            self.b[keep],
            self.kind,
            self.contribution[keep],
            self.shared[keep],
            self.kinds[keep] if self.kinds is not None else None,
        )
