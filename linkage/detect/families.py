"""Families stage: near-duplicate prompts across accounts (MinHash-LSH), so paraphrased,
slot-filled scaffolds still meet.

Exact template fingerprints (:mod:`linkage.detect.normalise`) break as soon as a
campaign rewords its scaffold or fills slots at both ends. Near-duplicates do
not: two prompts whose word bigrams overlap by about 60 % or more land in the
same LSH bucket in at least one band, whatever was swapped around them. Each
bucket is a *prompt family*; the families an account's prompts fall into
become attributes of the account (kind ``prompt_family``), and the linking
stage weighs them like any other shared attribute: by how many accounts hold
the family (a popular template says little) and by how much of each
account's sampled traffic falls in it.

Everything is vectorised: prompts are split into tokens by pyarrow (CJK
characters are tokens of their own, so unspaced scripts work too), tokens
hashed by pandas, bigram hashes mixed and minimised per prompt in one compiled
pass (:mod:`linkage.detect.minhash`). The stage looks only at a
bounded sample: at most ``families.prompts_per_account`` prompts of each account
given to it.

Examples
--------
>>> prompts = pd.Series([
...     "Solve the problem and show every step of your reasoning: 12 + 30 = ?",
...     "Solve the problem and show every step of your reasoning: 17 + 25 = ?",
...     "What should I cook tonight with leeks and potatoes?"])
>>> signatures = minhash_signatures(prompts, n_hashes=32, seed=0)
>>> bool((signatures[0] == signatures[1]).mean() > (signatures[0] == signatures[2]).mean())
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from linkage.detect.arrays import arrow_strings
from linkage.detect.minhash import band_keys, set_signatures
from linkage.detect.normalise import hex_bytes
from linkage.detect.prompt_text import WHITESPACE_RUN
from linkage.settings import Settings

_CJK = r"([\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}])"
_BLOCK = 50_000
"""Prompts signed at once."""


def prompt_tokens(prompts: pd.Series, max_chars: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Token hashes of every prompt and the prompt each belongs to (position in ``prompts``).

    Lower case, digits folded to ``0``, punctuation dropped, CJK characters split apart.
    """
    text = pc.fill_null(arrow_strings(prompts), "")
    text = pc.utf8_slice_codeunits(pc.utf8_lower(text), 0, max_chars)
    text = pc.replace_substring_regex(text, r"\d+", "0")
    text = pc.replace_substring_regex(text, _CJK, r" \1 ")
    # punctuation and symbols to a space, then runs of spaces to one: what one pattern over
    # both did, without RE2 rewriting every single space (most of the time)
    text = pc.replace_substring_regex(text, r"[\p{P}\p{S}]+", " ")
    text = pc.replace_substring_regex(text, WHITESPACE_RUN, " ")
    split = pc.utf8_split_whitespace(text)
    owner = pc.list_parent_indices(split).to_numpy(zero_copy_only=False)
    flat = pc.list_flatten(split)
    if not len(flat):
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    # each distinct token hashed once, as a Python string: the vocabulary is small, the
    # tokens many (a Python object per token cost more than the rest of the stage)
    encoded = pc.dictionary_encode(flat)
    vocabulary = np.asarray(encoded.dictionary.to_numpy(zero_copy_only=False), dtype=object)
    hashes = pd.util.hash_array(vocabulary)[encoded.indices.to_numpy(zero_copy_only=False)]
    return hashes.astype(np.uint64), owner.astype(np.int64)


def minhash_signatures(prompts: pd.Series, n_hashes: int, seed: int) -> np.ndarray:
    """MinHash signature (``n_hashes`` uint64 values) of each prompt's word bigrams.

    A prompt with fewer than two tokens gets its unigram; an empty prompt all-max values.
    """
    # a prompt sent again has the same signature
    encoded = pc.dictionary_encode(pc.fill_null(arrow_strings(prompts), ""))
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    distinct = pd.Series(encoded.dictionary.to_pandas(), dtype=object)
    if len(distinct) < len(prompts):
        return _signatures(distinct, n_hashes, seed)[codes]
    return _signatures(distinct, n_hashes, seed)


def _signatures(prompts: pd.Series, n_hashes: int, seed: int) -> np.ndarray:
    tokens, owner = prompt_tokens(prompts)
    n = len(prompts)
    signatures = np.full((n, n_hashes), np.iinfo(np.uint64).max, dtype=np.uint64)
    if not len(tokens):
        return signatures
    same_prompt = owner[1:] == owner[:-1]
    with np.errstate(over="ignore"):
        bigrams = tokens[:-1][same_prompt] * np.uint64(0x9E3779B97F4A7C15) ^ tokens[1:][same_prompt]
    shingle_owner = owner[:-1][same_prompt]
    # prompts of one token still get a signature
    counts = np.bincount(owner, minlength=n)
    single = np.flatnonzero(counts == 1)
    if len(single):
        first_token = np.searchsorted(owner, single)
        bigrams = np.concatenate([bigrams, tokens[first_token]])
        shingle_owner = np.concatenate([shingle_owner, single])
    signed, signed_signatures = set_signatures(shingle_owner, bigrams, n_hashes, seed)
    signatures[signed] = signed_signatures
    return signatures


def prompt_families(sample: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Account-to-family incidence from a sample of prompts.

    ``sample`` has ``account_id``, ``prompt`` and ``ts``. Returns one row per
    (account, family) with ``attr_type`` ``prompt_family``, ``attr_value`` (the
    bucket's id), ``uses`` (the account's sampled prompts in it), first and last
    seen, and ``sampled`` (the account's sampled prompts in all). Only buckets
    that hold prompts of at least two accounts are kept.
    """
    columns = ["account_id", "attr_type", "attr_value", "uses", "first_seen", "last_seen"]
    if sample.empty:
        return pd.DataFrame(columns=[*columns, "sampled"])
    config = settings.families
    # a prompt's signature is its own: blocks of prompts bound the token arrays' memory
    signatures = np.concatenate(
        [
            minhash_signatures(sample["prompt"].iloc[i : i + _BLOCK], config.hashes, settings.seed)
            for i in range(0, len(sample), _BLOCK)
        ]
    )
    keys = band_keys(signatures, config.bands)
    empty = sample["prompt"].fillna("").astype("str").str.len() == 0
    # integer account codes (in sorted order, so groups come out as sorted by id) and
    # microseconds: grouping strings and timestamp objects costs many times more
    code, names = pd.factorize(sample["account_id"].astype("str"), sort=True)
    ts = pd.to_datetime(sample["ts"], utc=True).dt.as_unit("us").astype("int64").to_numpy()
    rows = pd.DataFrame(
        {
            "code": np.repeat(code, config.bands),
            "ts": np.repeat(ts, config.bands),
            "band": np.tile(np.arange(config.bands), len(sample)),
            "key": keys.ravel(),
            "empty": np.repeat(empty.to_numpy(), config.bands),
        }
    )
    rows = rows[~rows["empty"]]
    holders = rows.groupby(["band", "key"])["code"].transform("nunique")
    rows = rows[holders >= 2]
    incidence = (
        rows.groupby(["code", "band", "key"], sort=True)
        .agg(uses=("ts", "size"), first_seen=("ts", "min"), last_seen=("ts", "max"))
        .reset_index()
    )
    for column in ("first_seen", "last_seen"):
        incidence[column] = pd.to_datetime(incidence[column], unit="us", utc=True)
    # made as bytes and handed to Arrow whole: millions of Python strings cost gigabytes
    hex_key = hex_bytes(incidence["key"].to_numpy(dtype=np.uint64))
    band = incidence["band"].to_numpy().astype("S")
    value = np.char.add(np.char.add(np.char.add(b"f", band), b"-"), hex_key)
    text = pa.array(value, type=pa.binary()).cast(pa.string())
    incidence["attr_value"] = text.to_pandas().array
    incidence["account_id"] = np.asarray(names, dtype=object)[incidence["code"].to_numpy()]
    incidence["attr_type"] = "prompt_family"
    sampled = np.bincount(code, minlength=len(names))
    incidence["sampled"] = sampled[incidence["code"].to_numpy()].astype(np.int64)
    return incidence[[*columns, "sampled"]]


def sample_prompts(prompts: pd.DataFrame, accounts: pd.Index, settings: Settings) -> pd.DataFrame:
    """At most ``prompts_per_account`` prompts with a distillation intent of each of
    ``accounts``, spread over their activity (every k-th prompt, deterministic).

    Everyday prompts are left out: a campaign's camouflage traffic is drawn from what
    ordinary users send, and near-duplicates among everyday prompts link strangers.
    """
    limit = settings.families.prompts_per_account
    chosen = prompts[prompts["account_id"].isin(accounts) & prompts["distilled"]]
    position = chosen.groupby("account_id").cumcount()
    total = chosen.groupby("account_id")["account_id"].transform("size")
    step = np.maximum(1, np.ceil(total / limit)).astype(np.int64)
    keep = (position % step == 0) & (position // step < limit)
    return chosen.loc[keep, ["account_id", "ts", "prompt"]]
