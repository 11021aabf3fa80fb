"""What a run produced: the one in-memory shape of a run folder.

The pipeline returns a :class:`Run`; :mod:`linkage.io.run_folder` writes it to a
run folder and reads it back; the report, the STIX bundle, the takedown planner
and the graph store all read a :class:`Run`, whether it was just computed or
read from disk. Files of a run folder and the fields that hold them:

================================  =====================================================
``clusters.csv``                  :attr:`Run.clusters`
``campaigns.json``                :attr:`Run.campaigns`
``takedown.csv``                  :attr:`Run.takedown`
``run.json``                      :attr:`Run.info`
``rejects/<table>.csv``           :attr:`Run.rejects` (written, not read back)
``graph/<name>.parquet``          the account graph: :data:`GRAPH_TABLES`
================================  =====================================================
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

CLUSTER_COLUMNS = [
    "account_id",
    "cluster_id",
    "hydra_score",
    "flagged",
    "organization",
    "attribution_confidence",
]
"""``clusters.csv``, as the data contract fixes it."""

TAKEDOWN_COLUMNS = [
    "account_id",
    "cluster_id",
    "hydra_score",
    "organization",
    "reason",
    "member_confidence",
]
"""``takedown.csv``, as the data contract fixes it."""

GRAPH_TABLES = (
    "accounts",
    "account_attributes",
    "links",
    "indicators",
    "indicator_matches",
    "templates",
    "payments",
    "ip_intel",
    "ip_addresses",
    "activity",
)
"""The ``graph/*.parquet`` tables, each a :class:`Run` field of the same name."""


@dataclass
class Run:
    """Everything a run produced (see the module docstring for where each part is stored)."""

    clusters: pd.DataFrame
    """One row per clustered account: CLUSTER_COLUMNS (``flagged`` is a bool)."""
    campaigns: list[dict[str, Any]]
    """One object per cluster, ranked by hydra_score (campaigns.json)."""
    takedown: pd.DataFrame
    """The flagged accounts: TAKEDOWN_COLUMNS."""
    accounts: pd.DataFrame
    """Every accepted account, normalised (canonical email, domain), with ``exchanges``,
    ``first_request`` and ``last_request``."""
    account_attributes: pd.DataFrame
    """Who holds what: one row per (account, attribute) with uses, first/last seen and weights."""
    links: pd.DataFrame
    """Account pairs linked by shared attributes, with their strength and per-kind counts."""
    indicators: pd.DataFrame
    """Every attribution indicator given, matched or not."""
    indicator_matches: pd.DataFrame
    """Which indicator matched which account, through which of its values."""
    templates: pd.DataFrame
    """template_id -> the normalised words that make it, and how many requests used it."""
    payments: pd.DataFrame
    """Accepted payment_methods rows with the normalised billing name."""
    ip_intel: pd.DataFrame
    """Accepted ip_intel rows."""
    ip_addresses: pd.DataFrame
    """One row per distinct client IP: its subnet and its longest-prefix ip_intel block
    (network, asn, as_org, ip_kind)."""
    activity: pd.DataFrame
    """Exchanges per clustered account per hour: account_id, hour (UTC), requests."""
    info: dict[str, Any] = field(default_factory=dict)
    """run.json: rows read/accepted/rejected, timings, versions, settings, summary."""
    rejects: dict[str, pd.DataFrame] = field(default_factory=dict)
    """Rejected rows per table with their row, column and reason."""
    run_id: str | None = None
    """Content digest of a run read from disk (run.json and clusters.csv); None in memory."""
    path: Path | None = None
    """The folder a run was read from."""

    @property
    def flagged_campaigns(self) -> list[dict[str, Any]]:
        return [c for c in self.campaigns if c["flagged"]]

    def setting(self, section: str, name: str, default: Any = None) -> Any:
        """A setting the run used, from run.json (flat run.json of earlier versions too)."""
        saved = self.info.get("settings")
        if not isinstance(saved, dict):
            return default
        grouped = saved.get(section)
        if isinstance(grouped, dict) and name in grouped:
            return grouped[name]
        return saved.get(name, default)

    @property
    def data_end(self) -> pd.Timestamp | None:
        """The last request time in the input (the run's "now")."""
        value = self.info.get("data_end")
        return pd.Timestamp(value) if value else None
