"""Attribution stage: indicators matched to accounts, rolled up to an organisation per cluster.

Every match is kept as evidence (which indicator matched which account, and
through what value). Per cluster, each organisation's distinct matched
indicators combine as a noisy-OR of their confidences; the winner's
confidence is then discounted by the evidence for the alternatives:

    confidence = score_top * score_top / sum(scores)

so a cluster that matches two organisations equally is not attributed
with confidence to either.
"""

from __future__ import annotations

import ipaddress

import numpy as np
import pandas as pd

from linkage.detect.normalise import canonical_email, normalise_name
from linkage.settings import Settings

MATCH_COLUMNS = [
    "account_id",
    "indicator_id",
    "indicator_type",
    "indicator_value",
    "organization",
    "confidence",
    "source",
    "matched_value",
]


def match_indicators(
    indicators: pd.DataFrame,
    accounts: pd.DataFrame,
    payments: pd.DataFrame,
    account_attributes: pd.DataFrame,
    requests: pd.DataFrame,
) -> pd.DataFrame:
    """Every (account, indicator) match, with the account's value that matched."""
    if indicators.empty:
        return pd.DataFrame(columns=MATCH_COLUMNS)
    indicators = indicators.reset_index(drop=True).copy()
    indicators["indicator_id"] = np.arange(len(indicators))
    indicators["value"] = indicators["value"].astype("str").str.strip()
    found: list[pd.DataFrame] = []

    def add(kind: str, holders: pd.DataFrame, key: str, wanted: pd.Series) -> None:
        chosen = indicators[indicators["indicator_type"] == kind].assign(_key=wanted)
        if chosen.empty or holders.empty:
            return
        joined = chosen.merge(holders.rename(columns={key: "_key"}), on="_key")
        found.append(joined.rename(columns={"_matched": "matched_value"}))

    by_type = indicators["indicator_type"]
    email_key = canonical_email(indicators["value"])["email"]
    add(
        "email",
        accounts[["account_id", "email_canonical"]].assign(_matched=accounts["email"]),
        "email_canonical",
        email_key.where(by_type == "email"),
    )
    add(
        "email_domain",
        accounts[["account_id", "email_domain"]].assign(_matched=accounts["email"]),
        "email_domain",
        indicators["value"].str.lower().str.lstrip("@"),
    )
    add(
        "org_id",
        accounts[["account_id", "org_id"]].assign(_matched=accounts["org_id"]),
        "org_id",
        indicators["value"],
    )
    add(
        "billing_name",
        payments[["account_id", "billing_name_normalised"]].assign(
            _matched=payments["billing_name"]
        ),
        "billing_name_normalised",
        normalise_name(indicators["value"]),
    )
    add(
        "payment_fingerprint",
        payments[["account_id", "payment_fingerprint"]].assign(
            _matched=payments["payment_fingerprint"]
        ),
        "payment_fingerprint",
        indicators["value"],
    )
    account_asns = (
        requests[["account_id", "asn"]].dropna().drop_duplicates().astype({"asn": "int64"})
    )
    add(
        "asn",
        account_asns.assign(_matched="AS" + account_asns["asn"].astype("str")),
        "asn",
        pd.to_numeric(indicators["value"].str.upper().str.removeprefix("AS"), errors="coerce"),
    )
    ips = account_attributes[account_attributes["attr_type"] == "ip"][["account_id", "attr_value"]]
    found.extend(_match_cidrs(indicators[by_type == "ip_cidr"], ips))
    agents = account_attributes[account_attributes["attr_type"] == "user_agent"][
        ["account_id", "attr_value"]
    ]
    for _, indicator in indicators[by_type == "user_agent"].iterrows():
        hit = agents[agents["attr_value"].str.contains(indicator["value"], case=False, regex=False)]
        if len(hit):
            found.append(_matches_for(indicator, hit))

    if not found:
        return pd.DataFrame(columns=MATCH_COLUMNS)
    matches = pd.concat(found, ignore_index=True)
    matches = matches.rename(columns={"value": "indicator_value"})
    matches["matched_value"] = matches["matched_value"].astype("str")
    return (
        matches[MATCH_COLUMNS]
        .drop_duplicates(["account_id", "indicator_id", "matched_value"])
        .sort_values(["indicator_id", "account_id"], ignore_index=True)
    )


def _matches_for(indicator: pd.Series, hits: pd.DataFrame) -> pd.DataFrame:
    frame = pd.DataFrame({"account_id": hits["account_id"].to_numpy()})
    for column in (
        "indicator_id",
        "indicator_type",
        "value",
        "organization",
        "confidence",
        "source",
    ):
        frame[column] = indicator[column]
    frame["matched_value"] = hits["attr_value"].to_numpy()
    return frame


def _match_cidrs(cidr_indicators: pd.DataFrame, ips: pd.DataFrame) -> list[pd.DataFrame]:
    """Account IPs inside each CIDR indicator (one pass per indicator over distinct IPs)."""
    if cidr_indicators.empty or ips.empty:
        return []
    distinct = pd.Series(ips["attr_value"].unique())
    parsed = [_ip_or_none(v) for v in distinct]
    results = []
    for _, indicator in cidr_indicators.iterrows():
        try:
            network = ipaddress.ip_network(indicator["value"], strict=False)
        except ValueError:
            continue
        inside = {
            str(v)
            for v, ip in zip(distinct, parsed, strict=True)
            if ip is not None and ip in network
        }
        hit = ips[ips["attr_value"].isin(inside)]
        if len(hit):
            results.append(_matches_for(indicator, hit))
    return results


def _ip_or_none(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def attribute_clusters(
    matches: pd.DataFrame, membership: pd.DataFrame, settings: Settings
) -> pd.DataFrame:
    """Per cluster: organisation, confidence, and the ranked alternatives.

    Examples
    --------
    >>> matches = pd.DataFrame({"account_id": ["a", "b", "b"], "indicator_id": [0, 1, 2],
    ...     "organization": ["Kestrel AI", "Kestrel AI", "Zephyr"], "confidence": [0.9, 0.8, 0.3]})
    >>> membership = pd.DataFrame({"account_id": ["a", "b"], "cluster_key": [7, 7]})
    >>> row = attribute_clusters(matches, membership, Settings()).iloc[0]
    >>> row["organization"], float(row["attribution_confidence"])
    ('Kestrel AI', 0.7503)
    """
    columns = ["cluster_key", "organization", "attribution_confidence", "alternatives"]
    if matches.empty or membership.empty:
        return pd.DataFrame(columns=columns)
    in_clusters = matches.merge(membership[["account_id", "cluster_key"]], on="account_id")
    if in_clusters.empty:
        return pd.DataFrame(columns=columns)
    distinct = in_clusters.drop_duplicates(["cluster_key", "organization", "indicator_id"])
    distinct = distinct.assign(log_miss=np.log1p(-distinct["confidence"].clip(0.0, 0.999999)))
    per_org = distinct.groupby(["cluster_key", "organization"])["log_miss"].sum().reset_index()
    per_org["score"] = 1.0 - np.exp(per_org["log_miss"])
    per_org = per_org.sort_values(
        ["cluster_key", "score", "organization"], ascending=[True, False, True]
    )
    total = per_org.groupby("cluster_key")["score"].transform("sum")
    per_org["confidence"] = (per_org["score"] * per_org["score"] / total).round(4)
    per_org["score"] = per_org["score"].round(4)

    rows = []
    for cluster_key, group in per_org.groupby("cluster_key", sort=True):
        top = group.iloc[0]
        attributed = top["confidence"] >= settings.attribution.attribution_min_confidence
        rows.append(
            {
                "cluster_key": cluster_key,
                "organization": top["organization"] if attributed else None,
                "attribution_confidence": float(top["confidence"]) if attributed else 0.0,
                "alternatives": [
                    {
                        "organization": r.organization,
                        "confidence": float(r.confidence),
                        "evidence_score": float(r.score),
                    }
                    for r in group.itertuples()
                ],
            }
        )
    return pd.DataFrame(rows, columns=columns)
