"""Personal data at the output edge: what a run folder must never hold, and pseudonyms.

Two guards, both applied when outputs are written, never inside detection:

* **Rejects are scrubbed** (always): every cell of ``rejects/<table>.csv``, the raw
  text of rows that did not parse included, has its card numbers replaced by
  :data:`CARD_PLACEHOLDER` (a run of 13 to 19 digits, spaces or dashes allowed between
  them, that passes the Luhn check), and long free text (prompts, raw lines) is cut to
  :data:`REJECT_TEXT_CHARS` characters. A rejected row keeps its row number, column and
  reason, which is what is needed to find and fix it in the source.

* **Redaction** (``linkage run --redact``): emails, display names, billing names,
  payment fingerprints and API key ids are replaced everywhere in the run folder by
  keyed pseudonyms, for teams that must not hold raw identifiers outside their system
  of record. A pseudonym is ``<kind>:`` and the first 16 hex digits of
  HMAC-SHA256(key, value) under the key in ``$LINKAGE_REDACTION_KEY`` (at least 16
  bytes): the same value gives the same pseudonym in every file and every run under
  the same key (so clusters can still be compared), and whoever holds the key can
  compute the pseudonym of a value they hold to look it up. Email domains, IPs,
  networks, client strings, prompt templates and account ids are kept. The STIX bundle
  is built from the raw values before redaction (it carries keyed hashes under the
  sharing key, never raw values, so partners can still match).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import os
import re
from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from linkage.errors import LinkageError
from linkage.run_model import Run

CARD_PLACEHOLDER = "[card number withheld]"
REJECT_TEXT_CHARS = 200
"""Prompts and raw lines in the rejects are cut to this many characters."""
LONG_TEXT_COLUMNS = ("prompt", "_raw_line")

REDACTION_KEY_ENV = "LINKAGE_REDACTION_KEY"
MIN_KEY_BYTES = 16
RAW_LINE_WITHHELD = "[raw line withheld: --redact]"

_DIGIT_RUN = re.compile(r"(?<!\d)\d(?:[ \-]?\d){12,}(?!\d)")
_GROUP = re.compile(r"\d+")


class RedactionKeyError(LinkageError):
    """--redact was asked for without a usable key."""


# --- card numbers --------------------------------------------------------------------------


def luhn_valid(digits: str) -> bool:
    """Whether a string of digits passes the Luhn check (card numbers do).

    Examples
    --------
    >>> luhn_valid("4111111111111111"), luhn_valid("4111111111111112")
    (True, False)
    """
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _is_card(digits: str) -> bool:
    return 13 <= len(digits) <= 19 and luhn_valid(digits)


def _card_spans(run: str, offset: int) -> list[tuple[int, int]]:
    """Spans of card numbers in one run of digits (with spaces or dashes between them)."""
    if _is_card(re.sub(r"\D", "", run)):
        return [(offset, offset + len(run))]
    # a longer run (a card followed by its expiry, say): consecutive groups that make a card
    groups = [(m.start(), m.end()) for m in _GROUP.finditer(run)]
    spans: list[tuple[int, int]] = []
    first = 0
    while first < len(groups):
        found = None
        digits = ""
        for last in range(first, len(groups)):
            digits += run[groups[last][0] : groups[last][1]]
            if len(digits) > 19:
                break
            if _is_card(digits):
                found = last
        if found is None:
            first += 1
            continue
        spans.append((offset + groups[first][0], offset + groups[found][1]))
        first = found + 1
    return spans


def scrub_card_numbers(text: str) -> str:
    """``text`` with every card number replaced by :data:`CARD_PLACEHOLDER`.

    Examples
    --------
    >>> scrub_card_numbers("pay 4111 1111 1111 1111 now, ref 4111-1111-1111-1112")
    'pay [card number withheld] now, ref 4111-1111-1111-1112'
    >>> scrub_card_numbers("a,5500005555555559,2026-10-01,4111111111111111 1226")
    'a,[card number withheld],2026-10-01,[card number withheld] 1226'
    """
    spans: list[tuple[int, int]] = []
    for match in _DIGIT_RUN.finditer(text):
        spans.extend(_card_spans(match.group(0), match.start()))
    if not spans:
        return text
    pieces, cursor = [], 0
    for start, end in spans:
        pieces.append(text[cursor:start] + CARD_PLACEHOLDER)
        cursor = end
    return "".join(pieces) + text[cursor:]


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def scrub_rejects(rejects: pd.DataFrame) -> pd.DataFrame:
    """A rejects table safe to write: card numbers withheld, prompts and raw lines cut.

    Examples
    --------
    >>> rows = pd.DataFrame({"_row": [3], "billing_name": ["Ann 4111111111111111"],
    ...                      "prompt": ["x" * 500], "_reason": ["bad"]})
    >>> clean = scrub_rejects(rows)
    >>> clean.loc[0, "billing_name"], len(clean.loc[0, "prompt"])
    ('Ann [card number withheld]', 201)
    """
    clean = rejects.copy()
    for column in clean.columns:
        values = clean[column]
        if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values):
            continue
        present = values.notna()
        if not present.any():
            continue
        text = values[present].astype("str")
        # scrub first: a cut could leave part of a card number that no longer looks like one
        candidates = text.str.contains(r"\d", regex=True)
        if candidates.any():
            text = text.where(~candidates, text[candidates].map(scrub_card_numbers))
        if column in LONG_TEXT_COLUMNS:
            text = text.map(lambda t: _cut(t, REJECT_TEXT_CHARS))
        clean[column] = values.astype("object").where(~present, text)
    return clean


# --- redaction -----------------------------------------------------------------------------


def redaction_key_from_env(environ: Mapping[str, str] | None = None) -> bytes:
    """The redaction key from ``$LINKAGE_REDACTION_KEY``; checked before any work is done."""
    value = (os.environ if environ is None else environ).get(REDACTION_KEY_ENV, "")
    if not value:
        raise RedactionKeyError(
            f"--redact needs a key: set {REDACTION_KEY_ENV} (at least {MIN_KEY_BYTES} bytes, "
            f'e.g. export {REDACTION_KEY_ENV}="$(openssl rand -hex 32)") and keep it with '
            "your system of record"
        )
    key = value.encode("utf-8")
    if len(key) < MIN_KEY_BYTES:
        raise RedactionKeyError(
            f"{REDACTION_KEY_ENV} is {len(key)} bytes; use at least {MIN_KEY_BYTES} "
            f'(e.g. export {REDACTION_KEY_ENV}="$(openssl rand -hex 32)")'
        )
    return key


def pseudonym(key: bytes, kind: str, value: str) -> str:
    """The keyed pseudonym of ``value``: ``kind:`` + 16 hex digits of HMAC-SHA256.

    The digest covers the value alone, so one value has one digest whatever its kind.

    Examples
    --------
    >>> key = b"0123456789abcdef"
    >>> pseudonym(key, "email", "ann@example.org") == pseudonym(key, "email", "ann@example.org")
    True
    >>> pseudonym(key, "email", "ann@example.org")[:6]
    'email:'
    """
    digest = hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{kind}:{digest[:16]}"


class Pseudonymiser:
    """Replaces identifiers by their pseudonyms, each distinct value hashed once."""

    def __init__(self, key: bytes) -> None:
        self.key = key

    def series(self, values: pd.Series, kind: str) -> pd.Series:
        present = values.notna() & (values.astype("str").str.len() > 0)
        if not present.any():
            return values
        codes, uniques = pd.factorize(values[present].astype("str"))
        names = [pseudonym(self.key, kind, str(u)) for u in uniques]
        result = values.astype("object").copy()
        result[present] = [names[c] for c in codes]
        return result

    def value(self, value: Any, kind: str) -> Any:
        if value is None or (isinstance(value, float) and value != value) or value == "":
            return value
        return pseudonym(self.key, kind, str(value))


REDACTED_ACCOUNT_COLUMNS = {"email": "email", "email_canonical": "email", "display_name": "name"}
REDACTED_PAYMENT_COLUMNS = {
    "payment_fingerprint": "card",
    "billing_name": "name",
    "billing_name_normalised": "name",
}
REDACTED_ATTRIBUTES = {
    "payment": "card",
    "email": "email",
    "billing_name": "name",
    "api_key": "key",
}
"""attr_type in the incidence table -> pseudonym kind."""
REDACTED_INDICATORS = {"email": "email", "billing_name": "name", "payment_fingerprint": "card"}
"""indicator_type -> pseudonym kind."""
REDACTED_REJECT_COLUMNS = {
    **REDACTED_ACCOUNT_COLUMNS,
    **REDACTED_PAYMENT_COLUMNS,
    "api_key_id": "key",
}
EVIDENCE_KINDS = {
    "shared_payment_methods": "card",
    "shared_emails": "email",
    "shared_billing_names": "name",
    "shared_api_keys": "key",
}


def _columns(frame: pd.DataFrame, kinds: Mapping[str, str], names: Pseudonymiser) -> pd.DataFrame:
    frame = frame.copy()
    for column, kind in kinds.items():
        if column in frame.columns:
            frame[column] = names.series(frame[column], kind)
    return frame


def _by_type(
    frame: pd.DataFrame,
    type_column: str,
    value_columns: tuple[str, ...],
    kinds: Mapping[str, str],
    names: Pseudonymiser,
) -> pd.DataFrame:
    """Pseudonymise ``value_columns`` on the rows whose ``type_column`` is in ``kinds``."""
    if frame.empty or type_column not in frame.columns:
        return frame
    frame = frame.copy()
    for type_name, kind in kinds.items():
        rows = frame[type_column] == type_name
        if not rows.any():
            continue
        for column in value_columns:
            if column in frame.columns:
                frame[column] = frame[column].astype("object")
                frame.loc[rows, column] = names.series(frame.loc[rows, column], kind)
    return frame


def _campaign(campaign: dict[str, Any], names: Pseudonymiser) -> dict[str, Any]:
    evidence = dict(campaign.get("evidence", {}))
    for key, kind in EVIDENCE_KINDS.items():
        block = evidence.get(key)
        if isinstance(block, dict):
            items = [{**i, "value": names.value(i.get("value"), kind)} for i in block["items"]]
            evidence[key] = {**block, "items": items}
    indicators = []
    for item in evidence.get("indicators", []):
        indicator_kind = REDACTED_INDICATORS.get(item.get("indicator_type"))
        if indicator_kind:
            kind = indicator_kind
            item = {
                **item,
                "value": names.value(item.get("value"), kind),
                "matched_values": [names.value(v, kind) for v in item.get("matched_values", [])],
            }
        indicators.append(item)
    if "indicators" in evidence:
        evidence["indicators"] = indicators
    return {**campaign, "evidence": evidence}


def _rejects(table: pd.DataFrame, names: Pseudonymiser) -> pd.DataFrame:
    table = _columns(table, REDACTED_REJECT_COLUMNS, names)
    if "_raw_line" in table.columns:
        table["_raw_line"] = table["_raw_line"].where(table["_raw_line"].isna(), RAW_LINE_WITHHELD)
    return table


def redact_run(run: Run, key: bytes) -> Run:
    """The run with its personal identifiers replaced by keyed pseudonyms (see module)."""
    names = Pseudonymiser(key)
    matches = _by_type(
        run.indicator_matches,
        "indicator_type",
        ("indicator_value", "matched_value"),
        REDACTED_INDICATORS,
        names,
    )
    tables: dict[str, Callable[[], Any]] = {
        "accounts": lambda: _columns(run.accounts, REDACTED_ACCOUNT_COLUMNS, names),
        "payments": lambda: _columns(run.payments, REDACTED_PAYMENT_COLUMNS, names),
        "account_attributes": lambda: _by_type(
            run.account_attributes, "attr_type", ("attr_value",), REDACTED_ATTRIBUTES, names
        ),
        "indicators": lambda: _by_type(
            run.indicators, "indicator_type", ("value",), REDACTED_INDICATORS, names
        ),
        "campaigns": lambda: [_campaign(c, names) for c in run.campaigns],
        "rejects": lambda: {t: _rejects(r, names) for t, r in run.rejects.items()},
    }
    note = (
        f"outputs redacted (--redact): emails, display names, billing names, payment "
        f"fingerprints and API key ids are keyed pseudonyms under ${REDACTION_KEY_ENV}"
    )
    info = {**run.info, "redacted": True, "notes": [*run.info.get("notes", []), note]}
    return dataclasses.replace(
        run,
        indicator_matches=matches,
        info=info,
        **{name: make() for name, make in tables.items()},
    )
