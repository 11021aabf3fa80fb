"""Glasswally's labelled JSONL to an input folder of the data contract (I/O edge).

`Glasswally <https://github.com/m0rs3c0d3/Glasswally>`_ (MIT) publishes a labelled set of
API events, ``datasets/labeled_5k.jsonl``, vendored in ``data/external/glasswally/``. Each
line is one JSON object, one API call:

=====================  ==============================================================
``account_id``         the account (an API-key-like id, ``sk-...``)
``timestamp``          when the call arrived (ISO-8601 with offset)
``model``              the model asked for
``prompt``             the user prompt
``system_prompt``      the system prompt sent with it, or null
``system_prompt_hash`` the first 16 hex digits of SHA-256 of the system prompt, or null
``token_count``        an integer that is not a prompt size (see below)
``max_tokens``         the ``max_tokens`` the request asked for
``client_ip``          the client's address
``asn_number``         the ASN Glasswally gives that address
``asn_org``            that ASN's organisation name
``user_agent``         the client string
``h2_settings_fp``     an HTTP/2 SETTINGS fingerprint, or null
``campaign_label``     the campaign the call belongs to, or null for benign traffic
=====================  ==============================================================

How each table is made (every choice on purpose):

* ``requests``: one row per line. ``request_id`` is ``gw-`` and the line number in the
  file (``gw-000001`` is line 1), so ids are stable and point back at the source;
  ``ts`` is ``timestamp`` as written; ``ip`` is ``client_ip`` (canonical form);
  ``user_agent`` and ``model`` as given; ``prompt`` is the system prompt, a blank line,
  then the user prompt (``"{system_prompt}\\n\\n{prompt}"``) when there is a system prompt,
  because the request body carries both and the system prompt is part of what the
  account sends; otherwise the user prompt alone. ``input_tokens`` is *not* filled:
  in Glasswally's gateway parser ``token_count`` is the request's ``max_tokens`` ("a
  proxy for expected response size"), and in the generator that wrote this file it is
  a random integer unrelated to the prompt ("What foods are high in vitamin C?" has
  199), so it is neither input nor output tokens. ``token_count``, ``max_tokens``,
  ``system_prompt_hash`` and ``h2_settings_fp`` are kept as extra columns (the contract
  keeps unknown columns and ignores them). ``campaign_label`` never goes into
  ``requests``: detection must not see the truth.
* ``accounts``: one row per ``account_id``, in order of first appearance. Glasswally has
  no sign-up time, yet ``created_at`` is required: it is the account's first event
  timestamp (as written in that line), so "hours from sign-up to first request" is 0
  for every account and carries no signal on this data. There are no emails, payment
  methods or declared organisations in the data, and none are made up.
* ``ip_intel``: one row per distinct client IP, as a single-address network (``/32``,
  ``/128`` for IPv6), with ``asn`` = ``asn_number`` and ``as_org`` = ``asn_org``.
  ``kind`` is left empty: the data does not say it, and it is not guessed from the
  organisation's name. An IP seen with several ASNs keeps the one on most of its lines
  (ties: the one seen first), and its ``as_org`` is the most frequent one among those
  lines; a warning is logged with how many IPs that concerned.
* ``labels``: one row per account: ``campaign_id`` is its ``campaign_label`` (empty for
  benign accounts), ``organization`` is empty (the data does not say who runs the
  campaigns), ``group`` is ``campaign`` or ``benign``. An account with labelled and
  unlabelled lines belongs to the campaign (a campaign's camouflage is still the
  campaign's traffic); an account labelled with two campaigns is an error.

Bad lines are never dropped: a line that is not a JSON object, lacks ``account_id``,
``timestamp``, ``client_ip`` or the ``campaign_label`` key (null is fine: benign),
holds an unparsable timestamp or IP, or a field of the wrong type, is collected, and one
:class:`GlasswallError` names the file and every bad line (line numbers count from 1,
blank lines included) with what is wrong; nothing is converted or written then. Blank
lines are skipped, as Glasswally's own reader does.

>>> import json
>>> line = json.dumps({"account_id": "sk-1", "timestamp": "2026-02-27T20:08:29+00:00",
...     "client_ip": "203.0.113.7", "asn_number": 64500, "asn_org": "Example Net",
...     "system_prompt": "Be terse.", "prompt": "Why is the sky blue?",
...     "max_tokens": 4096, "campaign_label": "campaign_0001"})
>>> tables = glasswally_tables([line])
>>> tables["requests"].loc[0, ["request_id", "ip", "prompt"]].tolist()
['gw-000001', '203.0.113.7', 'Be terse.\\n\\nWhy is the sky blue?']
>>> tables["ip_intel"].to_dict("records")
[{'network': '203.0.113.7/32', 'asn': 64500, 'as_org': 'Example Net', 'kind': None}]
>>> tables["labels"].loc[0].tolist()
['sk-1', 'campaign_0001', '', 'campaign']
>>> import textwrap
>>> try:
...     glasswally_tables([line, "{not json", ""], source="log.jsonl")
... except GlasswallError as error:
...     print(textwrap.fill(str(error), 80))
log.jsonl: 1 of 3 lines cannot be converted (nothing was converted): line 2: not
valid JSON (Expecting property name enclosed in double quotes: column 2)
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from linkage.errors import LinkageError

log = logging.getLogger(__name__)

TABLE_NAMES = ("accounts", "requests", "ip_intel", "labels")
"""The tables :func:`read_glasswally` gives and :func:`write_glasswally_input` writes."""
REQUEST_ID_PREFIX = "gw-"
CAMPAIGN_GROUP = "campaign"
BENIGN_GROUP = "benign"

_STRING_FIELDS = (
    "model",
    "prompt",
    "system_prompt",
    "system_prompt_hash",
    "user_agent",
    "asn_org",
    "h2_settings_fp",
)
_COUNT_FIELDS = ("asn_number", "token_count", "max_tokens")
_EXTRA_REQUEST_COLUMNS = ("max_tokens", "token_count", "system_prompt_hash", "h2_settings_fp")
_LISTED_BAD_LINES = 10
"""How many bad lines the error message names (the exception holds them all)."""
_UNDECODED = re.compile("[\udc80-\udcff]")
"""What :func:`_decoded` makes of bytes that are not UTF-8."""
_VALUE_CHARS = 60
"""Offending values are quoted in messages up to this many characters."""


@dataclass(frozen=True)
class BadLine:
    """One line that cannot be converted: its number (1 = first line), field and reason."""

    line: int
    field: str
    """The field at fault, or ``""`` when the whole line is."""
    reason: str


class GlasswallError(LinkageError):
    """A Glasswally file cannot be read or holds bad lines, or the output cannot be written.

    ``bad_lines`` lists every bad line (empty for the other failures).
    """

    def __init__(self, message: str, bad_lines: Iterable[BadLine] = ()) -> None:
        super().__init__(message)
        self.bad_lines = list(bad_lines)


def read_glasswally(path: Path | str) -> dict[str, pd.DataFrame]:
    """Read a Glasswally labelled JSONL file as the contract tables.

    Parameters
    ----------
    path
        The JSONL file, e.g. ``data/external/glasswally/labeled_5k.jsonl``.

    Returns
    -------
    dict[str, pandas.DataFrame]
        ``accounts``, ``requests``, ``ip_intel`` and ``labels``, made as the module
        docstring says (text columns; ``Int64`` for the counts and ASNs).

    Raises
    ------
    GlasswallError
        The file cannot be read, holds no event, or holds bad lines (all of them are
        named, with their line numbers; nothing is returned then).
    """
    path = Path(path)
    if not path.is_file():
        raise GlasswallError(f"Glasswally file {path} not found")
    try:
        with path.open("rb") as handle:
            lines = [_decoded(raw) for raw in handle]
    except OSError as error:
        raise GlasswallError(f"Glasswally file {path} cannot be read: {error}") from None
    return glasswally_tables(lines, source=str(path))


def write_glasswally_input(src: Path | str, out_dir: Path | str) -> dict[str, int]:
    """Convert a Glasswally labelled JSONL file into an input folder with its labels.

    Writes ``accounts.csv``, ``requests.csv``, ``ip_intel.csv`` and ``labels.csv`` (UTF-8,
    header row, empty fields for missing values) into ``out_dir``, created when missing;
    files of the same names are replaced. The labels lie beside the inputs, as in a
    generated dataset: ``linkage run --input OUT_DIR`` never reads them, ``linkage evaluate
    --labels OUT_DIR/labels.csv`` does.

    Returns
    -------
    dict[str, int]
        Rows written per table, in :data:`TABLE_NAMES` order.

    Raises
    ------
    GlasswallError
        ``out_dir`` cannot be a folder, already holds one of the tables in another format
        (``.csv.gz`` or ``.parquet``: the input would then give it twice), or ``src``
        cannot be converted (:func:`read_glasswally`). Nothing is written then.
    """
    out = Path(out_dir)
    _check_output(out)
    tables = read_glasswally(src)
    out.mkdir(parents=True, exist_ok=True)
    for name in TABLE_NAMES:
        path = out / f"{name}.csv"
        partial = path.with_name(path.name + ".partial")
        tables[name].to_csv(partial, index=False, encoding="utf-8", lineterminator="\n")
        partial.replace(path)
    return {name: len(tables[name]) for name in TABLE_NAMES}


def glasswally_tables(lines: Iterable[str], source: str = "<lines>") -> dict[str, pd.DataFrame]:
    """The contract tables of Glasswally JSONL lines (line 1 first); see :func:`read_glasswally`.

    ``source`` names the lines in error messages (the file name).
    """
    events: list[dict[str, Any]] = []
    bad: list[BadLine] = []
    total = 0
    for number, text in enumerate(lines, start=1):
        total = number
        if not text.strip():
            continue
        event = _event(number, text, bad)
        if event is not None:
            events.append(event)
    if not bad:
        bad.extend(_conflicting_labels(events))
    if bad:
        raise GlasswallError(_bad_lines_message(source, bad, total), bad)
    if not events:
        raise GlasswallError(f"{source} holds no Glasswally event (no non-blank line)")
    frame = pd.DataFrame(events)
    return {
        "accounts": _accounts(frame),
        "requests": _requests(frame),
        "ip_intel": _ip_intel(frame),
        "labels": _labels(frame),
    }


# --- one line ------------------------------------------------------------------------------


def _decoded(raw: bytes) -> str:
    """A line's text; bytes that are not UTF-8 become lone surrogates, which :func:`_event`
    rejects (decoded UTF-8 never holds one)."""
    return raw.decode("utf-8", errors="surrogateescape").rstrip("\r\n")


def _event(number: int, text: str, bad: list[BadLine]) -> dict[str, Any] | None:
    """One line as a flat event, or None after adding its problems to ``bad``."""
    if _UNDECODED.search(text):
        bad.append(BadLine(number, "", "not UTF-8 text"))
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        bad.append(BadLine(number, "", f"not valid JSON ({error.msg}: column {error.colno})"))
        return None
    if not isinstance(value, dict):
        bad.append(BadLine(number, "", f"not a JSON object but {type(value).__name__}"))
        return None
    problems: list[BadLine] = []

    def problem(field: str, reason: str) -> None:
        problems.append(BadLine(number, field, reason))

    account = value.get("account_id")
    if not isinstance(account, str) or not account.strip():
        problem("account_id", _missing_or_wrong("account_id", account, "a non-empty string"))
    timestamp = value.get("timestamp")
    ts = _timestamp(timestamp)
    if ts is None:
        problem("timestamp", _missing_or_wrong("timestamp", timestamp, "an ISO-8601 timestamp"))
    client_ip = value.get("client_ip")
    ip = _ip(client_ip)
    if ip is None:
        problem("client_ip", _missing_or_wrong("client_ip", client_ip, "an IP address"))
    label = value.get("campaign_label")
    if "campaign_label" not in value:
        problem("campaign_label", "no campaign_label (null for benign traffic): not labelled data")
    elif label is not None and not isinstance(label, str):
        problem("campaign_label", _wrong("campaign_label", label, "a string or null"))
    for field in _STRING_FIELDS:
        if value.get(field) is not None and not isinstance(value[field], str):
            problem(field, _wrong(field, value[field], "a string or null"))
    for field in _COUNT_FIELDS:
        count = value.get(field)
        if count is not None and (type(count) is not int or count < 0):
            problem(field, _wrong(field, count, "a whole number >= 0 or null"))
    if problems:
        bad.extend(problems)
        return None
    event = {field: value.get(field) for field in (*_STRING_FIELDS, *_COUNT_FIELDS)}
    event.update(
        line=number,
        account_id=str(account).strip(),
        timestamp=str(timestamp).strip(),
        ts=ts,
        ip=ip,
        campaign_label=(label or "").strip(),
    )
    return event


def _timestamp(value: Any) -> pd.Timestamp | None:
    """An ISO-8601 timestamp in UTC (no offset: UTC, as the contract reads it), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    parsed = pd.to_datetime(value.strip(), errors="coerce", utc=True, format="ISO8601")
    return None if pd.isna(parsed) else pd.Timestamp(parsed)


def _ip(value: Any) -> str | None:
    """The canonical text of an IPv4 or IPv6 address, or None."""
    if not isinstance(value, str):
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def _missing_or_wrong(field: str, value: Any, expected: str) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return f"{field} missing or empty"
    return _wrong(field, value, expected)


def _wrong(field: str, value: Any, expected: str) -> str:
    shown = json.dumps(value, ensure_ascii=False)
    if len(shown) > _VALUE_CHARS:
        shown = shown[: _VALUE_CHARS - 3] + "..."
    return f"{field} {shown} is not {expected}"


def _conflicting_labels(events: list[dict[str, Any]]) -> list[BadLine]:
    """Lines that give an account a second, different campaign."""
    first: dict[str, tuple[str, int]] = {}
    bad: list[BadLine] = []
    for event in events:
        label = event["campaign_label"]
        if not label:
            continue
        account = event["account_id"]
        seen = first.setdefault(account, (label, event["line"]))
        if seen[0] != label:
            bad.append(
                BadLine(
                    event["line"],
                    "campaign_label",
                    f"account {account} is in campaign {label!r} here but in {seen[0]!r} on "
                    f"line {seen[1]}: an account belongs to one campaign",
                )
            )
    return bad


def _bad_lines_message(source: str, bad: list[BadLine], total: int) -> str:
    lines = sorted({b.line for b in bad})
    by_line: dict[int, list[str]] = {}
    for b in bad:
        by_line.setdefault(b.line, []).append(b.reason)
    shown = "; ".join(f"line {n}: {', '.join(by_line[n])}" for n in lines[:_LISTED_BAD_LINES])
    more = len(lines) - _LISTED_BAD_LINES
    if more > 0:
        shown += f"; and {more:,} more bad line{'s' if more > 1 else ''}"
    return (
        f"{source}: {len(lines):,} of {total:,} lines cannot be converted "
        f"(nothing was converted): {shown}"
    )


# --- the tables ----------------------------------------------------------------------------


def _text(series: pd.Series) -> pd.Series:
    """Text with missing values as None (written as empty CSV fields)."""
    return series.astype("object").where(series.notna(), None)


def _requests(frame: pd.DataFrame) -> pd.DataFrame:
    width = max(6, len(str(int(frame["line"].max()))))
    requests = pd.DataFrame(
        {
            "request_id": REQUEST_ID_PREFIX + frame["line"].astype("str").str.zfill(width),
            "account_id": frame["account_id"],
            "ts": frame["timestamp"],
            "ip": frame["ip"],
            "user_agent": _text(frame["user_agent"]),
            "model": _text(frame["model"]),
            "prompt": [
                _prompt(system, user)
                for system, user in zip(frame["system_prompt"], frame["prompt"], strict=True)
            ],
        }
    )
    for column in _EXTRA_REQUEST_COLUMNS:
        values = frame[column]
        requests[column] = values.astype("Int64") if column in _COUNT_FIELDS else _text(values)
    return requests


def _prompt(system: Any, user: Any) -> str | None:
    """What the account sent: the system prompt, a blank line, the user prompt (missing
    values are None or NaN in the frame)."""
    parts = [part for part in (system, user) if isinstance(part, str) and part]
    return "\n\n".join(parts) if parts else None


def _accounts(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per account; created_at is the text of its earliest event's timestamp."""
    earliest = frame.sort_values(["ts", "line"], kind="stable").drop_duplicates("account_id")
    created = earliest.set_index("account_id")["timestamp"]
    order = frame["account_id"].drop_duplicates()
    return pd.DataFrame({"account_id": order.to_numpy(), "created_at": created[order].to_numpy()})


def _ip_intel(frame: pd.DataFrame) -> pd.DataFrame:
    """One single-address network per client IP with its most frequent ASN and AS org."""
    asns: dict[str, Counter[int]] = {}
    orgs: dict[str, Counter[tuple[int | None, str]]] = {}
    for ip, asn, org in zip(frame["ip"], frame["asn_number"], frame["asn_org"], strict=True):
        asn = None if pd.isna(asn) else int(asn)
        asns.setdefault(ip, Counter())
        if asn is not None:
            asns[ip][asn] += 1
        if isinstance(org, str) and org:
            orgs.setdefault(ip, Counter())[(asn, org)] += 1
    rows = []
    several = 0
    for ip, counts in asns.items():
        # Counter.most_common keeps first-seen order among equal counts: ties go to the first
        asn = counts.most_common(1)[0][0] if counts else None
        several += len(counts) > 1
        org_counts = orgs.get(ip, Counter())
        candidates = [(o, n) for (a, o), n in org_counts.items() if asn is None or a == asn]
        org = max(candidates, key=lambda item: item[1])[0] if candidates else None
        prefix = 32 if ipaddress.ip_address(ip).version == 4 else 128
        rows.append({"network": f"{ip}/{prefix}", "asn": asn, "as_org": org, "kind": None})
    if several:
        log.warning(
            "%d client IP(s) appear with more than one ASN: each keeps the ASN of most of its "
            "lines (ties: the first seen)",
            several,
        )
    intel = pd.DataFrame(rows, columns=["network", "asn", "as_org", "kind"])
    intel["asn"] = intel["asn"].astype("Int64")
    return intel


def _labels(frame: pd.DataFrame) -> pd.DataFrame:
    labelled = frame[frame["campaign_label"] != ""].drop_duplicates("account_id")
    campaign = labelled.set_index("account_id")["campaign_label"]
    accounts = frame["account_id"].drop_duplicates()
    campaign_id = accounts.map(campaign).fillna("")
    return pd.DataFrame(
        {
            "account_id": accounts.to_numpy(),
            "campaign_id": campaign_id.to_numpy(),
            "organization": "",
            "group": (campaign_id != "")
            .map({True: CAMPAIGN_GROUP, False: BENIGN_GROUP})
            .to_numpy(),
        }
    )


def _check_output(out: Path) -> None:
    """Raise unless ``out`` is (or can be made) a folder without the tables in other formats."""
    if out.exists() and not out.is_dir():
        raise GlasswallError(f"{out} is a file, not a folder: name a folder to write into")
    existing = out.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise GlasswallError(f"{out} cannot be created: {existing} is a file; choose another path")
    if out.is_dir():
        clashes = [
            p.name for name in TABLE_NAMES for p in out.glob(f"{name}.*") if p.name != f"{name}.csv"
        ]
        clashes = [c for c in clashes if c.endswith((".csv.gz", ".parquet"))]
        if clashes:
            raise GlasswallError(
                f"{out} already holds {', '.join(sorted(clashes))}: the folder would then give "
                "a table twice; remove them or choose another folder"
            )
