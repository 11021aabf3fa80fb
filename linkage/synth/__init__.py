"""Synthetic API-provider logs with planted distillation campaigns and legitimate look-alikes.

The generator writes the six input tables of the data contract
(``/work/shared/data-contract.md``): ``accounts``, ``requests``,
``payment_methods``, ``ip_intel``, ``indicators`` and ``labels``. It plants three
distillation campaigns (a reasoning harvest behind a cloud /24, an agentic swarm
behind rotating residential proxies, a short coding firehose) among legitimate
groups built to look like them on one signal each: shared mobile and VPN exits,
a popular agent-framework template, a university NAT, companies with a shared
card and a synchronised nightly judge batch, families sharing a card and a home
IP, a start-up cohort that signs up together, an honest heavy user, cloud
developers next to the harvest's /24 and home users whose IP is also a proxy exit.

Everything is vectorised with numpy: ``generate(scale=10)`` (about a million
requests and fifty thousand accounts) takes a few seconds. Every group draws
from its own child of ``numpy.random.default_rng(seed)``, so groups do not shift
each other and the ``legit_only`` scenario holds exactly the legitimate rows of
``default``.

Modules, by concern: :mod:`~linkage.synth.vocabulary` (the word banks in
``vocab/*.json``), :mod:`~linkage.synth.window` (the time window),
:mod:`~linkage.synth.text` and :mod:`~linkage.synth.prompts` (prompt text),
:mod:`~linkage.synth.sampling` (random ids, counts and times),
:mod:`~linkage.synth.people`, :mod:`~linkage.synth.network` (the address plan),
:mod:`~linkage.synth.blocks` (one group's rows), :mod:`~linkage.synth.legit_groups`,
:mod:`~linkage.synth.campaigns`, :mod:`~linkage.synth.assembly` (the tables and
:func:`generate`) and :mod:`~linkage.synth.dataset` (:func:`write_dataset`).

Examples
--------
>>> from linkage.synth import generate, write_dataset
>>> dataset = generate("default", seed=7, scale=0.2)
>>> sorted(dataset.tables)
['accounts', 'indicators', 'ip_intel', 'labels', 'payment_methods', 'requests']
>>> paths = write_dataset(dataset, Path("data/generated/sample"))  # doctest: +SKIP
"""

from linkage.synth.assembly import SCENARIOS, generate
from linkage.synth.dataset import TABLES, GeneratedDataset, write_dataset
from linkage.synth.window import WINDOW_DAYS, WINDOW_START

__all__ = [
    "SCENARIOS",
    "TABLES",
    "WINDOW_DAYS",
    "WINDOW_START",
    "GeneratedDataset",
    "generate",
    "write_dataset",
]
