"""Every threshold and weight of the engine, in one object saved with every run.

A settings file is TOML or JSON with any subset of the fields below (unknown
names are an error, so a typo cannot silently fall back to a default)::

    flag_threshold = 0.55
    min_link_strength = 0.35

    [attribute_weights]
    payment = 0.9

Load it with :func:`load_settings`; ``linkage run --config FILE`` does that.
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linkage.errors import SettingsError


def _default_attribute_weights() -> dict[str, float]:
    # How much sharing one attribute of each kind says about common control,
    # before the attribute's own base rate is taken into account.
    return {
        "payment": 0.9,
        "email": 0.9,
        "billing_name": 0.2,
        "api_key": 0.95,
        "ip": 0.6,
        "subnet": 0.15,
        "template": 0.35,
        "user_agent": 0.3,
        "email_domain": 0.2,
    }


def _default_ip_kind_factors() -> dict[str, float]:
    # Addresses that are shared by design (carrier NAT, VPN exits, campus NAT)
    # say little about common control; hosting and proxy addresses say a lot.
    return {
        "mobile": 0.05,
        "vpn": 0.05,
        "university": 0.3,
        "corporate": 0.6,
        "residential": 1.0,
        "proxy": 1.0,
        "hosting": 1.0,
        "unknown": 0.8,
    }


def _default_score_weights() -> dict[str, float]:
    return {
        "link_strength": 0.2,
        "coordination": 0.3,
        "content": 0.3,
        "volume": 0.2,
    }


def _default_freemail_domains() -> list[str]:
    return [
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
    ]


@dataclass
class Settings:
    """Thresholds and weights of every stage.

    Examples
    --------
    >>> s = Settings(flag_threshold=0.6)
    >>> s.flag_threshold
    0.6
    >>> Settings.from_dict(s.to_dict()) == s
    True
    """

    # --- ingest
    max_prompt_chars: int = 20_000
    """Longer prompts are kept but cut to this length (only the start matters for templates)."""

    # --- normalise
    template_prefix_words: int = 10
    """Words from the start of a prompt that make its template fingerprint."""
    template_suffix_words: int = 4
    """Words from the end of a prompt that are added to the fingerprint."""
    ipv4_subnet_bits: int = 24
    ipv6_subnet_bits: int = 48
    freemail_domains: list[str] = field(default_factory=_default_freemail_domains)

    # --- link
    attribute_weights: dict[str, float] = field(default_factory=_default_attribute_weights)
    ip_kind_factors: dict[str, float] = field(default_factory=_default_ip_kind_factors)
    hub_allowance: float = 6.0
    """Base-rate down-weighting: an attribute shared by n accounts keeps
    min(1, hub_allowance / (n - 1)) of its weight, so a hub's total
    contribution grows with n, not n squared."""
    min_link_contribution: float = 0.01
    """Pairs an attribute contributes less than this to are not enumerated."""
    usage_weighted_types: list[str] = field(default_factory=lambda: ["template", "user_agent"])
    """Attribute types whose evidence scales with how much of each account's traffic uses them:
    a pair gets min(share of a's requests, share of b's requests) of the weight. One prompt two
    strangers both happened to send says little; a scaffold behind all their traffic says a lot.
    Infrastructure (IPs) is not usage-weighted: rotating proxies touch each IP only briefly."""
    ip_pool_min_kind_factor: float = 0.5
    """IPs held by too many accounts for pair weighting still count as a shared *pool*
    (Jaccard overlap of two accounts' busy IPs) when their kind factor is at least this."""
    min_link_strength_kept: float = 0.1
    """Weaker links are dropped entirely (not even kept as evidence): they are mostly hub noise."""
    min_link_strength: float = 0.3
    """Links weaker than this are not used for clustering (they stay as evidence)."""

    # --- cluster
    louvain_min_component_size: int = 2_000
    """Components larger than this are split with Louvain; smaller ones stay whole."""
    louvain_resolution: float = 1.0
    louvain_max_neighbours: int = 15
    """Louvain sees only each account's strongest links (either end keeping a link keeps it)."""
    seed: int = 0

    # --- coordination
    coordination_bin_minutes: int = 60
    sync_bin_seconds: int = 60
    dispersion_ceiling: float = 10.0
    """Hourly index of dispersion at which flatness reaches zero (Poisson gives 1)."""

    # --- scoring
    score_weights: dict[str, float] = field(default_factory=_default_score_weights)
    volume_saturation_per_account_day: float = 40.0
    """Requests per account per active day at which the volume signal saturates."""
    flag_threshold: float = 0.5
    still_active_hours: float = 24.0
    """A cluster is still active if it sent requests this close to the end of the data."""

    # --- attribution
    default_indicator_confidence: float = 0.8
    attribution_min_confidence: float = 0.5
    """Below this the cluster is reported without an organisation (alternatives kept)."""

    # --- stable ids
    min_overlap_to_keep_id: float = 0.5
    """With --previous, a cluster keeps an old id if it holds at least this share of the old cluster
    or the old cluster holds this share of it."""

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any], source: str = "settings") -> Settings:
        """Build settings from a (partial) mapping; unknown or ill-typed names are errors."""
        known = {f.name: f for f in dataclasses.fields(cls)}
        defaults = cls()
        problems: list[str] = []
        kwargs: dict[str, Any] = {}
        for name, value in values.items():
            if name not in known:
                problems.append(f"{source}: unknown setting {name!r}")
                continue
            default = getattr(defaults, name)
            if isinstance(default, dict):
                if not isinstance(value, dict):
                    problems.append(f"{source}: {name} must be a table of names to numbers")
                    continue
                unknown_keys = sorted(set(value) - set(default))
                if unknown_keys and name != "ip_kind_factors":
                    problems.append(f"{source}: {name} has unknown keys {unknown_keys}")
                    continue
                kwargs[name] = {**default, **{k: float(v) for k, v in value.items()}}
            elif isinstance(default, list):
                if not isinstance(value, list):
                    problems.append(f"{source}: {name} must be a list")
                    continue
                kwargs[name] = list(value)
            elif isinstance(default, bool) or not isinstance(value, int | float):
                problems.append(f"{source}: {name} must be a number, got {value!r}")
            else:
                kwargs[name] = type(default)(value)
        if problems:
            raise SettingsError("\n".join(problems))
        return cls(**kwargs)


def load_settings(path: Path | None) -> Settings:
    """Read settings from a TOML or JSON file (``None`` gives the defaults).

    A ``run.json`` written by an earlier run also works: its ``settings``
    entry is used, so a run can be repeated with exactly its parameters.
    """
    if path is None:
        return Settings()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SettingsError(f"cannot read settings file {path}: {exc.strerror}") from exc
    try:
        values = json.loads(text) if path.suffix == ".json" else tomllib.loads(text)
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"settings file {path} is not valid: {exc}") from exc
    if isinstance(values.get("settings"), dict):
        values = values["settings"]
    return Settings.from_dict(values, source=str(path))
