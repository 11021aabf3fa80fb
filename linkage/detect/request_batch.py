"""The request-level map: one batch of raw request rows in, one batch of narrow rows out.

This is the only place detection touches single requests. A batch is validated
(:func:`~linkage.detect.validate.validate_batch`: every contract check but the uniqueness
of ``request_id``, which needs every row and is done by the engine), normalised (IPs placed
in networks, prompt template fingerprints, the content classifier) and reduced to the
narrow columns the later stages read; the prompt text itself is dropped. Rejected rows
travel in the same batch, serialised in ``_reject``, so that one function (and one output
schema) serves every engine: the embedded one calls it in a loop over the batches, Spark
calls it in ``mapInArrow`` on its executors.

Everything that survives is account-level or aggregated by the engine with the SQL of
:mod:`linkage.detect.request_sql`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from linkage.detect.arrays import arrow_strings, distinct_values
from linkage.detect.normalise import (
    content_intents,
    locate_ips,
    prompt_hashes,
    prompt_lengths,
    template_fingerprints,
)
from linkage.detect.validate import malformed_rejects, validate_batch
from linkage.io.input_folder import ROW_COLUMN, RawTable
from linkage.kinds import INTENT_COLUMNS
from linkage.settings import Settings

NARROW_SCHEMA = pa.schema(
    [
        ("file_row", pa.int64()),
        ("request_id", pa.string()),
        ("account_id", pa.string()),
        ("ts", pa.int64()),  # microseconds since the epoch, UTC
        ("ip", pa.string()),
        ("subnet", pa.string()),
        ("network", pa.string()),
        ("asn", pa.int64()),
        ("as_org", pa.string()),
        ("ip_kind", pa.string()),
        ("api_key_id", pa.string()),
        ("user_agent", pa.string()),
        ("model", pa.string()),
        ("input_tokens", pa.int64()),
        ("output_tokens", pa.int64()),
        ("template_head", pa.string()),
        ("template_tail", pa.string()),
        ("head_text", pa.string()),
        ("tail_text", pa.string()),
        *[(c, pa.float32()) for c in INTENT_COLUMNS],
        ("distilled", pa.bool_()),
        ("readable", pa.bool_()),  # the intent model can read the prompt's script and language
        ("obfuscated", pa.bool_()),  # letters were hidden (zero-width, styled, look-alikes)
        ("prompt_hash", pa.int64()),  # the prompt, digits folded: repeats of one item
        ("prompt_chars", pa.int64()),
        ("has_prompt", pa.bool_()),
        ("prompt_cut", pa.bool_()),
        ("_reject", pa.string()),  # a rejected row, as JSON (null for accepted rows)
        ("_malformed", pa.bool_()),  # the row did not parse (it has no request_id)
    ]
)
"""What the map gives per request (accepted or rejected)."""

_OPTIONAL_TEXT = ("api_key_id", "user_agent", "model")


@dataclass(frozen=True)
class BatchContext:
    """What every batch needs to know: the accepted accounts, ip_intel and the settings."""

    accounts: pd.Index
    """The accepted account ids (an index: its hash table is built once per worker)."""
    ip_intel: pd.DataFrame
    settings: Settings


def map_batch(batch: RawTable, context: BatchContext) -> pa.Table:
    """Validate and normalise one batch of request rows (see the module docstring)."""
    accepted, rejected = validate_batch(batch, context.accounts, context.settings)
    narrow = normalise_batch(accepted, context)
    parts = [narrow]
    if len(rejected):
        parts.append(_reject_rows(rejected, malformed=False))
    malformed = malformed_rejects(batch)
    if len(malformed):
        parts.append(_reject_rows(malformed, malformed=True))
    return pa.concat_tables(parts) if len(parts) > 1 else narrow


def normalise_batch(accepted: pd.DataFrame, context: BatchContext) -> pa.Table:
    """The narrow columns of accepted, typed request rows (prompts reduced to what counts)."""
    settings = context.settings
    n = len(accepted)
    columns: dict[str, Any] = {
        "file_row": accepted[ROW_COLUMN].to_numpy(dtype=np.int64),
        "request_id": accepted["request_id"],
        "account_id": accepted["account_id"],
        "ts": accepted["ts"].dt.as_unit("us").astype("int64").to_numpy(),
    }
    located = locate_ips(accepted["ip"], context.ip_intel, settings)
    columns["ip"] = accepted["ip"]
    for name in ("subnet", "network", "as_org", "ip_kind"):
        columns[name] = located[name].to_numpy(dtype=object)
    columns["asn"] = located["asn"]
    for name in _OPTIONAL_TEXT:
        columns[name] = accepted[name] if name in accepted else [None] * n
    for name in ("input_tokens", "output_tokens"):
        columns[name] = accepted[name] if name in accepted else pd.Series([None] * n, dtype="Int64")
    prompts = accepted["prompt"] if "prompt" in accepted else pd.Series([None] * n, dtype=object)
    # every prompt-level answer is worked out once per distinct prompt (a campaign sends its
    # items again and again), then spread back over the requests
    distinct, which = distinct_values(prompts)
    fingerprints = template_fingerprints(distinct, settings)
    for name in ("template_head", "template_tail", "head_text", "tail_text"):
        columns[name] = pc.take(arrow_strings(fingerprints[name]), which)
    intents = content_intents(distinct)
    for name in [*INTENT_COLUMNS, "distilled", "readable", "obfuscated"]:
        columns[name] = intents[name].to_numpy()[which]
    columns["prompt_hash"] = pc.take(pa.array(prompt_hashes(distinct), type=pa.int64()), which)
    columns["prompt_chars"] = prompt_lengths(distinct)[which]
    columns["has_prompt"] = columns["prompt_chars"] > 0
    columns["prompt_cut"] = accepted["_prompt_cut"].to_numpy(dtype=bool)
    columns["_reject"] = [None] * n
    columns["_malformed"] = np.zeros(n, dtype=bool)
    arrays = [_column(columns[field.name], field.type) for field in NARROW_SCHEMA]
    return pa.Table.from_arrays(arrays, schema=NARROW_SCHEMA)


def _column(values: Any, arrow_type: pa.DataType) -> pa.Array:
    if isinstance(values, pa.Array):
        return values.cast(arrow_type)
    if isinstance(values, pd.Series):
        if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
            return arrow_strings(values).cast(arrow_type)
        values = values.astype(object).where(values.notna(), None).to_numpy(dtype=object)
    return pa.array(values, type=arrow_type, from_pandas=True)


def _reject_rows(rejected: pd.DataFrame, malformed: bool) -> pa.Table:
    """Rejected rows in the narrow schema: row, raw request_id and the row itself as JSON."""
    n = len(rejected)
    records = [
        json.dumps({key: _json_value(value) for key, value in record.items()})
        for record in rejected.to_dict("records")
    ]
    request_id = (
        rejected["request_id"].astype(object).where(rejected["request_id"].notna(), None)
        if "request_id" in rejected and not malformed
        else pd.Series([None] * n, dtype=object)
    )
    columns: dict[str, Any] = {
        "file_row": rejected[ROW_COLUMN].to_numpy(dtype=np.int64),
        "request_id": request_id.to_numpy(dtype=object),
        "_reject": records,
        "_malformed": np.full(n, malformed),
    }
    arrays = [
        pa.array(columns[f.name], type=f.type) if f.name in columns else pa.nulls(n, type=f.type)
        for f in NARROW_SCHEMA
    ]
    return pa.Table.from_arrays(arrays, schema=NARROW_SCHEMA)


def _json_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, pd.Timestamp):
        return str(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def rejects_frame(payloads: list[str], columns: list[str]) -> pd.DataFrame:
    """Rejected rows back from their JSON payloads, with the columns in their file order."""
    records = [json.loads(text) for text in payloads]
    frame = pd.DataFrame.from_records(records)
    for name in columns:
        if name not in frame.columns:
            frame[name] = None
    ordered = [c for c in columns if c in frame.columns]
    return frame[ordered + [c for c in frame.columns if c not in ordered]]
