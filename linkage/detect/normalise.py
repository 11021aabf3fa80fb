"""Normalisation stage: canonical emails, IPs placed in networks, prompts reduced to templates
and to the probability of each distillation intent (the content classifier).

Everything here is vectorised: string work goes through pyarrow compute
kernels, IP lookups are done once per distinct address and mapped back.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from linkage.detect.arrays import arrow_strings
from linkage.detect.compiled import folded_hashes, min_hashes
from linkage.detect.content import NONE, classify_prompts
from linkage.kinds import CONTENT_FAMILIES
from linkage.settings import Settings


@dataclass(frozen=True)
class NormalisedInput:
    """The input tables but the requests, canonical and complete (the requests are streamed
    through an engine: :mod:`linkage.detect.requests`)."""

    accounts: pd.DataFrame
    payments: pd.DataFrame
    ip_intel: pd.DataFrame
    indicators: pd.DataFrame


def canonical_email(emails: pd.Series) -> pd.DataFrame:
    """Canonical mailbox and domain: lower case, ``+tag`` dropped, Gmail dots removed.

    Examples
    --------
    >>> emails = pd.Series(["Kestrel.Ops+a1@GoogleMail.com", "x@corp.io", None, "no-at"])
    >>> canonical_email(emails)["email"].tolist()
    ['kestrelops@gmail.com', 'x@corp.io', nan, nan]
    >>> canonical_email(pd.Series([], dtype=object)).shape
    (0, 2)
    """
    present = emails.notna()
    # missing cells become "" (not "None"), so the string methods see text in every row
    text = emails.where(present, "").astype("str").str.strip().str.lower()
    has_at = text.str.contains("@", regex=False)
    parts = text.str.rsplit("@", n=1)
    local = parts.str[0].where(has_at, "").astype("str").str.split("+", n=1).str[0]
    domain = parts.str[-1].where(has_at, None)
    domain = domain.replace({"googlemail.com": "gmail.com"})
    gmail = domain == "gmail.com"
    local = local.where(~gmail, local.str.replace(".", "", regex=False))
    valid = domain.notna() & (local.str.len() > 0) & present
    return pd.DataFrame(
        {
            "email": (local + "@" + domain).where(valid),
            "email_domain": domain.where(valid),
        }
    )


def normalise_name(names: pd.Series) -> pd.Series:
    """Billing names compared case- and spacing-insensitively."""
    return names.astype("str").str.lower().str.replace(r"[^\w]+", " ", regex=True).str.strip()


def template_fingerprints(prompts: pd.Series, settings: Settings) -> pd.DataFrame:
    """Fingerprints of a prompt's fixed parts, robust to filled-in slots.

    The head fingerprint is the first ``template_prefix_words`` words after
    numbers are masked and punctuation dropped; the tail fingerprint the last
    ``template_suffix_words`` (only for prompts long enough to have both).
    A scaffold with its slot at the end keeps its head; one with the slot
    at the start keeps its tail.

    Examples
    --------
    >>> s = Settings.from_dict(
    ...     {"normalise": {"template_prefix_words": 4, "template_suffix_words": 2}})
    >>> fp = template_fingerprints(pd.Series([
    ...     "Solve this step by step: 12 apples and 3 pears",
    ...     "Solve this step by step: 99 cars, then write it out",
    ...     ""]), s)
    >>> fp.loc[0, "template_head"] == fp.loc[1, "template_head"]
    True
    >>> fp.loc[0, "head_text"]
    'solve this step by'
    >>> bool(pd.isna(fp.loc[2, "template_head"]))
    True
    """
    # each distinct prompt once: a campaign sends its items again and again
    encoded = pc.dictionary_encode(arrow_strings(prompts))
    arr = encoded.dictionary
    head_words = settings.normalise.template_prefix_words
    tail_words = settings.normalise.template_suffix_words
    # cut the words out first and clean only them: cleaning whole prompts costs far more
    space = pa.scalar(" ", pa.large_string())
    head_split = pc.utf8_split_whitespace(arr, max_splits=head_words)
    head_raw = pc.binary_join(pc.list_slice(head_split, 0, head_words), space)
    tail_split = pc.utf8_split_whitespace(arr, max_splits=tail_words, reverse=True)
    tail_raw = pc.binary_join(pc.list_slice(tail_split, 1, tail_words + 1), space)
    # head and tail are distinct parts only when the prompt has more words than both together
    long_enough = pc.equal(pc.list_value_length(head_split), head_words + 1)
    long_enough = pc.and_(long_enough, pc.equal(pc.list_value_length(tail_split), tail_words + 1))
    indices = encoded.indices
    head_text = pc.take(_clean_words(head_raw), indices).to_pandas()
    tail_text = (
        pc.take(_clean_words(tail_raw), indices)
        .to_pandas()
        .where(pc.take(long_enough, indices).to_numpy(zero_copy_only=False), None)
    )
    head_text.index = tail_text.index = prompts.index
    return pd.DataFrame(
        {
            "template_head": _hash_text(head_text, "h"),
            "template_tail": _hash_text(tail_text, "t"),
            "head_text": head_text,
            "tail_text": tail_text,
        },
        index=prompts.index,
    )


def _clean_words(words: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Lower case, numbers masked, punctuation and symbols dropped, spacing folded.

    Each distinct text is cleaned once (a batch's heads repeat their templates: about a
    third are distinct, the tails one in a hundred), as the regular expressions cost most.
    """
    if isinstance(words, pa.ChunkedArray):  # one dictionary for the whole column
        words = words.combine_chunks()
    encoded = pc.dictionary_encode(words)
    return pc.take(_clean_distinct(encoded.dictionary), encoded.indices)


def _clean_distinct(words: pa.Array) -> pa.Array:
    words = pc.replace_substring_regex(pc.utf8_lower(words), r"\d+(?:[.,]\d+)*", "0")
    words = pc.replace_substring_regex(words, r"[\s\p{P}\p{S}]+", " ")
    return pc.utf8_trim_whitespace(words)


def _hash_text(values: pd.Series, kind: str) -> pd.Series:
    present = values.notna() & (values.astype("str").str.len() > 0)
    # hash each distinct text once; prompts repeat their templates
    codes, uniques = pd.factorize(values.where(present))
    unique_ids = hex_ids(pd.util.hash_array(np.asarray(uniques, dtype=object)), kind)
    ids = np.where(codes >= 0, unique_ids[np.maximum(codes, 0)], None) if len(uniques) else None
    return pd.Series(ids, index=values.index, dtype="str")


_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def hex_digits(hashes: np.ndarray) -> np.ndarray:
    """64-bit hashes as 16 lower-case hex digits each, without a per-row Python loop.

    >>> hex_digits(np.array([255, 2**64 - 1], dtype=np.uint64)).tolist()
    ['00000000000000ff', 'ffffffffffffffff']
    """
    return hex_bytes(hashes).astype(str)


def hex_bytes(hashes: np.ndarray) -> np.ndarray:
    """:func:`hex_digits` as fixed-width bytes (``S16``), a quarter of the memory."""
    as_bytes = np.asarray(hashes, dtype=">u8").view(np.uint8).reshape(-1, 8)
    nibbles = np.stack([as_bytes >> 4, as_bytes & 15], axis=2).reshape(-1, 16)
    return np.ascontiguousarray(_HEX_DIGITS[nibbles]).view("S16").ravel()


def hex_ids(hashes: np.ndarray, prefix: str) -> np.ndarray:
    """Format 64-bit hashes as ``prefix`` + 16 hex digits, without a per-row Python loop.

    >>> hex_ids(np.array([255, 2**64 - 1], dtype=np.uint64), "t").tolist()
    ['t00000000000000ff', 'tffffffffffffffff']
    """
    return np.char.add(prefix, hex_digits(hashes))


def content_intents(prompts: pd.Series) -> pd.DataFrame:
    """Per prompt, the probability of each distillation intent (``intent_<family>``),
    whether the most probable label is a distillation intent (``distilled``), whether the
    model can read it (``readable``) and whether letters were hidden in it
    (``obfuscated``), from the learned classifier of :mod:`linkage.detect.content`."""
    intents = classify_prompts(prompts)
    columns = [f"intent_{family}" for family in CONTENT_FAMILIES]
    result = intents[columns].astype(np.float32)
    result["distilled"] = (intents["intent"] != NONE).to_numpy()
    result["readable"] = intents["readable"].to_numpy(dtype=bool)
    result["obfuscated"] = intents["obfuscated"].to_numpy(dtype=bool)
    return result


def prompt_hashes(prompts: pd.Series) -> pd.Series:
    """A 63-bit hash of each prompt with digits folded and spacing collapsed (null when
    there is none): the same item sent again, with another date or id, hashes the same.

    >>> prompt_hashes(pd.Series(["Rate answer 12", "rate  answer 7", None])).isna().tolist()
    [False, False, True]
    >>> h = prompt_hashes(pd.Series(["Rate answer 12", "Rate  answer 7"]))
    >>> bool(h.iloc[0] == h.iloc[1])
    True
    """
    hashes = folded_hashes(arrow_strings(prompts))
    return pd.Series(hashes, index=prompts.index, dtype="Int64").where(hashes >= 0)


def compile_kernels() -> None:
    """Score and hash one prompt, so that numba compiles the kernels of
    :mod:`linkage.detect.compiled` and caches them beside it (a few seconds): the set-up
    does it once, and a run starts at once."""
    content_intents(pd.Series(["Think step by step."]))
    prompt_hashes(pd.Series(["Think step by step."]))
    min_hashes(np.zeros(2, dtype=np.uint64), np.zeros(1, dtype=np.int64), np.ones(2, np.uint64))


def prompt_lengths(prompts: pd.Series) -> np.ndarray:
    """Each prompt's length in characters (0 when there is none).

    >>> prompt_lengths(pd.Series(["héllo", None, ""])).tolist()
    [5, 0, 0]
    """
    lengths = pc.fill_null(pc.utf8_length(arrow_strings(prompts)), 0)
    return lengths.to_numpy(zero_copy_only=False).astype(np.int64)


def locate_ips(ips: pd.Series, ip_intel: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """For every address: its subnet, and the longest ip_intel block holding it.

    Work is done once per distinct address. IPv4 lookups are vectorised over
    prefix lengths; IPv6 (rare) goes through :mod:`ipaddress`.

    Examples
    --------
    >>> intel = pd.DataFrame({"network": ["10.0.0.0/8", "10.1.0.0/16"], "asn": [1, 2],
    ...                       "as_org": ["Big", "Small"], "kind": ["hosting", "university"]})
    >>> located = locate_ips(pd.Series(["10.1.2.3", "10.9.9.9", "8.8.8.8"]), intel, Settings())
    >>> located[["subnet", "network", "asn", "ip_kind"]].to_dict("list")
    {'subnet': ['10.1.2.0/24', '10.9.9.0/24', '8.8.8.0/24'], 'network': ['10.1.0.0/16', '10.0.0.0/8', None], 'asn': [2, 1, None], 'ip_kind': ['university', 'hosting', 'unknown']}
    """  # noqa: E501
    codes, uniques = pd.factorize(ips)
    unique_ips = pd.Series(uniques, dtype="str")
    located = _locate_unique(unique_ips, ip_intel, settings)
    result = located.iloc[codes].reset_index(drop=True)
    result.index = ips.index
    return result


def _ipv4_numbers(ips: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Which addresses are dotted IPv4, and their 32-bit values (0 for the others)."""
    is_v4 = ips.str.fullmatch(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}").fillna(False).to_numpy()
    v4_int = np.zeros(len(ips), dtype=np.uint64)
    if is_v4.any():
        octets = ips[is_v4].str.split(".", expand=True).astype(np.uint64).to_numpy()
        v4_int[is_v4] = (
            (octets[:, 0] << 24) | (octets[:, 1] << 16) | (octets[:, 2] << 8) | octets[:, 3]
        )
    return is_v4, v4_int


def _mask(prefix: int) -> np.uint64:
    return np.uint64((0xFFFFFFFF << (32 - prefix)) & 0xFFFFFFFF) if prefix else np.uint64(0)


def _ipv4_subnets(v4_int: np.ndarray, bits: int) -> np.ndarray:
    """Dotted ``a.b.c.d/bits`` networks of 32-bit addresses, without a per-row loop."""
    nets = v4_int & _mask(bits)
    return (
        pd.Series((nets >> 24) & 255).astype(str)
        + "."
        + pd.Series((nets >> 16) & 255).astype(str)
        + "."
        + pd.Series((nets >> 8) & 255).astype(str)
        + "."
        + pd.Series(nets & 255).astype(str)
        + f"/{bits}"
    ).to_numpy()


def _other_subnets(ips: pd.Series, positions: np.ndarray, settings: Settings) -> dict[int, str]:
    """Networks of the addresses that are not dotted IPv4 (IPv6, rare): one by one."""
    subnets: dict[int, str] = {}
    for position in positions:
        try:
            address = ipaddress.ip_address(ips.iloc[position])
        except ValueError:
            continue
        bits = (
            settings.normalise.ipv6_subnet_bits
            if address.version == 6
            else settings.normalise.ipv4_subnet_bits
        )
        subnets[int(position)] = str(ipaddress.ip_network(f"{address}/{bits}", strict=False))
    return subnets


def _intel_rows(
    ips: pd.Series, is_v4: np.ndarray, v4_int: np.ndarray, intel: pd.DataFrame
) -> np.ndarray:
    """Row of ``intel`` whose block holds each address most specifically, -1 for none."""
    intel_row = np.full(len(ips), -1, dtype=np.int64)
    if not len(intel):
        return intel_row
    networks = [ipaddress.ip_network(v, strict=False) for v in intel["network"]]
    v4_rows = [(i, net) for i, net in enumerate(networks) if net.version == 4]
    v6_rows = [(i, net) for i, net in enumerate(networks) if net.version == 6]
    # longest prefix first, so the most specific block wins
    for prefix in sorted({net.prefixlen for _, net in v4_rows}, reverse=True):
        table = {int(net.network_address): i for i, net in v4_rows if net.prefixlen == prefix}
        hits = pd.Series(v4_int & _mask(prefix)).map(table).to_numpy(dtype=float, na_value=np.nan)
        take = is_v4 & (intel_row < 0) & ~np.isnan(hits)
        intel_row[take] = hits[take].astype(np.int64)
    v6_sorted = sorted(v6_rows, key=lambda item: -item[1].prefixlen)
    for position in np.flatnonzero(~is_v4):
        try:
            address = ipaddress.ip_address(ips.iloc[position])
        except ValueError:
            continue
        for i, net in v6_sorted:
            if address in net:
                intel_row[position] = i
                break
    return intel_row


def _locate_unique(ips: pd.Series, ip_intel: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    n = len(ips)
    is_v4, v4_int = _ipv4_numbers(ips)
    subnet = np.empty(n, dtype=object)
    if is_v4.any():
        subnet[is_v4] = _ipv4_subnets(v4_int[is_v4], settings.normalise.ipv4_subnet_bits)
    for position, network in _other_subnets(ips, np.flatnonzero(~is_v4), settings).items():
        subnet[position] = network
    intel = ip_intel.reset_index(drop=True)
    intel_row = _intel_rows(ips, is_v4, v4_int, intel)
    found = intel_row >= 0
    take = np.where(found, intel_row, 0)

    def intel_column(name: str) -> pd.Series:
        if name not in intel.columns or not len(intel):
            return pd.Series([None] * n, dtype=object)
        values = intel[name].to_numpy(dtype=object)[take]
        return pd.Series(np.where(found, values, np.array(None, dtype=object)), dtype=object)

    kind = intel_column("kind").astype("str").str.strip().str.lower()
    kind = kind.where(found & kind.notna() & (kind != "") & (kind != "None"), "unknown")
    asn = pd.to_numeric(intel_column("asn"), errors="coerce").astype("Int64")
    return pd.DataFrame(
        {
            "subnet": pd.Series(subnet, dtype=object),
            "network": intel_column("network"),
            "asn": asn,
            "as_org": intel_column("as_org"),
            "ip_kind": kind,
        }
    )


def normalise_static(tables: dict[str, pd.DataFrame], settings: Settings) -> NormalisedInput:
    """Normalise every table but the requests (which are streamed): canonical emails,
    billing names, indicator defaults."""
    accounts = tables["accounts"].copy()
    emails = canonical_email(accounts.get("email", pd.Series([None] * len(accounts))))
    accounts["email_canonical"] = emails["email"].to_numpy()
    accounts["email_domain"] = emails["email_domain"].to_numpy()
    for optional in ("org_id", "signup_pathway", "display_name", "country", "email"):
        if optional not in accounts.columns:
            accounts[optional] = None
    # an org the provider has not verified is only a claim the account made
    verified = accounts.get("org_verified", pd.Series(False, index=accounts.index))
    accounts["org_verified"] = verified.astype("boolean").fillna(False).astype(bool)

    ip_intel = tables.get("ip_intel", pd.DataFrame(columns=["network", "asn", "as_org", "kind"]))
    for optional in ("asn", "as_org", "kind"):
        if optional not in ip_intel.columns:
            ip_intel[optional] = None

    payments = tables.get("payment_methods")
    if payments is None:
        payments = pd.DataFrame(columns=["account_id", "payment_fingerprint", "billing_name"])
    payments = payments.copy()
    if "billing_name" not in payments.columns:
        payments["billing_name"] = None
    payments["billing_name_normalised"] = normalise_name(payments["billing_name"]).where(
        payments["billing_name"].notna()
    )

    indicators = tables.get("indicators")
    if indicators is None:
        indicators = pd.DataFrame(
            columns=["indicator_type", "value", "organization", "confidence", "source"]
        )
    indicators = indicators.copy()
    if "confidence" not in indicators.columns:
        indicators["confidence"] = np.nan
    indicators["confidence"] = indicators["confidence"].fillna(
        settings.attribution.default_indicator_confidence
    )
    if "source" not in indicators.columns:
        indicators["source"] = None
    return NormalisedInput(
        accounts=accounts,
        payments=payments,
        ip_intel=ip_intel,
        indicators=indicators.reset_index(drop=True),
    )
