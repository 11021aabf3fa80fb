"""The detection pipeline: raw input tables in, a :class:`~linkage.run_model.Run` out.

Stages are pure functions over tables (see their modules); this module strings
them together and times them. Reading the input folder and writing the run
folder are left to :mod:`linkage.io`; :mod:`linkage.jobs` puts the three together.
"""

from __future__ import annotations

import time

try:
    import resource
except ImportError:  # pragma: no cover - not on Windows
    resource = None  # type: ignore[assignment]
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import numpy as np
import pandas as pd

from linkage.detect.assemble import campaign_objects, clusters_table, takedown_table
from linkage.detect.attribution import attribute_clusters, match_indicators
from linkage.detect.cluster import cluster_accounts, internal_links
from linkage.detect.coordination import coordination_signals
from linkage.detect.evidence import cluster_evidence, shared_attributes
from linkage.detect.families import prompt_families
from linkage.detect.link import LinkResult, link
from linkage.detect.normalise import NormalisedInput, normalise_static
from linkage.detect.request_batch import BatchContext
from linkage.detect.requests import (
    LoadedRequests,
    RequestEngine,
    account_profiles_streamed,
    clustered_requests,
    co_use_slots,
    family_sample,
    load_requests,
    request_incidence,
)
from linkage.detect.score import (
    cluster_novelty,
    cluster_shared_items,
    member_confidence,
    product_marker_share,
    score_clusters,
)
from linkage.detect.similarity import (
    behaviour_pairs,
    co_use_pairs,
    leaning_accounts,
    signup_pairs,
    suspicious_accounts,
    task_similarity,
)
from linkage.detect.stable_ids import assign_cluster_ids
from linkage.detect.validate import account_index, check_structure, validate
from linkage.formats import iso_utc
from linkage.io.input_folder import RawTable
from linkage.run_model import Run
from linkage.settings import Settings

StageCallback = Callable[[str], None]
T = TypeVar("T")


class StageTimer:
    """Wall-clock seconds per stage and the process's peak memory after each one.

    Tells ``on_stage`` when each stage starts. The peak is the operating system's
    high-water mark of this process (MiB): the stage where it rises is the one to look at.
    """

    def __init__(self, on_stage: StageCallback | None = None) -> None:
        self.timings: dict[str, float] = {}
        self.peak_memory_mib: dict[str, int] = {}
        self.on_stage = on_stage

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.on_stage:
            self.on_stage(name)
        started = time.perf_counter()
        yield
        self.timings[name] = round(time.perf_counter() - started, 3)
        peak = peak_memory_mib()
        if peak is not None:
            self.peak_memory_mib[name] = peak


def peak_memory_mib() -> int | None:
    """This process's peak resident memory so far, in MiB.

    Linux's ``VmHWM`` (``/proc/self/status``) is the high-water mark of this program's own
    memory; ``ru_maxrss`` also counts the process it was started from (the kernel carries
    it across ``exec``), so a run launched by a large parent would report the parent's
    size. ``ru_maxrss`` is the fallback where ``/proc`` is not there.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024  # kB
    except OSError:
        pass
    if resource is not None:  # Linux reports KiB
        return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
    return None


def run_pipeline(
    raw: dict[str, RawTable],
    settings: Settings,
    previous_clusters: pd.DataFrame | None = None,
    timer: StageTimer | None = None,
    engine: RequestEngine | None = None,
) -> Run:
    """Run every stage on raw tables read from an input folder.

    The requests are never held whole: ``engine`` (see :mod:`linkage.engines`; the caller
    makes it and closes it) streams them through the batch map and answers the
    request-level questions; everything kept here is per account or per value.
    ``previous_clusters`` is an earlier run's clusters table (account_id, cluster_id):
    clusters that overlap one keep its id. The returned run's ``info`` holds row counts,
    notes, timings and a summary; the caller adds what only it knows (input path,
    versions, start time).
    """
    if engine is None:
        raise ValueError("run_pipeline needs an engine (linkage.engines.make_engine)")
    timer = timer or StageTimer()
    check_structure(raw)
    with timer.stage("validate"):
        validated = validate(raw, settings, streamed=("requests",))
        data = normalise_static(validated.tables, settings)
    with timer.stage("normalise"):
        context = BatchContext(account_index(data.accounts["account_id"]), data.ip_intel, settings)
        loaded = load_requests(engine, raw["requests"], context)
    with timer.stage("profile"):
        profiles = account_profiles_streamed(engine, data.accounts, settings)
        suspicious = suspicious_accounts(profiles, settings)
        # heads too small to be suspicious on their own are compared too when their
        # prompts lean to distillation: a campaign cannot stay under the bar by spreading
        leaning = leaning_accounts(profiles, settings)
        compared = suspicious.union(leaning)
    with timer.stage("families"):
        families = prompt_families(family_sample(engine, compared, settings), settings)
    with timer.stage("link"):
        linked = _link(engine, data, loaded, profiles, compared, families, settings)
    with timer.stage("cluster"):
        membership = cluster_accounts(linked.links, settings, suspicious, leaning)
        internal = internal_links(linked.links, membership)
    with timer.stage("coordination"):
        clustered = clustered_requests(engine, membership["account_id"])
        coordination = coordination_signals(clustered, membership, settings)
    with timer.stage("score"):
        scores = score_clusters(
            membership,
            data.accounts,
            profiles,
            internal,
            coordination,
            loaded.data_end,
            settings,
            suspicious,
            novelty=cluster_novelty(clustered, membership),
            payments=data.payments,
            product_markers=product_marker_share(membership, linked.account_attributes),
            shared_items=cluster_shared_items(clustered, membership),
        )
        confidence = member_confidence(membership, linked.links, profiles, settings, suspicious)
    with timer.stage("attribution"):
        matches = match_indicators(
            data.indicators,
            data.accounts,
            data.payments,
            linked.account_attributes,
            loaded.ip_addresses,
        )
        attribution = attribute_clusters(matches, membership, settings, suspicious, confidence)
    with timer.stage("assemble"):
        cluster_ids = assign_cluster_ids(membership, data.accounts, previous_clusters, settings)
        scores["cluster_id"] = scores["cluster_key"].map(cluster_ids)
        run = _assemble(data, loaded, linked, membership, scores, attribution, matches, confidence)
        run.activity = hourly_activity(clustered, membership["account_id"])
        run.rejects = _with_requests(validated.rejects, loaded.rejects)
    request_notes = [f"{raw['requests'].path}: {note}" for note in loaded.notes]
    run.info = {
        "rows": _with_requests(validated.counts, loaded.counts),
        "notes": validated.notes_with("requests", request_notes),
        "data_end": iso_utc(loaded.data_end) if loaded.data_end is not None else None,
        "stage_seconds": timer.timings,
        "stage_peak_memory_mib": timer.peak_memory_mib,
        "summary": _summary(run, data, loaded.accepted),
        "request_engine": engine.name,
    }
    return run


def _link(
    engine: RequestEngine,
    data: NormalisedInput,
    loaded: LoadedRequests,
    profiles: pd.DataFrame,
    compared: pd.Index,
    families: pd.DataFrame,
    settings: Settings,
) -> LinkResult:
    """Every link: shared attributes of all accounts, and likeness, IP co-use and sign-up
    bursts between the ``compared`` accounts."""
    accounts = pd.Index(np.sort(data.accounts["account_id"].astype("str").unique()))
    extra = [
        behaviour_pairs(profiles, accounts, settings, compared),
        co_use_pairs(
            co_use_slots(engine, compared, settings) if len(compared) >= 2 else pd.DataFrame(),
            compared,
            accounts,
            settings,
            profiles,
        ),
        signup_pairs(data.accounts, compared, accounts, settings),
    ]
    totals = loaded.account_totals.set_index("account_id")["requests"]
    linked = link(data, settings, (request_incidence(engine), totals), families, extra, accounts)
    linked.links["task_similarity"] = task_similarity(
        linked.links["account_a"].to_numpy(), linked.links["account_b"].to_numpy(), profiles
    ).round(4)
    return linked


def _assemble(
    data: NormalisedInput,
    loaded: LoadedRequests,
    linked: LinkResult,
    membership: pd.DataFrame,
    scores: pd.DataFrame,
    attribution: pd.DataFrame,
    matches: pd.DataFrame,
    confidence: pd.Series,
) -> Run:
    """The run's tables from the scored clusters (activity and rejects are added after)."""
    scores = scores.merge(attribution, on="cluster_key", how="left")
    scores["attribution_confidence"] = scores["attribution_confidence"].fillna(0.0)
    scores["attribution_kinds"] = scores["attribution_kinds"].fillna(0).astype(np.int64)
    shared = shared_attributes(membership, linked.account_attributes)
    evidence = cluster_evidence(
        scores["cluster_key"].tolist(), shared, loaded.templates, matches, membership
    )
    clusters = clusters_table(membership, scores)
    campaigns = campaign_objects(scores, membership, data, evidence)
    takedown = takedown_table(
        clusters, scores, membership, linked.account_attributes, shared, confidence
    )
    return Run(
        clusters=clusters,
        campaigns=campaigns,
        takedown=takedown,
        accounts=_accounts_with_activity(data, loaded.account_totals),
        account_attributes=linked.account_attributes,
        links=linked.links,
        indicators=data.indicators,
        indicator_matches=matches,
        templates=loaded.templates,
        payments=data.payments.drop(columns=["_row"], errors="ignore"),
        ip_intel=data.ip_intel.drop(columns=["_row"], errors="ignore"),
        ip_addresses=loaded.ip_addresses,
        activity=pd.DataFrame(columns=["account_id", "hour", "requests"]),
    )


def _with_requests(by_table: dict[str, T], requests: T) -> dict[str, T]:
    """Per-table values with the requests' put in the contract's place (after accounts)."""
    result: dict[str, T] = {}
    for name, value in by_table.items():
        result[name] = value
        if name == "accounts":
            result["requests"] = requests
    return result


def _accounts_with_activity(data: NormalisedInput, totals: pd.DataFrame) -> pd.DataFrame:
    """The accounts table with each account's exchanges and first and last request."""
    accounts = data.accounts.drop(columns=["_row"], errors="ignore")
    per_account = totals.set_index("account_id").rename(
        columns={"requests": "size", "first_ts": "min", "last_ts": "max"}
    )
    # reindex, not map: mapping an empty column onto timestamps fails in pandas 3
    per_account = per_account.reindex(accounts["account_id"].to_numpy()).set_axis(accounts.index)
    accounts = accounts.assign(
        exchanges=per_account["size"].fillna(0).astype(np.int64),
        first_request=per_account["min"],
        last_request=per_account["max"],
    )
    return accounts


def hourly_activity(requests: pd.DataFrame, account_ids: pd.Series) -> pd.DataFrame:
    """Exchanges per hour of the given accounts: account_id, hour, requests.

    >>> requests = pd.DataFrame({"account_id": ["a", "a", "b"], "ts": pd.to_datetime(
    ...     ["2026-10-01T10:05Z", "2026-10-01T10:55Z", "2026-10-01T11:00Z"])})
    >>> hourly_activity(requests, pd.Series(["a"]))["requests"].tolist()
    [2]
    """
    chosen = requests.loc[requests["account_id"].isin(account_ids), ["account_id", "ts"]]
    hours = chosen.assign(hour=chosen["ts"].dt.floor("h"))
    counts = hours.groupby(["account_id", "hour"], sort=True).size().rename("requests")
    return counts.reset_index()


def _summary(run: Run, data: NormalisedInput, requests: int) -> dict[str, int]:
    flagged = run.clusters[run.clusters["flagged"]]
    return {
        "accounts": len(data.accounts),
        "requests": requests,
        "links": len(run.links),
        "clusters": len(run.campaigns),
        "clustered_accounts": len(run.clusters),
        "flagged_clusters": sum(1 for c in run.campaigns if c["flagged"]),
        "flagged_accounts": len(flagged),
    }
