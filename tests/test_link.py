"""Linking: base-rate weighting of hubs, and shared pools of busy IPs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from linkage.detect.cluster import cluster_accounts
from linkage.detect.link import project_links
from linkage.settings import Settings


def _pool_incidence(accounts: int, ips: int, kind: str, per_account: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for account in range(accounts):
        for ip in rng.choice(ips, size=per_account, replace=False):
            rows.append((f"acct_{account:04d}", f"10.0.0.{ip}", kind))
    incidence = pd.DataFrame(rows, columns=["account_id", "attr_value", "ip_kind"])
    incidence["attr_type"] = "ip"
    incidence["accounts"] = incidence.groupby("attr_value")["account_id"].transform("size")
    settings = Settings()
    factor = settings.link.ip_kind_factors[kind]
    incidence["contribution"] = (
        settings.link.attribute_weights["ip"]
        * factor
        * np.minimum(1, 6 / (incidence["accounts"] - 1))
    )
    incidence["usage_share"] = 1.0
    return incidence


def test_a_big_hydra_behind_its_own_small_network_is_linked() -> None:
    # 600 accounts drawing on one /26: each IP is held by ~470 accounts, far too many for
    # pair-by-pair weight, but every pair shares most of the pool
    incidence = _pool_incidence(accounts=600, ips=64, kind="hosting", per_account=50)
    assert (incidence["contribution"] < Settings().link.min_link_contribution).all()
    links = project_links(incidence, Settings())
    strong = links[links["strength"] >= Settings().cluster.min_link_strength]
    # not every pair is enumerated (LSH buckets, a chain of neighbours in each), but the
    # pool holds all 600 together, and each link says how many IPs the pair shares
    assert len(strong) < 600 * 599 // 2
    clusters = cluster_accounts(strong.assign(groups=2), Settings())
    assert clusters["cluster_key"].nunique() == 1 and len(clusters) == 600
    assert (strong["ip_shared"] >= 20).all()


def test_carrier_nat_shared_by_thousands_links_nobody() -> None:
    incidence = _pool_incidence(accounts=600, ips=20, kind="mobile", per_account=5)
    links = project_links(incidence, Settings())
    assert (links["strength"] < Settings().cluster.min_link_strength).all()
