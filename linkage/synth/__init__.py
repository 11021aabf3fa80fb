"""Synthetic API-provider logs with planted distillation campaigns and legitimate look-alikes.

The generator writes the six input tables of the data contract
(``/work/shared/data-contract.md``): ``accounts``, ``requests``,
``payment_methods``, ``ip_intel``, ``indicators`` and ``labels``. It plants three
distillation campaigns (a reasoning harvest, an agentic swarm, a coding firehose)
among ordinary users of five personas (everyday English, other languages,
step-by-step, code and rating questions) and legitimate look-alikes, each built
to look like a campaign on one signal: shared mobile and VPN exits, a popular
agent-framework template, a university NAT, companies with a shared card and a
nightly judge batch, families sharing a card and a home IP, a sign-up cohort, an
honest heavy user, cloud developers next to the harvest's /24, home users whose
IP is also a proxy exit, cron jobs, product backends and evaluation teams. Beside
them, populations every provider has in bulk: people pasting long documents
(``pasters``), consumer apps calling tools for their users (``app_backends``), a
coding-agent start-up (``agent_startup``), LLM-as-judge pipelines re-running a
fixed suite every night (``judge_pipelines``) and the users of one popular coding
CLI (``cli_users``).

Campaign accounts are drawn like ordinary users on everything that is not
evidence. Adversary knobs (:mod:`~linkage.synth.adversary`) remove evidence from
every campaign, one at a time, leaving legitimate rows unchanged.

Everything is vectorised with numpy. Every group draws from its own child of
``numpy.random.default_rng(seed)``, so groups do not shift each other and the
``legit_only`` scenario holds exactly the legitimate rows of ``default``.

Modules, by concern: :mod:`~linkage.synth.vocabulary` (the word banks in
``vocab/*.json``), :mod:`~linkage.synth.window` (the time window),
:mod:`~linkage.synth.text`, :mod:`~linkage.synth.prompts`,
:mod:`~linkage.synth.paraphrase` and :mod:`~linkage.synth.intents` (prompt text),
:mod:`~linkage.synth.documents` and :mod:`~linkage.synth.agents` (pasted
documents, tool calling and coding-agent sessions),
:mod:`~linkage.synth.content` (kinds, languages, token counts),
:mod:`~linkage.synth.sampling` (random ids, counts and times),
:mod:`~linkage.synth.people`, :mod:`~linkage.synth.network` (the address plan),
:mod:`~linkage.synth.blocks` (one group's rows), :mod:`~linkage.synth.legit_groups`,
:mod:`~linkage.synth.automation`, :mod:`~linkage.synth.services`,
:mod:`~linkage.synth.campaigns`,
:mod:`~linkage.synth.adversary`, :mod:`~linkage.synth.indicators`,
:mod:`~linkage.synth.assembly` (the tables and :func:`generate`) and
:mod:`~linkage.synth.dataset` (:func:`write_dataset`).

Examples
--------
>>> from linkage.synth import generate, write_dataset
>>> dataset = generate("default", seed=7, scale=0.2, adversary="jitter,paraphrase")
>>> dataset.metadata["adversary"]["knobs"]
['paraphrase', 'jitter']
>>> sorted(dataset.tables)
['accounts', 'indicators', 'ip_intel', 'labels', 'payment_methods', 'requests']
>>> paths = write_dataset(dataset, Path("data/generated/sample"))  # doctest: +SKIP
"""

from linkage.synth.adversary import KNOBS, Adversary, parse_adversary
from linkage.synth.assembly import SCENARIOS, generate
from linkage.synth.dataset import TABLES, GeneratedDataset, write_dataset
from linkage.synth.window import WINDOW_DAYS, WINDOW_START

__all__ = [
    "KNOBS",
    "SCENARIOS",
    "TABLES",
    "WINDOW_DAYS",
    "WINDOW_START",
    "Adversary",
    "GeneratedDataset",
    "generate",
    "parse_adversary",
    "write_dataset",
]
