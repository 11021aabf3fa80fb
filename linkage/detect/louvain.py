"""Louvain communities inside one large component, and the splits of one group undone.

Louvain is costly on big graphs (python-louvain took 508 s on a
200,000-node, 694,000-edge graph on this class of machine), so it never
runs on the whole graph: only components larger than
``louvain_min_component_size`` are split into communities
(:func:`linkage.detect.cluster.cluster_accounts`), and Louvain sees
only each account's ``louvain_max_neighbours`` strongest links. A component of
``COMPILED_LOUVAIN_MIN_NODES`` accounts or more goes to igraph's compiled Louvain
(``community_multilevel``, seeded, nodes in sorted order; 2.4 s on that graph), smaller
ones to python-louvain, the reference.
"""

from __future__ import annotations

import sys
from types import ModuleType

import community as community_louvain  # python-louvain
import networkx as nx
import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from linkage.detect.arrays import numbered_by_smallest, strongest_per_account
from linkage.settings import Settings

COMPILED_LOUVAIN_MIN_NODES = 10_000
"""Components of this many accounts or more go to igraph's compiled Louvain instead of
python-louvain (which took 508 s on 200,000 nodes and 694,000 edges, igraph 2.4 s; and 13.1 s
on 18,782 nodes and 141,000 edges, igraph 0.28 s)."""


def louvain_communities(edges: pd.DataFrame, settings: Settings) -> pd.Series:
    """Louvain communities of one component, on each node's strongest links.

    Returns the community number per node code (community numbers renumbered
    by their smallest node code, so the result does not depend on Louvain's labels).

    >>> edges = pd.DataFrame({"a": [0, 0, 1, 3, 3, 4, 2], "b": [1, 2, 2, 4, 5, 5, 3],
    ...                       "strength": [0.9] * 6 + [0.1]})  # two triangles, one weak tie
    >>> louvain_communities(edges, Settings()).tolist()
    [0, 0, 0, 1, 1, 1]
    """
    sparse = strongest_links_only(edges, settings.cluster.louvain_max_neighbours)
    # sorted insertion: python-louvain's visiting order follows the graph's
    nodes = np.sort(pd.unique(np.concatenate([edges["a"], edges["b"]])))
    if len(nodes) >= COMPILED_LOUVAIN_MIN_NODES:
        labels = _compiled_louvain(nodes, sparse, settings)
    else:
        labels = _python_louvain(nodes, sparse, settings)
    return numbered_by_smallest(labels)


def _python_louvain(nodes: np.ndarray, sparse: pd.DataFrame, settings: Settings) -> pd.Series:
    """python-louvain, the reference: community label per node code."""
    graph = nx.Graph()
    # sorted insertion: python-louvain's visiting order follows the graph's
    graph.add_nodes_from(nodes.tolist())
    graph.add_weighted_edges_from(
        zip(sparse["a"].tolist(), sparse["b"].tolist(), sparse["strength"].tolist(), strict=True),
        weight="strength",
    )
    partition = community_louvain.best_partition(
        graph,
        weight="strength",
        resolution=settings.cluster.louvain_resolution,
        random_state=settings.seed,
    )
    return pd.Series(partition).sort_index()


def import_igraph() -> ModuleType:
    """igraph, imported without its plotting back-end: with matplotlib installed (the
    notebooks' extra), igraph's import loads it, half a second of every run, and nothing
    here draws. matplotlib stays importable afterwards."""
    if "igraph" in sys.modules or "matplotlib" in sys.modules:
        import igraph

        return igraph
    sys.modules["matplotlib"] = None  # type: ignore[assignment]  # "not installed" to igraph
    try:
        import igraph
    finally:
        del sys.modules["matplotlib"]
    return igraph


def _compiled_louvain(nodes: np.ndarray, sparse: pd.DataFrame, settings: Settings) -> pd.Series:
    """igraph's Louvain (``community_multilevel``, compiled): the same method as
    python-louvain for components too big for it, seeded, nodes in sorted order."""
    import random

    igraph = import_igraph()
    position = pd.Series(np.arange(len(nodes)), index=nodes)
    graph = igraph.Graph(
        n=len(nodes),
        edges=list(
            zip(
                position.reindex(sparse["a"]).to_numpy().tolist(),
                position.reindex(sparse["b"]).to_numpy().tolist(),
                strict=True,
            )
        ),
    )
    graph.es["strength"] = sparse["strength"].to_numpy(dtype=float).tolist()
    previous = random.getstate()
    igraph.set_random_number_generator(random.Random(settings.seed))
    try:
        parts = graph.community_multilevel(
            weights="strength", resolution=settings.cluster.louvain_resolution
        )
    finally:
        igraph.set_random_number_generator(random)
        random.setstate(previous)
    return pd.Series(np.asarray(parts.membership), index=nodes)


def merge_weak_splits(edges: pd.DataFrame, community: pd.Series, settings: Settings) -> pd.Series:
    """Undo the splits Louvain makes inside one tight group, keep those between groups.

    Modularity splits even a uniform group (a campaign's shifts, its proxy pools); two
    campaigns joined by a handful of links are a different matter. Two communities are
    merged back when the links between them carry more than ``max_split_conductance`` of
    the smaller one's link weight. A large uniform group cut into many pieces has no such
    pair (each piece's outside links are spread over all its siblings), so then the piece
    with the most of its weight outside (more than ``max_piece_conductance``) joins the
    neighbour it shares most with, one at a time, until every piece holds most of its
    links inside: the pieces of one group come back together, while two groups a few
    links apart stay two.

    >>> edges = pd.DataFrame({"a": [0, 0, 1, 3, 3, 4, 2], "b": [1, 2, 2, 4, 5, 5, 3],
    ...                       "strength": [0.9] * 6 + [0.1]})
    >>> merge_weak_splits(edges, pd.Series([0, 0, 0, 1, 1, 1]), Settings()).tolist()
    [0, 0, 0, 1, 1, 1]
    >>> merge_weak_splits(edges, pd.Series([0, 0, 1, 2, 2, 2]), Settings()).tolist()
    [0, 0, 0, 1, 1, 1]
    """
    if community.nunique() < 2:
        return community
    a = community.reindex(edges["a"]).to_numpy()
    b = community.reindex(edges["b"]).to_numpy()
    weight = edges["strength"].to_numpy(dtype=float)
    labels = np.sort(community.unique())
    index = pd.Series(np.arange(len(labels)), index=labels)
    x, y = index.reindex(a).to_numpy(), index.reindex(b).to_numpy()
    between = coo_matrix((weight, (x, y)), shape=(len(labels), len(labels))).toarray()
    between = between + between.T  # symmetric; the diagonal holds twice the internal weight
    group = _pair_merges(between, settings.cluster.max_split_conductance)
    group = _piece_merges(between, group, settings.cluster.max_piece_conductance)
    merged = community.map(pd.Series(group, index=labels))
    return numbered_by_smallest(merged)  # as louvain_communities numbers them


def _pair_merges(between: np.ndarray, threshold: float) -> np.ndarray:
    """Group of each community after merging every pair whose links carry more than
    ``threshold`` of the smaller one's weight."""
    volume = between.sum(axis=1)
    outside = between.copy()
    np.fill_diagonal(outside, 0.0)
    smaller = np.minimum(volume[:, None], volume[None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        merge = np.triu(np.where(smaller > 0, outside / smaller, 0.0) > threshold, k=1)
    _, group = connected_components(coo_matrix(merge.astype(float)), directed=False)
    return np.asarray(group)


def _piece_merges(between: np.ndarray, group: np.ndarray, threshold: float) -> np.ndarray:
    """Join, one at a time, the group with the largest share of its weight outside
    (above ``threshold``) to the group it shares most with."""
    n_groups = int(group.max()) + 1
    member = np.zeros((n_groups, len(group)))
    member[group, np.arange(len(group))] = 1.0
    weights = member @ between @ member.T
    alive = np.ones(n_groups, dtype=bool)
    # a merge only moves weight between two rows: volumes are updated, not recomputed
    volume = weights.sum(axis=1)
    inside = np.diag(weights).copy()
    while alive.sum() > 1:
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(alive & (volume > 0), (volume - inside) / volume, 0.0)
        piece = int(np.argmax(share))
        if share[piece] <= threshold:
            break
        row = np.where(alive, weights[piece], -1.0)
        row[piece] = -1.0
        target = int(np.argmax(row))
        inside[target] += inside[piece] + 2.0 * weights[piece, target]
        volume[target] += volume[piece]
        weights[target] += weights[piece]
        weights[:, target] += weights[:, piece]
        weights[piece] = 0.0
        weights[:, piece] = 0.0
        alive[piece] = False
        group[group == piece] = target
    return group


def strongest_links_only(edges: pd.DataFrame, per_node: int) -> pd.DataFrame:
    """Keep each node's ``per_node`` strongest links (an edge stays if either end keeps it).

    ``edges`` has columns ``a``, ``b``, ``strength``. Louvain's cost grows with
    edges and a dense campaign component holds hundreds of thousands; the
    strongest few links per account carry its community structure.

    >>> edges = pd.DataFrame({"a": [0, 0, 0], "b": [1, 2, 3], "strength": [0.9, 0.5, 0.4]})
    >>> strongest_links_only(edges, 1)[["a", "b"]].values.tolist()
    [[0, 1], [0, 2], [0, 3]]
    """
    a, b = edges["a"].to_numpy(), edges["b"].to_numpy()
    kept = strongest_per_account(a, b, edges["strength"].to_numpy(), per_node)
    pairs = pd.DataFrame(
        {
            "a": np.minimum(a, b)[kept],
            "b": np.maximum(a, b)[kept],
            "strength": edges["strength"].to_numpy()[kept],
        }
    )
    return pairs.drop_duplicates(["a", "b"]).sort_values(["a", "b"], ignore_index=True)
