"""The address plan: ISPs and named networks, host draws and who sits where.

Every address any group uses is drawn here, from the ``network`` stream only,
before any group is built (see :class:`Plan`).

Examples
--------
>>> ipv4_strings(np.array([3232235777])).tolist()
['192.168.1.1']
>>> network_span("10.0.0.0/24")
(167772160, 256)
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from linkage.synth.sampling import distinct_draws, hex_strings
from linkage.synth.text import Arr, as_objects
from linkage.synth.vocabulary import COMPANIES, RESIDENTIAL_ISPS, EvalTeam


class Network(NamedTuple):
    """An address block and the autonomous system that announces it."""

    asn: int
    as_org: str
    cidr: str


UNLISTED_RESIDENTIAL_CIDR = "49.176.0.0/12"  # real intel is partial: no ip_intel row
IPV6_RESIDENTIAL = Network(64516, "Rhein Netz", "2a02:8070::/32")
MOBILE = Network(64530, "MetroMobile", "172.56.0.0/16")
VPN = Network(64540, "SwiftTunnel VPN", "185.213.152.0/22")
NIMBUS_CLOUD = (
    Network(64501, "Nimbus Cloud", "34.80.0.0/12"),  # holds the harvest's /24
    Network(64501, "Nimbus Cloud", "35.184.0.0/13"),
)
STRATUS = Network(64502, "Stratus Hosting", "152.42.0.0/16")  # cron jobs and product backends
UNIVERSITY = Network(64800, "Northfield University", "128.210.0.0/16")
COMPANY_NETWORKS = tuple(
    Network(asn, company.name, cidr)
    for company, cidr, asn in zip(
        COMPANIES,
        ("12.130.44.0/24", "62.31.200.0/24", "80.147.96.0/24"),
        (64901, 64902, 64903),
        strict=True,
    )
)
ORCA_CORP = Network(64620, "Orca Intelligence Ltd", "194.60.12.0/24")
TWL = Network(64700, "TWL Networks LLC", "45.61.140.0/24")
TWL_FIREHOSE_CIDR = "45.61.140.64/26"  # the part of TWL's /24 the firehose calls from
BASILISK_CIDR = "198.18.77.0/24"  # decoy indicator: no traffic, no intel
EVAL_TEAM_BASE = "64.71.0.0/16"  # evaluation teams' offices, one /24 each
PERSONA_HOME_GROUPS = ("regular", "multilingual", "step_by_step", "code_questions", "raters")
"""Ordinary users whose home IPs a campaign's residential proxies exit from."""
UNLISTED_SHARE = 0.04  # homes in a block ip_intel does not list

# Listed in ip_intel after the residential ISPs and the labelled proxy /24s, in this order,
# before the universities and the companies' and evaluation teams' offices.
_LISTED_NETWORKS: tuple[tuple[Network, str], ...] = (
    (IPV6_RESIDENTIAL, "residential"),
    (MOBILE, "mobile"),
    (VPN, "vpn"),
    *((network, "hosting") for network in NIMBUS_CLOUD),
    (STRATUS, "hosting"),
    (ORCA_CORP, "corporate"),
    (TWL, "hosting"),
)

_OCTET = as_objects([str(i) for i in range(256)])


def ipv4_strings(values: Arr) -> Arr:
    """Dotted-quad strings of integer IPv4 addresses (object array)."""
    v = np.asarray(values, dtype=np.int64)
    return (
        _OCTET[(v >> 24) & 255]
        + "."
        + _OCTET[(v >> 16) & 255]
        + "."
        + _OCTET[(v >> 8) & 255]
        + "."
        + _OCTET[v & 255]
    )


def network_span(cidr: str) -> tuple[int, int]:
    """(first address, size) of an IPv4 CIDR."""
    net = ipaddress.IPv4Network(cidr)
    return int(net.network_address), net.num_addresses


def draw_hosts(rng: np.random.Generator, cidrs: Sequence[str], n: int) -> Arr:
    """``n`` random host addresses (last octet 1..254) in the blocks, weighted by size."""
    bases = np.array([network_span(c)[0] for c in cidrs], dtype=np.int64)
    sizes = np.array([network_span(c)[1] for c in cidrs], dtype=np.int64)
    block = rng.choice(len(cidrs), n, p=sizes / sizes.sum())
    net24 = (rng.random(n) * (sizes[block] // 256)).astype(np.int64) * 256
    return bases[block] + net24 + rng.integers(1, 255, n)


def draw_unique_hosts(
    rng: np.random.Generator, cidrs: Sequence[str], n: int, taken: Arr | None = None
) -> Arr:
    """Like :func:`draw_hosts` but distinct and disjoint from ``taken``, in draw order."""
    return distinct_draws(lambda k: draw_hosts(rng, cidrs, k), n, taken, "addresses")


@dataclass
class Plan:
    """All addresses of the dataset, drawn from the ``network`` stream only.

    Drawing them in one place, independent of the scenario, keeps every group's
    addresses identical in ``default`` and ``legit_only`` and keeps groups from
    colliding.
    """

    homes: dict[str, Arr]
    ipv6_homes: Arr
    proxy_pool: Arr
    proxy_overlap_homes: Arr
    mobile: Arr
    vpn: Arr
    harvest_pool: Arr
    cloud_shared: Arr
    cloud_other: Arr
    university_nat: list[Arr]  # four NAT addresses per university
    company_ips: list[Arr]
    orca_corp: Arr
    twl_hosts: Arr
    residential_exits: dict[str, Arr]  # per campaign: ordinary users' home IPs to rotate over
    cron_hosts: Arr  # one hosting IP per cron developer
    backend_hosts: Arr  # four hosting IPs per product backend (each uses its first 2-4)
    eval_team_ips: list[Arr]
    intel: pd.DataFrame
    # groups added later: drawn after everything above, so no earlier address moves
    app_hosts: list[Arr] = field(default_factory=list)  # 2-4 hosting IPs per app company
    startup_hosts: list[Arr] = field(default_factory=list)  # 3-6 cloud IPs per agent start-up
    judge_hosts: list[Arr] = field(default_factory=list)  # 1-2 cloud IPs per judge pipeline


def make_plan(rng: np.random.Generator, sizes: dict[str, Any]) -> Plan:
    """Draw every address block and host the groups use, plus the ip_intel table."""
    isp_cidrs = [c for isp in RESIDENTIAL_ISPS for c in isp.blocks]
    proxy = _draw_proxy_exits(rng, isp_cidrs, sizes["proxy_pool"])
    proxy_intel = _label_proxy_networks(rng, proxy)
    homes, listed, home_ints = _draw_homes(rng, isp_cidrs, sizes, taken=proxy)
    ipv6_homes = _draw_ipv6_homes(rng, max(1, round(0.03 * sizes["regular"])))
    overlap = proxy[rng.choice(sizes["proxy_pool"], sizes["proxy_overlap"], replace=False)]
    mobile = ipv4_strings(draw_unique_hosts(rng, [MOBILE.cidr], 20))
    vpn = ipv4_strings(draw_unique_hosts(rng, [VPN.cidr], 15))
    harvest_pool, cloud_shared, cloud_other, nimbus_ints = _draw_nimbus_hosts(rng, sizes)
    university_nat = [
        ipv4_strings(draw_unique_hosts(rng, [u.network.cidr], 4)) for u, _ in sizes["universities"]
    ]
    company_ips = [
        ipv4_strings(draw_unique_hosts(rng, [network.cidr], int(rng.integers(2, 5))))
        for network in sizes["company_networks"]
    ]
    orca_corp = ipv4_strings(draw_unique_hosts(rng, [ORCA_CORP.cidr], 3))
    base26, size26 = network_span(TWL_FIREHOSE_CIDR)
    hosting = draw_unique_hosts(
        rng, [STRATUS.cidr], sizes["cron_developers"] + 4 * len(sizes["product_backends"])
    )
    eval_networks = eval_team_networks([team for team, _ in sizes["eval_teams"]])
    plan = Plan(
        homes=homes,
        ipv6_homes=ipv6_homes,
        proxy_pool=ipv4_strings(proxy),
        proxy_overlap_homes=ipv4_strings(overlap),
        mobile=mobile,
        vpn=vpn,
        harvest_pool=harvest_pool,
        cloud_shared=cloud_shared,
        cloud_other=cloud_other,
        university_nat=university_nat,
        company_ips=company_ips,
        orca_corp=orca_corp,
        twl_hosts=ipv4_strings(base26 + np.arange(1, size26 - 1)),
        residential_exits=_residential_exits(rng, homes, listed, proxy_intel, sizes),
        cron_hosts=ipv4_strings(hosting[: sizes["cron_developers"]]),
        backend_hosts=ipv4_strings(hosting[sizes["cron_developers"] :]),
        eval_team_ips=[
            ipv4_strings(draw_unique_hosts(rng, [network.cidr], int(rng.integers(2, 4))))
            for network in eval_networks
        ],
        intel=_intel_table(
            proxy_intel,
            [(u.network, "university") for u, _ in sizes["universities"]]
            + [(network, "corporate") for network in sizes["company_networks"] + eval_networks],
        ),
    )
    _draw_later_groups(rng, plan, sizes, np.concatenate([proxy, home_ints]), hosting, nimbus_ints)
    return plan


def _draw_later_groups(
    rng: np.random.Generator,
    plan: Plan,
    sizes: dict[str, Any],
    residential: Arr,
    stratus: Arr,
    nimbus: Arr,
) -> None:
    """Addresses of the groups added later (pasters, CLI users, apps, start-ups, judges).

    Drawn last, from the same stream and apart from every address drawn before, so
    adding them moved no other group's address. Homes are two per person, like
    ordinary users' (a few in the block ip_intel does not list); the companies sit
    on Stratus Hosting (apps) and Nimbus Cloud (start-ups and judge pipelines).
    """
    isp_cidrs = [c for isp in RESIDENTIAL_ISPS for c in isp.blocks]
    need = {"pasters": 2 * sizes["pasters"], "cli_users": 2 * sizes["cli_users"]}
    total = sum(need.values())
    homes = draw_unique_hosts(rng, isp_cidrs, total, taken=residential)
    unlisted = rng.random(total) < UNLISTED_SHARE
    homes[unlisted] = draw_unique_hosts(
        rng, [UNLISTED_RESIDENTIAL_CIDR], int(unlisted.sum()), taken=residential
    )
    start = 0
    for group, n in need.items():
        plan.homes[group] = ipv4_strings(homes[start : start + n])
        start += n
    n_apps, n_startups = len(sizes["app_backends"]), len(sizes["agent_startups"])
    n_judges = len(sizes["judge_pipelines"])
    apps = draw_unique_hosts(rng, [STRATUS.cidr], 4 * n_apps, taken=stratus)
    cloud = draw_unique_hosts(
        rng, [network.cidr for network in NIMBUS_CLOUD], 6 * n_startups + 2 * n_judges, taken=nimbus
    )
    per_app = rng.integers(2, 5, n_apps)
    per_startup = rng.integers(3, 7, n_startups)
    per_judge = rng.integers(1, 3, n_judges)
    plan.app_hosts = [ipv4_strings(apps[4 * i : 4 * i + k]) for i, k in enumerate(per_app)]
    plan.startup_hosts = [ipv4_strings(cloud[6 * i : 6 * i + k]) for i, k in enumerate(per_startup)]
    judges = cloud[6 * n_startups :]
    plan.judge_hosts = [ipv4_strings(judges[2 * i : 2 * i + k]) for i, k in enumerate(per_judge)]


def eval_team_networks(teams: Sequence[EvalTeam]) -> list[Network]:
    """The office /24 of each evaluation team."""
    base, _ = network_span(EVAL_TEAM_BASE)
    return [
        Network(64910 + i, team.name, f"{ipv4_strings(np.array([base + 256 * (16 + i)]))[0]}/24")
        for i, team in enumerate(teams)
    ]


def _residential_exits(
    rng: np.random.Generator,
    homes: dict[str, Arr],
    listed: dict[str, Arr],
    proxy_intel: pd.DataFrame,
    sizes: dict[str, Any],
) -> dict[str, Arr]:
    """Ordinary users' own home IPs, split between the campaigns in proportion to their size.

    Only the first home of each user (the one the user surely uses) in a block
    ip_intel lists as residential, outside the /24s it labels as proxies;
    disjoint slices keep two campaigns off one IP.
    """
    pool = np.concatenate([homes[g][0::2][listed[g][0::2]] for g in PERSONA_HOME_GROUPS])
    proxy_nets = set(proxy_intel["network"].str.rsplit(".", n=1).str[0])  # "a.b.c" of each /24
    pool = pool[~pd.Series(pool).str.rsplit(".", n=1).str[0].isin(proxy_nets).to_numpy()]
    pool = pool[rng.permutation(len(pool))]
    campaigns = sizes["campaigns"]
    total = sum(campaigns.values())
    out: dict[str, Arr] = {}
    start = 0
    for name, n in campaigns.items():
        size = max(1, len(pool) * n // total)
        out[name] = pool[start : start + size]
        start += size
    return out


def _draw_proxy_exits(rng: np.random.Generator, isp_cidrs: Sequence[str], pool_size: int) -> Arr:
    """Swarm proxy exits: two hosts in each of many residential /24s, shuffled."""
    n24 = -(-pool_size // 2)
    nets = np.unique(draw_hosts(rng, isp_cidrs, n24 * 3) & ~np.int64(255))
    nets = rng.permutation(nets)[:n24]
    h1 = rng.integers(1, 255, len(nets))
    h2 = 1 + (h1 - 1 + rng.integers(1, 254, len(nets))) % 254
    proxy = np.stack([nets + h1, nets + h2], axis=1).ravel()[:pool_size]
    return rng.permutation(proxy)


def _label_proxy_networks(rng: np.random.Generator, proxy: Arr) -> pd.DataFrame:
    """ip_intel rows for a fifth of the proxies' /24s: intel knows some exits, not all."""
    proxy_nets = np.unique(proxy & ~np.int64(255))
    labelled = rng.choice(len(proxy_nets), max(1, round(0.2 * len(proxy_nets))), replace=False)
    nets = np.sort(proxy_nets[labelled])
    blocks = [(network_span(c)[0], isp) for isp in RESIDENTIAL_ISPS for c in isp.blocks]
    blocks.sort(key=lambda b: b[0])
    owner = np.searchsorted(np.array([start for start, _ in blocks]), nets, side="right") - 1
    return pd.DataFrame(
        {
            "network": ipv4_strings(nets) + "/24",
            "asn": np.array([isp.asn for _, isp in blocks], dtype=np.int64)[owner],
            "as_org": as_objects([isp.as_org for _, isp in blocks])[owner],
            "kind": "proxy",
        }
    )


def _draw_homes(
    rng: np.random.Generator, isp_cidrs: Sequence[str], sizes: dict[str, Any], taken: Arr
) -> tuple[dict[str, Arr], dict[str, Arr], Arr]:
    """Home addresses of every residential group (two per user), which are listed, all of them.

    A few homes (``UNLISTED_SHARE``) sit in a residential block ip_intel does not list.
    """
    home_need = {group: 2 * sizes[group] for group in PERSONA_HOME_GROUPS}
    home_need |= {
        "popular_template": 2 * sizes["popular_template"],
        "cohort": 2 * sum(sizes["cohort"]),
        "family": sizes["family_count"],
        "heavy_user": sizes["heavy_users"],
    }
    total = sum(home_need.values())
    homes_all = draw_unique_hosts(rng, isp_cidrs, total, taken=taken)
    unlisted = rng.random(total) < UNLISTED_SHARE
    homes_all[unlisted] = draw_unique_hosts(rng, [UNLISTED_RESIDENTIAL_CIDR], int(unlisted.sum()))
    homes: dict[str, Arr] = {}
    listed: dict[str, Arr] = {}
    start = 0
    for group, need in home_need.items():
        homes[group] = ipv4_strings(homes_all[start : start + need])
        listed[group] = ~unlisted[start : start + need]
        start += need
    return homes, listed, homes_all


def _draw_ipv6_homes(rng: np.random.Generator, n: int) -> Arr:
    """``n`` IPv6 home addresses in the residential /32 (eight groups, six drawn)."""
    groups = [
        hex_strings(rng.integers(0x1000, 0x10000, n).astype(np.uint64), 4, "") for _ in range(6)
    ]
    ipv6 = as_objects(["2a02:8070:"] * n)
    for k, group in enumerate(groups):
        ipv6 = ipv6 + group.astype(object) + ("" if k == 5 else ":")
    return ipv6


def _draw_nimbus_hosts(
    rng: np.random.Generator, sizes: dict[str, Any]
) -> tuple[Arr, Arr, Arr, Arr]:
    """The harvest's pool in one Nimbus /24, cloud developers beside it and elsewhere.

    The last array holds every Nimbus address taken (the harvest's whole /24 included).
    """
    harvest24 = int(draw_hosts(rng, [NIMBUS_CLOUD[0].cidr], 1)[0]) & ~255
    hosts = harvest24 + rng.permutation(np.arange(1, 255))
    harvest_pool = ipv4_strings(hosts[:8])
    cloud_shared = ipv4_strings(hosts[8 : 8 + sizes["cloud_shared"]])
    other = draw_unique_hosts(
        rng,
        [network.cidr for network in NIMBUS_CLOUD],
        2 * sizes["cloud_developer"],
        taken=harvest24 + np.arange(256),
    )
    taken = np.concatenate([harvest24 + np.arange(256), other])
    return harvest_pool, cloud_shared, ipv4_strings(other), taken


def _intel_table(
    proxy_intel: pd.DataFrame, organisations: list[tuple[Network, str]]
) -> pd.DataFrame:
    """The ip_intel table: residential ISPs, labelled proxy /24s, named networks, organisations."""
    columns = ["network", "asn", "as_org", "kind"]
    isps = [(c, isp.asn, isp.as_org, "residential") for isp in RESIDENTIAL_ISPS for c in isp.blocks]
    named = [(n.cidr, n.asn, n.as_org, kind) for n, kind in (*_LISTED_NETWORKS, *organisations)]
    intel = pd.concat(
        [pd.DataFrame(isps, columns=columns), proxy_intel, pd.DataFrame(named, columns=columns)],
        ignore_index=True,
    )
    intel["asn"] = intel["asn"].astype("int64")
    return intel
