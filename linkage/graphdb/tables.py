"""The rows of a run's account graph, as tables: what both ways of loading send.

The Bolt loader (:mod:`linkage.graphdb.store`) sends each table in ``UNWIND $rows``
batches to one ``cypher/load_*.cypher`` statement; the bulk loader
(:mod:`linkage.graphdb.bulk`) turns the same tables into ``neo4j-admin database import``
CSV files. Building them once, here, is what keeps the two graphs equal.

A :class:`Table` is a flat data frame; ``maps`` names groups of its columns that the
Cypher statement receives as one map (``SET r += row.weights``) and that become plain
properties in the bulk files. Nothing here talks to Neo4j.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from linkage.errors import GraphStoreError
from linkage.kinds import ATTRIBUTE_KINDS, AttributeKind
from linkage.run_model import Run

__all__ = [
    "TEMPORAL",
    "Table",
    "account_rows",
    "attribute_edge_rows",
    "attribute_kinds",
    "attribute_node_rows",
    "cluster_rows",
    "indicator_rows",
    "intel_rows",
    "ip_network_rows",
    "is_datetime",
    "iso_times",
    "link_rows",
    "match_rows",
    "membership_rows",
    "payment_rows",
    "records",
]

TEMPORAL = frozenset(
    {"created_at", "first_seen", "last_seen", "first_activity", "last_activity", "started_at"}
)
"""Columns that the load statements turn into Neo4j DateTime values (``datetime(row.x)``);
any other time column reaches the graph as ISO text."""


@dataclass(frozen=True)
class Table:
    """Rows for one loading step: flat columns, some of them grouped into maps."""

    frame: pd.DataFrame
    maps: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.frame)

    def records(self, start: int = 0, stop: int | None = None) -> list[dict[str, Any]]:
        """Rows ``start:stop`` as the driver takes them (see :func:`records`)."""
        return records(self.frame.iloc[start:stop], self.maps)


# ------------------------------------------------------------------------ conversions


def _json_value(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value


def is_datetime(series: pd.Series) -> bool:
    return isinstance(series.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(
        series.dtype
    )


def _column_values(series: pd.Series) -> np.ndarray:
    """Python values of a column: NaN/NaT/NA as None, times as ISO text."""
    if is_datetime(series):
        return iso_times(series)
    values = series.astype(object).to_numpy()
    missing = pd.isna(series).to_numpy()
    if missing.any():
        values = values.copy()
        values[missing] = None
    return values


def records(
    frame: pd.DataFrame, maps: Mapping[str, tuple[str, ...]] | None = None
) -> list[dict[str, Any]]:
    """Rows as plain Python dicts for the driver: NaN/NaT/NA to None, times to ISO text,
    the columns of each of ``maps`` gathered into one dict under the map's name."""
    if frame.empty:
        return []
    maps = maps or {}
    in_maps = {column for columns in maps.values() for column in columns}
    plain = [name for name in frame.columns if name not in in_maps]
    arrays = {name: _column_values(frame[name]) for name in frame.columns}
    rows = [
        {n: _json_value(v) for n, v in zip(plain, row, strict=True)}
        for row in zip(*(arrays[n] for n in plain), strict=True)
    ]
    for map_name, columns in maps.items():
        if not columns:
            for row in rows:
                row[map_name] = {}
            continue
        values = zip(*(arrays[c] for c in columns), strict=True)
        for row, value in zip(rows, values, strict=True):
            row[map_name] = {c: _json_value(v) for c, v in zip(columns, value, strict=True)}
    return rows


def iso_times(series: pd.Series) -> np.ndarray:
    """ISO-8601 UTC text (microseconds) per value, None for missing ones; vectorised."""
    times = pd.to_datetime(series, utc=True)
    raw = times.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy(dtype="datetime64[us]")
    text = np.char.add(np.datetime_as_string(raw, unit="us"), "Z").astype(object)
    text[pd.isna(times).to_numpy()] = None
    return text


# ------------------------------------------------------------------------------ tables


_ACCOUNT_COLUMNS = [
    "account_id",
    "created_at",
    "email",
    "email_canonical",
    "email_domain",
    "display_name",
    "org_id",
    "signup_pathway",
    "country",
]


def account_rows(run: Run) -> Table:
    """Accounts: ``load_accounts``."""
    accounts = run.accounts.copy()
    for column in _ACCOUNT_COLUMNS:
        if column not in accounts.columns:
            accounts[column] = None
    accounts["account_id"] = accounts["account_id"].astype("str")
    return Table(accounts[_ACCOUNT_COLUMNS].reset_index(drop=True))


def attribute_kinds(run: Run) -> Iterator[tuple[AttributeKind, pd.DataFrame]]:
    """Each attribute kind the run holds, in ATTRIBUTE_KINDS order, with its incidence rows."""
    by_type = {t: g for t, g in run.account_attributes.groupby("attr_type", sort=False)}
    unknown = sorted(set(by_type) - set(ATTRIBUTE_KINDS))
    if unknown:
        raise GraphStoreError(
            f"account_attributes has attribute types the graph does not know: {unknown}"
        )
    for attr_type, kind in ATTRIBUTE_KINDS.items():
        if attr_type in by_type:
            yield kind, by_type[attr_type]


def attribute_node_rows(run: Run, attr_type: str, held: pd.DataFrame) -> Table:
    """One row per distinct attribute value: value, accounts (how many hold it), and the
    kind's own properties as the map ``props`` (``load_attribute_nodes``)."""
    grouped = held.groupby("attr_value", sort=True)
    nodes = grouped["account_id"].nunique().rename("accounts").reset_index()
    frame = pd.DataFrame(
        {
            "value": nodes["attr_value"].astype("str").to_numpy(),
            "accounts": nodes["accounts"].to_numpy(),
        }
    )
    props: list[str] = []
    if attr_type == "ip" and "ip_kind" in held.columns:
        frame["kind"] = grouped["ip_kind"].first().to_numpy()
        props.append("kind")
    elif attr_type == "subnet":
        frame["subnet"] = True
        props.append("subnet")
    elif attr_type == "template" and not run.templates.empty:
        catalogue = run.templates.drop_duplicates("template_id").set_index("template_id")
        if "text" in catalogue.columns:
            frame["text"] = nodes["attr_value"].map(catalogue["text"]).to_numpy()
            props.append("text")
        if "requests" in catalogue.columns:
            requests = nodes["attr_value"].map(catalogue["requests"])
            frame["requests"] = pd.to_numeric(requests).astype("Int64").to_numpy()
            props.append("requests")
    return Table(frame, {"props": tuple(props)})


_EDGE_COLUMNS = ("account_id", "attr_value", "uses", "first_seen", "last_seen")
_NOT_EDGE_WEIGHTS = {*_EDGE_COLUMNS, "attr_type", "ip_kind", "accounts", "value"}


def attribute_edge_rows(held: pd.DataFrame) -> Table:
    """account_id, value, uses, first/last seen, and as the map ``weights`` the other
    numeric columns of the incidence table (contribution, usage_share, ...)."""
    edges = pd.DataFrame({"account_id": held["account_id"].astype("str").to_numpy()})
    edges["value"] = held["attr_value"].astype("str").to_numpy()
    for column in ("uses", "first_seen", "last_seen"):
        edges[column] = held[column].reset_index(drop=True) if column in held.columns else None
    numeric = [
        c
        for c in held.columns
        if c not in _NOT_EDGE_WEIGHTS and pd.api.types.is_numeric_dtype(held[c].dtype)
    ]
    for column in numeric:
        edges[column] = held[column].to_numpy()
    return Table(edges, {"weights": tuple(numeric)})


def ip_network_rows(run: Run) -> Table:
    """(IP, network) pairs: every address's subnet and its longest-prefix ip_intel block."""
    addresses = run.ip_addresses
    if addresses.empty:
        return Table(pd.DataFrame(columns=["address", "cidr"]))
    pairs = pd.concat(
        [
            addresses[["address", "subnet"]].rename(columns={"subnet": "cidr"}),
            addresses[["address", "network"]].rename(columns={"network": "cidr"}),
        ],
        ignore_index=True,
    )
    pairs = pairs.dropna().drop_duplicates(ignore_index=True)
    pairs["address"] = pairs["address"].astype("str")
    pairs["cidr"] = pairs["cidr"].astype("str")
    return Table(pairs)


def intel_rows(run: Run) -> Table:
    """ip_intel blocks: cidr, prefix_len, kind, as_org, asn (``load_networks``)."""
    intel = run.ip_intel.copy()
    if intel.empty:
        return Table(pd.DataFrame(columns=["cidr", "prefix_len", "kind", "as_org", "asn"]))
    for column in ("asn", "as_org", "kind"):
        if column not in intel.columns:
            intel[column] = None
    cidr = intel["network"].astype("str").str.strip()
    prefix = pd.to_numeric(cidr.str.rpartition("/")[2], errors="coerce").astype("Int64")
    asn = pd.to_numeric(intel["asn"], errors="coerce").astype("Int64")
    kind_given = intel["kind"].notna()
    rows = pd.DataFrame(
        {
            "cidr": cidr,
            "prefix_len": prefix,
            "kind": intel["kind"].astype("str").str.strip().str.lower().where(kind_given),
            "as_org": intel["as_org"].where(intel["as_org"].notna()),
            "asn": asn,
        }
    )
    return Table(rows.drop_duplicates("cidr", keep="last", ignore_index=True))


def payment_rows(run: Run) -> Table:
    """fingerprint, billing_country, billing_name (``load_payment_methods``)."""
    payments = run.payments
    if payments.empty:
        return Table(pd.DataFrame(columns=["fingerprint", "billing_country", "billing_name"]))
    billing_name = (
        payments["billing_name_normalised"]
        if "billing_name_normalised" in payments.columns
        else pd.Series(None, index=payments.index, dtype=object)
    )
    country = (
        payments["billing_country"]
        if "billing_country" in payments.columns
        else pd.Series(None, index=payments.index, dtype=object)
    )
    rows = pd.DataFrame(
        {
            "fingerprint": payments["payment_fingerprint"].astype("str"),
            "billing_country": country,
            "billing_name": billing_name.where(billing_name.astype("str").str.len() > 0),
        }
    )
    return Table(rows.drop_duplicates(ignore_index=True))


def indicator_rows(run: Run) -> Table:
    """Indicators: graph/indicators.parquet when the run wrote one, else the matched ones."""
    columns = ["type", "value", "organization", "confidence", "source"]
    if not run.indicators.empty:
        source = run.indicators.rename(columns={"indicator_type": "type"})
    elif not run.indicator_matches.empty:
        source = run.indicator_matches.rename(
            columns={"indicator_type": "type", "indicator_value": "value"}
        )
    else:
        return Table(pd.DataFrame(columns=columns))
    rows = source.copy()
    for column in ("confidence", "source"):
        if column not in rows.columns:
            rows[column] = None
    rows["value"] = rows["value"].astype("str").str.strip()
    rows = rows[columns]
    return Table(rows.drop_duplicates(["type", "value", "organization"], ignore_index=True))


def match_rows(run: Run) -> Table:
    """type, value, account_id, matched_value (``load_indicator_matches``)."""
    if run.indicator_matches.empty:
        return Table(pd.DataFrame(columns=["type", "value", "account_id", "matched_value"]))
    matches = run.indicator_matches
    rows = pd.DataFrame(
        {
            "type": matches["indicator_type"].astype("str"),
            "value": matches["indicator_value"].astype("str").str.strip(),
            "account_id": matches["account_id"].astype("str"),
            "matched_value": matches["matched_value"].astype("str"),
        }
    )
    return Table(rows.drop_duplicates(ignore_index=True))


def link_rows(run: Run, min_link_strength: float | None) -> Table:
    """account_a, account_b and as the map ``evidence`` every other column of the link
    (strength, shared, payment_shared, ...); only links of at least ``min_link_strength``
    (None: the run's own)."""
    if min_link_strength is None:
        min_link_strength = float(run.setting("cluster", "min_link_strength", 0.0))
    links = run.links
    if min_link_strength > 0 and "strength" in links.columns:
        links = links[links["strength"] >= min_link_strength]
    if links.empty:
        return Table(pd.DataFrame(columns=["account_a", "account_b"]), {"evidence": ()})
    evidence = tuple(c for c in links.columns if c not in ("account_a", "account_b"))
    frame = links.reset_index(drop=True).copy()
    frame["account_a"] = frame["account_a"].astype("str")
    frame["account_b"] = frame["account_b"].astype("str")
    return Table(frame[["account_a", "account_b", *evidence]], {"evidence": evidence})


_CLUSTER_FIELDS = (
    "account_count",
    "exchange_count",
    "first_activity",
    "last_activity",
    "still_active",
)
_SCORE_COMPONENTS = ("link_strength", "concealment", "coordination", "content", "volume")


def cluster_rows(run: Run) -> Table:
    """One row per cluster, from clusters.csv and campaigns.json (``load_clusters``)."""
    clusters = run.clusters
    if clusters.empty:
        return Table(pd.DataFrame(columns=["cluster_id"]))
    per_cluster = clusters.groupby("cluster_id", sort=True).agg(
        hydra_score=("hydra_score", "first"),
        flagged=("flagged", "first"),
        organization=("organization", "first"),
        attribution_confidence=("attribution_confidence", "first"),
        members=("account_id", "size"),
    )
    per_cluster = per_cluster.reset_index()
    details = {str(c.get("cluster_id")): c for c in run.campaigns if isinstance(c, dict)}
    extra: dict[str, list[Any]] = {name: [] for name in (*_CLUSTER_FIELDS, *_SCORE_COMPONENTS)}
    for cluster_id, members in zip(per_cluster["cluster_id"], per_cluster["members"], strict=True):
        campaign = details.get(str(cluster_id), {})
        components = campaign.get("score_components") or {}
        extra["account_count"].append(campaign.get("account_count", int(members)))
        for name in ("exchange_count", "first_activity", "last_activity", "still_active"):
            extra[name].append(campaign.get(name))
        for name in _SCORE_COMPONENTS:
            extra[name].append(components.get(name))
    for name, values in extra.items():
        per_cluster[name] = values
    per_cluster["organization"] = per_cluster["organization"].where(
        per_cluster["organization"].notna() & (per_cluster["organization"] != ""), None
    )
    return Table(per_cluster.drop(columns=["members"]))


def membership_rows(run: Run) -> Table:
    """account_id, cluster_id (``load_memberships``)."""
    return Table(run.clusters[["account_id", "cluster_id"]].astype("str").reset_index(drop=True))
