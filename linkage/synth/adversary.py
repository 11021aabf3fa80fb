"""Adversary knobs: what a careful distiller changes to look like ordinary users.

Each knob is applied to every planted campaign and removes one kind of
evidence (``clockwork`` swaps the campaigns' timing for a scheduler's precise
clock, the timing of legitimate automation); knobs combine freely, except that
``jitter`` (human schedules) overrides ``clockwork``. They change only campaign rows (and, for
``thin-indicators``, the indicators table): legitimate rows are the same with
or without them, so a knob's effect on detection can be measured alone.

``low-and-slow`` changes the campaign's shape rather than one trace: the same
harvest spread over many small heads. It brings its own human schedules
(``jitter`` adds nothing to it, ``clockwork`` has no effect), its own pool of
residential exits shared by the heads (``proxy-rotation`` adds nothing), and
fresh cards and freemail addresses for the heads, except that a share of the
heads keeps the campaign's attribution traces (its mailbox, its company cards,
its company domain), as many as without the knob, until ``unique-pay`` removes
them too. ``all`` means every knob but ``low-and-slow`` (:data:`ALL_KNOBS`), so
that figures measured under ``all`` before it existed stay comparable; name it
beside ``all`` to have both.

Examples
--------
>>> parse_adversary("jitter,paraphrase").knobs
('paraphrase', 'jitter')
>>> parse_adversary("clockwork,unique-pay").knobs
('unique-pay', 'clockwork')
>>> parse_adversary("all").knobs == ALL_KNOBS
True
>>> "low-and-slow" in parse_adversary("all")
False
>>> parse_adversary("all,low-and-slow").knobs == tuple(KNOBS)
True
>>> parse_adversary(None).knobs
()
>>> "jitter" in parse_adversary("jitter")
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

KNOBS: dict[str, str] = {
    "unique-pay": (
        "every campaign account pays with its own fresh card (own fingerprint, its "
        "holder's name and country) and signs up with its own ordinary freemail address "
        "(no shared mailbox, no +tags, no company domain)"
    ),
    "proxy-rotation": (
        "traffic exits through rotating residential proxies on ordinary users' home IPs "
        "(same ISP blocks, ip_intel kind residential): 2-40 IPs per account in turn over "
        "the window, at most 2 campaign accounts per IP"
    ),
    "paraphrase": (
        "no fixed templates: each prompt is built from a grammar (paraphrased "
        "instruction, 0-3 extra requirements in random order, varied labels and wrappers, "
        "instruction before or after the content) in English (66%), Chinese and Spanish "
        "(10% each), Russian (6%), Portuguese and Japanese (4% each)"
    ),
    "jitter": (
        "human schedules: each account has its own daily curve in its country's time "
        "zone, idle days, a weekend habit and sessions; no dispatcher, no turn-taking, "
        "no shared clock"
    ),
    "camouflage": (
        "about half of each account's requests are benign prompts drawn like ordinary "
        "users' (same personas, languages and kinds)"
    ),
    "common-client": (
        "requests carry the common SDK and browser client strings in ordinary users' "
        "shares (a usual client per account, another in 15% of requests); no harness string"
    ),
    "thin-indicators": (
        "the indicators table holds 1-2 indicators per campaign (an email or a card "
        "fingerprint of a few of its accounts, never a majority) plus decoys of other "
        "organisations matching a few legitimate accounts"
    ),
    "clockwork": (
        "each campaign's dispatcher is a scheduler on a precise clock: every account sends "
        "exactly every P seconds (one P per campaign), the accounts' phases spread evenly "
        "over P, so the campaign's requests fall on one fixed grid, load-balanced over its "
        "accounts, like cron jobs and judge pipelines; without effect under jitter (people "
        "keep no clock)"
    ),
    "low-and-slow": (
        "the same harvest spread over many small heads so that none looks like extraction "
        "on its own: 4-8 times the campaign's accounts (as many as leave 20-30 requests per "
        "head), each sending 10-40 requests over the window (the campaign's volume the same "
        "or up to a seventh lower) on a human rhythm in its home time zone (no dispatcher, "
        "no shared clock), each paying with its own fresh card in its holder's name and "
        "signed up with its own freemail address (a share of the heads keeps the campaign's "
        "mailbox, company cards or company domain, as many as without the knob, unless "
        "unique-pay), each exiting in turn through 2-6 IPs of the campaign's pool of "
        "ordinary users' home IPs (half as many IPs as heads: each IP serves about eight "
        "heads over the window); prompts stay the campaign's; jitter, clockwork and "
        "proxy-rotation add nothing to it; not part of 'all'"
    ),
}
"""Knob name -> what it does, in the order knobs are listed and recorded."""

ALL_KNOBS: tuple[str, ...] = tuple(knob for knob in KNOBS if knob != "low-and-slow")
"""What ``all`` means: every knob that removes a trace; ``low-and-slow`` reshapes the
campaigns instead and is named on its own (figures under ``all`` stay comparable)."""


@dataclass(frozen=True)
class Adversary:
    """A set of knobs, in the canonical order of :data:`KNOBS`."""

    knobs: tuple[str, ...] = ()

    def __contains__(self, knob: object) -> bool:
        return knob in self.knobs

    def describe(self) -> dict[str, str]:
        """Knob -> description, for scenario.json."""
        return {knob: KNOBS[knob] for knob in self.knobs}


NONE = Adversary()


def parse_adversary(spec: str | Iterable[str] | None) -> Adversary:
    """Knobs from ``"k1,k2"``, a list of names, ``"all"`` (:data:`ALL_KNOBS`) or nothing.

    Raises
    ------
    ValueError
        An unknown knob; the message lists the known ones.
    """
    if spec is None:
        return NONE
    names = spec.split(",") if isinstance(spec, str) else list(spec)
    wanted = {name.strip().lower() for name in names if name.strip()} - {"none"}
    if "all" in wanted:
        wanted = (wanted - {"all"}) | set(ALL_KNOBS)
    unknown = sorted(wanted - set(KNOBS))
    if unknown:
        raise ValueError(
            f"unknown adversary knob(s) {', '.join(unknown)}; choose from: {', '.join(KNOBS)}, all"
        )
    return Adversary(tuple(k for k in KNOBS if k in wanted))
