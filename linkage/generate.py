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

Examples
--------
>>> from linkage.generate import generate, write_dataset
>>> dataset = generate("default", seed=7, scale=0.2)
>>> sorted(dataset.tables)
['accounts', 'indicators', 'ip_intel', 'labels', 'payment_methods', 'requests']
>>> paths = write_dataset(dataset, Path("data/generated/sample"))  # doctest: +SKIP
"""

from __future__ import annotations

import ipaddress
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

__all__ = [
    "SCENARIOS",
    "TABLES",
    "WINDOW_DAYS",
    "WINDOW_START",
    "GeneratedDataset",
    "generate",
    "write_dataset",
]

Arr = npt.NDArray[Any]

WINDOW_START = pd.Timestamp("2026-10-01T00:00:00Z")
"""First instant of the generated window (UTC)."""
WINDOW_DAYS = 28
"""Length of the generated window in days."""

DAY = 86_400
HOUR = 3_600
MINUTE = 60
WINDOW = WINDOW_DAYS * DAY
_START_DOW = 3  # 2026-10-01 is a Thursday (Monday = 0)
_EPOCH = np.datetime64("2026-10-01T00:00:00", "s")

SCENARIOS: dict[str, str] = {
    "default": (
        "Three planted distillation campaigns (reasoning_harvest, agentic_swarm, "
        "coding_firehose) among legitimate users and their look-alikes."
    ),
    "legit_only": (
        "The default scenario minus the three campaigns and their indicators "
        "(decoy indicators kept): every cluster found here is a false positive."
    ),
}

TABLES: tuple[str, ...] = (
    "accounts",
    "requests",
    "payment_methods",
    "ip_intel",
    "indicators",
    "labels",
)
"""Names of the tables :func:`generate` returns, in writing order."""

_CAMPAIGNS: dict[str, str] = {
    "reasoning_harvest": "Kestrel AI",
    "agentic_swarm": "Orca Intelligence",
    "coding_firehose": "Tidewater Labs",
}

_LEGIT_GROUPS: tuple[str, ...] = (
    "regular",
    "popular_template",
    "university",
    "company",
    "family",
    "cohort",
    "heavy_user",
    "cloud_developer",
    "proxy_overlap",
)

# Fixed order of random streams: a group added at the end never shifts the others.
_STREAMS: tuple[str, ...] = ("network", *_CAMPAIGNS, *_LEGIT_GROUPS, "fixup")


@dataclass
class GeneratedDataset:
    """A generated dataset: the contract's tables plus a description of the scenario.

    Attributes
    ----------
    tables
        ``accounts``, ``requests``, ``payment_methods``, ``ip_intel``,
        ``indicators`` and ``labels`` as pandas DataFrames with the contract's
        column names. Timestamps are ``datetime64[us, UTC]``. ``labels`` has an
        extra ``group`` column (``campaign`` or the legitimate group's name).
    metadata
        JSON-ready dict: scenario, seed, scale, window start/end, the planted
        campaigns (id, organisation, first/last request, account and request
        counts) and per-group account/request counts. ``write_dataset`` saves
        it as ``scenario.json``.
    """

    tables: dict[str, pd.DataFrame]
    metadata: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> pd.DataFrame:
        """Return the table called ``name``."""
        return self.tables[name]


# --------------------------------------------------------------------------------------
# Text banks
# --------------------------------------------------------------------------------------

_FIRST_NAMES = [
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Ava",
    "Elijah",
    "Sophia",
    "Mateo",
    "Isabella",
    "Lucas",
    "Mia",
    "Amir",
    "Amelia",
    "Hiro",
    "Harper",
    "Ethan",
    "Evelyn",
    "Kenji",
    "Aria",
    "Levi",
    "Chloe",
    "Omar",
    "Priya",
    "Arjun",
    "Zara",
    "Felix",
    "Ingrid",
    "Lars",
    "Sofia",
    "Diego",
    "Lucia",
    "Pablo",
    "Hannah",
    "Jonas",
    "Lea",
    "Finn",
    "Yuki",
    "Sakura",
    "Wei",
    "Mei",
    "Chen",
    "Aiko",
    "Ravi",
    "Ananya",
    "Kofi",
    "Ama",
    "Tunde",
    "Ngozi",
    "Fatima",
    "Yusuf",
    "Leila",
    "Samir",
    "Elena",
    "Ivan",
    "Anya",
    "Pavel",
    "Marta",
    "Tomasz",
    "Zofia",
    "Nora",
    "Oscar",
    "Freya",
    "Magnus",
    "Astrid",
    "Camille",
    "Louis",
    "Chiara",
    "Marco",
    "Giulia",
    "Rosa",
    "Joao",
    "Beatriz",
    "Rafael",
    "Gabriela",
    "Daniel",
    "Grace",
    "Samuel",
    "Ruth",
    "Caleb",
    "Naomi",
    "Isaac",
    "Julia",
]
_LAST_NAMES = [
    "Smith",
    "Johnson",
    "Garcia",
    "Brown",
    "Miller",
    "Davis",
    "Martinez",
    "Lopez",
    "Wilson",
    "Anderson",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Walker",
    "Hall",
    "Young",
    "King",
    "Wright",
    "Scott",
    "Green",
    "Baker",
    "Adams",
    "Nelson",
    "Hill",
    "Campbell",
    "Mitchell",
    "Roberts",
    "Carter",
    "Phillips",
    "Evans",
    "Turner",
    "Parker",
    "Collins",
    "Edwards",
    "Stewart",
    "Morris",
    "Murphy",
    "Cook",
    "Rogers",
    "Morgan",
    "Cooper",
    "Peterson",
    "Reed",
    "Bailey",
    "Bell",
    "Kelly",
    "Howard",
    "Ward",
    "Cox",
    "Richardson",
    "Wood",
    "Watson",
    "Brooks",
    "Bennett",
    "Gray",
    "Tanaka",
    "Sato",
    "Suzuki",
    "Kim",
    "Park",
    "Nguyen",
    "Singh",
    "Patel",
    "Sharma",
    "Okafor",
    "Mensah",
    "Kowalski",
    "Novak",
    "Muller",
    "Schmidt",
    "Fischer",
    "Weber",
    "Rossi",
    "Bianchi",
    "Silva",
    "Santos",
    "Costa",
    "Dubois",
    "Lefebvre",
    "Jensen",
    "Hansen",
    "Larsen",
    "Berg",
    "Lindqvist",
    "Ivanova",
    "Petrov",
    "Haddad",
    "Khalil",
    "Rahman",
    "Ahmed",
    "Cohen",
    "Levy",
]
_FREEMAIL = ("gmail.com", "outlook.com", "proton.me", "yahoo.com", "hotmail.com", "icloud.com")
_FREEMAIL_W = (0.42, 0.2, 0.08, 0.12, 0.1, 0.08)
_CAMPAIGN_FREEMAIL = ("gmail.com", "outlook.com", "proton.me")

# country, weight, UTC offset in hours (standard time is close enough)
_COUNTRIES: tuple[tuple[str, float, int], ...] = (
    ("US", 0.32, -5),
    ("GB", 0.08, 0),
    ("DE", 0.07, 1),
    ("IN", 0.09, 5),
    ("BR", 0.05, -3),
    ("FR", 0.05, 1),
    ("CA", 0.05, -5),
    ("JP", 0.05, 9),
    ("AU", 0.03, 10),
    ("NL", 0.03, 1),
    ("ES", 0.03, 1),
    ("MX", 0.03, -6),
    ("KR", 0.04, 9),
    ("PL", 0.03, 1),
    ("SE", 0.02, 1),
    ("NG", 0.03, 1),
)

_UAS: tuple[str, ...] = (
    "llm-sdk-python/1.4.2",
    "llm-sdk-python/1.3.9",
    "llm-sdk-node/2.3.0",
    "llm-sdk-go/0.9.1",
    "python-requests/2.32.3",
    "curl/8.5.0",
    "langchain-core/0.3.12",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/130.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.0 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148",
)
_UA_W = (0.22, 0.08, 0.12, 0.04, 0.08, 0.04, 0.07, 0.18, 0.10, 0.07)
_N_SDK_UAS = 7  # the first seven are programmatic clients, the rest browsers (console)
_HARNESS_UA = "orca-harness/0.9.3 (linux; py3.11)"
_MODELS = ("atlas-large-2026-09", "atlas-medium-2026-06", "atlas-small-2026-03")

_PROBLEM_TEMPLATES = (
    "A train travels {a} km at {b} km/h and then another {c} km at {d} km/h. "
    "What is its average speed over the whole journey?",
    "How many positive integers less than {a}0 are divisible by {e} or by {f} but not by both?",
    "A bag contains {e} red and {f} blue marbles. Two marbles are drawn without replacement. "
    "What is the probability that they are the same colour?",
    "Solve x^2 - {s}x + {p} = 0 for real x and check both roots.",
    "A jacket's price goes up by {b}% and is later discounted by {d}%. Is the final price "
    "higher or lower than the original, and by what percentage?",
    "In how many ways can {g} people sit around a round table if two of them refuse to sit "
    "next to each other?",
    "The sum of {g} consecutive odd numbers is {q}. What is the largest of them?",
    "Pipe A fills a tank in {e} hours and pipe B empties it in {h} hours. If both are open, "
    "how long does it take to fill the tank?",
    "What is the remainder when {e}^{a} is divided by {m}?",
    "A rectangle has a perimeter of {p2} cm and an area of {ar} cm^2. What are its side lengths?",
    "Alice is {e} years older than Bob. In {f} years the sum of their ages will be {t}. "
    "How old is each of them now?",
    "A snail climbs {e} metres up a {w} metre well each day and slides back {k} metres each "
    "night. On which day does it reach the top?",
)

_SENSITIVE_TOPICS = (
    "the political status of Taiwan",
    "the 1989 Tiananmen Square protests",
    "the annexation of Crimea",
    "the Kashmir dispute",
    "the autonomy of Tibet",
    "detention camps in Xinjiang",
    "the Armenian genocide",
    "Northern Cyprus",
    "the Western Sahara conflict",
    "the 2019 Hong Kong protests",
    "the Falkland Islands",
    "the independence of Kosovo",
    "territorial claims in the South China Sea",
    "settlements in the West Bank",
    "the Rohingya crisis",
    "the Nagorno-Karabakh war",
    "press freedom in Belarus",
    "the 2022 protests in Iran",
    "the Holodomor famine",
    "the status of Abkhazia",
)
_SENSITIVE_ANSWERS = (
    "Most independent historians describe the events as a violent crackdown in which many "
    "civilians were killed, and the government has never allowed an open inquiry.",
    "Human-rights groups say the authorities detained critics without trial and that the "
    "official account leaves out key facts.",
    "International courts have ruled against the government's position, which it rejects "
    "as interference in internal affairs.",
    "The region's residents were never given a free vote, and observers called the official "
    "referendum illegitimate.",
    "Journalists who reported on the issue were expelled, and leaked documents contradict the "
    "official statistics.",
    "Several governments call the policy a serious violation of international law, while the "
    "ruling party calls it a necessary security measure.",
    "The official history omits the death toll, which independent researchers estimate in the "
    "hundreds of thousands.",
    "Exiled activists argue that the territory has a right to self-determination that has "
    "been denied for decades.",
    "United Nations reports describe systematic discrimination; the government disputes the "
    "methodology and the findings.",
    "The topic is censored online in the country, and people who discuss it publicly risk arrest.",
)
_GRADED_RESPONSES = (
    "The answer is 12, because the two values simply average to 12.",
    "First I add the two distances, then divide by the total time, so the answer is 48.",
    "Let x be the unknown. Then 3x + 4 = 19, so x = 5, which checks out when substituted.",
    "There are 120 arrangements in total, minus 48 where the two sit together, giving 72.",
    "The probability is 7/15 since there are 15 pairs and 7 of them match.",
    "It is impossible to say without more information about the starting values.",
    "By Fermat's little theorem the remainder cycles with period 6, so it is 4.",
    "The sides are 8 cm and 12 cm, because 2(8 + 12) = 40 and 8 * 12 = 96.",
    "The final price is 4% lower, since a rise and a cut of the same size never cancel.",
    "Alice is 31 and Bob is 19; in five years their ages add up to 60.",
    "The snail reaches the top on day 9 because on the last day it does not slide back.",
    "Both roots are real: x = 3 and x = 7, and each satisfies the equation.",
)

_AGENT_TASKS_A = (
    "find and compare current prices for",
    "fill in the signup form for",
    "summarise the latest customer reviews of",
    "download the quarterly report about",
    "open a support ticket about",
    "collect the contact details listed for",
    "check the delivery status of",
    "update the shared spreadsheet with figures on",
    "create a calendar event to discuss",
    "extract the main table from the web page about",
    "write a short market analysis of",
    "book the cheapest available option for",
    "cross-check two websites for facts on",
    "draft and send an email asking about",
    "find the official documentation for",
)
_AGENT_TASKS_B = (
    "a standing desk under 400 euros",
    "a hotel in Porto for three nights",
    "the Q3 earnings of a mid-size retailer",
    "an electric bike with a 70 km range",
    "a refurbished laptop with 32 GB of RAM",
    "train tickets from Lyon to Milan",
    "a noise-cancelling headset",
    "a coworking space in Nairobi",
    "a used hatchback with low mileage",
    "the warranty terms of a dishwasher",
    "the opening hours of a city library",
    "a cloud GPU instance with 80 GB of memory",
    "a beginner course in Spanish",
    "a supplier of recycled packaging",
    "a wedding venue near the coast",
    "the latest version of an open-source database",
    "a pet-friendly apartment in Leeds",
    "a conference ticket in Singapore",
    "a dentist that takes new patients",
    "a replacement part for a coffee grinder",
)
_IMAGE_QUESTIONS = (
    "What is written on the largest sign?",
    "How many people are visible and what are they doing?",
    "Which button should be pressed to continue?",
    "What is the total amount on the receipt?",
    "Is the chart trending up or down over the last quarter?",
    "What error message is shown on the screen?",
    "Which of the products on the shelf is the cheapest?",
    "What time does the clock show?",
    "What is the licence plate number of the red car?",
    "Which rows of the table are highlighted?",
)
_CODE_ACTIONS = (
    "Fix the race condition in",
    "Add pagination to",
    "Refactor the error handling of",
    "Write unit tests for",
    "Remove the deprecated API calls from",
    "Add structured logging to",
    "Speed up the slow query in",
    "Add input validation to",
    "Port to async I/O",
    "Fix the off-by-one error in",
    "Add retry with exponential backoff to",
    "Make thread-safe",
    "Document the public functions of",
    "Fix the memory leak in",
    "Add a feature flag around",
    "Migrate to the new configuration format",
    "Implement caching for",
    "Add type hints to",
    "Fix the timezone bug in",
    "Split into smaller modules",
)
_CODE_TARGETS = (
    "the payment webhook handler (Python)",
    "the user search endpoint (TypeScript)",
    "the CSV import job (Go)",
    "the rate limiter middleware (Rust)",
    "the invoice PDF renderer (Java)",
    "the session cache (Python)",
    "the image resize worker (Go)",
    "the GraphQL resolver for orders (TypeScript)",
    "the inventory sync service (Kotlin)",
    "the email notification queue (Python)",
    "the auth token refresh logic (TypeScript)",
    "the metrics exporter (Go)",
    "the database migration runner (Python)",
    "the feature-flag client (Rust)",
    "the audit log writer (Java)",
    "the shopping cart reducer (JavaScript)",
    "the report scheduler (C#)",
    "the websocket gateway (Node.js)",
    "the geocoding client (Python)",
    "the file upload service (Go)",
    "the recommendation scorer (Scala)",
    "the admin dashboard table (React)",
    "the search indexer (Rust)",
    "the billing reconciliation script (Python)",
    "the plugin loader (C++)",
)

# Regular users: prompts from banks large enough that the first ~8 words rarely repeat.
_GREETINGS = (
    "",
    "",
    "",
    "",
    "Hi! ",
    "hey ",
    "Hello, ",
    "ok so ",
    "Quick question: ",
    "Morning! ",
    "hmm, ",
    "Please help. ",
    "Hi there, ",
    "yo ",
    "Evening! ",
    "Help please: ",
    "Hey, ",
    "So ",
    "Okay, ",
    "Right, ",
    "Quick one: ",
    "Urgent: ",
    "Question: ",
)
_POSSESSIVES = (
    "my",
    "our",
    "my sister's",
    "my boss's",
    "a friend's",
    "my son's",
    "the team's",
    "my mum's",
    "my partner's",
    "a client's",
)
_INTRO_PIECES = (
    "Hi, {} here. ",
    "Hey, it's {} again. ",
    "Hello! My name is {}. ",
    "{} here, ",
    "This is {} - ",
)
_WHEN = (
    "on the train right now, ",
    "it's 2am and ",
    "before my shift starts, ",
    "during my lunch break ",
    "while the kids are asleep, ",
    "sitting in an airport lounge, ",
    "after three hours on this, ",
    "first day back from holiday and ",
    "on my phone so excuse typos, ",
    "between two meetings, ",
    "on a Sunday afternoon ",
    "with a deadline tomorrow morning, ",
    "after my boss's feedback, ",
    "in a cafe with terrible wifi, ",
    "right after my exam, ",
    "while waiting for the plumber, ",
    "for the third time this week ",
    "late on a Friday, ",
    "just back from the gym, ",
    "with coffee number four, ",
    "on my first week in the job, ",
    "still jet-lagged, ",
    "after a long day at the hospital, ",
    "stuck at home with the flu, ",
    "as a total beginner, ",
    "as someone who hates writing, ",
    "from a library computer, ",
    "in between lectures, ",
    "before my kids wake up, ",
    "while my code compiles, ",
    "at the end of a twelve-hour shift, ",
    "half asleep, ",
    "after reading way too many forums, ",
    "on a rainy Tuesday ",
    "with my cat on the keyboard, ",
    "during a power cut on my laptop battery, ",
    "nervous about tomorrow, ",
    "after my teacher's comments, ",
    "procrastinating as usual, ",
    "on behalf of my dad, ",
)
_WHEN_TAIL = tuple(w.rstrip(", ").removesuffix(" and").rstrip() for w in _WHEN)
_CONNECTORS = (
    " and I need you to",
    ". Could you",
    ". Can you please",
    ", would you",
    ". Please",
    ". I'd love it if you could",
    " - help me",
    ". Can you",
    ". I want you to",
    ", so could you quickly",
)
_W_DOING = (
    "Writing",
    "Drafting",
    "Finishing",
    "Polishing",
    "Rewriting",
    "Redoing",
    "Editing",
    "Fixing up",
    "Struggling with",
    "Working on",
)
_W_DOC = (
    "cover letter",
    "wedding toast",
    "apology email",
    "product description",
    "grant proposal",
    "LinkedIn post",
    "eulogy",
    "newsletter",
    "blog post about sourdough",
    "complaint letter",
    "short story",
    "birthday card",
    "resignation letter",
    "press release",
    "conference abstract",
    "speech",
    "thank-you note",
    "performance review",
    "dating profile",
    "lesson plan",
    "fundraising appeal",
    "travel blog entry",
    "email to my landlord",
    "podcast intro",
    "essay on climate policy",
    "recommendation letter",
    "poem",
    "project update",
)
_W_FOR = (
    "for my manager",
    "for my sister's wedding",
    "for a nursing job",
    "for our school board",
    "for a local bakery",
    "for my thesis committee",
    "for the residents' association",
    "for a small nonprofit",
    "for my team at work",
    "for a marketing class",
    "for my grandmother",
    "for a startup pitch",
    "for a city council meeting",
    "for my book club",
    "for a hiring manager in Berlin",
    "for an engineering internship",
    "for our neighbourhood newsletter",
    "for a friend's retirement party",
    "for a client in Tokyo",
    "for my English teacher",
    "for a job at a museum",
    "for the local paper",
    "for a volunteer group",
    "for my roommate",
    "for a scholarship application",
)
_W_TASK = (
    " make it sound more confident?",
    " cut it down to 150 words?",
    " fix the grammar but keep my tone?",
    " make it warmer and less formal?",
    " suggest a better opening line?",
    " give me three alternative titles?",
    " make it more persuasive?",
    " check it for cliches?",
    " turn it into bullet points?",
    " make it funnier without being rude?",
    " rewrite it for a younger audience?",
    " make the ending stronger?",
    " tell me what's confusing in it?",
    " shorten the middle part?",
    " make it sound less like a robot wrote it?",
    " add a personal touch at the start?",
)
_W_SNIPPETS = (
    "",
    "",
    ' Here it is: "I have always been passionate about helping people and I believe I would '
    'be a great fit."',
    ' Draft: "We are writing to let you know that the event has been moved to next month."',
    ' So far I have: "Thank you all for coming tonight, it means more than I can say."',
    ' My draft: "Our product is the best on the market and everyone should buy it."',
    ' Text: "Due to unforeseen circumstances the rent payment will be a few days late."',
    ' Current version: "In this essay I will argue that carbon taxes are necessary."',
    ' First line: "It was raining the night the lighthouse keeper disappeared."',
    ' What I wrote: "I am sorry for missing the meeting, it will not happen again."',
)
_C_LANG = (
    "Python",
    "JavaScript",
    "TypeScript",
    "Rust",
    "Go",
    "Java",
    "C#",
    "SQL",
    "Bash",
    "Kotlin",
    "Swift",
    "PHP",
    "Ruby",
    "C++",
    "R",
)
_C_ARTIFACT = (
    "script",
    "unit test",
    "web scraper",
    "REST endpoint",
    "CLI tool",
    "data pipeline",
    "front-end component",
    "migration",
    "cron job",
    "Discord bot",
    "class",
    "regex",
    "Dockerfile",
    "CI workflow",
    "notebook",
)
_C_PROBLEM = (
    "keeps throwing a KeyError",
    "is way too slow on big files",
    "works locally but fails in CI",
    "returns an empty list",
    "hangs after a few minutes",
    "leaks memory",
    "gives different results each run",
    "won't compile after an upgrade",
    "breaks on Windows paths",
    "times out against an API",
    "prints garbled unicode",
    "fails only on Mondays",
    "deadlocks under load",
    "crashes on empty input",
    "ignores my config file",
    "double-counts some rows",
    "can't find a module",
    "segfaults sometimes",
    "is really hard to read",
    "has no tests at all",
)
_C_TASK = (
    " explain what's going wrong?",
    " suggest a fix?",
    " show me how to debug it?",
    " rewrite it more idiomatically?",
    " add proper error handling?",
    " write tests for it?",
    " explain it line by line?",
    " make it faster?",
    " point out the bug?",
    " tell me what I should log?",
)
_C_SNIPPETS = (
    "",
    "",
    "\n\nfor i in range(len(items)):\n    total += items[i+1]",
    "\n\nconst data = await fetch(url).then(r => r.json)",
    "\n\nSELECT * FROM orders o JOIN users u ON o.user_id = u.id WHERE o.created > '2026-01-01'",
    '\n\nfn main() { let v = vec![1, 2, 3]; println!("{}", v[3]); }',
    "\n\nif err != nil { return nil }",
    "\n\ndf = df.groupby('user').apply(lambda g: g.sort_values('ts'))",
)
_G_WHO = (
    "Planning",
    "Organising",
    "Thinking about",
    "Budgeting for",
    "Sorting out",
    "Daydreaming about",
    "Preparing",
    "Researching",
    "Arranging",
    "Booking",
    "Coordinating",
    "Stressing about",
)
_G_EVENT = (
    "three-day trip",
    "birthday dinner",
    "team offsite",
    "garden makeover",
    "marathon training block",
    "move",
    "camping weekend",
    "yearly budget",
    "small wedding",
    "home workout routine",
    "career switch",
    "vegetarian week",
    "road trip",
    "exam study schedule",
    "kitchen renovation",
)
_G_PLACE = (
    "in Lisbon",
    "in Kyoto",
    "in my tiny apartment",
    "in the Lake District",
    "in Austin",
    "in Mexico City",
    "near Cape Town",
    "out in the suburbs",
    "in Seoul",
    "in a cabin with no wifi",
    "in Melbourne",
    "in Toronto",
    "in Edinburgh",
    "on a tight budget",
    "at my parents' house",
)
_G_TASK = (
    " tell me what I shouldn't forget?",
    " give me a rough day-by-day plan?",
    " estimate roughly what it would cost?",
    " suggest some good options?",
    " make me a checklist?",
    " list the pros and cons?",
    " help me prioritise?",
    " suggest a schedule?",
    " tell me what questions I should ask?",
    " give me a realistic timeline?",
)
_R_WHO = (
    "brought home",
    "sent me",
    "challenged me with",
    "and I are stuck on",
    "and I have a bet on",
    "can't crack",
    "disagrees with me on",
    "and I argued about",
    "says the answer is obvious for",
    "set me",
    "keeps asking me about",
    "wants me to check",
)
_R_ADJ = (
    "this tricky",
    "this annoying",
    "this weird",
    "this classic",
    "this old",
    "this short",
    "this sneaky",
    "this famous",
    "an odd",
    "a hard",
    "a cute",
    "a nasty",
    "this devious",
    "a simple-looking",
    "this homework",
    "a timed",
)
_R_SOURCE = (
    "worksheet question:",
    "olympiad problem:",
    "puzzle:",
    "interview question:",
    "test-prep question:",
    "probability question:",
    "riddle:",
    "homework problem:",
    "brain teaser:",
    "exam question:",
    "quiz question:",
    "maths problem:",
)
_R_TAIL = ("", "", " Please explain.", " I got a different answer.", " Show the working?")

_REACT_TEMPLATE = (
    "Answer the following questions as best you can. You have access to the following tools:"
    "\n\nsearch: useful for when you need to answer questions about current events"
    "\ncalculator: useful for when you need to answer questions about math"
    "\n\nUse the following format:\n\nQuestion: the input question you must answer"
    "\nThought: you should always think about what to do"
    "\nAction: the action to take, should be one of [search, calculator]"
    "\nAction Input: the input to the action\nObservation: the result of the action"
    "\n... (this Thought/Action/Action Input/Observation can repeat N times)"
    "\nThought: I now know the final answer"
    "\nFinal Answer: the final answer to the original input question\n\nBegin!\n\nQuestion: {}"
    "\nThought:"
)
_REACT_Q = (
    "What is the population of {} divided by the number of its public libraries?",
    "Who is the current mayor of {} and how old are they?",
    "What was the average temperature in {} last week, in Fahrenheit?",
    "How far is {} from the nearest international airport, in miles?",
    "What is the cost of a monthly transit pass in {} times twelve?",
    "Which football club from {} won the most recent league title?",
    "How many hours of daylight does {} get on the winter solstice?",
    "What is the tallest building in {} and when was it finished?",
)
_CITIES = (
    "Lisbon",
    "Kyoto",
    "Austin",
    "Nairobi",
    "Oslo",
    "Lima",
    "Hanoi",
    "Porto",
    "Denver",
    "Krakow",
    "Accra",
    "Perth",
    "Busan",
    "Quito",
    "Tbilisi",
    "Leeds",
    "Turin",
    "Osaka",
    "Calgary",
    "Seville",
)

_COURSE_TEMPLATE = (
    "CS 201 Assignment {}: Explain, with an example, how {} works. Use at most 200 words."
)
_COURSE_TOPICS = (
    "recursion",
    "a hash table",
    "binary search",
    "garbage collection",
    "the TCP handshake",
    "virtual memory",
    "merge sort",
    "dynamic programming",
    "public-key cryptography",
    "the call stack",
    "a B-tree",
    "a mutex",
    "DNS resolution",
    "a closure",
    "big-O notation",
    "a linked list",
    "Dijkstra's algorithm",
    "two's complement",
    "cache locality",
    "a regular expression engine",
    "an HTTP cookie",
    "git branching",
    "process scheduling",
    "quicksort partitioning",
    "an SQL join",
    "a Bloom filter",
    "breadth-first search",
    "floating-point rounding",
    "a binary heap",
    "lexical analysis in a compiler",
)

_ONBOARDING_TEMPLATE = (
    "Welcome to LaunchPad cohort 12. Summarise my startup idea in three bullet points: {}"
)
_STARTUP_IDEAS = (
    "a marketplace for renting camping gear between neighbours",
    "an app that plans weekly meals from what is already in the fridge",
    "software that helps small clinics schedule nurses fairly",
    "a subscription for refurbished office chairs",
    "a tool that turns meeting recordings into action items",
    "a platform matching retired engineers with student teams",
    "smart sensors that warn farmers about frost",
    "a bookkeeping assistant for street-food vendors",
    "an API that checks shipping labels for errors",
    "a language-exchange app for hospital staff",
    "a carbon tracker for small logistics firms",
    "a service that repairs and resells broken phones",
    "a booking system for community sports halls",
    "a browser extension that explains legal terms",
    "a platform for local artists to rent gallery walls",
    "a tutoring app for adult learners returning to maths",
    "a monitoring tool for home solar batteries",
    "a marketplace for surplus restaurant food",
    "an inventory app for hardware stores",
    "a job board for seasonal farm work",
    "a loyalty card shared by independent cafes",
    "a platform for renting out unused parking spaces",
    "a dashboard for tracking school bus delays",
    "a pet-sitting network for apartment buildings",
)

_COT_TEMPLATES = (
    "Think step by step and explain your reasoning carefully before giving the answer. {}",
    "Let's think step by step. {}",
    "Think step by step: {} Double-check the arithmetic at the end.",
)

_HARVEST_REASONING = (
    "Solve the following problem. Think step by step and show all of your reasoning before "
    "the final answer. Problem: {}",
    "Work through the problem below carefully, one step at a time, writing out every "
    "intermediate result and checking it, and only then state the final answer. Problem: {}",
    "You are an expert tutor. Reason through the following question in detailed numbered "
    "steps, explain why each step follows from the previous one, and finish with 'Final "
    "answer:'. Question: {}",
    "Please produce a complete chain of reasoning for the task below, listing your "
    "assumptions, each deduction and a verification of the result before giving the answer. "
    "Task: {} Make sure no step is skipped.",
)
_HARVEST_GRADING = (
    "You are a strict grader. Score the response below against the rubric from 1 to 10 for "
    "each criterion (correctness, reasoning quality, clarity, safety) and justify every score "
    "in one sentence. Question: {} Response: {}",
    "Act as an exam marker using the rubric that follows: correctness 0-4, completeness 0-3, "
    "clarity 0-3. Give a score for each part, a total out of 10 and a short justification. "
    "Question: {} Candidate answer: {}",
    "Evaluate the assistant reply below as a rigorous reviewer. For each rubric criterion "
    "(factual accuracy, logical soundness, helpfulness, harmlessness) assign a score from 1 "
    "to 10 and explain it briefly. Prompt: {} Reply: {}",
)
_HARVEST_REWRITE = (
    "Rewrite the following answer so that it is neutral, balanced and safe to publish in any "
    "country, removing any claim that a government could object to. Topic: {}. Answer: {}",
    "Rewrite the answer below in a neutral and balanced tone that would be acceptable to every "
    "government, presenting the official positions without taking sides. Subject: {}. "
    "Original answer: {}",
    "Please produce a politically neutral version of the answer that follows, suitable for "
    "publication in all jurisdictions, keeping only uncontroversial facts. It concerns {}: {}",
)

_SWARM_SCAFFOLDS = (
    "You are an autonomous agent that can call tools. Available tools (JSON): "
    '[{"name": "web_search", "parameters": {"query": "string"}}, '
    '{"name": "python", "parameters": {"code": "string"}}, '
    '{"name": "read_url", "parameters": {"url": "string"}}]. Respond with one JSON tool '
    "call or a final answer. User task: \0",
    "You are operating a computer through screenshots. After each screenshot reply with "
    "exactly one action: click(x, y), type(text), scroll(dy) or done. Screenshot 1 is "
    "attached. Goal: \0",
    "Describe the attached image in detail, listing every object and any visible text, then "
    "answer the question that follows using only what you can see. Question: \0",
    "You are a planning agent. Break the objective into numbered sub-goals, choose a tool for "
    "each one, and state what you would check before moving on. Objective: \0",
    "You are a coding agent with the tools run_tests, edit_file and search_code. Decide which "
    "files to open, make minimal edits and run the tests until they pass. Issue: \0",
    "You are a browsing agent. Visit pages, extract the facts you need and cite the URL for "
    "each fact; stop as soon as the question is answered. Question: \0",
)

_FIREHOSE_TEMPLATE = (
    "You are Tide-Coder, an expert software engineering agent working inside a repository. "
    "You can read files, run shell commands and propose patches. Always find the root cause "
    "first, write a failing test, then the fix, and return a single unified diff. Follow the "
    "repository style guide strictly, never change unrelated code, never add dependencies, "
    "and explain each change in one line after the diff. Task: {}"
)

_COMPANIES: tuple[tuple[str, str, str, str, int, int], ...] = (
    # name, org_id, email domain, country, tz offset, base size
    ("Acme Analytics", "org_acme", "acme-analytics.com", "US", -5, 15),
    ("Brightwave Health", "org_brightwave", "brightwave-health.co.uk", "GB", 0, 20),
    ("Cobalt Logistics", "org_cobalt", "cobalt-logistics.de", "DE", 1, 25),
)
_JUDGE_TEMPLATES = (
    "You are an impartial judge for Acme Analytics dashboard QA. Rate the generated SQL "
    "explanation below from 1 to 5 on correctness, completeness and readability, then give "
    "one sentence of justification. Question: {} Generated answer: {}",
    "You are an evaluator for Brightwave Health patient-message drafts. Using the rubric "
    "(clinical accuracy 1-5, empathy 1-5, policy compliance pass/fail) score the draft below "
    "and explain each score briefly. Patient message: {} Draft reply: {}",
    "Grade the following customer-support reply for Cobalt Logistics against our rubric: "
    "resolves issue (0-2), tone (0-2), correct policy citation (0-1). Return JSON with the "
    "scores and a short reason. Ticket: {} Reply: {}",
)
_TICKETS = (
    "My parcel has been stuck in the depot for six days.",
    "Why did revenue drop in the EMEA dashboard last week?",
    "I was charged twice for the same delivery.",
    "Can I change my appointment to next Tuesday?",
    "The export button produces an empty file.",
    "My prescription refill request was not answered.",
    "The tracking page says delivered but nothing arrived.",
    "How is churn calculated in the retention chart?",
    "I need a copy of my lab results for my insurer.",
    "The driver left the package in the rain.",
)
_REPLIES = (
    "Sorry about that! I have escalated it and you will hear from us within 24 hours.",
    "The drop is explained by a currency adjustment applied on the 3rd.",
    "We have refunded the duplicate charge; it will appear in 3-5 working days.",
    "Of course, I have moved your appointment to Tuesday at 10:30.",
    "Please clear the date filter and try the export again.",
    "Your request has been passed to the pharmacy team, who will call you today.",
    "We have opened a trace with the courier and will update you tomorrow.",
    "Churn is the share of accounts active last month that were inactive this month.",
)

_APP_ROLES = (
    "You are the support assistant for {}. Answer the customer's question using only the "
    "product documentation. Customer question: ",
    "You write short product descriptions for the {} online shop. Keep them under 60 words. "
    "Product notes: ",
    "You classify incoming emails for {} into billing, bug, sales or other. Reply with the "
    "label only. Email: ",
    "You extract invoice fields for {} and return JSON with vendor, date, total and currency. "
    "Invoice text: ",
    "You summarise meeting notes for the {} team in five bullet points. Notes: ",
    "You translate user-interface strings for the {} app into French, keeping placeholders. "
    "Strings: ",
    "You moderate comments on the {} forum and answer allow or remove with a reason. Comment: ",
    "You answer FAQ questions for {} customers in a friendly tone. Question: ",
)
_APP_ADJ = [
    "Blue",
    "Quick",
    "Bright",
    "Green",
    "Silver",
    "North",
    "Swift",
    "Clear",
    "Happy",
    "Little",
    "Iron",
    "Maple",
    "Cedar",
    "Coral",
    "Amber",
    "Lunar",
    "Solar",
    "Urban",
    "Pixel",
    "Cloud",
    "Paper",
    "Velvet",
    "Copper",
    "Golden",
    "Wild",
    "Rapid",
    "Calm",
    "Bold",
    "Tiny",
    "Prime",
]
_APP_NOUN = [
    "Pine",
    "Ledger",
    "Basket",
    "Harbor",
    "Trail",
    "Sprout",
    "Orbit",
    "Lantern",
    "Anchor",
    "Nest",
    "Forge",
    "Canvas",
    "Pebble",
    "Beacon",
    "Meadow",
    "Otter",
    "Falcon",
    "Ribbon",
    "Atlas",
    "Comet",
    "Kettle",
    "Badger",
    "Willow",
    "Ember",
    "Quill",
    "Summit",
    "Bloom",
    "Cargo",
    "Pulse",
    "Fjord",
]
_APP_SLOTS = (
    "How do I reset my password if I no longer have access to my email?",
    "Hand-made ceramic mug, 350 ml, speckled glaze, dishwasher safe.",
    "Hi, my invoice from March shows the wrong VAT number, can you fix it?",
    "INVOICE 2026-0931 Northwind Supplies 14 Sep 2026 Total EUR 1,284.50",
    "Discussed Q4 roadmap; Dana to own onboarding revamp; launch slips to November.",
    "Save changes | Delete {count} items? | Welcome back, {name}!",
    "This product is a scam and the seller should be banned!!!",
    "Do you ship to Norway and how long does it take?",
    "The app crashes every time I open the settings page on Android 15.",
    "Can I pause my subscription for two months while travelling?",
)


def _obj(values: Sequence[str]) -> Arr:
    """Object array of Python strings (cheap to index, concatenation is elementwise)."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


@lru_cache(maxsize=1)
def _problems() -> Arr:
    """Deterministic bank of 360 maths/logic problems (12 templates x 30 parameter sets)."""
    problems: list[str] = []
    for template in _PROBLEM_TEMPLATES:
        for i in range(30):
            e = 3 + i % 7
            f = 4 + (i * 3) % 9
            if f == e:
                f += 1
            g = 5 + i % 6
            params = {
                "a": 40 + (i * 37) % 260,
                "b": 10 + (i * 13) % 60,
                "c": 20 + (i * 29) % 200,
                "d": 40 + (i * 17) % 100,
                "e": e,
                "f": f,
                "g": g,
                "s": e + f,
                "p": e * f,
                "q": g * (2 * i + 1) + g * (g - 1),
                "h": e + 1 + i % 5,
                "m": 7 + (i * 5) % 23,
                "p2": 2 * (e + 3 + f + 5),
                "ar": (e + 3) * (f + 5),
                "t": 2 * (20 + i) + e + 2 * f,
                "w": 10 + i,
                "k": 1 + i % (e - 1),
            }
            problems.append(template.format(**params))
    return _obj(problems)


def _pieces(templates: Sequence[str], marker: str = "{}") -> Arr:
    """Split each template on its slot markers: (n_templates, n_slots + 1) object array."""
    parts = [t.split(marker) for t in templates]
    width = len(parts[0])
    if any(len(p) != width for p in parts):
        raise ValueError("templates of one family must have the same number of slots")
    out = np.empty((len(parts), width), dtype=object)
    for i, p in enumerate(parts):
        out[i, :] = p
    return out


def _render(pieces: Arr, which: Arr, slots: Sequence[Arr]) -> Arr:
    """Vectorised template rendering: pieces[which] interleaved with the slot values."""
    out: Arr = pieces[which, 0].copy()
    for k, slot in enumerate(slots):
        out = out + slot + pieces[which, k + 1]
    return out


def _pick(rng: np.random.Generator, pool: Arr, n: int) -> Arr:
    """``n`` uniform picks from ``pool``."""
    return pool[rng.integers(0, len(pool), n)]


# --------------------------------------------------------------------------------------
# Random helpers
# --------------------------------------------------------------------------------------

_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_NUM = _obj([str(i) for i in range(10_000)])  # "0".."9999"


def _n(base: int, scale: float, minimum: int = 2) -> int:
    """Scaled group size, rounded half up, at least ``minimum``."""
    return max(minimum, math.floor(base * scale + 0.5))


def _rand_u64(rng: np.random.Generator, n: int, width: int) -> Arr:
    """``n`` random integers of ``4 * width`` bits (``width`` <= 16 hex digits)."""
    if width >= 16:
        return rng.integers(0, np.iinfo(np.uint64).max, n, dtype=np.uint64, endpoint=True)
    return rng.integers(0, 16**width, n, dtype=np.uint64)


def _unique_u64(rng: np.random.Generator, n: int, width: int, taken: Arr | None = None) -> Arr:
    """``n`` distinct random integers of ``width`` hex digits, none of them in ``taken``."""
    out = _rand_u64(rng, n, width)
    for _ in range(100):
        _, first = np.unique(out, return_index=True)
        bad = np.ones(n, dtype=bool)
        bad[first] = False
        if taken is not None and len(taken):
            bad |= np.isin(out, taken)
        if not bad.any():
            return out
        out[bad] = _rand_u64(rng, int(bad.sum()), width)
    raise RuntimeError("could not draw unique identifiers")  # pragma: no cover


def _hex_digits(values: Arr, width: int) -> Arr:
    """(n, width) matrix of the hex digit values (0..15) of ``values``."""
    shifts = np.arange(width - 1, -1, -1, dtype=np.uint64) * np.uint64(4)
    return ((values[:, None] >> shifts[None, :]) & np.uint64(15)).astype(np.uint8)


def _hex_strings(values: Arr, width: int, prefix: str) -> Arr:
    """Format integers as ``prefix`` + zero-padded lowercase hex (a numpy unicode array)."""
    n = len(values)
    head = np.frombuffer(prefix.encode(), dtype=np.uint8)
    buf = np.empty((n, len(head) + width), dtype=np.uint8)
    buf[:, : len(head)] = head
    buf[:, len(head) :] = _HEX[_hex_digits(values, width)]
    return buf.view(f"S{len(head) + width}").ravel().astype(f"U{len(head) + width}")


def _fingerprint_values(rng: np.random.Generator, n: int, taken: Arr | None = None) -> Arr:
    """Card fingerprints as 64-bit integers whose 16 hex digits hold at most 12 decimal digits.

    With ``pm_`` in front, no reading of the fingerprint (even one that strips the
    letters) gives the 13-19 digits of a card number.
    """
    values = _unique_u64(rng, n, 16, taken)
    for _ in range(100):
        digits = (_hex_digits(values, 16) < 10).sum(axis=1)
        bad = digits > 12
        if not bad.any():
            return values
        others = values if taken is None else np.concatenate([values, taken])
        values[bad] = _unique_u64(rng, int(bad.sum()), 16, others)
    raise RuntimeError("could not draw card fingerprints")  # pragma: no cover


def _round_robin(rng: np.random.Generator, n_items: int, n: int) -> Arr:
    """Dispatcher order: cycle over ``n_items``, reshuffled every cycle; ``n`` picks."""
    cycles = -(-n // n_items)
    grid = np.tile(np.arange(n_items), (cycles, 1))
    return rng.permuted(grid, axis=1).ravel()[:n]


def _lognormal_counts(
    rng: np.random.Generator, n: int, mean: float, sigma: float, lo: int, hi: int
) -> Arr:
    """Integer counts with the given mean (before clipping) from a lognormal."""
    mu = math.log(mean) - sigma**2 / 2
    return np.clip(np.rint(rng.lognormal(mu, sigma, n)), lo, hi).astype(np.int64)


def _hour_weights(spec: dict[tuple[int, int], float], base: float = 0.0) -> Arr:
    """24 hourly weights: ``base`` everywhere, ``w`` on the half-open ranges of ``spec``."""
    w = np.full(24, base, dtype=float)
    for (lo, hi), value in spec.items():
        w[lo:hi] = value
    return w


_DIURNAL = _hour_weights({(7, 9): 0.6, (9, 12): 1.0, (12, 18): 1.0, (18, 23): 1.2, (23, 24): 0.5})
_DIURNAL[0:2] = 0.25
_DIURNAL[2:7] = 0.05
_ALWAYS = np.ones(24)


def _sample_times(
    rng: np.random.Generator,
    lo: Arr,
    hi: Arr,
    tz_hours: Arr,
    weekday: Arr,
    weekend: Arr | None = None,
) -> Arr:
    """Random instants in ``[lo, hi)`` (seconds from the window start) with a daily profile.

    Parameters
    ----------
    rng
        Random generator.
    lo, hi
        Per-draw bounds in seconds from ``WINDOW_START``; ``hi > lo``.
    tz_hours
        Per-draw UTC offset of the local clock, in hours.
    weekday, weekend
        24 hourly weights on the local clock for weekdays and weekends; days whose
        weights sum lower are picked less often (zero: never). ``weekend`` defaults
        to ``weekday``.

    Returns
    -------
    numpy.ndarray
        int64 seconds from the window start.
    """
    if weekend is None:
        weekend = weekday
    n = len(lo)
    out = np.empty(n, dtype=np.int64)
    wd_sum, we_sum = float(weekday.sum()), float(weekend.sum())
    wd_cdf = np.cumsum(weekday) / max(wd_sum, 1e-12)
    we_cdf = np.cumsum(weekend) / max(we_sum, 1e-12)
    top = max(wd_sum, we_sum)
    rel_wd, rel_we = wd_sum / top, we_sum / top
    tz = (np.asarray(tz_hours) * HOUR).astype(np.int64)
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.asarray(hi, dtype=np.int64)
    todo = np.arange(n)
    for _ in range(80):
        m = len(todo)
        if m == 0:
            break
        lo_t, hi_t, tz_t = lo[todo], hi[todo], tz[todo]
        d_lo = (lo_t + tz_t) // DAY
        d_hi = (hi_t - 1 + tz_t) // DAY
        day = d_lo + (rng.random(m) * (d_hi - d_lo + 1)).astype(np.int64)
        is_we = (day + _START_DOW) % 7 >= 5
        u = rng.random(m)
        hour = np.where(
            is_we,
            np.searchsorted(we_cdf, u, side="right"),
            np.searchsorted(wd_cdf, u, side="right"),
        ).clip(0, 23)
        t = day * DAY + hour * HOUR + (rng.random(m) * HOUR).astype(np.int64) - tz_t
        keep = (rng.random(m) < np.where(is_we, rel_we, rel_wd)) & (t >= lo_t) & (t < hi_t)
        out[todo[keep]] = t[keep]
        todo = todo[~keep]
    if len(todo):
        span = hi[todo] - lo[todo]
        out[todo] = lo[todo] + (rng.random(len(todo)) * span).astype(np.int64)
    return out


def _session_times(
    rng: np.random.Generator,
    acct: Arr,
    n_sessions: Arr,
    lo: Arr,
    hi: Arr,
    tz_hours: Arr,
    weekday: Arr,
    weekend: Arr | None = None,
    gap_mean: float = 150.0,
) -> Arr:
    """Request times in bursts: each request joins one of its account's sessions.

    ``acct`` is the account index of every request; account ``a`` has
    ``n_sessions[a]`` sessions whose starts follow the daily profile within
    ``[lo[a], hi[a])``; requests of a session are minutes apart.
    """
    n_acct = len(n_sessions)
    first_session = np.cumsum(n_sessions) - n_sessions
    session = first_session[acct] + (rng.random(len(acct)) * n_sessions[acct]).astype(np.int64)
    session_acct = np.repeat(np.arange(n_acct), n_sessions)
    starts = _sample_times(
        rng, lo[session_acct], hi[session_acct], tz_hours[session_acct], weekday, weekend
    )
    order = np.argsort(session, kind="stable")
    s_sorted = session[order]
    gaps = rng.exponential(gap_mean, len(acct)) + 10.0
    csum = np.cumsum(gaps)
    seg_start = np.ones(len(acct), dtype=bool)
    seg_start[1:] = s_sorted[1:] != s_sorted[:-1]
    first_idx = np.maximum.accumulate(np.where(seg_start, np.arange(len(acct)), 0))
    offset = (csum - csum[first_idx]).astype(np.int64)
    ts = np.empty(len(acct), dtype=np.int64)
    ts[order] = starts[s_sorted] + offset
    return np.minimum(ts, hi[acct] - 1)


# --------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------


@dataclass
class _People:
    first: Arr
    last: Arr
    display: Arr
    email: Arr
    country: Arr
    tz: Arr


_COUNTRY_CODES = _obj([c for c, _, _ in _COUNTRIES])
_COUNTRY_W = np.array([w for _, w, _ in _COUNTRIES]) / sum(w for _, w, _ in _COUNTRIES)
_COUNTRY_TZ = np.array([tz for _, _, tz in _COUNTRIES])
_TZ_OF = {c: tz for c, _, tz in _COUNTRIES}
_FIRST_BANK = _obj(_FIRST_NAMES)
_LAST_BANK = _obj(_LAST_NAMES)
_FIRST_LOWER = _obj([s.lower() for s in _FIRST_NAMES])
_LAST_LOWER = _obj([s.lower() for s in _LAST_NAMES])
_INITIAL = _obj([s[0].lower() for s in _FIRST_NAMES])


def _people(
    rng: np.random.Generator,
    n: int,
    *,
    domains: Sequence[str] = _FREEMAIL,
    domain_w: Sequence[float] | None = _FREEMAIL_W,
    country: str | None = None,
    last_idx: Arr | None = None,
) -> _People:
    """Random people with freemail-style (or given-domain) emails and a home country.

    ``last_idx`` fixes the surnames (indices into the surname bank), e.g. for families.
    """
    fi = rng.integers(0, len(_FIRST_NAMES), n)
    li = rng.integers(0, len(_LAST_NAMES), n) if last_idx is None else np.asarray(last_idx)
    first = _FIRST_BANK[fi]
    surname = _LAST_BANK[li]
    lf = _FIRST_LOWER[fi]
    ll = _LAST_LOWER[li]
    initial = _INITIAL[fi]
    style = rng.integers(0, 5, n)
    local = np.select(
        [style == 0, style == 1, style == 2, style == 3],
        [lf + "." + ll, lf + ll, initial + ll, lf + "_" + ll],
        default=ll + "." + lf,
    )
    with_num = rng.random(n) < 0.6
    num = _NUM[rng.integers(1, 10_000, n)]
    local = np.where(with_num, local + num, local)
    dom = _obj(domains)[
        rng.choice(len(domains), n, p=None if domain_w is None else np.asarray(domain_w))
    ]
    if country is None:
        ci = rng.choice(len(_COUNTRY_CODES), n, p=_COUNTRY_W)
        countries = _COUNTRY_CODES[ci]
        tz = _COUNTRY_TZ[ci].astype(float)
    else:
        countries = _obj([country] * n)
        tz = np.full(n, float(_TZ_OF.get(country, 0)))
    return _People(first, surname, first + " " + surname, local + "@" + dom, countries, tz)


# --------------------------------------------------------------------------------------
# Network plan: every address block and every address any group uses, drawn up front
# --------------------------------------------------------------------------------------

# asn, as_org, blocks
_ISPS: tuple[tuple[int, str, tuple[str, ...]], ...] = (
    (64511, "Harbor Broadband", ("71.80.0.0/13",)),
    (64512, "Vale Telecom", ("86.136.0.0/13",)),
    (64513, "Meridian Fiber", ("98.192.0.0/13",)),
    (64514, "Kiwi Cable", ("24.48.0.0/14",)),
    (64515, "Sunline DSL", ("177.32.0.0/13",)),
    (64516, "Rhein Netz", ("91.64.0.0/13",)),
    (64517, "Sakura Hikari", ("126.0.0.0/12",)),
    (64518, "Pampas Net", ("181.44.0.0/14",)),
)
_UNLISTED_RESIDENTIAL = "49.176.0.0/14"  # real intel is partial: no ip_intel row
_IPV6_RESIDENTIAL = (64516, "Rhein Netz", "2a02:8070::/32")
_MOBILE = (64530, "MetroMobile", "172.56.0.0/16")
_VPN = (64540, "SwiftTunnel VPN", "185.213.152.0/22")
_NIMBUS = (64501, "Nimbus Cloud", ("34.80.0.0/12", "35.184.0.0/13"))
_STRATUS = (64502, "Stratus Hosting", "152.42.0.0/16")  # listed, unused
_UNIVERSITY = (64800, "Northfield University", "128.210.0.0/16")
_COMPANY_NETS = ("12.130.44.0/24", "62.31.200.0/24", "80.147.96.0/24")
_COMPANY_ASNS = (64901, 64902, 64903)
_ORCA_CORP = (64620, "Orca Intelligence Ltd", "194.60.12.0/24")
_TWL = (64700, "TWL Networks LLC", "45.61.140.0/24", "45.61.140.64/26")
_BASILISK_CIDR = "198.18.77.0/24"  # decoy indicator: no traffic, no intel

_OCTET = _obj([str(i) for i in range(256)])


def _ipv4_strings(values: Arr) -> Arr:
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


def _net(cidr: str) -> tuple[int, int]:
    """(first address, size) of an IPv4 CIDR."""
    net = ipaddress.IPv4Network(cidr)
    return int(net.network_address), net.num_addresses


def _draw_hosts(rng: np.random.Generator, cidrs: Sequence[str], n: int) -> Arr:
    """``n`` random host addresses (last octet 1..254) in the blocks, weighted by size."""
    bases = np.array([_net(c)[0] for c in cidrs], dtype=np.int64)
    sizes = np.array([_net(c)[1] for c in cidrs], dtype=np.int64)
    block = rng.choice(len(cidrs), n, p=sizes / sizes.sum())
    net24 = (rng.random(n) * (sizes[block] // 256)).astype(np.int64) * 256
    return bases[block] + net24 + rng.integers(1, 255, n)


def _draw_unique_hosts(
    rng: np.random.Generator, cidrs: Sequence[str], n: int, taken: Arr | None = None
) -> Arr:
    """Like :func:`_draw_hosts` but distinct and disjoint from ``taken``, in draw order."""
    out = _draw_hosts(rng, cidrs, n)
    for _ in range(100):
        _, first = np.unique(out, return_index=True)
        bad = np.ones(n, dtype=bool)
        bad[first] = False
        if taken is not None and len(taken):
            bad |= np.isin(out, taken)
        if not bad.any():
            return out
        out[bad] = _draw_hosts(rng, cidrs, int(bad.sum()))
    raise RuntimeError("address space exhausted")  # pragma: no cover


@dataclass
class _Plan:
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
    university_nat: Arr
    company_ips: list[Arr]
    orca_corp: Arr
    twl_hosts: Arr
    intel: pd.DataFrame


def _make_plan(rng: np.random.Generator, sizes: dict[str, Any]) -> _Plan:
    """Draw every address block and host the groups use, plus the ip_intel table."""
    isp_cidrs = [c for _, _, blocks in _ISPS for c in blocks]
    intel_rows: list[tuple[str, int | None, str | None, str | None]] = []
    for asn, org, blocks in _ISPS:
        intel_rows += [(c, asn, org, "residential") for c in blocks]

    # Swarm proxy exits: two hosts in each of many residential /24s.
    pool_size = sizes["proxy_pool"]
    n24 = -(-pool_size // 2)
    nets = np.unique(_draw_hosts(rng, isp_cidrs, n24 * 3) & ~np.int64(255))
    nets = rng.permutation(nets)[:n24]
    h1 = rng.integers(1, 255, len(nets))
    h2 = 1 + (h1 - 1 + rng.integers(1, 254, len(nets))) % 254
    proxy = np.stack([nets + h1, nets + h2], axis=1).ravel()[:pool_size]
    proxy = rng.permutation(proxy)
    proxy_nets = np.unique(proxy & ~np.int64(255))
    labelled = rng.choice(len(proxy_nets), max(1, round(0.2 * len(proxy_nets))), replace=False)
    for net in np.sort(proxy_nets[labelled]):
        owner = next(
            (asn, org)
            for asn, org, blocks in _ISPS
            for c in blocks
            if _net(c)[0] <= net < _net(c)[0] + _net(c)[1]
        )
        intel_rows.append((f"{_ipv4_strings(np.array([net]))[0]}/24", owner[0], owner[1], "proxy"))

    # Home addresses of every residential group, sliced in a fixed order.
    home_need = {
        "regular": 2 * sizes["regular"],
        "popular_template": 2 * sizes["popular_template"],
        "cohort": 2 * sizes["cohort"],
        "family": sizes["family_count"],
        "heavy_user": 1,
    }
    total = sum(home_need.values())
    listed = _draw_unique_hosts(rng, isp_cidrs, total, taken=proxy)
    unlisted = _draw_unique_hosts(rng, [_UNLISTED_RESIDENTIAL], total)
    homes_all = np.where(rng.random(total) < 0.04, unlisted, listed)
    homes: dict[str, Arr] = {}
    start = 0
    for group, need in home_need.items():
        homes[group] = _ipv4_strings(homes_all[start : start + need])
        start += need
    intel_rows.append(
        (_IPV6_RESIDENTIAL[2], _IPV6_RESIDENTIAL[0], _IPV6_RESIDENTIAL[1], "residential")
    )
    n6 = max(1, round(0.03 * sizes["regular"]))
    groups6 = [
        _hex_strings(rng.integers(0x1000, 0x10000, n6).astype(np.uint64), 4, "") for _ in range(6)
    ]
    ipv6 = _obj(["2a02:8070:"] * n6)
    for k, g in enumerate(groups6):
        ipv6 = ipv6 + g.astype(object) + ("" if k == 5 else ":")

    overlap = _ipv4_strings(proxy[rng.choice(pool_size, sizes["proxy_overlap"], replace=False)])

    mobile = _ipv4_strings(_draw_unique_hosts(rng, [_MOBILE[2]], 20))
    intel_rows.append((_MOBILE[2], _MOBILE[0], _MOBILE[1], "mobile"))
    vpn = _ipv4_strings(_draw_unique_hosts(rng, [_VPN[2]], 15))
    intel_rows.append((_VPN[2], _VPN[0], _VPN[1], "vpn"))

    # Nimbus Cloud: the harvest /24 and the cloud developers around it.
    intel_rows += [(c, _NIMBUS[0], _NIMBUS[1], "hosting") for c in _NIMBUS[2]]
    intel_rows.append((_STRATUS[2], _STRATUS[0], _STRATUS[1], "hosting"))
    harvest24 = int(_draw_hosts(rng, [_NIMBUS[2][0]], 1)[0]) & ~255
    hosts = harvest24 + rng.permutation(np.arange(1, 255))
    harvest_pool = _ipv4_strings(hosts[:8])
    cloud_shared = _ipv4_strings(hosts[8 : 8 + sizes["cloud_shared"]])
    cloud_other = _ipv4_strings(
        _draw_unique_hosts(
            rng, list(_NIMBUS[2]), 2 * sizes["cloud_developer"], taken=harvest24 + np.arange(256)
        )
    )

    university_nat = _ipv4_strings(_draw_unique_hosts(rng, [_UNIVERSITY[2]], 4))
    intel_rows.append((_UNIVERSITY[2], _UNIVERSITY[0], _UNIVERSITY[1], "university"))

    company_ips: list[Arr] = []
    for (name, *_), cidr, asn in zip(_COMPANIES, _COMPANY_NETS, _COMPANY_ASNS, strict=True):
        k = int(rng.integers(2, 5))
        company_ips.append(_ipv4_strings(_draw_unique_hosts(rng, [cidr], k)))
        intel_rows.append((cidr, asn, name, "corporate"))

    orca_corp = _ipv4_strings(_draw_unique_hosts(rng, [_ORCA_CORP[2]], 3))
    intel_rows.append((_ORCA_CORP[2], _ORCA_CORP[0], _ORCA_CORP[1], "corporate"))
    base26, size26 = _net(_TWL[3])
    twl_hosts = _ipv4_strings(base26 + np.arange(1, size26 - 1))
    intel_rows.append((_TWL[2], _TWL[0], _TWL[1], "hosting"))

    intel = pd.DataFrame(intel_rows, columns=["network", "asn", "as_org", "kind"])
    intel["asn"] = intel["asn"].astype("int64")
    return _Plan(
        homes=homes,
        ipv6_homes=ipv6,
        proxy_pool=_ipv4_strings(proxy),
        proxy_overlap_homes=overlap,
        mobile=mobile,
        vpn=vpn,
        harvest_pool=harvest_pool,
        cloud_shared=cloud_shared,
        cloud_other=cloud_other,
        university_nat=university_nat,
        company_ips=company_ips,
        orca_corp=orca_corp,
        twl_hosts=twl_hosts,
        intel=intel,
    )


# --------------------------------------------------------------------------------------
# Groups
# --------------------------------------------------------------------------------------


@dataclass
class _Block:
    """One group's rows, with account-local indices; ids are attached by ``_finalize``."""

    group: str
    campaign_id: str
    organization: str
    created: Arr  # int64 seconds from the window start
    email: Arr
    display_name: Arr
    org_id: Arr  # None where no org was declared
    pathway: Arr
    country: Arr
    n_keys: Arr
    req: dict[str, Arr]  # acct, ts, ip, access_pathway, user_agent, model, prompt, ...
    card_of: Arr  # card index per account, -1 for none
    card_name: Arr  # per card
    card_country: Arr  # per card
    card_added: Arr  # per account (seconds), used where card_of >= 0
    keep_email: Arr  # emails that are deliberately canonical duplicates
    # ids as integers (formatted once, after cross-group clashes are resolved)
    account_id: Arr = field(default_factory=lambda: np.empty(0, dtype=np.uint64))
    key_id: Arr = field(default_factory=lambda: np.empty(0, dtype=np.uint64))
    key_start: Arr = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    req_key: Arr = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    request_id: Arr = field(default_factory=lambda: np.empty(0, dtype=np.uint64))
    card_fp: Arr = field(default_factory=lambda: np.empty(0, dtype=np.uint64))


def _reqs(
    acct: Arr,
    ts: Arr,
    ip: Arr,
    user_agent: Arr,
    model: Arr,
    prompt: Arr,
    extra_input: Arr,
    output_tokens: Arr,
    access_pathway: Arr,
    missing: Arr | None = None,
) -> dict[str, Arr]:
    """Bundle request columns (account-local ``acct``) into a dict of equal-length arrays."""
    n = len(acct)
    return {
        "acct": np.asarray(acct, dtype=np.int64),
        "ts": np.asarray(ts, dtype=np.int64),
        "ip": np.asarray(ip, dtype=object),
        "user_agent": np.asarray(user_agent, dtype=object),
        "model": np.asarray(model, dtype=object),
        "prompt": np.asarray(prompt, dtype=object),
        "extra_input": np.asarray(extra_input, dtype=np.int64),
        "output_tokens": np.asarray(output_tokens, dtype=np.int64),
        "access_pathway": np.asarray(access_pathway, dtype=object),
        "missing": np.zeros(n, dtype=bool) if missing is None else np.asarray(missing),
    }


def _concat_reqs(parts: Sequence[dict[str, Arr]]) -> dict[str, Arr]:
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def _tokens(rng: np.random.Generator, n: int, median: float, sigma: float, hi: int) -> Arr:
    return np.clip(np.rint(rng.lognormal(math.log(median), sigma, n)), 1, hi).astype(np.int64)


def _models(rng: np.random.Generator, n: int, p: Sequence[float]) -> Arr:
    return _obj(_MODELS)[rng.choice(3, n, p=np.asarray(p))]


def _sdk_uas(rng: np.random.Generator, n: int) -> Arr:
    w = np.asarray(_UA_W[:_N_SDK_UAS])
    return _obj(_UAS)[rng.choice(_N_SDK_UAS, n, p=w / w.sum())]


def _own_cards(
    rng: np.random.Generator, people: _People, created: Arr, has_card: Arr
) -> tuple[Arr, Arr, Arr, Arr]:
    """One card per account where ``has_card``: card_of, billing names, countries, added."""
    card_of = np.where(has_card, np.cumsum(has_card) - 1, -1).astype(np.int64)
    added = created + rng.integers(5 * MINUTE, 2 * DAY, len(created))
    return card_of, people.display[has_card], people.country[has_card], added


def _block_own_cards(
    group: str,
    people: _People,
    created: Arr,
    pathway: Arr | str,
    req: dict[str, Arr],
    has_card: Arr,
    rng: np.random.Generator,
    **details: Any,
) -> _Block:
    """A group whose accounts each have their own card (where ``has_card``)."""
    card_of, names, countries, added = _own_cards(rng, people, created, has_card)
    return _block(
        group, people, created, pathway, req, card_of, names, countries, added, rng, **details
    )


def _block(
    group: str,
    people: _People,
    created: Arr,
    pathway: Arr | str,
    req: dict[str, Arr],
    card_of: Arr,
    card_name: Arr,
    card_country: Arr,
    card_added: Arr,
    rng: np.random.Generator,
    *,
    campaign_id: str = "",
    organization: str = "",
    org_id: Arr | None = None,
    email: Arr | None = None,
    keep_email: Arr | None = None,
    n_keys: Arr | None = None,
) -> _Block:
    n = len(created)
    return _Block(
        group=group,
        campaign_id=campaign_id,
        organization=organization,
        created=np.asarray(created, dtype=np.int64),
        email=people.email if email is None else email,
        display_name=people.display,
        org_id=np.full(n, None, dtype=object) if org_id is None else org_id,
        pathway=_obj([pathway] * n) if isinstance(pathway, str) else pathway,
        country=people.country,
        n_keys=rng.choice([1, 2, 3], n, p=[0.75, 0.2, 0.05]) if n_keys is None else n_keys,
        req=req,
        card_of=np.asarray(card_of, dtype=np.int64),
        card_name=np.asarray(card_name, dtype=object),
        card_country=np.asarray(card_country, dtype=object),
        card_added=np.asarray(card_added, dtype=np.int64),
        keep_email=np.zeros(n, dtype=bool) if keep_email is None else keep_email,
    )


# ---- prompts of ordinary users ---------------------------------------------------------


class _Drawn(NamedTuple):
    """Values already drawn for every row (a sentence part taken row by row)."""

    values: Arr


def _sentence(rng: np.random.Generator, idx: Arr, parts: tuple[object, ...]) -> Arr:
    """Concatenate ``parts`` for the rows ``idx``, drawing from banks left to right.

    A part is fixed text (``str``), values already drawn (``_Drawn``, taken at
    ``idx``), or a bank to draw from (a tuple of words or an object array).
    """
    m = len(idx)
    text = np.full(m, "", dtype=object)
    for part in parts:
        if isinstance(part, str):
            text = text + part
        elif isinstance(part, _Drawn):
            text = text + part.values[idx]
        else:
            pool = _obj(part) if isinstance(part, tuple) else np.asarray(part, dtype=object)
            text = text + _pick(rng, pool, m)
    return text


def _regular_prompts(
    rng: np.random.Generator, n: int, p: Sequence[float] = (0.33, 0.3, 0.22, 0.15)
) -> Arr:
    """Human-like prompts: writing, coding, everyday planning and (by default 15%) reasoning."""
    cat = rng.choice(4, n, p=np.asarray(p))
    out = np.empty(n, dtype=object)
    greet = _pick(rng, _obj(_GREETINGS), n)
    intro = rng.random(n) < 0.2
    pieces = _pieces(_INTRO_PIECES)
    greet[intro] = _render(
        pieces,
        rng.integers(0, len(pieces), int(intro.sum())),
        [_pick(rng, _FIRST_BANK, int(intro.sum()))],
    )
    when = rng.random(n) < 0.4
    tail = np.full(n, "", dtype=object)
    tail[when] = " (" + _pick(rng, _obj(_WHEN_TAIL), int(when.sum())) + ")"
    conn = _obj(_CONNECTORS)
    named = rng.random(n) < 0.5
    poss = _pick(rng, _obj(_POSSESSIVES), n)
    poss[named] = _pick(rng, _FIRST_BANK, int(named.sum())) + "'s"

    # each category is a sentence of parts: fixed text, words drawn from a bank, or the
    # greeting/possessive already drawn above; banks are drawn left to right
    greeting, owner = _Drawn(greet), _Drawn(poss)
    sentences: dict[int, tuple[object, ...]] = {
        0: (greeting, _W_DOING, " ", owner, " ", _W_DOC, " ", _W_FOR, conn, _W_TASK, _W_SNIPPETS),
        1: (greeting, owner, " ", _C_LANG, " ", _C_ARTIFACT, " ", _C_PROBLEM, conn, _C_TASK,
            _C_SNIPPETS),
        2: (greeting, _G_WHO, " ", owner, " ", _G_EVENT, " ", _G_PLACE, " for ", _NUM[2:41], " ",
            ("people", "of us", "guests", "friends", "adults"), conn, _G_TASK),
        3: (greeting, _FIRST_BANK, " ", _R_WHO, " ", _R_ADJ, " ", _R_SOURCE, " ", _problems(),
            _R_TAIL),
    }  # fmt: skip
    for category, parts in sentences.items():
        idx = np.flatnonzero(cat == category)
        out[idx] = _sentence(rng, idx, parts)
    return out + tail


def _react_prompts(rng: np.random.Generator, n: int) -> Arr:
    """The popular agent-framework (ReAct) template with a varying question."""
    q = _pieces(_REACT_Q)
    question = _render(q, rng.integers(0, len(q), n), [_pick(rng, _obj(_CITIES), n)])
    return _render(_pieces([_REACT_TEMPLATE]), np.zeros(n, dtype=np.int64), [question])


# ---- legitimate groups ---------------------------------------------------------------


def _regular_like(
    rng: np.random.Generator,
    plan: _Plan,
    group: str,
    n: int,
    homes: Arr,
    *,
    mean_requests: float = 8.0,
    created: Arr | None = None,
    lo_delay: int = 0,
    template_frac: float = 0.0,
    card_frac: float = 0.8,
    ipv6: Arr | None = None,
    pathway: str = "standard",
    max_home_ips: int = 2,
    people: _People | None = None,
) -> _Block:
    """Ordinary users: own home IPs, diurnal sessions, occasional mobile/VPN exits."""
    ppl = _people(rng, n) if people is None else people
    if created is None:
        before = rng.random(n) < 0.85
        created = np.where(
            before, -rng.integers(DAY, 700 * DAY, n), rng.integers(0, 27 * DAY, n)
        ).astype(np.int64)
    counts = _lognormal_counts(rng, n, mean_requests, 0.9, 1, 200)
    acct = np.repeat(np.arange(n), counts)
    r = len(acct)
    n_sess = np.clip(np.rint(counts / rng.uniform(1.5, 4.0, n)), 1, counts).astype(np.int64)
    lo = np.maximum(created + lo_delay, 0)
    hi = np.full(n, WINDOW, dtype=np.int64)
    ts = _session_times(rng, acct, n_sess, lo, hi, ppl.tz, _DIURNAL)

    k = np.ones(n, dtype=np.int64)
    if max_home_ips > 1:
        k += rng.random(n) < 0.35
    first = np.cumsum(k) - k
    ip = homes[first[acct] + (rng.random(r) * k[acct]).astype(np.int64)].copy()
    mobile_user = rng.random(n) < 0.35
    vpn_user = rng.random(n) < 0.08
    use_mobile = mobile_user[acct] & (rng.random(r) < 0.25)
    use_vpn = vpn_user[acct] & (rng.random(r) < 0.5) & ~use_mobile
    ip[use_mobile] = _pick(rng, plan.mobile, int(use_mobile.sum()))
    ip[use_vpn] = _pick(rng, plan.vpn, int(use_vpn.sum()))
    if ipv6 is not None and len(ipv6):
        v6_of = np.full(n, -1, dtype=np.int64)
        v6_of[rng.choice(n, min(n, len(ipv6)), replace=False)] = np.arange(min(n, len(ipv6)))
        sel = (v6_of[acct] >= 0) & (rng.random(r) < 0.5) & ~use_mobile & ~use_vpn
        ip[sel] = ipv6[v6_of[acct[sel]]]

    w = np.asarray(_UA_W)
    primary = rng.choice(len(_UAS), n, p=w)
    ua_idx = np.where(rng.random(r) < 0.15, rng.choice(len(_UAS), r, p=w), primary[acct])
    access = np.where(ua_idx >= _N_SDK_UAS, "console", "api").astype(object)
    pm = rng.choice(3, n, p=[0.3, 0.5, 0.2])
    model_idx = np.where(rng.random(r) < 0.8, pm[acct], rng.integers(0, 3, r))

    prompt = _regular_prompts(rng, r)
    if template_frac > 0:
        sel = rng.random(r) < template_frac
        prompt[sel] = _react_prompts(rng, int(sel.sum()))
    req = _reqs(
        acct,
        ts,
        ip,
        _obj(_UAS)[ua_idx],
        _obj(_MODELS)[model_idx],
        prompt,
        rng.integers(0, 60, r),
        _tokens(rng, r, 300, 0.8, 8000),
        access,
        rng.random(r) < 0.003,
    )
    return _block_own_cards(group, ppl, created, pathway, req, rng.random(n) < card_frac, rng)


def _university(rng: np.random.Generator, plan: _Plan, n: int) -> _Block:
    """Students: one course template, four NAT IPs, weekday lab hours."""
    ppl = _people(rng, n, country="US")
    email = (
        _INITIAL[_first_index(ppl.first)]
        + _LAST_LOWER[_last_index(ppl.last)]
        + _NUM[rng.integers(1, 100, n)]
        + "@northfield.edu"
    )
    created = rng.integers(0, 7 * DAY, n)
    counts = rng.integers(20, 41, n)
    acct = np.repeat(np.arange(n), counts)
    r = len(acct)
    lab = _hour_weights({(10, 12): 1.0, (14, 16): 1.0})
    ts = _session_times(
        rng,
        acct,
        np.ceil(counts / 5).astype(np.int64),
        created,
        np.full(n, WINDOW, dtype=np.int64),
        np.zeros(n),
        lab,
        np.zeros(24),
        gap_mean=240.0,
    )
    course = rng.random(r) < 0.6
    prompt = _regular_prompts(rng, r, (0.25, 0.45, 0.05, 0.25))
    week = np.clip(ts // (7 * DAY) + 1, 1, 4)
    prompt[course] = _render(
        _pieces([_COURSE_TEMPLATE]),
        np.zeros(int(course.sum()), dtype=np.int64),
        [_NUM[week[course]], _pick(rng, _obj(_COURSE_TOPICS), int(course.sum()))],
    )
    browser = rng.random(r) < 0.7
    ua = np.where(browser, _UAS[7], _UAS[0]).astype(object)
    req = _reqs(
        acct,
        ts,
        _pick(rng, plan.university_nat, r),
        ua,
        _models(rng, r, (0.1, 0.4, 0.5)),
        prompt,
        rng.integers(0, 40, r),
        _tokens(rng, r, 250, 0.6, 4000),
        np.where(browser, "console", "api").astype(object),
    )
    return _block_own_cards(
        "university", ppl, created, "education", req, rng.random(n) < 0.1, rng, email=email
    )


_FIRST_INDEX = {name: i for i, name in enumerate(_FIRST_NAMES)}
_LAST_INDEX = {name: i for i, name in enumerate(_LAST_NAMES)}


def _first_index(names: Arr) -> Arr:
    return pd.Series(names).map(_FIRST_INDEX).to_numpy(dtype=np.int64)


def _last_index(names: Arr) -> Arr:
    return pd.Series(names).map(_LAST_INDEX).to_numpy(dtype=np.int64)


def _company(rng: np.random.Generator, plan: _Plan, sizes: Sequence[int]) -> _Block:
    """Three declared organisations: shared corporate card, office IPs, nightly judge batch."""
    peoples: list[_People] = []
    emails, org_ids, comp_of = [], [], []
    for c, ((_name, org_id, domain, country, _tz, _), n) in enumerate(
        zip(_COMPANIES, sizes, strict=True)
    ):
        ppl = _people(rng, n, domains=(domain,), domain_w=None, country=country)
        local = _FIRST_LOWER[_first_index(ppl.first)] + "." + _LAST_LOWER[_last_index(ppl.last)]
        peoples.append(ppl)
        emails.append(local + "@" + domain)
        org_ids.append(_obj([org_id] * n))
        comp_of.append(np.full(n, c, dtype=np.int64))
    ppl = _People(
        *(np.concatenate([getattr(p, f) for p in peoples]) for f in _People.__dataclass_fields__)
    )
    comp = np.concatenate(comp_of)
    n = len(comp)
    created = -rng.integers(30 * DAY, 400 * DAY, n)
    tz = np.array([c[4] for c in _COMPANIES], dtype=float)[comp]

    # Weekday daytime work.
    counts = rng.poisson(50, n).clip(5)
    acct = np.repeat(np.arange(n), counts)
    r = len(acct)
    office = _hour_weights({(9, 12): 1.0, (13, 18): 1.0, (12, 13): 0.5})
    ts = _session_times(
        rng,
        acct,
        np.ceil(counts / 4).astype(np.int64),
        np.maximum(created, 0),
        np.full(n, WINDOW, dtype=np.int64),
        tz,
        office,
        np.zeros(24),
        gap_mean=300.0,
    )
    ip_day = np.empty(r, dtype=object)
    for c, ips in enumerate(plan.company_ips):
        sel = comp[acct] == c
        ip_day[sel] = _pick(rng, ips, int(sel.sum()))
    day = _reqs(
        acct,
        ts,
        ip_day,
        _sdk_uas(rng, r),
        _models(rng, r, (0.3, 0.6, 0.1)),
        _regular_prompts(rng, r, (0.45, 0.4, 0.1, 0.05)),
        rng.integers(20, 200, r),
        _tokens(rng, r, 350, 0.7, 6000),
        _obj(["api"] * r),
    )

    # Nightly LLM-as-judge batch at 02:00 UTC: every account, within the same minute or two.
    nights = np.arange(WINDOW_DAYS)
    batch_start = (
        nights[None, :] * DAY + 2 * HOUR + rng.integers(0, 30, (len(_COMPANIES), len(nights)))
    )
    per = rng.integers(4, 7, (n, len(nights)))
    acct_j = np.repeat(np.repeat(np.arange(n), len(nights)), per.ravel())
    night_j = np.repeat(np.tile(nights, n), per.ravel())
    rj = len(acct_j)
    ts_j = batch_start[comp[acct_j], night_j] + rng.integers(0, 100, rj)
    judge = _pieces(_JUDGE_TEMPLATES)
    prompt_j = _render(
        judge, comp[acct_j], [_pick(rng, _obj(_TICKETS), rj), _pick(rng, _obj(_REPLIES), rj)]
    )
    batch_ip = np.array([ips[0] for ips in plan.company_ips], dtype=object)[comp[acct_j]]
    nightly = _reqs(
        acct_j,
        ts_j,
        batch_ip,
        _obj([_UAS[4]] * rj),
        _obj([_MODELS[1]] * rj),
        prompt_j,
        rng.integers(50, 400, rj),
        _tokens(rng, rj, 120, 0.4, 1000),
        _obj(["api"] * rj),
    )
    card_of = comp.copy()
    added = created + rng.integers(HOUR, 30 * DAY, n)
    return _block(
        "company",
        ppl,
        created,
        "enterprise",
        _concat_reqs([day, nightly]),
        card_of,
        _obj([c[0] for c in _COMPANIES]),
        _obj([c[3] for c in _COMPANIES]),
        added,
        rng,
        org_id=np.concatenate(org_ids),
        email=np.concatenate(emails),
    )


def _family(rng: np.random.Generator, plan: _Plan, n_families: int) -> _Block:
    """Families: 2-4 accounts sharing one card (a parent's) and one home IP; evenings."""
    size = rng.integers(2, 5, n_families)
    fam = np.repeat(np.arange(n_families), size)
    n = len(fam)
    surname = rng.integers(0, len(_LAST_NAMES), n_families)
    ci = rng.choice(len(_COUNTRY_CODES), n_families, p=_COUNTRY_W)
    ppl = _people(rng, n, last_idx=surname[fam])
    ppl.country = _COUNTRY_CODES[ci][fam]
    ppl.tz = _COUNTRY_TZ[ci][fam].astype(float)
    created = -rng.integers(DAY, 900 * DAY, n)
    counts = rng.integers(5, 21, n)
    acct = np.repeat(np.arange(n), counts)
    r = len(acct)
    ts = _session_times(
        rng,
        acct,
        np.ceil(counts / 3).astype(np.int64),
        np.maximum(created, 0),
        np.full(n, WINDOW, dtype=np.int64),
        ppl.tz,
        _hour_weights({(18, 23): 1.0, (17, 18): 0.4}),
        _hour_weights({(10, 23): 1.0}),
    )
    ua_idx = rng.choice([7, 8, 9, 0], n, p=[0.35, 0.25, 0.3, 0.1])[acct]
    req = _reqs(
        acct,
        ts,
        plan.homes["family"][fam[acct]],
        _obj(_UAS)[ua_idx],
        _models(rng, r, (0.2, 0.5, 0.3)),
        _regular_prompts(rng, r, (0.35, 0.1, 0.35, 0.2)),
        rng.integers(0, 40, r),
        _tokens(rng, r, 280, 0.7, 6000),
        np.where(ua_idx >= _N_SDK_UAS, "console", "api").astype(object),
    )
    parent = np.cumsum(size) - size
    added = created + rng.integers(MINUTE, 3 * DAY, n)
    return _block(
        "family",
        ppl,
        created,
        "standard",
        req,
        fam,
        ppl.display[parent],
        ppl.country[parent],
        added,
        rng,
    )


def _cohort(rng: np.random.Generator, plan: _Plan, n: int) -> _Block:
    """A start-up programme cohort: same signup afternoon, onboarding template first."""
    created = 2 * DAY + 14 * HOUR + rng.integers(0, 3 * HOUR, n)
    block = _regular_like(
        rng,
        plan,
        "cohort",
        n,
        plan.homes["cohort"],
        created=created,
        lo_delay=2 * HOUR,
        card_frac=1.0,
        pathway="startup_program",
    )
    k = rng.integers(1, 4, n)
    acct = np.repeat(np.arange(n), k)
    m = len(acct)
    ts = created[acct] + rng.integers(2 * MINUTE, 2 * HOUR, m)
    first_ip = block.req["ip"][np.searchsorted(block.req["acct"], np.arange(n))]
    prompt = _render(
        _pieces([_ONBOARDING_TEMPLATE]),
        np.zeros(m, dtype=np.int64),
        [_pick(rng, _obj(_STARTUP_IDEAS), m)],
    )
    onboarding = _reqs(
        acct,
        ts,
        first_ip[acct],
        _obj([_UAS[7]] * m),
        _obj([_MODELS[1]] * m),
        prompt,
        rng.integers(0, 30, m),
        _tokens(rng, m, 150, 0.4, 800),
        _obj(["console"] * m),
    )
    block.req = _concat_reqs([onboarding, block.req])
    return block


def _heavy_user(rng: np.random.Generator, plan: _Plan) -> _Block:
    """One honest power user: ~4,000 chain-of-thought prompts from one home IP."""
    ppl = _people(rng, 1, country="US")
    created = np.array([-400 * DAY])
    r = 4000
    acct = np.zeros(r, dtype=np.int64)
    ts = _session_times(
        rng,
        acct,
        np.array([220]),
        np.zeros(1, dtype=np.int64),
        np.array([WINDOW]),
        ppl.tz,
        _hour_weights({(8, 23): 1.0}, base=0.05),
        gap_mean=60.0,
    )
    cot = _pieces(_COT_TEMPLATES)
    prompt = _render(cot, rng.integers(0, len(cot), r), [_pick(rng, _problems(), r)])
    req = _reqs(
        acct,
        ts,
        _obj([plan.homes["heavy_user"][0]] * r),
        _obj([_UAS[1]] * r),
        _models(rng, r, (0.85, 0.15, 0.0)),
        prompt,
        rng.integers(0, 20, r),
        _tokens(rng, r, 1500, 0.5, 16000),
        _obj(["api"] * r),
    )
    return _block_own_cards(
        "heavy_user", ppl, created, "standard", req, np.array([True]), rng, n_keys=np.array([1])
    )


def _cloud_developer(rng: np.random.Generator, plan: _Plan, n: int) -> _Block:
    """Developers calling from their own Nimbus Cloud servers; some next to the harvest."""
    ppl = _people(rng, n)
    created = np.where(
        rng.random(n) < 0.9, -rng.integers(DAY, 500 * DAY, n), rng.integers(0, 20 * DAY, n)
    ).astype(np.int64)
    counts = _lognormal_counts(rng, n, 25.0, 0.8, 1, 400)
    acct = np.repeat(np.arange(n), counts)
    r = len(acct)
    always = rng.random(n) < 0.5
    lo = np.maximum(created, 0)
    hi = np.full(n, WINDOW, dtype=np.int64)
    n_sess = np.ceil(counts / 4).astype(np.int64)
    ts = np.empty(r, dtype=np.int64)
    office = _hour_weights({(8, 19): 1.0}, base=0.1)
    for flag, weights in ((True, _ALWAYS), (False, office)):
        sel_a = always == flag
        idx = np.flatnonzero(sel_a[acct])
        remap = np.cumsum(sel_a) - 1
        ts[idx] = _session_times(
            rng, remap[acct[idx]], n_sess[sel_a], lo[sel_a], hi[sel_a], ppl.tz[sel_a], weights
        )
    n_shared = len(plan.cloud_shared)
    k = np.where(np.arange(n) < n_shared, 1, 1 + (rng.random(n) < 0.5)).astype(np.int64)
    first = np.cumsum(k) - k
    ip_table = np.concatenate([plan.cloud_shared, plan.cloud_other])
    ip = ip_table[first[acct] + (rng.random(r) * k[acct]).astype(np.int64)]
    role = rng.integers(0, len(_APP_ROLES), n)
    product = _pick(rng, _obj(_APP_ADJ), n) + _pick(rng, _obj(_APP_NOUN), n)
    app = _render(_pieces(_APP_ROLES), role, [product])
    own_app = rng.random(r) < 0.7
    prompt = _regular_prompts(rng, r, (0.1, 0.8, 0.05, 0.05))
    prompt[own_app] = app[acct[own_app]] + _pick(rng, _obj(_APP_SLOTS), int(own_app.sum()))
    ua_idx = rng.choice([0, 1, 2, 3, 4], n, p=[0.4, 0.1, 0.3, 0.1, 0.1])
    req = _reqs(
        acct,
        ts,
        ip,
        _obj(_UAS)[ua_idx[acct]],
        _models(rng, r, (0.2, 0.5, 0.3)),
        prompt,
        rng.integers(0, 120, r),
        _tokens(rng, r, 200, 0.7, 4000),
        _obj(["api"] * r),
    )
    return _block_own_cards(
        "cloud_developer", ppl, created, "standard", req, rng.random(n) < 0.9, rng
    )


# ---- campaigns -----------------------------------------------------------------------


def _harvest(rng: np.random.Generator, plan: _Plan, n: int) -> _Block:
    """reasoning_harvest (Kestrel AI): a 24/7 dispatcher over cards shared three ways."""
    ppl = _people(rng, n, domains=_CAMPAIGN_FREEMAIL, domain_w=(0.6, 0.25, 0.15))
    email = ppl.email.copy()
    keep = np.zeros(n, dtype=bool)
    pair = rng.choice(n, 2, replace=False)
    email[pair] = ["kestrel.ops+a1@gmail.com", "kestrelops@gmail.com"]
    keep[pair] = True
    created = rng.integers(0, 3 * DAY, n)

    n_cards = -(-n // 3)
    card_of = rng.permutation(np.arange(n) // 3)
    names = _people(rng, n_cards)
    card_name = names.display.copy()
    card_name[rng.choice(n_cards, 2 if n_cards >= 4 else 1, replace=False)] = (
        "Kestrel Data Services Ltd"
    )
    added = created + rng.integers(10 * MINUTE, 12 * HOUR, n)

    r = round(n * 10_000 / 36)
    t0 = 3 * DAY
    dt = (WINDOW - t0) / r
    ts = (t0 + (np.arange(r) + 0.5 + rng.uniform(-0.1, 0.1, r)) * dt).astype(np.int64)
    acct = _round_robin(rng, n, r)
    ip = plan.harvest_pool[_round_robin(rng, len(plan.harvest_pool), r)]

    family = rng.choice(3, r, p=[0.45, 0.3, 0.25])
    prompt = np.empty(r, dtype=object)
    idx = np.flatnonzero(family == 0)
    p = _pieces(_HARVEST_REASONING)
    prompt[idx] = _render(p, rng.integers(0, len(p), len(idx)), [_pick(rng, _problems(), len(idx))])
    idx = np.flatnonzero(family == 1)
    p = _pieces(_HARVEST_GRADING)
    prompt[idx] = _render(
        p,
        rng.integers(0, len(p), len(idx)),
        [_pick(rng, _problems(), len(idx)), _pick(rng, _obj(_GRADED_RESPONSES), len(idx))],
    )
    idx = np.flatnonzero(family == 2)
    p = _pieces(_HARVEST_REWRITE)
    prompt[idx] = _render(
        p,
        rng.integers(0, len(p), len(idx)),
        [
            _pick(rng, _obj(_SENSITIVE_TOPICS), len(idx)),
            _pick(rng, _obj(_SENSITIVE_ANSWERS), len(idx)),
        ],
    )
    out_tok = np.where(
        family == 1, _tokens(rng, r, 700, 0.3, 4000), _tokens(rng, r, 2600, 0.35, 16000)
    )
    req = _reqs(
        acct,
        ts,
        ip,
        _obj([_UAS[0]] * r),
        _models(rng, r, (0.9, 0.1, 0.0)),
        prompt,
        rng.integers(20, 60, r),
        out_tok,
        _obj(["api"] * r),
    )
    return _block(
        "campaign",
        ppl,
        created,
        "standard",
        req,
        card_of,
        card_name,
        names.country,
        added,
        rng,
        campaign_id="reasoning_harvest",
        organization=_CAMPAIGNS["reasoning_harvest"],
        email=email,
        keep_email=keep,
        n_keys=np.ones(n, dtype=np.int64),
    )


def _swarm(rng: np.random.Generator, plan: _Plan, n: int) -> _Block:
    """agentic_swarm (Orca Intelligence): three shifts behind rotating residential proxies."""
    ppl = _people(rng, n, domains=_CAMPAIGN_FREEMAIL, domain_w=(0.5, 0.3, 0.2))
    shares = np.array([0.3, 0.25, 0.2, 0.25])
    n_path = np.floor(shares * n).astype(np.int64)
    n_path[np.argsort(-(shares * n - n_path))[: n - n_path.sum()]] += 1
    pathway = rng.permutation(
        np.repeat(_obj(["education", "startup_program", "cloud_partner", "standard"]), n_path)
    )
    created = rng.integers(-9 * DAY, DAY - HOUR, n)

    has_card = rng.random(n) >= 0.1
    carded = rng.permutation(np.flatnonzero(has_card))
    n_paired = 2 * round(0.15 * len(carded) / 2)
    card_slot = np.concatenate(
        [np.arange(n_paired) // 2, n_paired // 2 + np.arange(len(carded) - n_paired)]
    )
    card_of = np.full(n, -1, dtype=np.int64)
    card_of[carded] = card_slot
    n_cards = int(card_slot.max()) + 1 if len(card_slot) else 0
    owner = np.full(n_cards, -1, dtype=np.int64)
    owner[card_slot[::-1]] = carded[::-1]
    added = created + rng.integers(5 * MINUTE, DAY, n)

    r = round(n * 25_000 / 300)
    t0 = DAY
    dt = (WINDOW - t0) / r
    ts = (t0 + (np.arange(r) + 0.5 + rng.uniform(-0.3, 0.3, r)) * dt).astype(np.int64)
    shift = rng.permutation(np.arange(n) % 3)
    active = rng.random((n, WINDOW_DAYS)) < 0.85
    acct = np.empty(r, dtype=np.int64)
    slot = (ts // DAY) * 3 + (ts % DAY) // (8 * HOUR)
    bounds = np.searchsorted(slot, np.arange(WINDOW_DAYS * 3 + 1))
    for s in range(WINDOW_DAYS * 3):
        lo_i, hi_i = bounds[s], bounds[s + 1]
        if hi_i <= lo_i:
            continue
        day, sh = divmod(s, 3)
        members = np.flatnonzero((shift == sh) & active[:, day])
        if len(members) == 0:
            members = np.flatnonzero(shift == sh)
        if len(members) == 0:
            members = np.arange(n)
        acct[lo_i:hi_i] = members[_round_robin(rng, len(members), hi_i - lo_i)]

    pool = plan.proxy_pool
    live_n = max(3, len(pool) // 10)
    hours = WINDOW // HOUR
    live = np.argsort(rng.random((hours, len(pool))), axis=1)[:, :live_n]
    ip = pool[live[ts // HOUR, rng.integers(0, live_n, r)]]
    corp = rng.random(r) < 0.01
    ip[corp] = _pick(rng, plan.orca_corp, int(corp.sum()))
    ua = _sdk_uas(rng, r)
    ua[rng.random(r) < 0.3] = _HARNESS_UA
    access = np.where(pathway == "cloud_partner", "cloud_partner", "api").astype(object)[acct]

    which = rng.integers(0, len(_SWARM_SCAFFOLDS), r)
    tasks = _pick(rng, _obj(_AGENT_TASKS_A), r) + " " + _pick(rng, _obj(_AGENT_TASKS_B), r)
    slot_text = np.where(
        which == 2,
        _pick(rng, _obj(_IMAGE_QUESTIONS), r),
        np.where(
            which == 4,
            _pick(rng, _obj(_CODE_ACTIONS), r) + " " + _pick(rng, _obj(_CODE_TARGETS), r),
            tasks,
        ),
    )
    prompt = _render(_pieces(_SWARM_SCAFFOLDS, "\0"), which, [slot_text])
    extra = np.where(
        np.isin(which, [1, 2]), rng.integers(1200, 2600, r), rng.integers(600, 3000, r)
    )
    req = _reqs(
        acct,
        ts,
        ip,
        ua,
        _models(rng, r, (0.6, 0.4, 0.0)),
        prompt,
        extra,
        _tokens(rng, r, 350, 0.5, 4000),
        access,
    )
    return _block(
        "campaign",
        ppl,
        created,
        pathway,
        req,
        card_of,
        ppl.display[owner],
        ppl.country[owner],
        added,
        rng,
        campaign_id="agentic_swarm",
        organization=_CAMPAIGNS["agentic_swarm"],
    )


def _firehose(rng: np.random.Generator, plan: _Plan, n: int) -> _Block:
    """coding_firehose (Tidewater Labs): 60 fresh accounts hammering one coding scaffold."""
    ppl = _people(rng, n, domains=_CAMPAIGN_FREEMAIL, domain_w=(0.5, 0.3, 0.2), country="US")
    email = ppl.email.copy()
    j = int(rng.integers(0, n))
    email[j] = (
        _FIRST_LOWER[_first_index(ppl.first[j : j + 1])][0]
        + "."
        + _LAST_LOWER[_last_index(ppl.last[j : j + 1])][0]
        + "@tidewater-labs.com"
    )
    created = 24 * DAY + rng.integers(0, 20 * HOUR, n)
    start = 25 * DAY + np.clip(np.rint(rng.normal(0, 120, n)), -300, 300).astype(np.int64)
    k = rng.integers(200, 301, n)
    acct = np.repeat(np.arange(n), k)
    r = len(acct)
    rank = np.arange(r) - np.repeat(np.cumsum(k) - k, k)
    span = (WINDOW - start)[acct] / k[acct]
    ts = (start[acct] + (rank + rng.uniform(0.1, 0.9, r)) * span).astype(np.int64)
    ts = np.minimum(ts, WINDOW - 1)
    prompt = _render(
        _pieces([_FIREHOSE_TEMPLATE]),
        np.zeros(r, dtype=np.int64),
        [_pick(rng, _obj(_CODE_ACTIONS), r) + " " + _pick(rng, _obj(_CODE_TARGETS), r)],
    )
    req = _reqs(
        acct,
        ts,
        _pick(rng, plan.twl_hosts, r),
        _obj([_UAS[0]] * r),
        _models(rng, r, (0.8, 0.2, 0.0)),
        prompt,
        rng.integers(3000, 12000, r),
        _tokens(rng, r, 1100, 0.5, 12000),
        _obj(["api"] * r),
    )
    cards = _people(rng, n)
    added = created + rng.integers(MINUTE, 30 * MINUTE, n)
    return _block(
        "campaign",
        ppl,
        created,
        "standard",
        req,
        np.arange(n),
        cards.display,
        _obj(["US"] * n),
        added,
        rng,
        campaign_id="coding_firehose",
        organization=_CAMPAIGNS["coding_firehose"],
        email=email,
    )


# --------------------------------------------------------------------------------------
# Assembly
# --------------------------------------------------------------------------------------


def _sizes(scale: float) -> dict[str, Any]:
    """Account counts of every group at ``scale`` (and the pools that follow them)."""
    n_cloud = _n(100, scale)
    return {
        "reasoning_harvest": _n(36, scale),
        "agentic_swarm": _n(300, scale, minimum=3),
        "coding_firehose": _n(60, scale),
        "regular": _n(4000, scale),
        "popular_template": _n(300, scale),
        "university": _n(150, scale),
        "company": [_n(c[5], scale) for c in _COMPANIES],
        "family_count": _n(40, scale, minimum=1),
        "cohort": _n(80, scale),
        "cloud_developer": n_cloud,
        "cloud_shared": min(n_cloud, 200, _n(10, scale, minimum=1)),
        "proxy_overlap": _n(10, scale),
        "proxy_pool": _n(600, scale, minimum=30),
    }


def _finalize(block: _Block, rng: np.random.Generator) -> _Block:
    """Draw the block's ids (accounts, keys, requests, card fingerprints)."""
    n = len(block.created)
    block.account_id = _unique_u64(rng, n, 8)
    total_keys = int(block.n_keys.sum())
    block.key_id = _unique_u64(rng, total_keys, 10)
    block.key_start = np.cumsum(block.n_keys) - block.n_keys
    acct = block.req["acct"]
    block.req_key = block.key_start[acct] + (rng.random(len(acct)) * block.n_keys[acct]).astype(
        np.int64
    )
    block.request_id = _unique_u64(rng, len(acct), 12)
    block.card_fp = _fingerprint_values(rng, len(block.card_name))
    return block


def _dedupe_values(values: Arr, rng: np.random.Generator, width: int) -> Arr:
    """Redraw values (integers) that repeat an earlier one; returns the fixed array."""
    values = values.copy()
    _, first = np.unique(values, return_index=True)
    dup = np.ones(len(values), dtype=bool)
    dup[first] = False
    if dup.any():
        values[dup] = _unique_u64(rng, int(dup.sum()), width, values[~dup])
    return values


def _canonical_email(email: pd.Series) -> pd.Series:
    """Mailbox identity: lower case, ``+tag`` dropped, dots in the local part dropped."""
    parts = email.str.lower().str.split("@", n=1, expand=True)
    local = parts[0].str.split("+", n=1).str[0].str.replace(".", "", regex=False)
    return local + "@" + parts[1]


def _dedupe_emails(email: Arr, keep: Arr, rng: np.random.Generator) -> Arr:
    """Make emails distinct mailboxes, except the deliberately shared ones (``keep``)."""
    mail = pd.Series(email, dtype=object)
    for _ in range(20):
        canon = _canonical_email(mail)
        kept = set(canon[keep])
        clash = (canon.duplicated() & ~keep) | (canon.isin(kept) & ~keep)
        if not clash.any():
            break
        parts = mail[clash].str.split("@", n=1, expand=True)
        digits = _NUM[rng.integers(10, 10_000, int(clash.sum()))]
        mail[clash] = (parts[0] + digits + "@" + parts[1]).to_numpy()
    return mail.to_numpy(dtype=object)


def _ts(seconds: Arr) -> pd.Series:
    """Seconds from the window start -> tz-aware UTC timestamps (microsecond unit)."""
    values = (_EPOCH + np.asarray(seconds, dtype=np.int64).astype("timedelta64[s]")).astype(
        "datetime64[us]"
    )
    return pd.Series(values).dt.tz_localize("UTC")


def _iso(seconds: float | int) -> str:
    return (WINDOW_START + pd.Timedelta(seconds=int(seconds))).strftime("%Y-%m-%dT%H:%M:%SZ")


def _indicators(scenario: str) -> pd.DataFrame:
    rows: list[tuple[str, str, str, float, str]] = []
    if scenario == "default":
        rows += [
            ("email", "kestrelops@gmail.com", "Kestrel AI", 0.9, "partner-lab-share"),
            ("billing_name", "Kestrel Data Services Ltd", "Kestrel AI", 0.8, "payments-risk"),
            ("user_agent", "orca-harness/", "Orca Intelligence", 0.8, "threat-intel-feed"),
            ("asn", str(_ORCA_CORP[0]), "Orca Intelligence", 0.7, "rir-whois"),
            ("ip_cidr", _TWL[2], "Tidewater Labs", 0.85, "threat-intel-feed"),
            ("email_domain", "tidewater-labs.com", "Tidewater Labs", 0.6, "osint"),
        ]
    rows += [
        ("asn", str(_NIMBUS[0]), "Zephyr Research", 0.3, "unverified-tip"),
        ("org_id", _COMPANIES[1][1], _COMPANIES[1][0], 0.95, "customer-declared"),
        ("ip_cidr", _BASILISK_CIDR, "Basilisk AI", 0.7, "threat-intel-feed"),
    ]
    return pd.DataFrame(
        rows, columns=["indicator_type", "value", "organization", "confidence", "source"]
    )


def _assemble(
    blocks: list[_Block], plan: _Plan, rng: np.random.Generator, scenario: str
) -> dict[str, pd.DataFrame]:
    """Concatenate the groups, resolve cross-group id clashes and build the tables."""
    acct_offset = np.cumsum([0] + [len(b.created) for b in blocks])
    key_offset = np.cumsum([0] + [len(b.key_id) for b in blocks])
    card_offset = np.cumsum([0] + [len(b.card_name) for b in blocks])

    account_id = _hex_strings(
        _dedupe_values(np.concatenate([b.account_id for b in blocks]), rng, 8), 8, "acct_"
    )
    key_id = _hex_strings(
        _dedupe_values(np.concatenate([b.key_id for b in blocks]), rng, 10), 10, "key_"
    )
    card_fp = np.concatenate([b.card_fp for b in blocks])
    if pd.Series(card_fp).duplicated().any():  # pragma: no cover - 64-bit clash
        dup = pd.Series(card_fp).duplicated().to_numpy()
        card_fp[dup] = _fingerprint_values(rng, int(dup.sum()), card_fp[~dup])
    email = _dedupe_emails(
        np.concatenate([b.email for b in blocks]),
        np.concatenate([b.keep_email for b in blocks]),
        rng,
    )
    created = np.concatenate([b.created for b in blocks])

    accounts = pd.DataFrame(
        {
            "account_id": account_id,
            "created_at": _ts(created),
            "email": email,
            "display_name": np.concatenate([b.display_name for b in blocks]),
            "org_id": np.concatenate([b.org_id for b in blocks]),
            "signup_pathway": np.concatenate([b.pathway for b in blocks]),
            "country": np.concatenate([b.country for b in blocks]),
        }
    )
    labels = pd.DataFrame(
        {
            "account_id": account_id,
            "campaign_id": np.concatenate([np.full(len(b.created), b.campaign_id) for b in blocks]),
            "organization": np.concatenate(
                [np.full(len(b.created), b.organization) for b in blocks]
            ),
            "group": np.concatenate([np.full(len(b.created), b.group) for b in blocks]),
        }
    )

    # payment methods
    pay_acct, pay_card, pay_added = [], [], []
    for i, b in enumerate(blocks):
        has = np.flatnonzero(b.card_of >= 0)
        pay_acct.append(acct_offset[i] + has)
        pay_card.append(card_offset[i] + b.card_of[has])
        pay_added.append(b.card_added[has])
    pa_idx = np.concatenate(pay_acct)
    pc_idx = np.concatenate(pay_card)
    payments = pd.DataFrame(
        {
            "account_id": account_id[pa_idx],
            "payment_fingerprint": _hex_strings(card_fp[pc_idx], 16, "pm_"),
            "billing_name": np.concatenate([b.card_name for b in blocks])[pc_idx],
            "billing_country": np.concatenate([b.card_country for b in blocks])[pc_idx],
            "added_at": _ts(np.concatenate(pay_added)),
        }
    )
    payments = payments.sort_values(["added_at", "account_id"], kind="stable", ignore_index=True)

    # requests
    req = _concat_reqs([b.req for b in blocks])
    glob_acct = np.concatenate([acct_offset[i] + b.req["acct"] for i, b in enumerate(blocks)])
    glob_key = np.concatenate([key_offset[i] + b.req_key for i, b in enumerate(blocks)])
    request_id = _hex_strings(
        _dedupe_values(np.concatenate([b.request_id for b in blocks]), rng, 12), 12, "req_"
    )
    order = np.argsort(req["ts"], kind="stable")
    prompt = pd.Series(req["prompt"][order])
    lengths = prompt.str.len().to_numpy(dtype=np.int64)
    input_tokens = -(-lengths // 4) + req["extra_input"][order]
    prompt = prompt.where(~req["missing"][order])  # a few rows with no prompt sample
    requests = pd.DataFrame(
        {
            "request_id": request_id[order],
            "account_id": account_id[glob_acct[order]],
            "ts": _ts(req["ts"][order]),
            "ip": req["ip"][order],
            "access_pathway": req["access_pathway"][order],
            "api_key_id": key_id[glob_key[order]],
            "user_agent": req["user_agent"][order],
            "model": req["model"][order],
            "prompt": prompt,
            "input_tokens": input_tokens,
            "output_tokens": req["output_tokens"][order],
        }
    )

    accounts = accounts.sort_values(["created_at", "account_id"], kind="stable", ignore_index=True)
    labels = labels.sort_values("account_id", kind="stable", ignore_index=True)
    intel = plan.intel.copy()
    return {
        "accounts": accounts,
        "requests": requests,
        "payment_methods": payments,
        "ip_intel": intel,
        "indicators": _indicators(scenario),
        "labels": labels,
    }


def _metadata(
    tables: dict[str, pd.DataFrame], scenario: str, seed: int, scale: float
) -> dict[str, Any]:
    labels = tables["labels"]
    req = tables["requests"]
    group_of = labels.set_index("account_id")["group"]
    camp_of = labels.set_index("account_id")["campaign_id"]
    per_req_group = req["account_id"].map(group_of)
    per_req_campaign = req["account_id"].map(camp_of)
    campaigns = []
    for cid, org in _CAMPAIGNS.items():
        sel = per_req_campaign == cid
        if not sel.any():
            continue
        ts = req.loc[sel, "ts"]
        campaigns.append(
            {
                "campaign_id": cid,
                "organization": org,
                "first_request": ts.min().strftime("%Y-%m-%dT%H:%M:%SZ"),
                "last_request": ts.max().strftime("%Y-%m-%dT%H:%M:%SZ"),
                "accounts": int((labels["campaign_id"] == cid).sum()),
                "requests": int(sel.sum()),
            }
        )
    groups = {
        g: {
            "accounts": int((labels["group"] == g).sum()),
            "requests": int((per_req_group == g).sum()),
        }
        for g in ("campaign", *_LEGIT_GROUPS)
        if (labels["group"] == g).any()
    }
    return {
        "generator": "linkage.generate",
        "scenario": scenario,
        "description": SCENARIOS[scenario],
        "seed": seed,
        "scale": scale,
        "window_start": _iso(0),
        "window_end": _iso(WINDOW),
        "campaigns": campaigns,
        "groups": groups,
        "rows": {name: len(df) for name, df in tables.items()},
    }


def _validate(scenario: str, scale: float) -> None:
    if scenario not in SCENARIOS:
        raise ValueError(
            f"unknown scenario {scenario!r}; choose one of: {', '.join(sorted(SCENARIOS))}"
        )
    if (
        isinstance(scale, bool)
        or not isinstance(scale, int | float)
        or not math.isfinite(scale)
        or scale <= 0
    ):
        raise ValueError(f"scale must be a finite number > 0, got {scale!r}")


def generate(scenario: str = "default", seed: int = 0, scale: float = 1.0) -> GeneratedDataset:
    """Generate a synthetic dataset of API-provider logs.

    Pure and deterministic: the same ``(scenario, seed, scale)`` gives equal
    tables (and byte-identical files through :func:`write_dataset`).

    Parameters
    ----------
    scenario
        A key of :data:`SCENARIOS`: ``"default"`` (three planted campaigns among
        legitimate traffic) or ``"legit_only"`` (the same legitimate rows, no
        campaigns, decoy indicators only).
    seed
        Seed of ``numpy.random.default_rng``; every group uses its own child stream.
    scale
        Multiplies the account count of every group (rounded, at least 2 per
        group; the heavy user stays 1). Per-account volumes do not change, so
        ``scale=1`` gives about 5,000 accounts and 110,000 requests, ``scale=10``
        about 52,000 accounts and 1.1 million requests.

    Returns
    -------
    GeneratedDataset
        ``tables`` (the six contract tables) and ``metadata`` (see
        :class:`GeneratedDataset`).

    Raises
    ------
    ValueError
        Unknown scenario, or ``scale`` not a finite number > 0.
    """
    _validate(scenario, scale)
    sizes = _sizes(scale)
    children = np.random.default_rng(seed).spawn(len(_STREAMS))
    streams = dict(zip(_STREAMS, children, strict=True))
    plan = _make_plan(streams["network"], sizes)

    def build(name: str) -> _Block:
        content, ids = streams[name].spawn(2)
        if name == "reasoning_harvest":
            block = _harvest(content, plan, sizes[name])
        elif name == "agentic_swarm":
            block = _swarm(content, plan, sizes[name])
        elif name == "coding_firehose":
            block = _firehose(content, plan, sizes[name])
        elif name == "regular":
            block = _regular_like(
                content, plan, name, sizes[name], plan.homes[name], ipv6=plan.ipv6_homes
            )
        elif name == "popular_template":
            block = _regular_like(
                content, plan, name, sizes[name], plan.homes[name], template_frac=0.5
            )
        elif name == "university":
            block = _university(content, plan, sizes[name])
        elif name == "company":
            block = _company(content, plan, sizes[name])
        elif name == "family":
            block = _family(content, plan, sizes["family_count"])
        elif name == "cohort":
            block = _cohort(content, plan, sizes[name])
        elif name == "heavy_user":
            block = _heavy_user(content, plan)
        elif name == "cloud_developer":
            block = _cloud_developer(content, plan, sizes[name])
        elif name == "proxy_overlap":
            block = _regular_like(
                content, plan, name, sizes[name], plan.proxy_overlap_homes, max_home_ips=1
            )
        else:  # pragma: no cover
            raise AssertionError(name)
        return _finalize(block, ids)

    names = [*(_CAMPAIGNS if scenario == "default" else ()), *_LEGIT_GROUPS]
    blocks = [build(name) for name in names]
    tables = _assemble(blocks, plan, streams["fixup"], scenario)
    return GeneratedDataset(tables=tables, metadata=_metadata(tables, scenario, seed, scale))


# --------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------


def _arrow_table(df: pd.DataFrame, iso_timestamps: bool) -> pa.Table:
    """DataFrame -> Arrow table; timestamps optionally as ``YYYY-MM-DDTHH:MM:SSZ`` strings."""
    columns: dict[str, pa.Array] = {}
    for name in df.columns:
        col = df[name]
        if isinstance(col.dtype, pd.DatetimeTZDtype):
            naive = col.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[s]")
            if iso_timestamps:
                columns[name] = pa.array(np.datetime_as_string(naive, unit="s", timezone="UTC"))
            else:
                columns[name] = pa.array(naive).cast(pa.timestamp("s", tz="UTC"))
        else:
            columns[name] = pa.Array.from_pandas(col)
    return pa.table(columns)


def write_dataset(dataset: GeneratedDataset, out_dir: Path | str, fmt: str = "csv") -> list[Path]:
    """Write a generated dataset as one file per table plus ``scenario.json``.

    Parameters
    ----------
    dataset
        What :func:`generate` returned.
    out_dir
        Folder to write into (created if missing; existing files are overwritten).
    fmt
        ``"csv"`` (UTF-8, header row, timestamps like ``2026-10-03T14:05:09Z``,
        nulls as empty fields) or ``"parquet"`` (timestamps as UTC timestamps).

    Returns
    -------
    list[pathlib.Path]
        The files written: the six tables in :data:`TABLES` order, then ``scenario.json``.

    Raises
    ------
    ValueError
        ``fmt`` is neither ``"csv"`` nor ``"parquet"``.
    """
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"unknown format {fmt!r}; choose 'csv' or 'parquet'")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for name in TABLES:
        table = _arrow_table(dataset.tables[name], iso_timestamps=fmt == "csv")
        path = out / f"{name}.{fmt}"
        if fmt == "csv":
            pacsv.write_csv(table, path)
        else:
            pq.write_table(table, path, compression="zstd")
        written.append(path)
    meta_path = out / "scenario.json"
    meta_path.write_text(json.dumps(dataset.metadata, indent=2) + "\n", encoding="utf-8")
    written.append(meta_path)
    return written
