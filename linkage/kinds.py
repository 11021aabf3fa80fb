"""The registry of attribute kinds: every module that names a kind of shared attribute reads it.

An *attribute* is something an account holds that another account may hold too:
a payment fingerprint, a mailbox, an IP, a prompt template... The linking stage
builds one incidence row per (account, attribute); evidence, the takedown
reasons, the report and the Neo4j graph all show those rows. Each of them used
to keep its own list of kinds; this is the one list, in the order outputs use.

Examples
--------
>>> ATTRIBUTE_KINDS["payment"].evidence_key
'shared_payment_methods'
>>> [kind.name for kind in ATTRIBUTE_KINDS.values()][:3]
['payment', 'email', 'billing_name']
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AttributeKind:
    """One kind of shared attribute and how every output shows it."""

    name: str
    """``attr_type`` in the incidence table; also the key of ``link.attribute_weights``."""
    noun: str
    """What one value is called in sentences (takedown reasons): "payment method"."""
    title: str
    """Section title in the report: "Payment methods"."""
    evidence_key: str
    """Key of the kind's list in ``campaigns.json`` evidence."""
    colour: str
    """Colour of the kind's nodes in the report's graph picture."""
    graph_label: str
    """Neo4j node label."""
    graph_key: str
    """Neo4j key property of the node."""
    graph_relationship: str
    """Neo4j relationship type from the account to the node."""
    group: str = ""
    """Evidence group: kinds of one group say the same thing (an IP and its network, a card
    and its billing name), so a pair's evidence from one group counts once."""
    network: bool = False
    """An address or network: its IP kind (mobile, VPN, ...) scales its weight."""


ATTRIBUTE_KINDS: dict[str, AttributeKind] = {
    kind.name: kind
    for kind in (
        AttributeKind(
            "payment",
            "payment method",
            "Payment methods",
            "shared_payment_methods",
            "#d62728",
            "PaymentMethod",
            "fingerprint",
            "PAID_WITH",
            group="payment",
        ),
        AttributeKind(
            "email",
            "mailbox",
            "Mailboxes",
            "shared_emails",
            "#9467bd",
            "Email",
            "address",
            "HAS_EMAIL",
            group="identity",
        ),
        AttributeKind(
            "billing_name",
            "billing name",
            "Billing names",
            "shared_billing_names",
            "#8c564b",
            "BillingName",
            "name",
            "BILLED_AS",
            group="payment",
        ),
        AttributeKind(
            "api_key",
            "API key",
            "API keys",
            "shared_api_keys",
            "#e377c2",
            "ApiKey",
            "key_id",
            "USED_KEY",
            group="credential",
        ),
        AttributeKind(
            "ip",
            "IP",
            "IP addresses",
            "shared_ips",
            "#ff7f0e",
            "IP",
            "address",
            "USED_IP",
            group="network",
            network=True,
        ),
        AttributeKind(
            "subnet",
            "network",
            "Networks",
            "shared_networks",
            "#bcbd22",
            "Network",
            "cidr",
            "USED_NETWORK",
            group="network",
            network=True,
        ),
        AttributeKind(
            "template",
            "prompt template",
            "Prompt templates",
            "shared_templates",
            "#2ca02c",
            "Template",
            "template_id",
            "SENT_TEMPLATE",
            group="content",
        ),
        AttributeKind(
            "user_agent",
            "client string",
            "Client strings",
            "shared_user_agents",
            "#17becf",
            "UserAgent",
            "value",
            "USED_CLIENT",
            group="client",
        ),
        AttributeKind(
            "email_domain",
            "email domain",
            "Email domains",
            "shared_email_domains",
            "#7f7f7f",
            "EmailDomain",
            "domain",
            "HAS_EMAIL_DOMAIN",
            group="identity",
        ),
        AttributeKind(
            "prompt_family",
            "prompt family",
            "Prompt families (near-duplicate prompts)",
            "shared_prompt_families",
            "#98df8a",
            "PromptFamily",
            "family_id",
            "SENT_FAMILY",
            group="content",
        ),
    )
}
"""Every attribute kind, in the order links, evidence and reports list them."""

ATTRIBUTE_TYPES: tuple[str, ...] = tuple(ATTRIBUTE_KINDS)

PAIR_EVIDENCE: dict[str, str] = {
    "ip_pool": "network",
    "ip_co_use": "network",
    "behaviour": "behaviour",
    "signup": "signup",
}
"""Evidence about a pair that is not a shared attribute value, and its group:
the overlap of two accounts' pools of busy IPs, two suspicious accounts using one IP
within minutes, two suspicious accounts behaving alike, and two suspicious accounts
opened within hours of each other (a sign-up burst)."""

EVIDENCE_GROUPS: tuple[str, ...] = tuple(
    dict.fromkeys([*(k.group for k in ATTRIBUTE_KINDS.values()), *PAIR_EVIDENCE.values()])
)
"""Independent kinds of evidence; a link's strength combines one value per group."""
NETWORK_TYPES: tuple[str, ...] = tuple(k.name for k in ATTRIBUTE_KINDS.values() if k.network)

CONTENT_FAMILIES: dict[str, str] = {
    "reasoning": "Reasoning elicitation",
    "rubric_grading": "Rubric grading",
    "sensitive_rewrite": "Sensitive rewrites",
    "agentic": "Agentic",
    "coding": "Coding",
}
"""Content families of distillation traffic, and how the report names them."""

INTENT_COLUMNS: list[str] = [f"intent_{family}" for family in CONTENT_FAMILIES]
"""Per-request probability of each distillation intent (from the content stage), one column
per content family; a list, so it selects a table's columns as it is."""
