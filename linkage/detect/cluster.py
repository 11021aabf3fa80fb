"""Clustering stage: connected components of strong links, Louvain inside large ones only,
then weakly attached members pruned.

A link is used for clustering when it is at least ``min_link_strength`` and either
stands on two independent evidence groups or is strong on its own
(``strong_single_group``: a shared card or API key): one weak attribute must not
chain strangers together. After the communities are found, members whose
internal links together (a noisy-OR) stay below ``min_member_attachment`` are
dropped, repeatedly, so an account hanging on by one thread is not taken down
with the campaign it touched.

Louvain runs only inside components larger than ``louvain_min_component_size``
(:mod:`linkage.detect.louvain`). Connected components come from
:func:`scipy.sparse.csgraph.connected_components` (compiled, linear time), not from a
Python graph walk.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from linkage.detect.arrays import numbered_by_smallest
from linkage.detect.louvain import import_igraph, louvain_communities, merge_weak_splits
from linkage.kinds import HELD_CONTROL, HELD_OR_OPENED_CONTROL
from linkage.settings import Settings

MEMBERSHIP_COLUMNS = ["account_id", "cluster_key", "method"]


def cluster_accounts(
    links: pd.DataFrame,
    settings: Settings,
    suspicious: pd.Index | None = None,
    leaning: pd.Index | None = None,
) -> pd.DataFrame:
    """Group linked accounts; return one row per clustered account.

    Returns a table ``account_id, cluster_key, method`` for every account in a
    group of two or more, where ``cluster_key`` is a run-local integer (stable
    ids are assigned later) and ``method`` says how the group was found.

    Examples
    --------
    >>> links = pd.DataFrame({"account_a": ["a", "b", "x"], "account_b": ["b", "c", "y"],
    ...                       "strength": [0.9, 0.8, 0.1]})
    >>> cluster_accounts(links, Settings()).sort_values("account_id").to_dict("list")
    {'account_id': ['a', 'b', 'c'], 'cluster_key': [0, 0, 0], 'method': ['component', 'component', 'component']}
    """  # noqa: E501
    strong = clustering_links(links, settings, suspicious)
    if strong.empty:
        return pd.DataFrame(columns=MEMBERSHIP_COLUMNS).astype({"cluster_key": np.int64})
    codes, accounts = pd.factorize(
        pd.concat([strong["account_a"], strong["account_b"]], ignore_index=True), sort=True
    )
    a_code, b_code = codes[: len(strong)], codes[len(strong) :]
    n = len(accounts)
    # components numbered by their smallest account id (accounts are sorted): stable keys
    component_key = _components(a_code, b_code, n)
    membership = pd.DataFrame(
        {"account_id": accounts, "component": component_key, "method": "component"}
    )
    teams = split_into_teams(membership, strong, settings)
    if teams is not None:
        membership = teams
    membership = cut_bridges(membership, strong, settings)
    sizes = np.bincount(membership["component"].to_numpy())
    large = np.flatnonzero(sizes >= settings.cluster.louvain_min_component_size)
    if len(large):
        component_of = pd.Series(membership["component"].to_numpy(), index=membership.index)
        a_component = component_of.reindex(a_code).to_numpy()
        same = a_component == component_of.reindex(b_code).to_numpy()
        edges = pd.DataFrame(
            {
                "a": a_code[same],
                "b": b_code[same],
                "strength": strong["strength"].to_numpy()[same],
                "component": a_component[same],
            }
        )
        offset = int(membership["component"].max()) + 1
        for component_id in large:
            inside = edges[edges["component"] == component_id]
            community = merge_weak_splits(inside, louvain_communities(inside, settings), settings)
            if community.nunique() < 2:
                continue
            rows = community.index.to_numpy()
            # communities get keys after every component's, in a stable order
            membership.loc[rows, "component"] = offset + component_id * n + community.to_numpy()
            membership.loc[rows, "method"] = "louvain"
    membership["cluster_key"] = pd.factorize(membership["component"], sort=True)[0].astype(np.int64)
    membership = prune_weak_members(membership, strong, settings)
    membership = drop_lookalikes(membership, strong, settings)
    if leaning is not None and len(leaning):
        # accounts the strong links reached were judged above (pruned, cut, dropped as
        # look-alikes): only heads none of them reached may be attached
        reached = pd.Index(pd.unique(np.concatenate([strong["account_a"], strong["account_b"]])))
        membership = attach_small_heads(membership, links, settings, leaning.difference(reached))
    counts = membership.groupby("cluster_key")["account_id"].transform("size")
    membership = membership[counts >= 2]
    membership["cluster_key"] = pd.factorize(membership["cluster_key"], sort=True)[0].astype(
        np.int64
    )
    return membership[MEMBERSHIP_COLUMNS].reset_index(drop=True)


def _components(a: np.ndarray, b: np.ndarray, n: int) -> np.ndarray:
    """Connected component of each of ``n`` nodes, numbered by their smallest node."""
    adjacency = coo_matrix((np.ones(len(a)), (a, b)), shape=(n, n))
    _, component = connected_components(adjacency, directed=False)
    return numbered_by_smallest(pd.Series(component)).to_numpy(dtype=np.int64)


def split_into_teams(
    membership: pd.DataFrame, links: pd.DataFrame, settings: Settings
) -> pd.DataFrame | None:
    """Split components that are several teams doing the same work; None if none is.

    A *team* is a group held together by common control (shared cards, mailboxes,
    keys, networks). Two companies that run the same nightly judge batch are linked
    by what they do (content, behaviour) but each is one team: a component whose
    accounts fall into two or more teams of ``min_team_size``, covering
    ``team_coverage`` of it, is split into them (the rest join the team they are
    most strongly linked to). A campaign's accounts, held together by their likeness
    alone or by one shared network, stay one group.
    """
    config = settings.cluster
    evidence = [f"{g}_evidence" for g in HELD_CONTROL if f"{g}_evidence" in links.columns]
    if not evidence or membership.empty:
        return None
    code = pd.Series(np.arange(len(membership)), index=membership["account_id"].to_numpy())
    a = code.reindex(links["account_a"]).to_numpy()
    b = code.reindex(links["account_b"]).to_numpy()
    control = links[evidence].max(axis=1).to_numpy() >= config.team_link_evidence
    team = _components(a[control], b[control], len(membership))
    nodes = membership.assign(team=team)
    team_size = nodes.groupby("team")["team"].transform("size")
    component_size = nodes.groupby("component")["component"].transform("size")
    big = team_size >= config.min_team_size
    per_component = (
        nodes[big].groupby("component").agg(teams=("team", "nunique"), covered=("team", "size"))
    )
    whole = component_size.groupby(nodes["component"]).first().reindex(per_component.index)
    covered = per_component["covered"] / whole
    split = per_component.index[(per_component["teams"] >= 2) & (covered >= config.team_coverage)]
    if not len(split):
        return None
    in_split = nodes["component"].isin(split).to_numpy()
    team_of = np.where(big.to_numpy(), team, -1)
    loose = np.flatnonzero(in_split & (team_of < 0))
    if len(loose):
        pull = pd.DataFrame(
            {
                "node": np.r_[a, b],
                "team": np.r_[team_of[b], team_of[a]],
                "strength": np.r_[links["strength"].to_numpy(), links["strength"].to_numpy()],
            }
        )
        pull = pull[np.isin(pull["node"], loose) & (pull["team"] >= 0)]
        best = pull.groupby(["node", "team"])["strength"].sum().reset_index()
        best = best.sort_values(["node", "strength", "team"], ascending=[True, False, True])
        best = best.drop_duplicates("node")
        team_of[best["node"].to_numpy()] = best["team"].to_numpy()
    result = membership.copy()
    n = len(membership)
    # teams of a split component get keys after every component's, in a stable order
    offset = int(membership["component"].max()) + 1
    new_key = np.where(team_of >= 0, offset + team_of, offset + n + np.arange(n))
    result.loc[in_split, "component"] = new_key[in_split]
    result.loc[in_split, "method"] = "team"
    result["component"] = pd.factorize(result["component"], sort=True)[0].astype(np.int64)
    return result


def cut_bridges(membership: pd.DataFrame, links: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Take out single accounts that are the only bridge between two sizeable groups.

    One heavy user who resembles two campaigns, or a campaign and a course's students,
    must not merge them: an account whose removal leaves two or more parts of at least
    ``min_team_size`` accounts (an articulation point) is dropped from the cluster, and
    the parts become clusters of their own. Repeated until no such account is left.
    """
    minimum = settings.cluster.min_team_size
    sizes = membership.groupby("component")["account_id"].transform("size")
    candidates = membership.loc[sizes >= 2 * minimum + 1, "component"].unique()
    if not len(candidates):
        return membership
    result = membership.copy()
    component_of = result.set_index("account_id")["component"]
    edges = links.assign(component=links["account_a"].map(component_of))
    edges = edges[edges["component"] == links["account_b"].map(component_of)]
    next_key = int(result["component"].max()) + 1
    for component_id in sorted(candidates):
        inside = edges[edges["component"] == component_id]
        removed, parts = _bridge_free_parts(
            inside["account_a"].to_numpy(), inside["account_b"].to_numpy(), minimum
        )
        if not removed:
            continue
        rows = result["component"] == component_id
        result.loc[rows & result["account_id"].isin(removed), "component"] = -1
        home = _bridge_homes(inside, removed, parts, settings)
        for position, part in enumerate(parts):
            joined = part | {account for account, best in home.items() if best == position}
            result.loc[rows & result["account_id"].isin(joined), "component"] = next_key
            next_key += 1
        result.loc[result["account_id"].isin([a for p in parts for a in p]), "method"] = (
            "bridge cut"
        )
    result = result[result["component"] >= 0]
    result["component"] = pd.factorize(result["component"], sort=True)[0].astype(np.int64)
    return result


def _bridge_homes(
    links: pd.DataFrame, removed: list[str], parts: list[set[str]], settings: Settings
) -> dict[str, int]:
    """The part each cut bridge belongs to, when it clearly belongs to one.

    A bridge is cut so that it does not merge two groups; but a campaign's own head with
    one stray link to another group is still the campaign's. A cut account goes back to
    the part its links hold it to (noisy-OR at least ``min_member_attachment``) when that
    pull is at least ``BRIDGE_HOME_MARGIN`` times its pull to any other part; one that
    resembles two groups alike stays out of both.
    """
    part_of = {account: position for position, part in enumerate(parts) for account in part}
    homes: dict[str, int] = {}
    for account in removed:
        mine = links[(links["account_a"] == account) | (links["account_b"] == account)]
        other = mine["account_b"].where(mine["account_a"] == account, mine["account_a"])
        position = other.map(part_of)
        keep = np.log1p(-np.minimum(mine["strength"].to_numpy(dtype=float), 0.999999))
        pull = 1.0 - np.exp(pd.Series(keep).groupby(position.to_numpy()).sum())
        if pull.empty:
            continue
        ranked = pull.sort_values(ascending=False)
        best, second = float(ranked.iloc[0]), float(ranked.iloc[1]) if len(ranked) > 1 else 0.0
        if best >= settings.cluster.min_member_attachment and best >= BRIDGE_HOME_MARGIN * second:
            homes[account] = int(ranked.index[0])
    return homes


BRIDGE_HOME_MARGIN = 2.0
"""How much more a cut bridge must be held by one part than by any other to rejoin it."""


def _bridge_free_parts(
    a: np.ndarray, b: np.ndarray, minimum: int
) -> tuple[list[str], list[set[str]]]:
    """Articulation points that split off two parts of ``minimum`` nodes, and the parts left
    (the graph of the edges ``a``-``b``; points tried in order of their names).

    igraph (compiled) finds the points and the parts: one check is a pass over the edges.

    >>> removed, parts = _bridge_free_parts(np.array(["a", "b", "c", "x", "y", "x"]),
    ...                                     np.array(["b", "c", "a", "y", "z", "a"]), 2)
    >>> removed, [sorted(part) for part in parts]  # "a" alone joins the triangle to the path
    (['a'], [['b', 'c'], ['x', 'y', 'z']])
    """
    igraph = import_igraph()

    # nodes numbered as met, edge after edge (as networkx inserts them): parts come out in
    # the order of their first node, as they always did
    code, names = pd.factorize(np.column_stack([a, b]).ravel())
    graph = igraph.Graph(n=len(names), edges=code.reshape(-1, 2).tolist())
    graph.vs["name"] = [str(name) for name in names]
    removed: list[str] = []
    while True:
        cut = None
        for point in sorted(graph.articulation_points(), key=lambda v: graph.vs[v]["name"]):
            rest = graph.copy()
            rest.delete_vertices([point])
            if sum(size >= minimum for size in rest.connected_components().sizes()) >= 2:
                cut = point
                break
        if cut is None:
            break
        removed.append(graph.vs[cut]["name"])
        graph.delete_vertices([cut])
    if not removed:
        return [], []
    parts = graph.connected_components()
    return removed, [{graph.vs[v]["name"] for v in part} for part in parts]


def clustering_links(
    links: pd.DataFrame, settings: Settings, suspicious: pd.Index | None = None
) -> pd.DataFrame:
    """The links clustering uses: strong enough, and on two evidence groups, or strong alone,
    or between two suspicious accounts (whose own traffic already says extraction: one
    kind of evidence between them is enough, and no ordinary user can be chained in).

    >>> links = pd.DataFrame({"account_a": ["a", "b", "c"], "account_b": ["b", "c", "d"],
    ...     "strength": [0.9, 0.5, 0.5], "groups": [1, 2, 1]})
    >>> clustering_links(links, Settings())["account_b"].tolist()
    ['b', 'c']
    """
    config = settings.cluster
    strong = links["strength"] >= config.min_link_strength
    if "groups" in links.columns:
        enough = (links["groups"] >= 2) | (links["strength"] >= config.strong_single_group)
        if suspicious is not None and len(suspicious):
            both = links["account_a"].isin(suspicious) & links["account_b"].isin(suspicious)
            if "task_similarity" in links.columns:
                # the same harvest: two labs' campaigns look alike in everything but what
                # they ask for
                both &= links["task_similarity"] >= config.min_task_similarity
            enough |= both
        strong &= enough
    return links[strong]


def attachment(membership: pd.DataFrame, links: pd.DataFrame) -> pd.Series:
    """Per member: its links inside its cluster together, ``1 - prod(1 - strength)``."""
    key_of = membership.set_index("account_id")["cluster_key"]
    a_key = links["account_a"].map(key_of)
    b_key = links["account_b"].map(key_of)
    inside = links[a_key.notna() & (a_key == b_key)]
    log_keep = np.log1p(-np.minimum(inside["strength"].to_numpy(dtype=float), 0.999999))
    ends = pd.concat(
        [
            pd.DataFrame({"account_id": inside["account_a"].to_numpy(), "log_keep": log_keep}),
            pd.DataFrame({"account_id": inside["account_b"].to_numpy(), "log_keep": log_keep}),
        ]
    )
    total = ends.groupby("account_id")["log_keep"].sum()
    return (1.0 - np.exp(total)).reindex(membership["account_id"]).fillna(0.0).round(4)


def drop_lookalikes(
    membership: pd.DataFrame, links: pd.DataFrame, settings: Settings
) -> pd.DataFrame:
    """In a group held together by common control, drop members that only look alike.

    When at least ``control_bound_share`` of a cluster's members hold a card, mailbox, key
    or network in common with another member (or were opened in the same burst), a member
    with no such tie is someone who sends the same kind of prompts (a student asking the
    same benchmark problems a harvest sends), not one of the operator's heads.
    """
    evidence = [f"{g}_evidence" for g in HELD_OR_OPENED_CONTROL if f"{g}_evidence" in links]
    if not evidence or membership.empty:
        return membership
    key_of = membership.set_index("account_id")["cluster_key"]
    a_key = links["account_a"].map(key_of)
    inside = links[a_key.notna() & (a_key == links["account_b"].map(key_of))]
    control = inside[inside[evidence].max(axis=1) >= settings.cluster.team_link_evidence]
    tied = set(control["account_a"]) | set(control["account_b"])
    has_tie = membership["account_id"].isin(tied)
    share = has_tie.groupby(membership["cluster_key"]).transform("mean")
    bound = share >= settings.cluster.control_bound_share
    return membership[~bound | has_tie]


def attach_small_heads(
    membership: pd.DataFrame, links: pd.DataFrame, settings: Settings, leaning: pd.Index
) -> pd.DataFrame:
    """Add the small heads a cluster already found holds by many links of its own.

    A head with too little traffic to look like extraction on its own is never compared by
    likeness, and its links (a shared template here, a client string there) are each too
    weak to cluster on; but a head held by several clear links to one cluster is one of
    it. An account outside every cluster joins the cluster whose members it has at least
    ``attach_min_links`` links of ``attach_min_link_strength`` or more, each on two kinds of
    evidence, to, together
    (noisy-OR) at least ``attach_min_pull`` and twice its pull to any other cluster, when
    its own prompts lean the same way (``leaning``: a share of distillation prompts). A
    public template or client string, shared by a crowd, gives links far too weak to count.
    """
    config = settings.cluster
    if membership.empty or links.empty:
        return membership
    key_of = membership.set_index("account_id")["cluster_key"]
    firm = links[links["strength"] >= config.attach_min_link_strength]
    if "groups" in firm.columns:  # one kind of evidence alone (the same public problems) is
        firm = firm[firm["groups"] >= 2]  # likeness, not a head's tie to its operator
    a_key, b_key = firm["account_a"].map(key_of), firm["account_b"].map(key_of)
    outward = pd.concat(
        [
            pd.DataFrame(
                {
                    "account_id": firm["account_b"],
                    "cluster_key": a_key,
                    "strength": firm["strength"],
                }
            )[a_key.notna() & b_key.isna()],
            pd.DataFrame(
                {
                    "account_id": firm["account_a"],
                    "cluster_key": b_key,
                    "strength": firm["strength"],
                }
            )[b_key.notna() & a_key.isna()],
        ]
    )
    outward = outward[outward["account_id"].isin(leaning)]
    if outward.empty:
        return membership
    outward = outward.assign(
        log_keep=np.log1p(-np.minimum(outward["strength"].to_numpy(dtype=float), 0.999999))
    )
    pull = outward.groupby(["account_id", "cluster_key"]).agg(
        links=("strength", "size"), log_keep=("log_keep", "sum")
    )
    pull["pull"] = 1.0 - np.exp(pull["log_keep"])
    pull = pull.reset_index().sort_values(
        ["account_id", "pull", "cluster_key"], ascending=[True, False, True]
    )
    best = pull.groupby("account_id").head(1).set_index("account_id")
    second = pull.groupby("account_id")["pull"].nth(1)
    second = pd.Series(second.to_numpy(), index=pull.loc[second.index, "account_id"])
    runner_up = second.reindex(best.index).fillna(0.0)
    chosen = best[
        (best["links"] >= config.attach_min_links)
        & (best["pull"] >= config.attach_min_pull)
        & (best["pull"] >= 2.0 * runner_up)
    ]
    if chosen.empty:
        return membership
    heads = pd.DataFrame(
        {
            "account_id": chosen.index.to_numpy(),
            "component": -1,
            "method": "attached",
            "cluster_key": chosen["cluster_key"].astype(np.int64).to_numpy(),
        }
    )
    return pd.concat([membership, heads[membership.columns]], ignore_index=True)


def prune_weak_members(
    membership: pd.DataFrame, links: pd.DataFrame, settings: Settings
) -> pd.DataFrame:
    """Drop members attached by less than ``min_member_attachment``, until none is."""
    threshold = settings.cluster.min_member_attachment
    while len(membership):
        attached = attachment(membership, links).to_numpy()
        weak = attached < threshold
        if not weak.any():
            break
        membership = membership[~weak]
    return membership


def internal_links(links: pd.DataFrame, membership: pd.DataFrame) -> pd.DataFrame:
    """The links whose two ends are in the same cluster, with that cluster's key."""
    key_of = membership.set_index("account_id")["cluster_key"]
    a_key = links["account_a"].map(key_of)
    b_key = links["account_b"].map(key_of)
    inside = a_key.notna() & (a_key == b_key)
    result = links[inside].copy()
    result["cluster_key"] = a_key[inside].astype(np.int64)
    return result
