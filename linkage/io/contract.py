"""The input half of the data contract (``docs/data-contract.md``) as data.

Reading and validation both work from these specs, so the contract is
written down once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ColumnKind = Literal["string", "timestamp", "integer", "float", "boolean", "ip", "cidr"]


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    kind: ColumnKind = "string"
    required: bool = False


@dataclass(frozen=True)
class TableSpec:
    name: str
    required: bool
    columns: tuple[ColumnSpec, ...]
    unique_key: str | None = None
    """Column whose values must be unique; later duplicates are rejected."""
    account_column: str | None = None
    """Column that must name an accepted account."""

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


TABLES: dict[str, TableSpec] = {
    "accounts": TableSpec(
        "accounts",
        required=True,
        unique_key="account_id",
        columns=(
            ColumnSpec("account_id", required=True),
            ColumnSpec("created_at", "timestamp", required=True),
            ColumnSpec("email"),
            ColumnSpec("display_name"),
            ColumnSpec("org_id"),
            ColumnSpec("org_verified", "boolean"),
            ColumnSpec("signup_pathway"),
            ColumnSpec("country"),
        ),
    ),
    "requests": TableSpec(
        "requests",
        required=True,
        unique_key="request_id",
        account_column="account_id",
        columns=(
            ColumnSpec("request_id", required=True),
            ColumnSpec("account_id", required=True),
            ColumnSpec("ts", "timestamp", required=True),
            ColumnSpec("ip", "ip", required=True),
            ColumnSpec("access_pathway"),
            ColumnSpec("api_key_id"),
            ColumnSpec("user_agent"),
            ColumnSpec("model"),
            ColumnSpec("prompt"),
            ColumnSpec("input_tokens", "integer"),
            ColumnSpec("output_tokens", "integer"),
        ),
    ),
    "payment_methods": TableSpec(
        "payment_methods",
        required=False,
        account_column="account_id",
        columns=(
            ColumnSpec("account_id", required=True),
            ColumnSpec("payment_fingerprint", required=True),
            ColumnSpec("billing_name"),
            ColumnSpec("billing_country"),
            ColumnSpec("added_at", "timestamp"),
        ),
    ),
    "ip_intel": TableSpec(
        "ip_intel",
        required=False,
        columns=(
            ColumnSpec("network", "cidr", required=True),
            ColumnSpec("asn", "integer"),
            ColumnSpec("as_org"),
            ColumnSpec("kind"),
        ),
    ),
    "indicators": TableSpec(
        "indicators",
        required=False,
        columns=(
            ColumnSpec("indicator_type", required=True),
            ColumnSpec("value", required=True),
            ColumnSpec("organization", required=True),
            ColumnSpec("confidence", "float"),
            ColumnSpec("source"),
        ),
    ),
    "labels": TableSpec(
        "labels",
        required=False,
        columns=(
            ColumnSpec("account_id", required=True),
            ColumnSpec("campaign_id"),
            ColumnSpec("organization"),
        ),
    ),
}

INDICATOR_TYPES = (
    "email_domain",
    "email",
    "ip_cidr",
    "asn",
    "billing_name",
    "payment_fingerprint",
    "user_agent",
    "org_id",
)

FILE_SUFFIXES = (".csv", ".csv.gz", ".parquet")

# Tables detection reads; labels are for evaluation only.
DETECTION_TABLES = ("accounts", "requests", "payment_methods", "ip_intel", "indicators")
