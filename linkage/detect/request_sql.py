"""The request-level aggregations, written once as SQL (DuckDB's dialect).

Every engine runs these same statements: the embedded engine hands them to DuckDB as they
are, the Spark engine transpiles them to Spark SQL with sqlglot (as Splink does to run one
linkage on either). They read ``narrow`` (what :func:`linkage.detect.request_batch.map_batch`
made of every row) through the view ``requests`` (accepted rows only) and small tables the
pipeline registers (``suspicious``, ``clustered``: one ``account_id`` column each).

``ts`` is microseconds since the epoch and ``file_row`` the row in the input file, so the
statements use integer arithmetic only, the same on every engine. A request's place in
time is ``(ts, file_row)``: "the first" of a group is its least ``(ts, file_row)``, which gives
groups in the order the in-memory pipeline met them.

Values in braces are filled in from the settings by :func:`statement`.
"""

from __future__ import annotations

from linkage.kinds import CONTENT_FAMILIES

FIRST = "STRUCT_PACK(t := ts, r := file_row)"
"""A request's place in time, for ``arg_min``: its time, then its row in the file."""

DUPLICATE_IDS = """
WITH firsts AS (
    SELECT request_id, MIN(file_row) AS first_row
    FROM narrow
    WHERE NOT _malformed AND request_id IS NOT NULL AND TRIM(request_id) <> ''
    GROUP BY request_id
    HAVING COUNT(*) > 1
)
SELECT n.file_row, n.request_id, f.first_row, n._reject IS NOT NULL AS rejected
FROM narrow AS n JOIN firsts AS f ON n.request_id = f.request_id
WHERE NOT n._malformed AND n.file_row > f.first_row
ORDER BY n.file_row
"""
"""Rows whose request_id an earlier row already had (later duplicates are rejected)."""

REJECTS = """
SELECT file_row, _reject, _malformed
FROM narrow
WHERE _reject IS NOT NULL
ORDER BY _malformed, file_row
"""

ROW_COUNTS = """
SELECT
    SUM(CASE WHEN _malformed THEN 0 ELSE 1 END) AS parsed,
    SUM(CASE WHEN _malformed THEN 1 ELSE 0 END) AS malformed
FROM narrow
"""

ACCEPTED_SUMMARY = """
SELECT COUNT(*) AS accepted, MAX(ts) AS data_end,
       SUM(CASE WHEN prompt_cut THEN 1 ELSE 0 END) AS prompts_cut
FROM requests
"""

ACCOUNT_TOTALS = """
SELECT account_id, COUNT(*) AS requests, MIN(ts) AS first_ts, MAX(ts) AS last_ts
FROM requests
GROUP BY account_id
ORDER BY account_id
"""

INCIDENCE = """
SELECT account_id, {column} AS attr_value, COUNT(*) AS uses,
       MIN(ts) AS first_seen, MAX(ts) AS last_seen,
       ARG_MIN(ip_kind, {first}) AS ip_kind, ARG_MIN(file_row, {first}) AS first_row
FROM requests
WHERE {column} IS NOT NULL {only}
GROUP BY account_id, {column}
"""
"""Who used which value of ``column``: uses, first and last seen, the first use's IP kind."""

MODEL_COUNTS = """
SELECT COALESCE(model, '(none)') AS model, COUNT(*) AS n, COUNT(model) AS named,
       MIN(ts) AS first_ts, ARG_MIN(file_row, {first}) AS first_row
FROM requests
GROUP BY COALESCE(model, '(none)')
"""

IP_ADDRESSES = """
SELECT ip AS address, ANY_VALUE(subnet) AS subnet, ANY_VALUE(network) AS network,
       ANY_VALUE(asn) AS asn, ANY_VALUE(as_org) AS as_org, ANY_VALUE(ip_kind) AS ip_kind,
       MIN(file_row) AS first_row
FROM requests
GROUP BY ip
ORDER BY first_row
"""
"""Every distinct client IP with where it was placed, in order of first appearance."""

TEMPLATES = """
SELECT template_id, MIN(text) AS text, COUNT(*) AS requests
FROM (
    SELECT template_head AS template_id, head_text AS text FROM requests
    WHERE template_head IS NOT NULL AND head_text IS NOT NULL
    UNION ALL
    SELECT template_tail AS template_id, tail_text AS text FROM requests
    WHERE template_tail IS NOT NULL AND tail_text IS NOT NULL
) AS used
GROUP BY template_id
ORDER BY template_id
"""

CO_USE_SLOTS = """
WITH used AS (
    SELECT account_id, ip, ts, file_row FROM requests WHERE ip_kind NOT IN ({shared_kinds})
),
start AS (SELECT MIN(ts) AS t0 FROM used),
slots AS (
    SELECT u.account_id, u.ip, (u.ts - s.t0) // {window} AS w,
           MIN(u.ts) AS first_ts,
           ARG_MIN(u.file_row, STRUCT_PACK(t := u.ts, r := u.file_row)) AS first_row
    FROM used AS u CROSS JOIN start AS s
    GROUP BY u.account_id, u.ip, (u.ts - s.t0) // {window}
),
counted AS (
    SELECT account_id, ip, w, first_ts, first_row,
           COUNT(*) OVER (PARTITION BY ip, w) AS holders
    FROM slots
),
mine AS (
    SELECT c.* FROM counted AS c JOIN suspicious AS x ON c.account_id = x.account_id
    WHERE c.holders >= 2
),
per_ip AS (
    SELECT u.account_id, u.ip, COUNT(*) AS n
    FROM used AS u JOIN suspicious AS x ON u.account_id = x.account_id
    GROUP BY u.account_id, u.ip
),
totals AS (
    SELECT r.account_id, COUNT(*) AS total
    FROM requests AS r JOIN suspicious AS x ON r.account_id = x.account_id
    GROUP BY r.account_id
)
SELECT m.account_id, m.ip, m.w AS "window", m.holders, m.first_ts, m.first_row
FROM mine AS m
JOIN per_ip AS p ON m.account_id = p.account_id AND m.ip = p.ip
JOIN totals AS t ON m.account_id = t.account_id
WHERE CAST(p.n AS DOUBLE) / CAST(t.total AS DOUBLE) <= {max_share}
"""
"""Suspicious accounts' (IP, time window) slots shared with someone else, on IPs that
carry a small share of the account's traffic (:func:`linkage.detect.similarity.co_use_pairs`).
Holders are counted with a window over every account's slots (a join of the slots with
their own counts made DuckDB's planner build a 52-million-row hash table: 16 s against 6 s
at 10M requests); shares are counted for the suspicious accounts only."""

DISTILLED_SAMPLE = """
SELECT numbered.account_id, numbered.ts, numbered.file_row
FROM (
    SELECT r.account_id, r.ts, r.file_row,
           ROW_NUMBER() OVER (PARTITION BY r.account_id ORDER BY r.ts, r.file_row) - 1
               AS position,
           GREATEST(1, CAST(CEIL(CAST(COUNT(*) OVER (PARTITION BY r.account_id) AS DOUBLE)
                                 / s.per_account) AS BIGINT)) AS step,
           s.per_account
    FROM requests AS r
    JOIN suspicious AS x ON r.account_id = x.account_id
    CROSS JOIN sample_size AS s
    WHERE r.distilled
) AS numbered
WHERE numbered.position % numbered.step = 0
  AND numbered.position < numbered.per_account * numbered.step
"""
"""At most ``per_account`` distillation requests of each suspicious account, every
``step``-th in time order (spread over its activity): the sample of prompt families."""

CLUSTERED_REQUESTS = """
SELECT r.account_id, r.ts, r.file_row, r.prompt_hash
FROM requests AS r JOIN clustered AS c ON r.account_id = c.account_id
ORDER BY r.ts, r.file_row
"""

PROFILE_COLUMNS = ", ".join(
    [
        "account_id",
        "ts",
        "file_row",
        "ip",
        "subnet",
        "has_prompt",
        "prompt_chars",
        "distilled",
        "readable",
        "obfuscated",
        "prompt_hash",
        "model",
        "input_tokens",
        "output_tokens",
        *[f"intent_{family}" for family in CONTENT_FAMILIES],
    ]
)
"""What the per-account behaviour profile reads of each request."""


def statement(template: str, **values: object) -> str:
    """A statement with its ``{placeholders}`` filled in (``first`` is always known)."""
    return template.format(first=FIRST, **values)
