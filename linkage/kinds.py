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


@dataclass(frozen=True, kw_only=True)
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
            name="payment",
            noun="payment method",
            title="Payment methods",
            evidence_key="shared_payment_methods",
            colour="#d62728",
            graph_label="PaymentMethod",
            graph_key="fingerprint",
            graph_relationship="PAID_WITH",
            group="payment",
        ),
        AttributeKind(
            name="email",
            noun="mailbox",
            title="Mailboxes",
            evidence_key="shared_emails",
            colour="#9467bd",
            graph_label="Email",
            graph_key="address",
            graph_relationship="HAS_EMAIL",
            group="identity",
        ),
        AttributeKind(
            name="billing_name",
            noun="billing name",
            title="Billing names",
            evidence_key="shared_billing_names",
            colour="#8c564b",
            graph_label="BillingName",
            graph_key="name",
            graph_relationship="BILLED_AS",
            group="payment",
        ),
        AttributeKind(
            name="api_key",
            noun="API key",
            title="API keys",
            evidence_key="shared_api_keys",
            colour="#e377c2",
            graph_label="ApiKey",
            graph_key="key_id",
            graph_relationship="USED_KEY",
            group="credential",
        ),
        AttributeKind(
            name="ip",
            noun="IP",
            title="IP addresses",
            evidence_key="shared_ips",
            colour="#ff7f0e",
            graph_label="IP",
            graph_key="address",
            graph_relationship="USED_IP",
            group="network",
            network=True,
        ),
        AttributeKind(
            name="subnet",
            noun="network",
            title="Networks",
            evidence_key="shared_networks",
            colour="#bcbd22",
            graph_label="Network",
            graph_key="cidr",
            graph_relationship="USED_NETWORK",
            group="network",
            network=True,
        ),
        AttributeKind(
            name="template",
            noun="prompt template",
            title="Prompt templates",
            evidence_key="shared_templates",
            colour="#2ca02c",
            graph_label="Template",
            graph_key="template_id",
            graph_relationship="SENT_TEMPLATE",
            group="content",
        ),
        AttributeKind(
            name="user_agent",
            noun="client string",
            title="Client strings",
            evidence_key="shared_user_agents",
            colour="#17becf",
            graph_label="UserAgent",
            graph_key="value",
            graph_relationship="USED_CLIENT",
            group="client",
        ),
        AttributeKind(
            name="email_domain",
            noun="email domain",
            title="Email domains",
            evidence_key="shared_email_domains",
            colour="#7f7f7f",
            graph_label="EmailDomain",
            graph_key="domain",
            graph_relationship="HAS_EMAIL_DOMAIN",
            group="identity",
        ),
        AttributeKind(
            name="prompt_family",
            noun="prompt family",
            title="Prompt families (near-duplicate prompts)",
            evidence_key="shared_prompt_families",
            colour="#98df8a",
            graph_label="PromptFamily",
            graph_key="family_id",
            graph_relationship="SENT_FAMILY",
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

HELD_CONTROL: tuple[str, ...] = ("payment", "identity", "credential", "network")
"""Evidence groups of common control the accounts *hold* (a card, a mailbox, a key, a
network), as against evidence of common activity (what they do: content, behaviour). A
team is held together by these."""
HELD_OR_OPENED_CONTROL: tuple[str, ...] = (*HELD_CONTROL, "signup")
"""Held control, or accounts opened in one sign-up burst: what ties a member to the
operator's other heads when a cluster's look-alikes are dropped."""
CONTROL_EVIDENCE: tuple[str, ...] = (*HELD_OR_OPENED_CONTROL, "content")
"""Evidence that accounts are run by one operator, not merely alike: held or opened
control, and private content (which counts only beside a second kind of evidence: a
product's users all send its system prompt)."""

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
