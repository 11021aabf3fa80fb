"""Every threshold and weight of the engine, in one object saved with every run.

Settings are grouped by the stage that reads them. A settings file is TOML (or
JSON) with any subset of them, one table per section::

    seed = 0

    [score]
    flag_threshold = 0.55

    [link.attribute_weights]
    payment = 0.9

Values are checked when they are loaded: an unknown name, a value of the wrong
type or outside its range stops with an error naming the setting, so a typo
cannot silently fall back to a default. ``linkage settings`` prints every
setting with its default and what it does, as a TOML file you can edit and
pass to ``linkage run --config``; an earlier run's ``run.json`` works too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from linkage.settings_files import about, build_checked, read_settings_file, setting, to_toml


@dataclass
class IngestSettings:
    """reading the input"""

    max_prompt_chars: int = setting(
        20_000, "Longer prompts are kept but cut to this length (only the start matters).", 1
    )


@dataclass
class NormaliseSettings:
    """canonical emails, networks and prompt templates"""

    template_prefix_words: int = setting(
        10, "Words from the start of a prompt that make its head template fingerprint.", 1, 200
    )
    template_suffix_words: int = setting(
        4, "Words from the end of a prompt that make its tail template fingerprint.", 1, 200
    )
    ipv4_subnet_bits: int = setting(24, "Prefix length of an IPv4 address's network.", 8, 32)
    ipv6_subnet_bits: int = setting(48, "Prefix length of an IPv6 address's network.", 16, 128)
    freemail_domains: list[str] = field(
        default_factory=lambda: [
            "gmail.com",
            "googlemail.com",
            "outlook.com",
            "hotmail.com",
            "live.com",
            "yahoo.com",
            "icloud.com",
            "me.com",
            "proton.me",
            "protonmail.com",
            "aol.com",
            "gmx.com",
            "mail.com",
            "yandex.ru",
            "qq.com",
            "163.com",
        ],
        metadata=about("Email domains anyone can sign up to: sharing one says nothing."),
    )


@dataclass
class LinkSettings:
    """from shared attributes to weighted account links"""

    attribute_weights: dict[str, float] = field(
        default_factory=lambda: {
            "payment": 0.9,
            "email": 0.9,
            "billing_name": 0.2,
            "api_key": 0.95,
            "ip": 0.6,
            "subnet": 0.15,
            "template": 0.35,
            "user_agent": 0.3,
            "email_domain": 0.2,
            "prompt_family": 0.5,
            "ip_pool": 0.9,
            "ip_co_use": 0.5,
            "behaviour": 0.6,
            "signup": 0.4,
        },
        metadata=about(
            "How much sharing one attribute of each kind says about common control, before "
            "the attribute's base rate is taken into account.",
            0.0,
            1.0,
        ),
    )
    ip_kind_factors: dict[str, float] = field(
        default_factory=lambda: {
            "mobile": 0.05,
            "vpn": 0.05,
            "university": 0.3,
            "corporate": 0.6,
            "residential": 1.0,
            "proxy": 1.0,
            "hosting": 1.0,
            "unknown": 0.8,
        },
        metadata=about(
            "Factor on IP and network evidence by ip_intel kind: carrier NAT, VPN exits and "
            "campus NAT are shared by design. Other kinds may be added.",
            0.0,
            1.0,
            open_keys=True,
        ),
    )
    hub_allowance: float = setting(
        6.0,
        "Base-rate down-weighting: an attribute shared by n accounts keeps "
        "min(1, hub_allowance / (n - 1)) of its weight (a hub's total grows with n, not n^2).",
        0.0,
    )
    min_link_contribution: float = setting(
        0.01, "Pairs an attribute contributes less than this to are not enumerated.", 0.0, 1.0
    )
    usage_weighted_types: list[str] = field(
        default_factory=lambda: ["ip", "subnet", "template", "user_agent", "prompt_family"],
        metadata=about(
            "Kinds whose evidence scales with how much both accounts rely on the value "
            "(min of the two accounts' shares of traffic using it): one prompt two strangers "
            "both sent says little, and a proxy exit that carried 2% of a rotating account's "
            "traffic says little about the household behind it."
        ),
    )
    ip_pool_min_kind_factor: float = setting(
        0.5,
        "IPs too widely held for pair weighting still count as a shared pool (Jaccard of two "
        "accounts' busy IPs) when their kind factor is at least this.",
        0.0,
        1.0,
    )
    usage_share_for_full_weight: float = setting(
        0.25,
        "A usage-weighted value carrying at least this share of both accounts' traffic "
        "counts in full; less, in proportion.",
        0.001,
        1.0,
    )
    ip_pool_min_ips: int = setting(
        3, "Shared IPs an account must draw on to have a pool (one egress is no pool).", 1
    )
    ip_pool_full_size: float = setting(
        8.0, "Shared IPs at which a pool's overlap counts in full (fewer: in proportion).", 1.0
    )
    ip_pool_hashes: int = setting(32, "MinHash values per account's pool of busy IPs.", 4, 256)
    ip_pool_bands: int = setting(
        8, "LSH bands over the pool signatures (more: lower overlaps found).", 1, 64
    )
    ip_pool_neighbours: int = setting(
        8,
        "In each LSH bucket, each account is paired with this many next ones (bounds "
        "the pairs a bucket of any size makes).",
        1,
    )
    min_group_evidence: float = setting(
        0.05, "An evidence group counts towards a link's groups from this much.", 0, 1
    )
    min_link_strength_kept: float = setting(
        0.1, "Weaker links are dropped entirely: they are mostly hub noise.", 0.0, 1.0
    )
    max_links_per_account: int = setting(
        100,
        "A link is kept when it is among the strongest this many of either of its two "
        "accounts: a hydra of 20,000 heads is 20,000 x this many links, not 200 million.",
        1,
    )


@dataclass
class BehaviourSettings:
    """behavioural fingerprints, suspicion and links between suspicious accounts"""

    suspicious_distilled_prompts: int = setting(
        30,
        "Prompts with a distillation intent an account needs for full content suspicion: "
        "a student's three 'explain step by step' questions are not a harvest.",
        1,
    )
    suspicious_distillation_share: float = setting(
        0.3,
        "Share of an account's prompts with distillation intent at which its content "
        "suspicion is full.",
        0.01,
        1.0,
    )
    volume_excess_factor: float = setting(
        10.0,
        "Requests per active day this many times the population's median start volume "
        "suspicion; its square makes it full.",
        1.01,
    )
    min_suspicion: float = setting(
        0.5,
        "Accounts at least this suspicious are compared by behaviour, prompt families and "
        "IP co-use in time; similarity among ordinary users is cheap evidence.",
        0.0,
        1.0,
    )
    min_prompts_to_lean: int = setting(
        5,
        "Prompts an account needs before its distillation share says which way it leans "
        "(small heads join a cluster they are firmly linked to only if they lean to it).",
        1,
    )
    neighbours: int = setting(10, "Nearest suspicious accounts each one is compared with.", 1)
    similarity_radius: float = setting(
        1.0,
        "RMS distance (in feature scale units) at which behavioural similarity reaches zero.",
        0.01,
    )
    co_use_max_share: float = setting(
        0.2,
        "IP co-use counts only where the IP carries at most this share of each account's "
        "traffic (transient exits, not someone's home router).",
        0.0,
        1.0,
    )
    min_co_use_windows: int = setting(
        2, "(IP, window) meetings a pair needs before co-use counts.", 1
    )
    signup_window_hours: float = setting(
        3.0, "Suspicious accounts opened this close together form a sign-up burst.", 0
    )
    co_use_min_intent_similarity: float = setting(
        0.8,
        "IP co-use counts only between accounts whose intent mixes have at least this "
        "cosine similarity (two labs may rent one proxy provider).",
        0.0,
        1.0,
    )
    co_use_window_minutes: int = setting(
        60, "Two suspicious accounts using one IP within this window count as co-use.", 1
    )


@dataclass
class FamilySettings:
    """near-duplicate prompts across accounts (MinHash-LSH)"""

    prompts_per_account: int = setting(
        40, "Prompts of each suspicious account compared by MinHash.", 1
    )
    hashes: int = setting(32, "MinHash values per prompt.", 4, 256)
    bands: int = setting(
        8,
        "LSH bands (hashes / bands rows each): 8 x 4 puts prompts with word-bigram "
        "Jaccard of about 0.6 or more in one family.",
        1,
        64,
    )


@dataclass
class ClusterSettings:
    """from links to clusters"""

    min_link_strength: float = setting(
        0.3, "Links weaker than this are not used for clustering (they stay as evidence).", 0, 1
    )
    strong_single_group: float = setting(
        0.8,
        "A link standing on one evidence group is used for clustering only from this "
        "strength (a shared card or API key); weaker ones need a second group.",
        0.0,
        1.0,
    )
    min_task_similarity: float = setting(
        0.8,
        "Two suspicious accounts cluster on one kind of evidence only if their intent mixes "
        "have at least this cosine similarity (they harvest the same thing).",
        0.0,
        1.0,
    )
    control_bound_share: float = setting(
        0.8,
        "A cluster whose members share common control at least this often keeps only "
        "members with such a tie (look-alikes of its traffic are dropped).",
        0.0,
        1.0,
    )
    min_member_attachment: float = setting(
        0.5,
        "Members whose links inside their cluster together stay below this are pruned.",
        0.0,
        1.0,
    )
    team_link_evidence: float = setting(
        0.3,
        "A link is common control (payment, identity, credential or network evidence) "
        "from this much; such links make teams.",
        0.0,
        1.0,
    )
    min_team_size: int = setting(3, "Accounts a team needs to be split off its component.", 2)
    team_coverage: float = setting(
        0.8,
        "A component is split into its teams when they hold at least this share of it.",
        0.0,
        1.0,
    )
    attach_min_link_strength: float = setting(
        0.15,
        "A link counts towards attaching a small head to a cluster from this strength.",
        0.0,
        1.0,
    )
    attach_min_links: int = setting(
        3, "Members a small head must be linked to before it joins their cluster.", 1
    )
    attach_min_pull: float = setting(
        0.8,
        "Links of a small head into one cluster, together (noisy-OR), at which it joins it.",
        0.0,
        1.0,
    )
    louvain_min_component_size: int = setting(
        30,
        "Components of at least this many accounts are split into communities with "
        "Louvain, where the communities are only thinly linked (two campaigns a few "
        "links apart are two groups).",
        2,
    )
    max_split_conductance: float = setting(
        0.1,
        "Louvain communities are merged back when the links between them carry more than "
        "this share of the smaller one's link weight (one group, split by modularity).",
        0.0,
        1.0,
    )
    max_piece_conductance: float = setting(
        0.5,
        "A Louvain community with more than this share of its link weight outside joins "
        "the community it shares most with (a large uniform group cut into many pieces).",
        0.0,
        1.0,
    )
    louvain_resolution: float = setting(1.0, "Louvain resolution (higher: smaller groups).", 0.0)
    louvain_max_neighbours: int = setting(
        15, "Louvain sees only each account's strongest links (either end keeping one keeps it).", 1
    )


@dataclass
class CoordinationSettings:
    """timing signals of a cluster's combined traffic"""

    coordination_bin_minutes: int = setting(
        60, "Bin of the combined rate whose flatness shows load balancing.", 1, 1440
    )
    sync_bin_seconds: int = setting(60, "Bin in which members firing together is synchrony.", 1)
    dispersion_ceiling: float = setting(
        10.0, "Hourly index of dispersion at which flatness reaches zero (Poisson gives 1).", 1.0001
    )


@dataclass
class ScoreSettings:
    """hydra_score and the flag"""

    score_weights: dict[str, float] = field(
        default_factory=lambda: {
            "link_strength": 0.1,
            "coordination": 0.15,
            "content": 0.25,
            "volume": 0.1,
            "suspicion": 0.25,
            "heads": 0.15,
            "novelty": 0.15,
        },
        metadata=about("Weights of the behaviour components in hydra_score.", 0.0),
    )
    novelty_for_full: float = setting(
        0.5,
        "Share of distinct prompts among a cluster's prompts at which its novelty counts "
        "in full (a harvest sweeps new problems; a nightly evaluation suite repeats its "
        "items). Less, in proportion: novelty lowers the score, it never clears a cluster.",
        1e-6,
        1.0,
    )
    transparent_team_accounts: float = setting(
        20.0,
        "An unverified team (declared org, or company mail domain and billing name) is "
        "credible in full up to this many accounts in one cluster, less beyond.",
        1.0,
    )
    volume_saturation_per_account_day: float = setting(
        40.0, "Requests per account per active day at which the volume signal saturates.", 1e-9
    )
    heads_for_full: float = setting(
        20.0, "Accounts at which the heads component reaches 1 (log scale).", 2.0
    )
    min_distillation_content: float = setting(
        0.2,
        "A cluster is flagged only if at least this share of its prompts has a "
        "distillation intent: infrastructure and timing alone make a group, not a campaign.",
        0.0,
        1.0,
    )
    min_member_suspicion: float = setting(
        0.75,
        "A cluster is flagged only if its members' own suspicion averages at least this: "
        "a campaign's heads each harvest, a crowd of ordinary users does not.",
        0.0,
        1.0,
    )
    min_prompt_coverage: float = setting(
        0.5,
        "Below this share of a cluster's requests carrying prompt text, content cannot be "
        "read: extraction-scale volume stands in for it.",
        0.0,
        1.0,
    )
    extraction_volume: float = setting(
        0.8,
        "Volume (net of scheduler-regular automation) that counts as distillation "
        "evidence when prompts are missing.",
        0.0,
        1.0,
    )
    min_control_share: float = setting(
        0.2,
        "Share of a cluster's links with evidence of common control (card, mailbox, key, "
        "network, proxy exit met in time, sign-up burst) that makes it one operator.",
        0.0,
        1.0,
    )
    min_coordination: float = setting(
        0.5, "Coordination that makes a cluster one operator by itself.", 0.0, 1.0
    )
    min_heads_on_likeness: int = setting(
        10,
        "A cluster held together by likeness alone (content, behaviour) is flagged only "
        "with at least this many accounts.",
        2,
    )
    min_member_suspicion_on_likeness: float = setting(
        0.85,
        "On likeness alone, a cluster's members' own suspicion must average at least this.",
        0.0,
        1.0,
    )
    product_marker_share: float = setting(
        0.8,
        "Likeness alone does not make one operator of a group when one prompt template or "
        "client string is held by at least this share of its members: the users of one "
        "product (its system prompt, its client) look alike because of the product; such "
        "a group needs common control or coordination.",
        0.0,
        1.0,
    )
    min_shared_items: float = setting(
        0.2,
        "Share of a cluster's prompts its members send word for word at which shared "
        "content is one task list, not one product's scaffold (see product_marker_share).",
        0.0,
        1.0,
    )
    corporate_org_credibility: float = setting(
        0.8,
        "How far a declared, unverified org whose claimers mostly share one non-freemail "
        "mail domain makes its members a known team.",
        0.0,
        1.0,
    )
    unverified_org_credibility: float = setting(
        0.3,
        "How far a declared org nobody verified makes its members a known team "
        "(1 = like a verified org, 0 = ignored).",
        0.0,
        1.0,
    )
    flag_threshold: float = setting(0.5, "Clusters scoring at least this are flagged.", 0.0, 1.0)
    still_active_hours: float = setting(
        24.0, "A cluster is still active if it sent requests this close to the data's end.", 0.0
    )


@dataclass
class AttributionSettings:
    """indicators to organisations"""

    default_indicator_confidence: float = setting(
        0.8, "Confidence of an indicator row that gives none.", 0.0, 1.0
    )
    full_coverage_share: float = setting(
        0.5,
        "An indicator matching at least this share of a cluster's members counts in full; "
        "fewer, in proportion.",
        0.01,
        1.0,
    )
    members_for_half_coverage: float = setting(
        3.0,
        "However large the cluster, this many matched members give an indicator half its "
        "weight (twice as many, three quarters).",
        0.1,
    )
    min_kind_evidence: float = setting(
        0.2,
        "An indicator kind counts as one of the independent kinds behind an attribution "
        "from this much evidence.",
        0.0,
        1.0,
    )
    attribution_min_confidence: float = setting(
        0.5, "Below this a cluster is reported without an organisation (alternatives kept).", 0, 1
    )


@dataclass
class IdSettings:
    """stable cluster ids across runs"""

    min_overlap_to_keep_id: float = setting(
        0.5,
        "With --previous, a cluster keeps an old id if it holds at least this share of the "
        "old cluster or the old cluster holds this share of it.",
        0.0,
        1.0,
    )


@dataclass
class Settings:
    """Thresholds and weights of every stage, grouped by stage.

    Examples
    --------
    >>> s = Settings.from_dict({"score": {"flag_threshold": 0.6}})
    >>> s.score.flag_threshold
    0.6
    >>> Settings.from_dict(s.to_dict()) == s
    True
    >>> Settings.from_dict({"score": {"flag_threshold": 2}})
    Traceback (most recent call last):
    ...
    linkage.errors.SettingsError: settings: score.flag_threshold must be at most 1.0, got 2
    """

    seed: int = setting(
        0, "Seed of every random step: same input and seed, same output.", 0, show_range=False
    )  # earlier versions wrote no range for it: their settings files stay byte-identical
    ingest: IngestSettings = field(default_factory=IngestSettings)
    normalise: NormaliseSettings = field(default_factory=NormaliseSettings)
    link: LinkSettings = field(default_factory=LinkSettings)
    behaviour: BehaviourSettings = field(default_factory=BehaviourSettings)
    families: FamilySettings = field(default_factory=FamilySettings)
    cluster: ClusterSettings = field(default_factory=ClusterSettings)
    coordination: CoordinationSettings = field(default_factory=CoordinationSettings)
    score: ScoreSettings = field(default_factory=ScoreSettings)
    attribution: AttributionSettings = field(default_factory=AttributionSettings)
    ids: IdSettings = field(default_factory=IdSettings)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any], source: str = "settings") -> Settings:
        """Build settings from a (partial) mapping; every problem found is reported at once.

        A flat mapping (``{"flag_threshold": 0.6}``, as run.json of earlier versions
        held) is read too: each name goes to its section.
        """
        return build_checked(cls, values, source)

    def to_toml(self) -> str:
        """Every setting with its value and help, as a TOML file ``--config`` reads back."""
        return to_toml(self, header=_TOML_HEADER)


_TOML_HEADER = (
    "linkage settings: edit any value and pass this file to `linkage run --config`.",
    "Every name and range is checked when the file is read.",
)


def load_settings(path: Path | None) -> Settings:
    """Read settings from a TOML or JSON file (``None`` gives the defaults).

    A ``run.json`` written by an earlier run also works: its ``settings``
    entry is used, so a run can be repeated with exactly its parameters.
    """
    if path is None:
        return Settings()
    return Settings.from_dict(read_settings_file(path), source=str(path))
