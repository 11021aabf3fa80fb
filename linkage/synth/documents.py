"""Pasted material and what people ask about it: the prompts of the ``pasters`` group.

A paster pastes a document (an email, an article, a story, a report, meeting
notes, a contract or a code file) of 300 to 3,000 characters and asks to
summarise, translate, proofread, answer, extract from or explain it, in their
own language. Documents are built from ``vocab/pastes.json``: a head, body parts
drawn without repeats until the document reaches its drawn length, and a foot;
names, places, dates and amounts are drawn per document and per part, so no two
pastes are alike even when their instructions are.

Examples
--------
>>> rng = np.random.default_rng(0)
>>> lang = np.array([LANG["en"], LANG["es"], LANG["ja"]], dtype=np.int8)
>>> text, kind, lang_out = paster_prompts(rng, np.arange(3), lang)
>>> bool((np.array([len(t) for t in text]) >= MIN_CHARS).all())
True
>>> [LANGUAGE_CODES[i] for i in lang_out]
['en', 'es', 'ja']
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple

import numpy as np

from linkage.synth.content import EN, LANG, Kind
from linkage.synth.people import FIRST_BANK, LAST_BANK
from linkage.synth.text import NUMBER_TEXT, Arr, as_objects, fill, pick
from linkage.synth.vocabulary import CITIES, LANGUAGE_CODES, NAME_FIRST, NAME_SECOND, PASTES

MIN_CHARS = 300
"""Shortest pasted document, in characters."""
MAX_CHARS = 3000
"""Longest pasted document, in characters."""
_DENSE = {LANG["zh"], LANG["ja"]}  # a character says about three times as much: shorter pastes
_DENSE_MAX = 900

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")  # fmt: skip
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_NOUNS = ("order", "invoice", "customer", "booking", "ticket", "product", "user", "payment",
          "shipment", "report", "member", "device")  # fmt: skip
_FIELDS = ("price", "status", "country", "category", "amount", "score", "city", "owner")
_TASK_KINDS = {
    "summarise": Kind.CHAT,
    "translate": Kind.REWRITE,
    "proofread": Kind.REWRITE,
    "reply": Kind.REWRITE,
    "extract": Kind.CHAT,
    "questions": Kind.CHAT,
    "explain_code": Kind.CODE,
    "review_code": Kind.CODE,
}


@cache
def slot_banks() -> dict[str, Arr]:
    """Every bank a ``{@slot}`` of the generator's free text may draw from."""
    amounts = [round(25 * 1.04**k, -1 if k < 90 else -2) for k in range(190)]  # 25 .. 40,000
    money = [f"{sym}{int(v):,}" for v in amounts for sym in ("€", "$", "£")]
    banks = {
        "first": FIRST_BANK,
        "last": LAST_BANK,
        "city": as_objects(CITIES),
        "company": as_objects([f"{a} {b}" for a in NAME_FIRST for b in NAME_SECOND]),
        "num": NUMBER_TEXT[2:60],
        "big": NUMBER_TEXT[100:10_000],
        "pct": NUMBER_TEXT[2:45],
        "amount": as_objects(money),
        "date": as_objects([f"{d} {m}" for m in _MONTHS for d in range(1, 29)]),
        "ndate": as_objects([f"{d}/{m}" for m in range(1, 13) for d in range(1, 29)]),
        "weekday": as_objects(_WEEKDAYS[:5]),
        "month": as_objects(_MONTHS),
        "year": NUMBER_TEXT[2012:2027],
        "time": as_objects([f"{h:02d}:{m:02d}" for h in range(8, 19) for m in (0, 15, 30, 45)]),
    }
    banks |= _codes()
    banks |= {name: as_objects(words) for name, words in PASTES["banks"].items()}
    return banks


def _codes() -> dict[str, Arr]:
    """References, order and tracking numbers, commit hashes: spread by a fixed arithmetic rule.

    They are word banks like the others (drawn from the run's streams when used),
    made by multiplying counters by large odd numbers instead of being typed in.
    """
    k = np.arange(4000, dtype=np.int64)
    spread = (k * 2_654_435_761 + 40_503) % 2**32
    letters = np.frombuffer(b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789", dtype=np.uint8)
    ref = np.stack([letters[(spread >> (5 * j)) & 31] for j in range(6)], axis=1)
    return {
        "ref": as_objects([bytes(row).decode() for row in ref]),
        "order": as_objects([str(10_000_000 + v % 90_000_000) for v in spread]),
        "tracking": as_objects([f"JJD{v % 10**12:012d}" for v in spread * 7919]),
        "postcode": as_objects([f"{10_000 + v % 89_999:05d}" for v in spread[:2000]]),
        "sha": as_objects([f"{v % 16**7:07x}" for v in spread]),
        "claimref": as_objects([f"CL-{200_000 + v % 800_000}" for v in spread]),
        "last4": NUMBER_TEXT[1000:10_000],
        "price": NUMBER_TEXT[15:1500],
        "small": NUMBER_TEXT[1:9],
        "digit": NUMBER_TEXT[0:10],
        "line": NUMBER_TEXT[3:480],
        "pr": NUMBER_TEXT[12:4000],
    }


class _Shelf(NamedTuple):
    """Every document bank's heads, bodies and feet in flat lists, with each bank's range."""

    keys: tuple[tuple[str, str], ...]  # (language, document type) of every bank
    heads: tuple[str, ...]
    bodies: tuple[str, ...]
    feet: tuple[str, ...]
    head_at: Arr  # (banks, 2): first index and count in heads
    body_at: Arr
    foot_at: Arr
    joiner: Arr  # per bank: 0 sentence, 1 line, 2 block, 3 none


_JOINERS = ("sentence", "line", "block", "none")


@cache
def _shelf() -> _Shelf:
    keys: list[tuple[str, str]] = []
    parts: dict[str, list[str]] = {"head": [], "body": [], "foot": []}
    at: dict[str, list[tuple[int, int]]] = {"head": [], "body": [], "foot": []}
    joiner = []
    for lang, docs in PASTES["documents"].items():
        for doc_type, spec in docs.items():
            keys.append((lang, doc_type))
            joiner.append(_JOINERS.index(spec["joiner"]))
            for part in ("head", "body", "foot"):
                at[part].append((len(parts[part]), len(spec[part])))
                parts[part].extend(spec[part])
    return _Shelf(
        tuple(keys),
        tuple(parts["head"]),
        tuple(parts["body"]),
        tuple(parts["foot"]),
        np.array(at["head"]),
        np.array(at["body"]),
        np.array(at["foot"]),
        np.array(joiner),
    )


def _lengths(text: Arr) -> Arr:
    return np.fromiter(map(len, text), dtype=np.int64, count=len(text))


def _one_of(rng: np.random.Generator, at: Arr, bank: Arr) -> Arr:
    """A random entry of each row's bank: index into the flat list."""
    return at[bank, 0] + (rng.random(len(bank)) * at[bank, 1]).astype(np.int64)


def documents(rng: np.random.Generator, bank: Arr, target: Arr, given: dict[str, Arr]) -> Arr:
    """Documents of the banks ``bank`` (see :func:`_shelf`), each about ``target`` characters.

    Body parts are taken in a random order without repeats and added while the
    document is shorter than its target and would stay within ``MAX_CHARS``.
    ``given`` holds values drawn once per document (sender, recipient, company, ...).
    """
    shelf, banks = _shelf(), slot_banks()
    m = len(bank)
    head = fill(rng, shelf.heads, _one_of(rng, shelf.head_at, bank), banks, given)
    foot = fill(rng, shelf.feet, _one_of(rng, shelf.foot_at, bank), banks, given)
    length = _lengths(head) + _lengths(foot)
    parts: list[list[str]] = [[h] for h in head]  # joined once at the end
    ends_line = np.array([h.endswith("\n") for h in head], dtype=bool)
    n_body = shelf.body_at[bank, 1]
    keys = rng.random((m, int(n_body.max())))
    keys[np.arange(keys.shape[1])[None, :] >= n_body[:, None]] = 2.0  # past the bank: last
    order = np.argsort(keys, axis=1)
    joiner = shelf.joiner[bank]
    growing = np.ones(m, dtype=bool)
    for k in range(keys.shape[1]):
        growing &= (length < target) & (k < n_body)
        idx = np.flatnonzero(growing)
        if not len(idx):
            break
        given_k = {name: values[idx] for name, values in given.items()}
        given_k["clause"] = np.full(len(idx), NUMBER_TEXT[k + 1], dtype=object)
        piece = fill(rng, shelf.bodies, shelf.body_at[bank[idx], 0] + order[idx, k], banks, given_k)
        starts_line = np.array([p.startswith("\n") for p in piece], dtype=bool)
        after_line = ends_line[idx]
        sep = np.select(
            [joiner[idx] == 0, joiner[idx] == 1, joiner[idx] == 2],
            [
                np.where(after_line | starts_line, "", " "),
                np.where(after_line, "", "\n"),
                np.full(len(idx), "\n\n"),
            ],
            "",
        ).astype(object)
        added = _lengths(sep) + _lengths(piece)
        fits = length[idx] + added <= MAX_CHARS
        for i, before, text in zip(idx[fits], sep[fits], piece[fits], strict=True):
            parts[i].append(before)
            parts[i].append(text)
        ends_line[idx[fits]] = [p.endswith("\n") for p in piece[fits]]
        length[idx[fits]] += added[fits]
        growing[idx[~fits]] = False
    return as_objects(["".join(p) for p in parts]) + foot


def _doc_values(rng: np.random.Generator, n: int) -> dict[str, Arr]:
    """Values a document keeps throughout: who writes to whom, the company, the code's nouns."""
    banks = slot_banks()
    noun = rng.integers(0, len(_NOUNS), n)
    return {
        "sender": pick(rng, banks["first"], n),
        "recipient": pick(rng, banks["first"], n),
        "company": pick(rng, banks["company"], n),
        "project": pick(rng, banks["project"], n),
        "noun": as_objects(_NOUNS)[noun],
        "Noun": as_objects([w.capitalize() for w in _NOUNS])[noun],
        "field": pick(rng, as_objects(_FIELDS), n),
    }


@cache
def _instruction_templates() -> tuple[tuple[str, ...], dict[tuple[str, str], tuple[int, int]]]:
    """Every instruction template in one list, and each (language, task)'s range in it."""
    flat: list[str] = []
    at: dict[tuple[str, str], tuple[int, int]] = {}
    for lang, spec in PASTES["instructions"].items():
        for task, templates in spec["tasks"].items():
            at[(lang, task)] = (len(flat), len(templates))
            flat.extend(templates)
    return tuple(flat), at


def _choose(rng: np.random.Generator, weights: dict[str, float], n: int) -> Arr:
    names = list(weights)
    p = np.array([weights[k] for k in names], dtype=float)
    return as_objects(names)[rng.choice(len(names), n, p=p / p.sum())]


def paster_prompts(
    rng: np.random.Generator, acct: Arr, lang_of_account: Arr
) -> tuple[Arr, Arr, Arr]:
    """Prompts, kinds and languages of pasters' requests (``acct``: account of each request).

    Each account writes in its language (``lang_of_account``; English where the
    word banks have no instructions in it). Writers of other languages paste a
    document in their own language half the time (email, article or notes) and an
    English one otherwise; translations go from the document's language to the other.
    """
    n = len(acct)
    shelf = _shelf()
    banks = slot_banks()
    instructions = PASTES["instructions"]
    codes = as_objects(list(LANGUAGE_CODES))
    writer = np.asarray(lang_of_account, dtype=np.int8)[acct].copy()
    writer[~np.isin(codes[writer], list(instructions))] = EN
    doc_type = _choose(rng, PASTES["document_mix"], n)
    own_doc = (writer != EN) & (rng.random(n) < 0.5)
    bank_of = {key: i for i, key in enumerate(shelf.keys)}
    bank = np.array([bank_of[("en", t)] for t in doc_type], dtype=np.int64)
    own_bank = np.array(
        [bank_of.get((LANGUAGE_CODES[w], t), -1) for w, t in zip(writer, doc_type, strict=True)],
        dtype=np.int64,
    )
    own_doc &= own_bank >= 0
    bank[own_doc] = own_bank[own_doc]
    dense = np.isin(writer, list(_DENSE)) & own_doc
    top = np.where(dense, _DENSE_MAX, MAX_CHARS)
    target = np.exp(rng.uniform(np.log(MIN_CHARS), np.log(top))).astype(np.int64)
    given = _doc_values(rng, n)
    doc = documents(rng, bank, np.maximum(target, MIN_CHARS), given)

    task = np.empty(n, dtype=object)
    for t in np.unique(doc_type):
        idx = np.flatnonzero(doc_type == t)
        task[idx] = _choose(rng, PASTES["task_mix"][t], len(idx))
    what = np.empty(n, dtype=object)
    what_a = np.empty(n, dtype=object)
    target_lang = np.empty(n, dtype=object)
    flat, at = _instruction_templates()
    which = np.empty(n, dtype=np.int64)
    for w in np.unique(writer):
        idx = np.flatnonzero(writer == w)
        spec: dict[str, Any] = instructions[LANGUAGE_CODES[w]]
        what[idx] = as_objects([spec["what"][t] for t in doc_type[idx]])
        what_a[idx] = as_objects([spec.get("what_a", spec["what"])[t] for t in doc_type[idx]])
        names = spec["names"]
        if w == EN:
            target_lang[idx] = pick(rng, as_objects(names["targets"]), len(idx))
        else:
            target_lang[idx] = np.where(own_doc[idx], names["english"], names["own"])
        for t in np.unique(task[idx]):
            sub = idx[task[idx] == t]
            start, count = at[(LANGUAGE_CODES[w], t)]
            which[sub] = start + rng.integers(0, count, len(sub))
    plang = np.where(doc_type == "code_python", "Python", "JavaScript").astype(object)
    ask = {"doc": doc, "what": what, "what_a": what_a, "lang": target_lang, "plang": plang}
    text = fill(rng, flat, which, banks, ask)
    kind = np.array([_TASK_KINDS[t] for t in task], dtype=np.int8)
    return text, kind, writer
