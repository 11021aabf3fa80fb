"""Graph-based account linkage engine for finding distillation campaigns.

Accounts, payment methods, IPs and prompt templates become nodes of a graph;
community detection finds coordinated "hydra" clusters of accounts; an
attribution stage ties each cluster to an organisation through indicators.
"""

__version__ = "0.1.0"
