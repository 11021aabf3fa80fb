"""The requests, streamed: what detection asks of the engine that holds them.

The requests table is never held whole. An engine (:class:`RequestEngine`; the embedded
DuckDB one or Spark, in :mod:`linkage.engines`) runs the batch map
(:mod:`linkage.detect.request_batch`) over the input file and keeps the narrow rows; the
functions here ask it the questions of :mod:`linkage.detect.request_sql` and turn the
(account-level) answers into the shapes the stages read. Prompts are read twice at most:
once by the map, once more for the handful sampled for prompt families.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd

from linkage.detect import request_sql as q
from linkage.detect.request_batch import BatchContext, rejects_frame
from linkage.detect.validate import PROBLEM_COLUMN, REASON_COLUMN, prompt_cut_note
from linkage.io.input_folder import ROW_COLUMN, RawTable
from linkage.settings import Settings

_TS = "datetime64[us, UTC]"


class RequestEngine(Protocol):
    """Where the requests live while a run needs them (see :mod:`linkage.engines`)."""

    name: str

    def load(self, table: RawTable, context: BatchContext) -> None:
        """Run the batch map over every row of ``table``; keep the result as ``narrow``."""

    def exclude_rows(self, rows: np.ndarray) -> None:
        """Leave these file rows out of the ``requests`` view (duplicates found late)."""

    def sql(self, statement: str, tables: Mapping[str, pd.DataFrame] | None = None) -> pd.DataFrame:
        """Run one statement of :mod:`linkage.detect.request_sql` (DuckDB's dialect)."""

    def account_partitions(self, columns: str) -> Iterator[pd.DataFrame]:
        """The requests in groups of whole accounts, each in (ts, file_row) order."""

    def raw_rows(self, rows: np.ndarray, columns: list[str] | None = None) -> pd.DataFrame:
        """Raw input rows (as read, before validation) by file row, in file order."""

    def close(self) -> None:
        """Free what the engine holds (temporary files, sessions)."""


@dataclass
class LoadedRequests:
    """What the first pass over the requests leaves, all of it per account or per value."""

    counts: dict[str, int]
    rejects: pd.DataFrame
    notes: list[str]
    accepted: int
    data_end: pd.Timestamp | None
    account_totals: pd.DataFrame
    """account_id, requests, first_ts, last_ts (every account with requests)."""
    ip_addresses: pd.DataFrame
    templates: pd.DataFrame
    extra: dict[str, object] = field(default_factory=dict)


def load_requests(engine: RequestEngine, table: RawTable, context: BatchContext) -> LoadedRequests:
    """The first pass: map every row, reject later duplicate ids, sum up what is kept."""
    engine.load(table, context)
    counts = engine.sql(q.ROW_COUNTS).iloc[0]
    parsed, malformed = int(counts["parsed"] or 0), int(counts["malformed"] or 0)
    rejects = _rejects(engine, table)
    summary = engine.sql(q.ACCEPTED_SUMMARY).iloc[0]
    accepted = int(summary["accepted"] or 0)
    data_end = _timestamp(summary["data_end"]) if accepted else None
    notes = prompt_cut_note(int(summary["prompts_cut"] or 0), context.settings)
    totals = engine.sql(q.ACCOUNT_TOTALS)
    totals["first_ts"] = _times(totals["first_ts"])
    totals["last_ts"] = _times(totals["last_ts"])
    ip_addresses = engine.sql(q.IP_ADDRESSES).drop(columns=["first_row"])
    ip_addresses["asn"] = ip_addresses["asn"].astype("Int64")
    return LoadedRequests(
        counts={"read": parsed + malformed, "accepted": accepted, "rejected": len(rejects)},
        rejects=rejects,
        notes=notes,
        accepted=accepted,
        data_end=data_end,
        account_totals=totals,
        ip_addresses=ip_addresses,
        templates=engine.sql(q.TEMPLATES),
    )


def _rejects(engine: RequestEngine, table: RawTable) -> pd.DataFrame:
    """Every rejected row in file order (rows that did not parse last), later duplicates
    included: their reason is added to the row's other reasons, as validation does."""
    columns = [c for c in table.frame.columns if c != ROW_COLUMN] + [ROW_COLUMN]
    duplicates = engine.sql(q.DUPLICATE_IDS)
    found = engine.sql(q.REJECTS)
    parsed = found[~found["_malformed"].astype(bool)]
    frame = rejects_frame(parsed["_reject"].tolist(), [*columns, PROBLEM_COLUMN, REASON_COLUMN])
    if len(duplicates):
        frame = _with_duplicates(engine, frame, duplicates, columns)
    if frame.empty:
        frame = pd.DataFrame(columns=[*columns, PROBLEM_COLUMN, REASON_COLUMN])
    malformed = found[found["_malformed"].astype(bool)]
    if len(malformed):
        rows = rejects_frame(malformed["_reject"].tolist(), [])
        frame = pd.concat([frame, rows], ignore_index=True)
    return frame.reset_index(drop=True)


def _with_duplicates(
    engine: RequestEngine, frame: pd.DataFrame, duplicates: pd.DataFrame, columns: list[str]
) -> pd.DataFrame:
    reason = (
        'duplicate request_id "'
        + duplicates["request_id"].astype("str")
        + '" (first on row '
        + duplicates["first_row"].astype("str")
        + ")"
    )
    by_row = dict(zip(duplicates["file_row"].to_numpy(), reason, strict=True))
    already = frame[ROW_COLUMN].isin(by_row) if len(frame) else pd.Series([], dtype=bool)
    for position in np.flatnonzero(already.to_numpy()):
        row = frame.iloc[position]
        extra = by_row[row[ROW_COLUMN]]
        problem_columns = str(row[PROBLEM_COLUMN]).split(";")
        if "request_id" not in problem_columns:
            problem_columns.append("request_id")
        frame.iloc[position, frame.columns.get_loc(PROBLEM_COLUMN)] = ";".join(problem_columns)
        frame.iloc[position, frame.columns.get_loc(REASON_COLUMN)] = (
            f"{row[REASON_COLUMN]}; {extra}"
        )
    newly = duplicates[~duplicates["rejected"].astype(bool)]
    if len(newly):
        engine.exclude_rows(newly["file_row"].to_numpy(dtype=np.int64))
        raw = engine.raw_rows(newly["file_row"].to_numpy(dtype=np.int64))
        raw[PROBLEM_COLUMN] = "request_id"
        raw[REASON_COLUMN] = raw[ROW_COLUMN].map(by_row)
        if "prompt" in raw.columns:
            raw["prompt"] = raw["prompt"].astype("str").str.slice(0, 2000)
        frame = pd.concat([frame, raw[[c for c in frame.columns if c in raw.columns]]])
        frame = frame.sort_values(ROW_COLUMN, kind="stable", ignore_index=True)
    return frame


def _times(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values.astype("int64"), unit="us", utc=True).astype(_TS)


def _timestamp(value: object) -> pd.Timestamp:
    return pd.Timestamp(int(value), unit="us", tz="UTC")  # type: ignore[call-overload]


def in_time_order(frame: pd.DataFrame, time: str, row: str) -> pd.DataFrame:
    """Rows ordered by their first request's place in time, ``(time, row)``."""
    order = np.lexsort((frame[row].to_numpy(), frame[time].to_numpy()))
    return frame.take(order).reset_index(drop=True)


def request_incidence(engine: RequestEngine) -> list[pd.DataFrame]:
    """Per request attribute, who used which value (uses, first and last seen, IP kind),
    in the order the values were first met: the request half of the incidence."""
    from linkage.detect.attributes import REQUEST_ATTRIBUTES

    parts = []
    for column, attr_type in REQUEST_ATTRIBUTES.items():
        # a template is a campaign's scaffold only when it asks for a distillation intent
        only = "AND distilled" if attr_type == "template" else ""
        found = engine.sql(q.statement(q.INCIDENCE, column=column, only=only))
        found = in_time_order(found, "first_seen", "first_row").drop(columns=["first_row"])
        found["first_seen"] = _times(found["first_seen"])
        found["last_seen"] = _times(found["last_seen"])
        found["attr_type"] = attr_type
        if attr_type not in ("ip", "subnet"):
            found["ip_kind"] = None
        parts.append(found)
    return parts


def model_categories(engine: RequestEngine) -> list[str] | None:
    """The model share columns of the profile: the most used models and ``(other)``."""
    from linkage.detect.profile import MAX_MODELS

    counts = engine.sql(q.statement(q.MODEL_COUNTS))
    if counts.empty or int(counts["named"].sum()) == 0:
        return None
    # most used first; ties in the order the models were first met (as value_counts)
    order = np.lexsort((counts["first_row"], counts["first_ts"], -counts["n"].to_numpy()))
    ranked = counts["model"].to_numpy()[order]
    top = list(ranked[:MAX_MODELS])
    return sorted(top + (["(other)"] if len(ranked) > MAX_MODELS else []))


def account_profiles_streamed(
    engine: RequestEngine, accounts: pd.DataFrame, settings: Settings
) -> pd.DataFrame:
    """The behaviour profile of every account, computed over groups of whole accounts."""
    from linkage.detect.profile import account_features, finish_profiles

    models = model_categories(engine)
    parts = []
    for requests in engine.account_partitions(q.PROFILE_COLUMNS):
        if requests.empty:
            continue
        requests["ts"] = _times(requests["ts"])
        requests["input_tokens"] = requests["input_tokens"].astype("Int64")
        requests["output_tokens"] = requests["output_tokens"].astype("Int64")
        parts.append(account_features(requests.drop(columns=["file_row"]), accounts, models))
    features = pd.concat(parts).sort_index() if parts else pd.DataFrame()
    return finish_profiles(features, settings)


def co_use_slots(engine: RequestEngine, suspicious: pd.Index, settings: Settings) -> pd.DataFrame:
    """The (account, IP, window) slots :func:`~linkage.detect.similarity.co_use_pairs` reads."""
    from linkage.detect.similarity import SHARED_BY_DESIGN

    window_us = int(settings.behaviour.co_use_window_minutes * 60 * 1_000_000)
    kinds = ", ".join(f"'{kind}'" for kind in SHARED_BY_DESIGN)
    statement = q.statement(
        q.CO_USE_SLOTS,
        shared_kinds=kinds,
        window=window_us,
        max_share=repr(float(settings.behaviour.co_use_max_share)),
    )
    found = engine.sql(statement, {"suspicious": _account_table(suspicious)})
    return in_time_order(found, "first_ts", "first_row")


def family_sample(engine: RequestEngine, suspicious: pd.Index, settings: Settings) -> pd.DataFrame:
    """At most ``prompts_per_account`` distillation prompts of each suspicious account, spread
    over its activity (as :func:`~linkage.detect.families.sample_prompts` picks them), with
    their text read again from the input: account_id, ts, prompt."""
    empty = pd.DataFrame({"account_id": [], "ts": pd.Series([], dtype=_TS), "prompt": []})
    if not len(suspicious):
        return empty
    sample_size = pd.DataFrame({"per_account": [settings.families.prompts_per_account]})
    found = engine.sql(
        q.DISTILLED_SAMPLE,
        {"suspicious": _account_table(suspicious), "sample_size": sample_size},
    )
    chosen = in_time_order(found, "ts", "file_row")
    if chosen.empty:
        return empty
    raw = engine.raw_rows(chosen["file_row"].to_numpy(dtype=np.int64), ["prompt"])
    text = raw.set_index(ROW_COLUMN)["prompt"].reindex(chosen["file_row"].to_numpy())
    prompt = text.str.slice(0, settings.ingest.max_prompt_chars)
    return pd.DataFrame(
        {
            "account_id": chosen["account_id"].to_numpy(dtype=object),
            "ts": _times(chosen["ts"]).array,
            "prompt": prompt.to_numpy(dtype=object),
        }
    )


def clustered_requests(engine: RequestEngine, accounts: pd.Series) -> pd.DataFrame:
    """account_id, ts and prompt_hash of every request of the given accounts, in time
    order."""
    found = engine.sql(q.CLUSTERED_REQUESTS, {"clustered": _account_table(accounts)})
    return pd.DataFrame(
        {
            "account_id": found["account_id"].astype("str"),
            "ts": _times(found["ts"]),
            "prompt_hash": found["prompt_hash"].astype("Int64"),
        }
    )


def _account_table(accounts: pd.Index | pd.Series) -> pd.DataFrame:
    return pd.DataFrame({"account_id": pd.Series(np.asarray(accounts, dtype=object), dtype=object)})
