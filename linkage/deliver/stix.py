"""Sharing stage: the flagged campaigns as a STIX 2.1 bundle partner labs can ingest.

One bundle per run (``indicators.stix.json``), TLP:AMBER on every object:

* per flagged cluster a ``campaign`` (the activity) and an ``intrusion-set``
  (the accounts run as one), ``campaign attributed-to intrusion-set``;
* when the cluster is attributed, the organisation as a ``threat-actor``
  (type ``competitor``) and an ``identity``: ``campaign`` and ``intrusion-set``
  ``attributed-to`` the threat actor (confidence = attribution confidence x 100),
  ``threat-actor attributed-to identity``;
* ``indicator``\\ s, each ``indicates`` its campaign.

Indicators, and what their patterns look like:

=================  ====================================================================
network            ``[ipv4-addr:value ISSUBSET '203.0.113.0/24']`` (``ipv6-addr`` for v6)
ASN                ``[autonomous-system:number = 64500]``
client string      ``[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent'
                   = 'kestrel-harvest/2.1']``
payment method     ``[x-linkage-payment-method:fingerprint_hmac_sha256 = '<64 hex>']``
email              ``[email-addr:x_linkage_hmac_sha256 = '<64 hex>']``
prompt template    ``[x-linkage-prompt-template:head_hmac_sha256 = '<64 hex>']`` (or ``tail_``)
=================  ====================================================================

Payment fingerprints, emails and prompt templates are personal or
proprietary, so they are never shared raw: the pattern holds
``HMAC-SHA256(sharing_key, value)`` in lower-case hex, where ``value`` is

* payment method: the processor's fingerprint exactly as logged;
* email: the canonical mailbox (lower case, ``+tag`` dropped, dots removed
  from Gmail local parts, ``googlemail.com`` read as ``gmail.com``);
* prompt template: the normalised words of the template (lower case; digit
  runs replaced by ``0``; runs of punctuation, symbols and spaces replaced by
  one space; the first 10 words for ``head``, the last 4 for ``tail``).

A partner lab holding the same sharing key (exchanged out of band) computes
the same HMAC over its own values and matches, without either side seeing
the other's raw values. The key never goes into settings or run.json: it is
read from the environment variable ``LINKAGE_SHARING_KEY``. Without it a fixed
demo key is used, and every object is labelled ``demo-key-do-not-share``
and says so in its description.

Only values specific to the campaign are shared: a value held by more
accounts outside the cluster than inside it (a popular SDK string, a
carrier network) indicates nothing, and networks of kind ``mobile``,
``vpn`` and ``university`` are shared by design and left out.

Ids are derived from the content (cluster ids are stable across runs) by
hashing, in the UUIDv4 layout STIX asks for (see :func:`_stable_uuid`), and
``created``/``modified`` are the last request time in the data, so the same
input gives the same bundle byte for byte.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import os
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import stix2

from linkage.errors import LinkageError
from linkage.run_model import Run

SHARING_KEY_ENV = "LINKAGE_SHARING_KEY"
"""Environment variable holding the key of the keyed hashes (at least 16 bytes)."""

DEMO_SHARING_KEY = b"linkage-demo-sharing-key-not-secret"
"""Used when no key is set. Everybody knows it: a bundle hashed with it protects nothing."""

DEMO_LABEL = "demo-key-do-not-share"
DEMO_WARNING = (
    "DEMO SHARING KEY - DO NOT SHARE: the keyed hashes in this bundle were made with the "
    f"public demo key; set {SHARING_KEY_ENV} and rerun before sharing."
)

MIN_KEY_BYTES = 16

BROAD_IP_KINDS = frozenset({"mobile", "vpn", "university"})
"""Network kinds shared by design: never shared as campaign indicators."""

MIN_SPECIFICITY = 0.5
"""A value is shared only when at least this share of its holders are in the cluster."""

MIN_ASN_TRAFFIC_SHARE = 0.1
"""An ASN is shared only when it carries at least this share of the cluster's exchanges."""

MARKING = stix2.TLP_AMBER

_NAMESPACE = uuid.UUID("5f3c2d8e-7a51-5b0e-9c4d-3e1f0a6b7c21")
_PRODUCER_NAME = "linkage account-linkage engine"


class SharingKeyError(LinkageError):
    """The sharing key in the environment is unusable."""


def sharing_key_from_env(environ: Mapping[str, str] | None = None) -> tuple[bytes, bool]:
    """The sharing key from ``LINKAGE_SHARING_KEY``, and whether it is the demo key.

    Examples
    --------
    >>> sharing_key_from_env({})
    (b'linkage-demo-sharing-key-not-secret', True)
    >>> sharing_key_from_env({"LINKAGE_SHARING_KEY": "a-long-enough-secret"})
    (b'a-long-enough-secret', False)
    """
    environ = os.environ if environ is None else environ
    value = environ.get(SHARING_KEY_ENV, "")
    if not value:
        return DEMO_SHARING_KEY, True
    key = value.encode("utf-8")
    if len(key) < MIN_KEY_BYTES:
        raise SharingKeyError(
            f"{SHARING_KEY_ENV} is {len(key)} bytes long; use at least {MIN_KEY_BYTES} "
            "random bytes (e.g. `openssl rand -hex 32`)"
        )
    return key, key == DEMO_SHARING_KEY


def keyed_hash(key: bytes, value: str) -> str:
    """HMAC-SHA256 of ``value`` (UTF-8) under ``key``, lower-case hex.

    Examples
    --------
    >>> keyed_hash(b"key", "The quick brown fox jumps over the lazy dog")[:16]
    'f7bc83f430538424'
    """
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


def key_id(key: bytes) -> str:
    """A short public name for a key, so partners know which key a bundle needs.

    Examples
    --------
    >>> len(key_id(DEMO_SHARING_KEY))
    12
    """
    return hashlib.sha256(b"linkage-sharing-key-id:" + key).hexdigest()[:12]


def stix_string(value: str) -> str:
    """Quote ``value`` as a STIX pattern string literal.

    Examples
    --------
    >>> print(stix_string("it's a \\\\ path"))
    'it\\'s a \\\\ path'
    """
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _stable_uuid(text: str) -> uuid.UUID:
    """A UUID derived from ``text``: name-based like UUIDv5, but with the version bits of v4.

    STIX 2.1 says SDO and SRO ids SHOULD be UUIDv4 (the validator warns on v5,
    and fails in strict mode), and we want the same id for the same content,
    so the SHA-256 of namespace and text fills the 122 random bits.

    Examples
    --------
    >>> _stable_uuid("x") == _stable_uuid("x"), _stable_uuid("x").version
    (True, 4)
    """
    digest = hashlib.sha256(_NAMESPACE.bytes + text.encode("utf-8")).digest()
    return uuid.UUID(bytes=digest[:16], version=4)


def _stable_id(object_type: str, *key: object) -> str:
    return f"{object_type}--{_stable_uuid(json.dumps([object_type, *key]))}"


def _timestamp(value: Any) -> datetime | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return stamp.to_pydatetime().replace(microsecond=0)


def _specific(item: Mapping[str, Any]) -> bool:
    overall = max(int(item.get("accounts_overall") or 0), 1)
    return int(item.get("members") or 0) / overall >= MIN_SPECIFICITY


def _specificity_confidence(item: Mapping[str, Any]) -> int:
    overall = max(int(item.get("accounts_overall") or 0), 1)
    return max(1, min(100, round(100 * int(item.get("members") or 0) / overall)))


class _Builder:
    """Collects the bundle's objects with the common properties filled in."""

    def __init__(self, stamp: datetime, demo: bool) -> None:
        self.stamp = stamp
        self.demo = demo
        self.objects: dict[str, Any] = {}
        producer_description = (
            "Produced by the linkage engine from an AI API provider's logs: clusters of "
            "accounts run as one to harvest a model (distillation campaigns)."
        )
        self.producer = stix2.Identity(
            id=_stable_id("identity", "producer", _PRODUCER_NAME),
            name=_PRODUCER_NAME,
            identity_class="system",
            description=self.describe(producer_description),
            created=stamp,
            modified=stamp,
            object_marking_refs=[MARKING.id],
            **self.labels(),
        )
        self.objects[self.producer.id] = self.producer

    def describe(self, text: str) -> str:
        return f"{DEMO_WARNING} {text}" if self.demo else text

    def labels(self, *extra: str) -> dict[str, list[str]]:
        labels = [*extra, DEMO_LABEL] if self.demo else list(extra)
        return {"labels": labels} if labels else {}

    def add(self, factory: Any, object_type: str, key: tuple[object, ...], **kwargs: Any) -> str:
        object_id = _stable_id(object_type, *key)
        if object_id in self.objects:
            return object_id
        labels = kwargs.pop("labels", ())
        if "description" in kwargs:
            kwargs["description"] = self.describe(kwargs["description"])
        self.objects[object_id] = factory(
            id=object_id,
            created=self.stamp,
            modified=self.stamp,
            created_by_ref=self.producer.id,
            object_marking_refs=[MARKING.id],
            allow_custom=True,
            **self.labels(*labels),
            **kwargs,
        )
        return object_id

    def relate(
        self, source: str, relationship: str, target: str, confidence: int | None = None
    ) -> None:
        extra = {} if confidence is None else {"confidence": confidence}
        self.add(
            stix2.Relationship,
            "relationship",
            (source, relationship, target),
            source_ref=source,
            relationship_type=relationship,
            target_ref=target,
            **extra,
        )


def _data_end(run: Run) -> datetime:
    end = _timestamp(run.data_end)
    return end if end is not None else datetime(1970, 1, 1, tzinfo=UTC)


def _asn_usage(run: Run, flagged: list[dict[str, Any]]) -> pd.DataFrame:
    """Per (cluster_id, asn): the cluster's exchanges from it, its share, and its specificity."""
    columns = ["cluster_id", "asn", "as_org", "ip_kind", "requests", "share", "specificity"]
    addresses = run.ip_addresses
    if not flagged or addresses.empty or "asn" not in addresses.columns:
        return pd.DataFrame(columns=columns)
    members = pd.DataFrame(
        [(c["cluster_id"], a) for c in flagged for a in c["accounts"]],
        columns=["cluster_id", "account_id"],
    )
    # every exchange has one IP, so an account's uses of its IPs count its exchanges
    ip_uses = run.account_attributes.loc[
        run.account_attributes["attr_type"] == "ip", ["account_id", "attr_value", "uses"]
    ]
    with_asn = ip_uses.merge(
        addresses.loc[addresses["asn"].notna(), ["address", "asn", "as_org", "ip_kind"]],
        left_on="attr_value",
        right_on="address",
    )
    totals = with_asn.groupby("asn")["uses"].sum().rename("asn_total")
    used = with_asn.merge(members, on="account_id")
    if used.empty:
        return pd.DataFrame(columns=columns)
    per = (
        used.groupby(["cluster_id", "asn"])
        .agg(requests=("uses", "sum"), as_org=("as_org", "first"), ip_kind=("ip_kind", "first"))
        .reset_index()
    )
    exchanges = {c["cluster_id"]: max(int(c["exchange_count"]), 1) for c in flagged}
    per["share"] = per["requests"] / per["cluster_id"].map(exchanges)
    per["specificity"] = per["requests"] / per["asn"].map(totals)
    return per.sort_values(["cluster_id", "requests", "asn"], ascending=[True, False, True])[
        columns
    ]


def _network_pattern(network: str) -> str | None:
    try:
        parsed = ipaddress.ip_network(network, strict=False)
    except ValueError:
        return None
    kind = "ipv4-addr" if parsed.version == 4 else "ipv6-addr"
    return "[" + kind + ":value ISSUBSET " + stix_string(str(parsed)) + "]"


class _IndicatorWriter:
    """Adds one campaign's indicators to the bundle, each ``indicates`` the campaign."""

    def __init__(self, builder: _Builder, campaign: dict[str, Any], campaign_ref: str) -> None:
        self.builder = builder
        self.cluster_id = campaign["cluster_id"]
        self.campaign_ref = campaign_ref
        self.valid_from = _timestamp(campaign["first_activity"]) or builder.stamp

    def add(self, kind: str, value_key: str, name: str, pattern: str, text: str, conf: int) -> None:
        ref = self.builder.add(
            stix2.Indicator,
            "indicator",
            (self.cluster_id, kind, value_key),
            name=name,
            description=f"{text} Seen in distillation campaign {self.cluster_id}.",
            indicator_types=["malicious-activity"],
            pattern=pattern,
            pattern_type="stix",
            valid_from=self.valid_from,
            confidence=conf,
        )
        self.builder.relate(ref, "indicates", self.campaign_ref)


def _network_indicators(out: _IndicatorWriter, evidence: dict[str, Any]) -> None:
    for item in evidence["shared_networks"]["items"]:
        pattern = _network_pattern(str(item["value"]))
        if pattern is None or not _specific(item) or item.get("ip_kind") in BROAD_IP_KINDS:
            continue
        out.add(
            "network",
            str(item["value"]),
            f"Network {item['value']} used by campaign {out.cluster_id}",
            pattern,
            f"{item['members']} of the campaign's accounts made requests from this "
            f"{item.get('ip_kind') or 'unknown'} network "
            f"({item['accounts_overall']} accounts overall).",
            _specificity_confidence(item),
        )


def _asn_indicators(out: _IndicatorWriter, asns: pd.DataFrame) -> None:
    for row in asns[asns["cluster_id"] == out.cluster_id].itertuples():
        if row.ip_kind in BROAD_IP_KINDS or row.share < MIN_ASN_TRAFFIC_SHARE:
            continue
        if row.specificity < MIN_SPECIFICITY:
            continue
        number = int(row.asn)
        owner = f" ({row.as_org})" if isinstance(row.as_org, str) and row.as_org else ""
        out.add(
            "asn",
            str(number),
            f"AS{number} used by campaign {out.cluster_id}",
            f"[autonomous-system:number = {number}]",
            f"AS{number}{owner} carried {row.share:.0%} of the campaign's exchanges; "
            f"{row.specificity:.0%} of its traffic came from the campaign.",
            max(1, min(100, round(100 * float(row.specificity)))),
        )


def _client_indicators(out: _IndicatorWriter, evidence: dict[str, Any]) -> None:
    for item in evidence["shared_user_agents"]["items"]:
        if not _specific(item):
            continue
        value = str(item["value"])
        out.add(
            "user_agent",
            value,
            f"Client string used by campaign {out.cluster_id}",
            "[network-traffic:extensions.'http-request-ext'.request_header.'User-Agent' = "
            f"{stix_string(value)}]",
            f"{item['members']} of the campaign's accounts sent this client string "
            f"({item['accounts_overall']} accounts overall).",
            _specificity_confidence(item),
        )


_HASHED_KINDS = (
    (
        "shared_payment_methods",
        "payment",
        "x-linkage-payment-method:fingerprint_hmac_sha256",
        "payment method",
    ),
    ("shared_emails", "email", "email-addr:x_linkage_hmac_sha256", "mailbox"),
)


def _hashed_indicators(
    out: _IndicatorWriter, evidence: dict[str, Any], key: bytes, kid: str
) -> None:
    for evidence_key, kind, path, label in _HASHED_KINDS:
        for item in evidence[evidence_key]["items"]:
            if not _specific(item):
                continue
            digest = keyed_hash(key, str(item["value"]))
            out.add(
                kind,
                digest,
                f"Keyed hash of a {label} used by campaign {out.cluster_id}",
                f"[{path} = {stix_string(digest)}]",
                f"HMAC-SHA256 (key id {kid}) of a {label} held by {item['members']} of the "
                f"campaign's accounts ({item['accounts_overall']} accounts overall).",
                _specificity_confidence(item),
            )
    for item in evidence["shared_templates"]["items"]:
        text = str(item.get("example") or "")
        if not text or not _specific(item):
            continue
        part = "tail" if str(item["value"]).startswith("t") else "head"
        digest = keyed_hash(key, text)
        out.add(
            "template",
            digest,
            f"Keyed hash of a prompt template ({part}) used by campaign {out.cluster_id}",
            f"[x-linkage-prompt-template:{part}_hmac_sha256 = {stix_string(digest)}]",
            f"HMAC-SHA256 (key id {kid}) of the normalised {part} words of a prompt template "
            f"sent {item['uses']} times by {item['members']} of the campaign's accounts.",
            _specificity_confidence(item),
        )


def _campaign_indicators(
    builder: _Builder,
    campaign: dict[str, Any],
    campaign_ref: str,
    asns: pd.DataFrame,
    key: bytes,
    kid: str,
) -> None:
    out = _IndicatorWriter(builder, campaign, campaign_ref)
    evidence = campaign["evidence"]
    _network_indicators(out, evidence)
    _asn_indicators(out, asns)
    _client_indicators(out, evidence)
    _hashed_indicators(out, evidence, key, kid)


def _campaign_text(campaign: dict[str, Any]) -> str:
    profile = ", ".join(
        f"{family.replace('_', ' ')} {share:.0%}"
        for family, share in campaign["content_profile"].items()
        if share
    )
    text = (
        f"{campaign['account_count']} accounts operated as one made "
        f"{campaign['exchange_count']} exchanges between {campaign['first_activity']} and "
        f"{campaign['last_activity']} (hydra_score {campaign['hydra_score']:.2f}"
        f"{'; still active' if campaign['still_active'] else ''})."
    )
    if profile:
        text += f" Content: {profile}."
    alternatives = [
        f"{alt['organization']} ({alt['confidence']:.2f})"
        for alt in campaign["alternatives"]
        if alt["organization"] != campaign["organization"]
    ]
    if campaign["organization"] and shareable_attribution(campaign):
        text += (
            f" Attributed to {campaign['organization']} "
            f"(confidence {campaign['attribution_confidence']:.2f}, "
            f"{campaign['attribution_kinds']} independent indicator kinds)."
        )
    else:
        text += " Unattributed: no organisation is supported by two independent indicator kinds."
        if campaign["organization"]:
            alternatives.insert(
                0,
                f"{campaign['organization']} ({campaign['attribution_confidence']:.2f}, "
                f"{campaign.get('attribution_kinds', 0)} indicator kind)",
            )
    if alternatives:
        text += " Other candidates: " + ", ".join(alternatives) + "."
    return text


MIN_SHARED_ATTRIBUTION_KINDS = 2
"""Partners are told who runs a campaign only on two independent kinds of indicator."""


def shareable_attribution(campaign: dict[str, Any]) -> bool:
    """Whether the campaign's organisation may go to partners as ``attributed-to``."""
    return int(campaign.get("attribution_kinds") or 0) >= MIN_SHARED_ATTRIBUTION_KINDS


def _attribution(
    builder: _Builder, campaign: dict[str, Any], campaign_ref: str, set_ref: str
) -> None:
    """The attributed organisation as threat actor and identity, and who is attributed to it."""
    organization = campaign["organization"]
    confidence = max(1, min(100, round(100 * float(campaign["attribution_confidence"]))))
    actor_ref = builder.add(
        stix2.ThreatActor,
        "threat-actor",
        (organization,),
        name=organization,
        description=f"{organization}, attributed as the operator of distillation "
        "campaigns against the model.",
        threat_actor_types=["competitor"],
        primary_motivation="organizational-gain",
    )
    identity_ref = builder.add(
        stix2.Identity,
        "identity",
        ("organization", organization),
        name=organization,
        identity_class="organization",
    )
    builder.relate(actor_ref, "attributed-to", identity_ref)
    builder.relate(campaign_ref, "attributed-to", actor_ref, confidence=confidence)
    builder.relate(set_ref, "attributed-to", actor_ref, confidence=confidence)


def build_bundle(run: Run, sharing_key: bytes) -> stix2.Bundle:
    """A STIX 2.1 bundle of the run's flagged campaigns, their attribution and indicators.

    Parameters
    ----------
    run
        The run, just computed or read from its folder.
    sharing_key
        Key of the HMAC-SHA256 keyed hashes (see :func:`sharing_key_from_env`);
        with :data:`DEMO_SHARING_KEY` every object is marked not to be shared.

    Returns
    -------
    stix2.Bundle
        Deterministic: the same run gives the same bundle.
    """
    flagged = run.flagged_campaigns
    builder = _Builder(_data_end(run), demo=sharing_key == DEMO_SHARING_KEY)
    kid = key_id(sharing_key)
    asns = _asn_usage(run, flagged)
    for campaign in flagged:
        cluster_id = campaign["cluster_id"]
        first_seen = _timestamp(campaign["first_activity"])
        last_seen = _timestamp(campaign["last_activity"])
        seen = {"first_seen": first_seen} if first_seen else {}
        if last_seen:
            seen["last_seen"] = last_seen
        score = max(1, min(100, round(100 * float(campaign["hydra_score"]))))
        campaign_ref = builder.add(
            stix2.Campaign,
            "campaign",
            (cluster_id,),
            name=f"Distillation campaign {cluster_id}",
            description=_campaign_text(campaign),
            aliases=[cluster_id],
            objective="Harvest a model's outputs at scale to train another model (distillation).",
            confidence=score,
            labels=["distillation"],
            **seen,
        )
        set_ref = builder.add(
            stix2.IntrusionSet,
            "intrusion-set",
            (cluster_id,),
            name=f"Hydra {cluster_id}",
            description=(
                f"The {campaign['account_count']} linked accounts of cluster {cluster_id}, "
                "run by one operator."
            ),
            goals=["model distillation"],
            confidence=score,
            **seen,
        )
        builder.relate(campaign_ref, "attributed-to", set_ref, confidence=score)
        if campaign["organization"] and shareable_attribution(campaign):
            _attribution(builder, campaign, campaign_ref, set_ref)
        _campaign_indicators(builder, campaign, campaign_ref, asns, sharing_key, kid)
    objects = [MARKING, *builder.objects.values()]
    bundle_key = hashlib.sha256(
        "\n".join(sorted(obj.serialize(sort_keys=True) for obj in objects)).encode()
    ).hexdigest()
    return stix2.Bundle(
        objects=objects, id=f"bundle--{_stable_uuid(bundle_key)}", allow_custom=True
    )


def bundle_json(bundle: stix2.Bundle) -> str:
    """The bundle as pretty, stable JSON text (what ``indicators.stix.json`` holds)."""
    # stix2's pretty printer re-sorts every property through Python and takes minutes on
    # big bundles; its compact form re-indented by json keeps the same order and text.
    return json.dumps(json.loads(bundle.serialize()), indent=4, ensure_ascii=False) + "\n"
