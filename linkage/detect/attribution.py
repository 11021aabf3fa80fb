"""Attribution stage: indicators matched to accounts, rolled up to an organisation per cluster.

Every match is kept as evidence (which indicator matched which account, and
through what value). A wrong organisation is worse than none, so an indicator
counts for a cluster only as far as it covers the cluster and is specific to it:

    evidence = confidence x coverage x specificity
    coverage = max(min(1, matched / (members x full_coverage_share)),
                   1 - 0.5 ** (matched / members_for_half_coverage))
    specificity = members matched / (members matched + ordinary accounts matched elsewhere)

One indicator matched by one member of a sixty-account cluster says little
about the other fifty-nine; an ASN half the internet uses says little about
anyone; but a handful of members of a tightly linked cluster paying under a
known billing name is evidence whatever the cluster's size, so coverage also
grows with the count of matched members. Matched members count by their
member confidence (a loosely attached member's match counts for less).
"Ordinary" accounts are those whose own traffic is not suspicious (the
profile stage): a campaign split over several clusters keeps its indicators
specific. Per cluster, each organisation's indicators combine by *indicator
kind* (identity: email and email domain; payment: billing name and
fingerprint; network: CIDR and ASN; client: user-agent; declared: org_id):
the strongest indicator of a kind counts, kinds combine as a noisy-OR. The
winner's confidence is discounted by the alternatives,
``confidence = score_top**2 / sum(scores)``, so a cluster matching two
organisations equally is attributed to neither. The organisation is named when
the confidence reaches ``attribution_min_confidence``; ``attribution_kinds``
says how many independent kinds stand behind it (the STIX bundle names an
organisation as ``attributed-to`` only with two).
"""

from __future__ import annotations

import ipaddress

import numpy as np
import pandas as pd

from linkage.detect.normalise import canonical_email, normalise_name
from linkage.settings import Settings

INDICATOR_KINDS = {
    "email": "identity",
    "email_domain": "identity",
    "billing_name": "payment",
    "payment_fingerprint": "payment",
    "ip_cidr": "network",
    "asn": "network",
    "user_agent": "client",
    "org_id": "declared",
}
"""Indicator type -> kind: indicators of one kind say the same thing and count once."""

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
    ip_addresses: pd.DataFrame,
) -> pd.DataFrame:
    """Every (account, indicator) match, with the account's value that matched.

    ``ip_addresses`` places each client IP in its ip_intel block (for ASN indicators);
    IPs and client strings come from the incidence table, so no request is read here.
    """
    if indicators.empty:
        return pd.DataFrame(columns=MATCH_COLUMNS)
    indicators = indicators.reset_index(drop=True).copy()
    indicators["indicator_id"] = np.arange(len(indicators))
    indicators["value"] = indicators["value"].astype("str").str.strip()
    found: list[pd.DataFrame] = []
    for kind, (holders, key, wanted) in _exact_keys(
        indicators, accounts, payments, account_attributes, ip_addresses
    ).items():
        chosen = indicators[indicators["indicator_type"] == kind].assign(_key=wanted)
        if chosen.empty or holders.empty:
            continue
        joined = chosen.merge(holders.rename(columns={key: "_key"}), on="_key")
        found.append(joined.rename(columns={"_matched": "matched_value"}))
    by_type = indicators["indicator_type"]
    held = account_attributes
    ips = held.loc[held["attr_type"] == "ip", ["account_id", "attr_value"]]
    found.extend(_match_cidrs(indicators[by_type == "ip_cidr"], ips))
    agents = held.loc[held["attr_type"] == "user_agent", ["account_id", "attr_value"]]
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


def _exact_keys(
    indicators: pd.DataFrame,
    accounts: pd.DataFrame,
    payments: pd.DataFrame,
    account_attributes: pd.DataFrame,
    ip_addresses: pd.DataFrame,
) -> dict[str, tuple[pd.DataFrame, str, pd.Series]]:
    """Per indicator type matched by equality: (who holds which key, the key column, the
    key each indicator asks for), with ``_matched``, the account's value as given."""
    value = indicators["value"]
    email_key = canonical_email(value)["email"].where(indicators["indicator_type"] == "email")
    ips = account_attributes.loc[
        account_attributes["attr_type"] == "ip", ["account_id", "attr_value"]
    ]
    located = ips.merge(
        ip_addresses[["address", "asn"]].dropna(), left_on="attr_value", right_on="address"
    )
    asns = located[["account_id", "asn"]].drop_duplicates().astype({"asn": "int64"})
    return {
        "email": (
            accounts[["account_id", "email_canonical"]].assign(_matched=accounts["email"]),
            "email_canonical",
            email_key,
        ),
        "email_domain": (
            accounts[["account_id", "email_domain"]].assign(_matched=accounts["email"]),
            "email_domain",
            value.str.lower().str.lstrip("@"),
        ),
        "org_id": (
            accounts[["account_id", "org_id"]].assign(_matched=accounts["org_id"]),
            "org_id",
            value,
        ),
        "billing_name": (
            payments[["account_id", "billing_name_normalised"]].assign(
                _matched=payments["billing_name"]
            ),
            "billing_name_normalised",
            normalise_name(value),
        ),
        "payment_fingerprint": (
            payments[["account_id", "payment_fingerprint"]].assign(
                _matched=payments["payment_fingerprint"]
            ),
            "payment_fingerprint",
            value,
        ),
        "asn": (
            asns.assign(_matched="AS" + asns["asn"].astype("str")),
            "asn",
            pd.to_numeric(value.str.upper().str.removeprefix("AS"), errors="coerce"),
        ),
    }


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
    matches: pd.DataFrame,
    membership: pd.DataFrame,
    settings: Settings,
    suspicious: pd.Index | None = None,
    confidence: pd.Series | None = None,
) -> pd.DataFrame:
    """Per cluster: organisation, confidence, independent kinds behind it, ranked alternatives.

    Examples
    --------
    >>> matches = pd.DataFrame({"account_id": ["a", "b", "a", "b"], "indicator_id": [0, 0, 1, 1],
    ...     "indicator_type": ["email_domain", "email_domain", "asn", "asn"],
    ...     "organization": ["Kestrel AI"] * 4, "confidence": [0.9, 0.9, 0.8, 0.8]})
    >>> membership = pd.DataFrame({"account_id": ["a", "b"], "cluster_key": [7, 7]})
    >>> row = attribute_clusters(matches, membership, Settings()).iloc[0]
    >>> row["organization"], float(row["attribution_confidence"]), int(row["attribution_kinds"])
    ('Kestrel AI', 0.98, 2)
    """
    columns = [
        "cluster_key",
        "organization",
        "attribution_confidence",
        "attribution_kinds",
        "alternatives",
    ]
    if matches.empty or membership.empty:
        return pd.DataFrame(columns=columns)
    per_org = _organisation_evidence(matches, membership, settings, suspicious, confidence)
    if per_org.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    minimum = settings.attribution.attribution_min_confidence
    for cluster_key, group in per_org.groupby("cluster_key", sort=True):
        top = group.iloc[0]
        attributed = top["confidence"] >= minimum
        rows.append(
            {
                "cluster_key": cluster_key,
                "organization": top["organization"] if attributed else None,
                "attribution_confidence": float(top["confidence"]) if attributed else 0.0,
                "attribution_kinds": int(top["kinds"]) if attributed else 0,
                "alternatives": [
                    {
                        "organization": r.organization,
                        "confidence": float(r.confidence),
                        "evidence_score": float(r.score),
                        "indicator_kinds": int(r.kinds),
                    }
                    for r in group.itertuples()
                ],
            }
        )
    return pd.DataFrame(rows, columns=columns)


def _organisation_evidence(
    matches: pd.DataFrame,
    membership: pd.DataFrame,
    settings: Settings,
    suspicious: pd.Index | None,
    member_confidence: pd.Series | None,
) -> pd.DataFrame:
    """Per (cluster, organisation): evidence score, confidence and independent kinds."""
    config = settings.attribution
    sizes = membership.groupby("cluster_key").size()
    ordinary = matches[~matches["account_id"].isin(suspicious if suspicious is not None else [])]
    ordinary = ordinary.merge(membership[["account_id", "cluster_key"]], how="left")
    in_clusters = matches.merge(membership[["account_id", "cluster_key"]], on="account_id")
    if in_clusters.empty:
        return pd.DataFrame()
    in_clusters = in_clusters.drop_duplicates(["cluster_key", "indicator_id", "account_id"])
    weight = (
        in_clusters["account_id"].map(member_confidence).fillna(1.0)
        if member_confidence is not None
        else pd.Series(1.0, index=in_clusters.index)
    )
    in_clusters = in_clusters.assign(weight=weight.to_numpy())
    per_indicator = (
        in_clusters.groupby(["cluster_key", "organization", "indicator_id"], sort=True)
        .agg(
            matched=("weight", "sum"),
            accounts=("account_id", "nunique"),
            confidence=("confidence", "first"),
            indicator_type=("indicator_type", "first"),
        )
        .reset_index()
    )
    members = per_indicator["cluster_key"].map(sizes)
    share = (per_indicator["matched"] / (members * config.full_coverage_share)).clip(upper=1.0)
    count = 1.0 - 0.5 ** (per_indicator["matched"] / config.members_for_half_coverage)
    coverage = np.maximum(share, count)
    # ordinary accounts an indicator matches outside the cluster make it less specific
    ordinary_total = ordinary.groupby("indicator_id")["account_id"].nunique()
    ordinary_inside = ordinary.groupby(["indicator_id", "cluster_key"])["account_id"].nunique()
    inside = pd.MultiIndex.from_frame(per_indicator[["indicator_id", "cluster_key"]])
    outside = per_indicator["indicator_id"].map(ordinary_total).fillna(0).to_numpy() - (
        ordinary_inside.reindex(inside).fillna(0).to_numpy()
    )
    specificity = per_indicator["accounts"] / (per_indicator["accounts"] + outside)
    evidence = per_indicator["confidence"].clip(0.0, 1.0) * coverage * specificity
    per_indicator["evidence"] = evidence.clip(0.0, 0.999999)
    per_indicator["kind"] = per_indicator["indicator_type"].map(INDICATOR_KINDS).fillna("other")
    per_kind = (
        per_indicator.groupby(["cluster_key", "organization", "kind"])["evidence"]
        .max()
        .reset_index()
    )
    per_kind["log_miss"] = np.log1p(-per_kind["evidence"])
    per_kind["counts"] = per_kind["evidence"] >= config.min_kind_evidence
    per_org = (
        per_kind.groupby(["cluster_key", "organization"])
        .agg(log_miss=("log_miss", "sum"), kinds=("counts", "sum"))
        .reset_index()
    )
    per_org["score"] = 1.0 - np.exp(per_org["log_miss"])
    per_org = per_org.sort_values(
        ["cluster_key", "score", "organization"], ascending=[True, False, True]
    )
    total = per_org.groupby("cluster_key")["score"].transform("sum").clip(lower=1e-12)
    per_org["confidence"] = (per_org["score"] * per_org["score"] / total).round(4)
    per_org["score"] = per_org["score"].round(4)
    return per_org
