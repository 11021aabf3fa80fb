"""Linking, from the outside: hand-made accounts and requests in, which pairs are linked out.

Each test builds a small input by hand, runs it through validation, the embedded engine
(which maps and holds the requests, as in a run) and the linking stage, and checks a
behaviour the README promises (a shared card links; a hub links each pair less than a
private share; carrier NAT links nobody; a big hydra behind its own small network is
linked), never the weighting formula itself.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from linkage.detect.cluster import cluster_accounts
from linkage.detect.link import link
from linkage.detect.normalise import normalise_static
from linkage.detect.request_batch import BatchContext
from linkage.detect.requests import load_requests, request_incidence
from linkage.detect.validate import account_index, validate
from linkage.engines.duckdb_engine import DuckDBEngine
from linkage.io.input_folder import ROW_COLUMN, RawTable
from linkage.settings import Settings

STRONG = Settings().cluster.min_link_strength
"""Links at least this strong put two accounts in one cluster."""


def _raw(name: str, rows: list[dict[str, str]], columns: list[str]) -> RawTable:
    frame = pd.DataFrame(rows, columns=columns, dtype="str")
    frame[ROW_COLUMN] = range(1, len(frame) + 1)
    return RawTable(name, Path(f"{name}.csv"), frame)


def _link_table(
    requests: list[tuple[str, str]],
    payments: list[tuple[str, str]] = (),  # type: ignore[assignment]
    intel: list[tuple[str, str]] = (),  # type: ignore[assignment]
) -> pd.DataFrame:
    """The links table, from (account, ip) requests, (account, card) payments and
    (network, kind) ip_intel rows."""
    accounts = sorted({a for a, _ in requests} | {a for a, _ in payments})
    raw = {
        "accounts": _raw(
            "accounts",
            [{"account_id": a, "created_at": "2026-10-01T00:00:00Z"} for a in accounts],
            ["account_id", "created_at"],
        ),
        "requests": _raw(
            "requests",
            [
                {
                    "request_id": f"r{i}",
                    "account_id": account,
                    "ts": f"2026-10-02T{i % 24:02d}:{i % 60:02d}:00Z",
                    "ip": ip,
                }
                for i, (account, ip) in enumerate(requests)
            ],
            ["request_id", "account_id", "ts", "ip"],
        ),
        "payment_methods": _raw(
            "payment_methods",
            [{"account_id": a, "payment_fingerprint": card} for a, card in payments],
            ["account_id", "payment_fingerprint"],
        ),
        "ip_intel": _raw(
            "ip_intel",
            [{"network": network, "kind": kind} for network, kind in intel],
            ["network", "kind"],
        ),
    }
    settings = Settings()
    validated = validate(raw, settings, streamed=("requests",))
    assert all(len(r) == 0 for r in validated.rejects.values()), validated.rejects
    data = normalise_static(validated.tables, settings)
    engine = DuckDBEngine(workers=1)
    try:
        context = BatchContext(account_index(data.accounts["account_id"]), data.ip_intel, settings)
        loaded = load_requests(engine, raw["requests"], context)
        assert loaded.accepted == len(requests), loaded.rejects
        totals = loaded.account_totals.set_index("account_id")["requests"]
        return link(data, settings, (request_incidence(engine), totals)).links
    finally:
        engine.close()


def _links(
    requests: list[tuple[str, str]],
    payments: list[tuple[str, str]] = (),  # type: ignore[assignment]
    intel: list[tuple[str, str]] = (),  # type: ignore[assignment]
) -> dict[tuple[str, str], float]:
    """Strength of every linked pair (see :func:`_link_table`)."""
    table = _link_table(requests, payments, intel)
    return {(str(r.account_a), str(r.account_b)): float(r.strength) for r in table.itertuples()}


def _own_ip(account: int) -> str:
    """An address no other account uses, in a /24 of its own."""
    return f"10.{account // 250}.{account % 250}.1"


def test_a_shared_card_links_two_accounts_and_no_one_else() -> None:
    requests = [("a1", _own_ip(1)), ("a2", _own_ip(2)), ("a3", _own_ip(3))]
    payments = [("a1", "pm_shared"), ("a2", "pm_shared"), ("a3", "pm_own")]
    links = _links(requests, payments)
    assert links[("a1", "a2")] >= STRONG
    assert all(strength < STRONG for pair, strength in links.items() if "a3" in pair)


def test_accounts_that_share_nothing_are_not_linked() -> None:
    links = _links([(f"a{i}", _own_ip(i)) for i in range(5)])
    assert all(strength < STRONG for strength in links.values())


def test_a_card_held_by_many_links_each_pair_less_than_a_card_held_by_two() -> None:
    pair = [("p1", "pm_pair"), ("p2", "pm_pair")]
    hub = [(f"h{i:02d}", "pm_hub") for i in range(40)]
    accounts = [a for a, _ in pair + hub]
    links = _links([(a, _own_ip(i)) for i, a in enumerate(accounts)], pair + hub)
    hub_strengths = [s for (a, b), s in links.items() if a.startswith("h") and b.startswith("h")]
    assert hub_strengths, "accounts sharing a card are linked, however weakly"
    assert links[("p1", "p2")] > max(hub_strengths)


def test_carrier_nat_shared_by_hundreds_links_nobody() -> None:
    # 300 phones behind one mobile carrier's NAT: 20 exit addresses, 3 each
    requests = [
        (f"m{account:03d}", f"100.64.0.{1 + (account * 7 + k) % 20}")
        for account in range(300)
        for k in range(3)
    ]
    links = _links(requests, intel=[("100.64.0.0/24", "mobile")])
    assert all(strength < STRONG for strength in links.values())


def test_a_big_hydra_behind_its_own_small_network_is_linked() -> None:
    # 600 accounts drawing on one /26 of a hosting network, 48 of its 64 addresses each:
    # every address is held by ~450 accounts, far too many for its weight to count pair by
    # pair, yet any two accounts share at least half of the pool
    requests = [
        (f"x{account:03d}", f"198.51.100.{(account * 5 + k * 3) % 64}")
        for account in range(600)
        for k in range(48)
    ]
    links = _link_table(requests, intel=[("198.51.100.0/24", "hosting")])
    strong = links[links["strength"] >= STRONG]
    # not necessarily every pair is enumerated, but the strong links hold all 600 together
    clusters = cluster_accounts(strong.assign(groups=2), Settings())
    assert len(clusters) == 600 and clusters["cluster_key"].nunique() == 1


def test_links_capped_per_account_same_as_cutting_the_whole() -> None:
    """Cutting each range of pairs to its strongest links per account, then the joined
    ranges, keeps exactly what cutting all links at once keeps, whatever the ranges."""
    import numpy as np
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from linkage.detect.arrays import strongest_per_account

    @settings(max_examples=60, deadline=None)
    @given(
        seed=st.integers(0, 2**32 - 1),
        k=st.integers(1, 6),
        cuts=st.lists(st.integers(1, 29), max_size=4),
    )
    def check(seed: int, k: int, cuts: list[int]) -> None:
        rng = np.random.default_rng(seed)
        a = rng.integers(0, 30, 200)
        b = rng.integers(0, 30, 200)
        a, b = np.minimum(a, b), np.maximum(a, b)
        pairs = np.unique(np.stack([a, b], 1)[a < b], axis=0)
        a, b = pairs[:, 0], pairs[:, 1]
        strength = np.round(rng.choice([0.2, 0.5, 0.9], len(a)) * rng.random(len(a)), 1)
        whole = np.flatnonzero(strongest_per_account(a, b, strength, k))
        kept = []
        for low, high in zip([0, *sorted(cuts)], [*sorted(cuts), 30], strict=True):
            part = np.flatnonzero((a >= low) & (a < high))
            keep = strongest_per_account(a[part], b[part], strength[part], k)
            kept.append(part[keep])
        joined = np.concatenate(kept)
        again = joined[strongest_per_account(a[joined], b[joined], strength[joined], k)]
        assert sorted(again.tolist()) == whole.tolist()
        # and every account keeps min(k, its links) of them
        degree = np.bincount(np.r_[a, b], minlength=30)
        kept_degree = np.bincount(np.r_[a[whole], b[whole]], minlength=30)
        assert (kept_degree >= np.minimum(degree, k)).all()

    check()


def test_co_use_and_cap_on_a_hydra() -> None:
    """A group that shares one card keeps at most k links per head, and stays one cluster."""
    heads = [f"h{i:03d}" for i in range(150)]
    incidence = pd.DataFrame(
        {
            "account_id": heads,
            "attr_type": "payment",
            "attr_value": "card1",
            "contribution": 0.9,
            "usage_share": 1.0,
        }
    )
    from linkage.detect.link import project_links

    config = Settings.from_dict({"link": {"max_links_per_account": 10, "hub_allowance": 200.0}})
    links = project_links(incidence, config)
    degree = pd.concat([links["account_a"], links["account_b"]]).value_counts()
    assert len(links) < 150 * 10
    assert degree.min() >= 10
    membership = cluster_accounts(links, config)
    assert membership["cluster_key"].nunique() == 1 and len(membership) == 150
