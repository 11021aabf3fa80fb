"""Build ``data/intent/train.jsonl``, the training corpus of the prompt-intent classifier.

Deterministic (seeded); run from the repository root::

    python data/intent/build_corpus.py

The corpus (about 7.6 MB) is generated, not committed: ``train_model.py`` builds it before
it trains, and the tests build it in memory (:func:`build_rows`).

Inputs are hand-written banks under ``data/intent/banks/``:

* ``<class>.txt``: whole prompts, entries separated by a line ``%%``, first line ``@<lang>``;
  each is used once, as written.
* ``*.tsv``: one piece a line, ``lang<TAB>text`` (``\\n`` stands for a newline): problems,
  instructions with ``{p}``/``{t}``/``{q}``/``{r}``/``{a}``/``{b}`` slots, passages, answers.

The pieces are combined here by several *different* small grammars per class (instruction
around a problem, batches, few-shot, transcripts, tool lists, screens, repositories...), and
the same chat scaffolds wrap texts of every class, ``none`` included, so that a scaffold is no
evidence of intent by itself. The ``none`` class reuses the distillation classes' raw
material (the same maths problems, sensitive passages, code, answers) under ordinary users'
framings, so the classifier has to learn the *request*, not the topic.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
BANKS = HERE / "banks"
SEED = 20260611


def blocks(name: str) -> list[tuple[str, str]]:
    """(lang, text) entries of a ``%%``-separated bank."""
    out = []
    for raw in (BANKS / name).read_text(encoding="utf-8").split("\n%%\n"):
        raw = raw.strip("\n")
        if not raw:
            continue
        head, _, body = raw.partition("\n")
        out.append((head.lstrip("@").strip(), body.strip()))
    return out


def lines(name: str) -> list[tuple[str, ...]]:
    """Tab-separated rows of a bank, ``\\n`` unescaped."""
    out = []
    for line in (BANKS / name).read_text(encoding="utf-8").splitlines():
        if line.strip():
            out.append(tuple(part.replace("\\n", "\n") for part in line.split("\t")))
    return out


def by_lang(rows: list[tuple[str, ...]]) -> dict[str, list[tuple[str, ...]]]:
    grouped: dict[str, list[tuple[str, ...]]] = {}
    for row in rows:
        grouped.setdefault(row[0], []).append(row)
    return grouped


# ---------------------------------------------------------------- chat scaffolds (all classes)
def scaffold(text: str, rng: random.Random) -> str:
    """Wrap a prompt in one of the chat formats seen in API traffic, or leave it bare."""
    k = rng.random()
    if k < 0.70:
        return text
    style = rng.randrange(7)
    if style == 0:
        return f"User: {text}\nAssistant:"
    if style == 1:
        return f"<|im_start|>user\n{text}<|im_end|>\n<|im_start|>assistant\n"
    if style == 2:
        seps = (",", ":") if rng.random() < 0.5 else (", ", ": ")
        body = {"messages": [{"role": "user", "content": text}]}
        return json.dumps(body, ensure_ascii=False, separators=seps)
    if style == 3:
        return f"[INST] {text} [/INST]"
    if style == 4:
        return f"### Human: {text}\n### Assistant:"
    if style == 5:
        return f"<s>[INST] <<SYS>>\nYou are a helpful assistant.\n<</SYS>>\n\n{text} [/INST]"
    return json.dumps({"prompt": text, "max_tokens": rng.choice([256, 1024, 4096])})


# ---------------------------------------------------------------- reasoning
SHORT_COT = {
    "en": [
        "Think step by step.",
        "Show your work.",
        "Let's think step by step.",
        "Explain your reasoning, then answer.",
        "Reason carefully before answering; put the answer in \\boxed{}.",
        "Give the full chain of thought, then the final answer.",
        "Work it out step by step and box the final answer.",
        "Show every intermediate step.",
    ],
    "zh": ["请一步一步思考。", "写出完整解题过程。", "请给出详细推理过程，最后写出答案。"],
    "es": ["Piensa paso a paso.", "Muestra todo el procedimiento.", "Razona paso a paso."],
    "ru": ["Решай пошагово.", "Покажи все шаги решения.", "Рассуждай шаг за шагом."],
    "fr": ["Réfléchis étape par étape.", "Montre toutes les étapes du calcul."],
    "de": ["Denke Schritt für Schritt.", "Zeige alle Rechenschritte."],
    "pt": ["Pense passo a passo.", "Mostre todos os passos da resolução."],
    "ja": ["ステップバイステップで考えてください。", "途中式をすべて書いてください。"],
    "ko": ["단계별로 생각해 보세요.", "풀이 과정을 모두 쓰세요."],
    "ar": ["فكّر خطوة بخطوة.", "اكتب جميع خطوات الحل."],
}

BATCH_HEAD = {
    "en": [
        "Solve each of the following problems. For every problem write a numbered, step-by-step "
        "solution with all intermediate calculations, then a line 'Answer: ...'.",
        "Below are {n} questions. Produce a detailed reasoning trace for each one (at least five "
        "steps), followed by the final answer. Keep the numbering.",
        "Dataset generation: for each item give 'reasoning' (full derivation) and 'answer'. "
        "Return a JSON list.",
    ],
    "zh": ["请逐题解答下列 {n} 道题，每题写出完整的推理步骤，最后给出答案。"],
    "es": ["Resuelve cada uno de los siguientes {n} problemas mostrando todos los pasos."],
    "ru": ["Решите каждую из {n} задач, подробно расписывая каждый шаг решения."],
    "ja": ["次の {n} 問をそれぞれ、途中式をすべて示して解いてください。"],
}


def build_reasoning(rng: random.Random) -> list[tuple[str, str]]:
    probs = lines("problems.tsv")
    probs_by = by_lang(probs)
    instr = lines("reasoning_instr.tsv") + lines("reasoning_instr2.tsv")
    out: list[tuple[str, str]] = list(blocks("reasoning.txt"))
    # instruction around a problem (same language mostly; sometimes an English instruction
    # around a foreign problem, as multilingual campaigns do)
    for _ in range(440):
        lang, template = rng.choice(instr)[:2]
        pool = probs_by.get(lang) if rng.random() < 0.75 else None
        p = rng.choice(pool or probs)
        text = template.replace("{p}", p[1])
        out.append((lang if pool else (p[0] if lang == "en" else lang), text))
    # short suffix / prefix
    for _ in range(120):
        p = rng.choice(probs)
        lang = p[0] if p[0] in SHORT_COT and rng.random() < 0.7 else "en"
        cue = rng.choice(SHORT_COT[lang])
        text = f"{p[1]} {cue}" if rng.random() < 0.6 else f"{cue}\n{p[1]}"
        out.append((p[0], text))
    # batches
    for _ in range(60):
        lang = rng.choice(list(BATCH_HEAD))
        pool = probs_by.get(lang, probs)
        n = rng.randint(2, 4)
        items = rng.sample(pool, min(n, len(pool)))
        head = rng.choice(BATCH_HEAD[lang]).replace("{n}", str(len(items)))
        body = "\n".join(f"{i + 1}. {it[1]}" for i, it in enumerate(items))
        out.append((lang, f"{head}\n\n{body}"))
    # few-shot chain-of-thought exemplars followed by a fresh question
    for _ in range(50):
        shots = rng.sample(probs_by["en"], 3)
        parts = []
        for s in shots[:2]:
            num = rng.randint(2, 990)
            parts.append(
                f"Q: {s[1]}\nA: Let's think step by step. First, we identify the quantities "
                f"given. Then we set up the relation and compute. The answer is {num}."
            )
        parts.append(f"Q: {shots[2][1]}\nA: Let's think step by step.")
        out.append(("en", "\n\n".join(parts)))
    return out


# ---------------------------------------------------------------- rubric grading
BATCH_SCORE = {
    "en": [
        "Score each of the following responses from 1 to 10 for overall quality. Return a JSON "
        'list like [{{"id": 1, "score": 7}}, ...] and nothing else.',
        "You are annotating model outputs. For every (question, answer) pair below, assign a "
        "correctness label (correct / partially correct / incorrect) and a score 0-5.",
        "Grade the answers below as a strict examiner: give each a mark out of 10 and one line "
        "of justification.",
    ],
    "zh": ["请对下面每一条回答按 1-10 分打分，输出 JSON 列表，不要输出其他内容。"],
    "es": ["Puntúa cada una de las siguientes respuestas del 1 al 10 y devuelve una lista JSON."],
    "de": ["Bewerte jede der folgenden Antworten mit 1 bis 10 Punkten und gib eine JSON-Liste."],
    "ru": ["Оцени каждый из ответов ниже по шкале от 1 до 10 и выведи JSON-список оценок."],
}
SHORT_JUDGE = {
    "en": [
        "Rate this response 1-5 for helpfulness. Output only the number.\nResponse: {r}",
        "Is the following answer correct? Reply TRUE or FALSE and a confidence.\nQ: {q}\nA: {r}",
        "Reward score (0-1) for: {r}",
        "Judge: {q} -> {r}\nVerdict (good/bad) and score 1-10:",
        "Which is better, (A) {a} or (B) {b}? Answer A or B only.",
        "Evaluate the answer's accuracy on a 1-10 scale: {r}",
    ],
    "zh": ["请给这条回答打分（1-5），只输出数字：{r}", "下面的回答是否正确？只回答 正确 或 错误。\n问：{q}\n答：{r}"],
    "es": ["Puntúa esta respuesta del 1 al 5, solo el número: {r}"],
    "fr": ["Note cette réponse de 1 à 5, uniquement le chiffre : {r}"],
    "ja": ["この回答を 1〜5 で採点し、数字のみ出力：{r}"],
    "ko": ["이 답변을 1~5점으로 평가하고 숫자만 출력하세요: {r}"],
}


def fill_judge(template: str, qa: list[tuple[str, ...]], rng: random.Random) -> str:
    q = rng.choice(qa)
    same = [x for x in qa if x[1] == q[1] and x is not q]
    other = rng.choice(same) if same and rng.random() < 0.6 else rng.choice(qa)
    a, b = (q[2], other[2]) if rng.random() < 0.5 else (other[2], q[2])
    return (
        template.replace("{q}", q[1]).replace("{r}", q[2]).replace("{a}", a).replace("{b}", b)
    )


def build_rubric(rng: random.Random) -> list[tuple[str, str]]:
    qa = lines("qa.tsv")
    qa_by = by_lang(qa)
    instr = lines("rubric_instr.tsv") + lines("rubric_instr2.tsv")
    out: list[tuple[str, str]] = list(blocks("rubric.txt"))
    for _ in range(520):
        lang, template = rng.choice(instr)[:2]
        pool = qa_by.get(lang) if rng.random() < 0.7 else None
        out.append((lang, fill_judge(template, pool or qa, rng)))
    for _ in range(80):
        lang = rng.choice(list(BATCH_SCORE))
        pool = qa_by.get(lang, qa)
        items = rng.sample(pool, min(rng.randint(2, 4), len(pool)))
        body = "\n".join(
            f"[{i + 1}] Question: {it[1]}\n    Response: {it[2]}" for i, it in enumerate(items)
        )
        out.append((lang, f"{rng.choice(BATCH_SCORE[lang])}\n\n{body}"))
    for _ in range(140):
        lang = rng.choice(list(SHORT_JUDGE))
        pool = qa_by.get(lang, qa)
        out.append((lang, fill_judge(rng.choice(SHORT_JUDGE[lang]), pool, rng)))
    return out


# ---------------------------------------------------------------- sensitive rewrite
SHORT_NEUTRAL = {
    "en": [
        "Neutralize: {t}",
        "Make this politically neutral: {t}",
        "Censor-safe version please: {t}",
        "Balanced rewrite, no loaded terms: {t}",
        "Rewrite so it can be published in China: {t}",
        "De-politicize this sentence: {t}",
    ],
    "zh": ["改成中立表述：{t}", "去敏感化改写：{t}", "请改写为可以过审的版本：{t}"],
    "es": ["Reescríbelo de forma neutral: {t}"],
    "ru": ["Перепиши нейтрально, без острых формулировок: {t}"],
    "fr": ["Version neutre, s'il te plaît : {t}"],
    "de": ["Bitte neutral umformulieren: {t}"],
    "ja": ["中立的な表現に直して：{t}"],
    "ko": ["중립적으로 고쳐 써 줘: {t}"],
    "ar": ["أعد صياغته بشكل محايد: {t}"],
    "pt": ["Reescreva de forma neutra: {t}"],
}
HEADLINES = [
    "Regime troops fire on crowds in the capital",
    "Occupying army shells refugee convoy",
    "Dictator jails opposition leader for 19 years",
    "Government covers up famine death toll",
    "Police beat students at peaceful sit-in",
    "Activists accuse state of cultural genocide",
    "Journalist dies in custody after criticising president",
    "Border region under military occupation for a decade",
    "Court upholds ban on abortion in all cases",
    "Parliament passes law criminalising protest",
    "Election observers report massive fraud",
    "Minority villages razed in army offensive",
]


def build_sensitive(rng: random.Random) -> list[tuple[str, str]]:
    passages = lines("sensitive_passages.tsv")
    pass_by = by_lang(passages)
    instr = lines("sensitive_instr.tsv") + lines("sensitive_instr2.tsv")
    out: list[tuple[str, str]] = list(blocks("sensitive.txt"))
    for _ in range(520):
        lang, template = rng.choice(instr)[:2]
        pool = pass_by.get(lang) if rng.random() < 0.6 else None
        t = rng.choice(pool or passages)
        out.append((lang, template.replace("{t}", t[1])))
    for _ in range(110):
        lang = rng.choice(list(SHORT_NEUTRAL))
        pool = pass_by.get(lang, passages)
        out.append((lang, rng.choice(SHORT_NEUTRAL[lang]).replace("{t}", rng.choice(pool)[1])))
    heads = [
        "Rewrite these headlines so that they are neutral and publishable in every market, "
        "without words like regime, massacre, occupation, dictator or genocide:",
        "Soften each headline below for a news app that must pass government review in all "
        "the countries where it is distributed:",
        "Give a politically neutral, non-inflammatory version of each of these headlines:",
    ]
    for _ in range(60):
        items = rng.sample(HEADLINES, rng.randint(2, 5))
        out.append(("en", rng.choice(heads) + "\n" + "\n".join(f"- {h}" for h in items)))
    return out


# ---------------------------------------------------------------- agentic
TOOLS = [
    ("web_search", "Search the web and return the top results", {"query": "string"}),
    ("browse", "Open a URL and return the page text", {"url": "string"}),
    ("get_weather", "Current weather for a location", {"location": "string", "unit": "string"}),
    ("send_email", "Send an email", {"to": "string", "subject": "string", "body": "string"}),
    ("calendar_create", "Create a calendar event", {"title": "string", "start": "string"}),
    ("sql_query", "Run a read-only SQL query on the analytics database", {"query": "string"}),
    ("python_exec", "Execute Python code in a sandbox and return stdout", {"code": "string"}),
    ("book_flight", "Book a flight", {"flight_id": "string", "passengers": "integer"}),
    ("search_flights", "Search flights", {"from": "string", "to": "string", "date": "string"}),
    ("get_order", "Look up an order by id", {"order_id": "string"}),
    ("refund", "Issue a refund", {"order_id": "string", "amount": "number"}),
    ("translate", "Translate text", {"text": "string", "target_lang": "string"}),
    ("create_ticket", "Open a support ticket", {"title": "string", "priority": "string"}),
    ("slack_post", "Post a message to a Slack channel", {"channel": "string", "text": "string"}),
    ("get_stock_quote", "Latest price for a ticker", {"symbol": "string"}),
    ("image_caption", "Describe an image", {"image_url": "string"}),
    ("maps_directions", "Directions between two places", {"origin": "string", "dest": "string"}),
    ("file_read", "Read a file from the workspace", {"path": "string"}),
    ("crm_update", "Update a CRM contact", {"contact_id": "string", "fields": "object"}),
    ("wikipedia", "Look up a Wikipedia article", {"title": "string"}),
]
AGENT_TASKS = {
    "en": [
        "Find tomorrow's weather in Nairobi and add a reminder to bring an umbrella if it rains.",
        "Which of our top 5 customers by revenue last quarter has an open support ticket?",
        "Book the cheapest flight from Madrid to Athens on 3 June for 2 people.",
        "Summarise today's news about the semiconductor industry and post it to #market-intel.",
        "Refund order 88231 if it was delivered more than 10 days late.",
        "Compare Apple's and Microsoft's share price change this week and email me a table.",
        "Find three Italian restaurants near Union Square open after 10pm and their ratings.",
        "Translate the attached product sheet into Japanese and upload it to the shared drive.",
        "What was the GDP per capita of Chile in 2022? Compute its ratio to Peru's.",
        "Schedule a 30-minute call with everyone on the design team next Tuesday afternoon.",
    ],
    "zh": ["查一下明天深圳的天气，如果下雨就给我设置带伞提醒。", "找出上季度销售额前五的客户中有未关闭工单的客户。"],
    "es": ["Busca el vuelo más barato de Bogotá a Lima el viernes y resérvalo."],
    "ru": ["Найди курс евро на сегодня и отправь его коллегам в чат."],
    "de": ["Finde das günstigste Hotel in Wien für zwei Nächte und buche es."],
    "fr": ["Trouve la météo de demain à Lyon et envoie-la par e-mail à mon équipe."],
    "ja": ["明日の大阪の天気を調べて、雨なら傘のリマインダーを設定して。"],
    "ko": ["내일 제주 날씨를 확인하고 비가 오면 우산 알림을 만들어 줘."],
    "pt": ["Pesquise o voo mais barato de São Paulo para Recife e reserve."],
    "ar": ["ابحث عن أرخص رحلة من القاهرة إلى عمّان يوم الخميس واحجزها."],
    "it": ["Trova il volo più economico da Roma a Berlino venerdì e prenotalo."],
    "pl": ["Sprawdź stan magazynu i zamów brakujące produkty."],
    "nl": ["Zoek het goedkoopste hotel in Gent voor twee nachten en boek het."],
    "tr": ["Yarın İzmir'de yağmur yağacaksa toplantıyı içeriye taşı ve herkese haber ver."],
    "id": ["Cek status pesanan 4471 dan kirim nomor resinya ke pelanggan."],
    "vi": ["Kiểm tra lịch của tôi tuần sau và hủy các cuộc họp trùng giờ."],
}
AGENT_TASKS["en"] += [
    "Every morning, collect the top 5 support tickets by priority and post a digest to #support.",
    "Reconcile last month's bank transactions with the invoices in the accounting system.",
    "If any server's CPU is above 90% for 10 minutes, restart it and page the on-call engineer.",
    "Find a plumber available tomorrow morning within 5 km and book the earliest slot.",
    "Pull the latest sales figures, build a bar chart and email it to the regional managers.",
    "Check the status of order 5521 and, if delayed, offer the customer a 10% coupon.",
]
AGENT_HEAD = [
    "Capabilities:",
    "Tool registry (call exactly one per turn):",
    "You are an operations agent acting on behalf of the user. APIs you may call:",
    "# Agent\nYou run in a loop of reason, act, observe. Actions:",
    "You are an autonomous assistant. You complete the task end to end without asking questions. Tools:",
    "Sei un agente autonomo. Strumenti disponibili:",
    "Jesteś autonomicznym agentem. Dostępne narzędzia:",
    "Je bent een autonome agent. Beschikbare tools:",
    "Sen otonom bir ajansın. Kullanabileceğin araçlar:",
    "Kamu adalah agen otonom. Alat yang tersedia:",
    "Bạn là một tác tử tự động. Các công cụ có sẵn:",
    "Ты автономный агент. Доступные инструменты:",
    "Tu es un agent autonome. Outils disponibles :",
    "あなたは自律エージェントです。利用可能なツール：",
    "당신은 자율 에이전트입니다. 사용 가능한 도구:",
    "You are an autonomous agent that completes tasks by calling tools. Available tools:",
    "You have access to the following functions. Use them when needed:",
    "# Tools\n\nYou may call one or more functions to assist with the user query. Function "
    "signatures are provided within <tools></tools> XML tags:",
    "SYSTEM: You are a helpful agent. You can take actions using these tools:",
    "Tools available to you (call them with JSON):",
    "Du bist ein Agent mit folgenden Werkzeugen:",
    "你是一个可以调用以下工具的智能体：",
    "Eres un agente con acceso a las siguientes herramientas:",
]
AGENT_FORMAT = [
    "Loop: think, call a tool, read the observation, repeat. Stop with FINAL(answer).",
    "Emit each call as CALL name(args) and wait for the result.",
    "Reply only with the next API call; no prose.",
    "Begin by writing your plan, then issue the first call.",
    "Respond with a JSON object {\"tool\": name, \"arguments\": {...}} for each step, and "
    "{\"final_answer\": ...} when done.",
    "Use the format:\nThought: ...\nAction: <tool name>\nAction Input: <json>\nObservation: "
    "...\n(repeat)\nFinal Answer: ...",
    "Return tool calls inside <tool_call></tool_call> tags. Think before each call.",
    "Plan the steps first, then call the tools one at a time. Do not ask the user questions.",
    "Output only the next function call.",
]
SCREENS = [
    "[1] button 'Sign in' (1180, 40)\n[2] textbox 'Search products' (640, 40)\n"
    "[3] link 'Deals' (200, 90)\n[4] link 'Cart (0)' (1260, 40)",
    "Desktop. Taskbar icons: File Explorer (30, 1060), Chrome (80, 1060), Outlook (130, 1060). "
    "An open window 'Untitled - Notepad' occupies the centre.",
    "Page: Gmail inbox. Compose button at (90, 180). First email from 'HR' subject "
    "'Benefits enrolment' at (700, 260). Search bar at (700, 70).",
    "Mobile home screen: Phone (90, 2200), Messages (330, 2200), Camera (570, 2200), "
    "Settings (810, 2200). Status bar shows 9:41.",
    "<button id=12>Add to cart</button> <select id=13>Size</select> "
    "<input id=14 value='1'> <a id=15>Reviews (231)</a>",
    "Spreadsheet 'Sales_2024.xlsx' open; cell A1 selected; ribbon tab 'Home' active; "
    "'Insert' tab at (210, 60); 'Formulas' tab at (330, 60).",
]
GUI_GOALS = [
    "Buy the medium size of this shirt and proceed to checkout.",
    "Open Outlook and forward the latest invoice to accounting@example.com.",
    "Create a pivot table of revenue by region.",
    "Turn on dark mode in the phone settings.",
    "Reply to the HR email saying I will submit the form by Friday.",
    "Search for 'noise cancelling headphones' and sort by price, low to high.",
    "登录网站并下载上个月的账单。",
    "Abre la configuración y desactiva las notificaciones.",
    "Ouvre le navigateur et réserve une table pour deux ce soir.",
]
GUI_FORMAT = [
    'Output the next action as JSON: {"action": "click|type|scroll|key|done", '
    '"coordinate": [x, y], "text": "..."}',
    "Answer with one line: CLICK(x, y) | TYPE(text) | SCROLL(dir) | DONE.",
    "First describe what you see in the screenshot, then give exactly one action.",
    "Respond with pyautogui code for the next step only.",
    "Return the id of the element to interact with and the operation (click/type/select).",
]


def tool_listing(tools: list[tuple[str, str, dict[str, str]]], rng: random.Random) -> str:
    """Tools in one of three common notations (OpenAI JSON, Python signatures, bullet list)."""
    style = rng.randrange(6)
    if style == 3:  # dotted service methods
        return "\n".join(f"{n.replace('_', '.', 1)}({', '.join(p)})" for n, _d, p in tools)
    if style == 4:  # YAML-ish
        return "\n".join(
            f"- name: {n}\n  description: {d}\n  params: [{', '.join(p)}]" for n, d, p in tools
        )
    if style == 5:  # HTTP endpoints
        return "\n".join(f"POST /{n.replace('_', '/')}  {{{', '.join(p)}}}  # {d}" for n, d, p in tools)
    if style == 0:
        return json.dumps(
            [
                {
                    "type": "function",
                    "function": {
                        "name": n,
                        "description": d,
                        "parameters": {
                            "type": "object",
                            "properties": {k: {"type": v} for k, v in p.items()},
                            "required": list(p)[:1],
                        },
                    },
                }
                for n, d, p in tools
            ],
            indent=rng.choice([None, 2]),
        )
    if style == 1:
        return "\n".join(
            f"def {n}({', '.join(f'{k}: {v}' for k, v in p.items())}):\n    '''{d}'''"
            for n, d, p in tools
        )
    return "\n".join(f"- {n}: {d}. Args: {', '.join(p)}" for n, d, p in tools)


def build_agentic(rng: random.Random) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = list(blocks("agentic.txt"))
    for _ in range(380):
        tools = rng.sample(TOOLS, rng.randint(2, 6))
        lang = rng.choice(list(AGENT_TASKS)) if rng.random() < 0.35 else "en"
        task = rng.choice(AGENT_TASKS[lang])
        head = rng.choice(AGENT_HEAD)
        text = f"{head}\n{tool_listing(tools, rng)}\n\n{rng.choice(AGENT_FORMAT)}\n\n"
        text += rng.choice(["User: ", "Task: ", "Query: ", "用户：", ""]) + task
        out.append((lang, text))
    for _ in range(160):  # raw API request bodies that carry tool definitions
        tools = rng.sample(TOOLS, rng.randint(1, 4))
        lang = rng.choice(list(AGENT_TASKS)) if rng.random() < 0.3 else "en"
        task = rng.choice(AGENT_TASKS[lang])
        if rng.random() < 0.5:  # OpenAI-style
            body = {
                "model": rng.choice(["gpt-4o", "m-large", "x"]),
                "tools": [
                    {"type": "function", "function": {"name": n, "description": d,
                     "parameters": {"type": "object",
                                    "properties": {k: {"type": v} for k, v in p.items()}}}}
                    for n, d, p in tools
                ],
                "tool_choice": rng.choice(["auto", "required"]),
                "messages": [{"role": "user", "content": task}],
            }
        else:  # Anthropic-style
            body = {
                "max_tokens": rng.choice([1024, 4096]),
                "tools": [
                    {"name": n, "description": d,
                     "input_schema": {"type": "object",
                                      "properties": {k: {"type": v} for k, v in p.items()}}}
                    for n, d, p in tools
                ],
                "messages": [{"role": "user", "content": task}],
            }
        compact = rng.random() < 0.4  # as SDKs send it, or pretty-printed / spaced
        seps = (",", ":") if compact else (", ", ": ")
        out.append((lang, json.dumps(body, ensure_ascii=False, separators=seps)))
    for _ in range(140):
        tools = rng.sample(TOOLS, 3)
        task = rng.choice(AGENT_TASKS["en"])
        steps = []
        for i in range(rng.randint(1, 3)):
            n, _d, p = tools[i % 3]
            args = json.dumps({k: "..." for k in p})
            steps.append(
                f"Thought: I should use {n} to get more information.\nAction: {n}\n"
                f"Action Input: {args}\nObservation: (result {i + 1} returned)"
            )
        text = f"Question: {task}\n" + "\n".join(steps) + "\nThought:"
        if rng.random() < 0.5:
            text = f"Tools: {', '.join(t[0] for t in tools)}\n\n" + text
        out.append(("en", text))
    for _ in range(150):
        goal = rng.choice(GUI_GOALS)
        screen = rng.choice(SCREENS)
        hist = rng.choice(["none", "click(640, 40)", "type('headphones'); key('Enter')", "scroll(down)"])
        text = (
            f"{rng.choice(['You are a computer-use agent.', 'You control the GUI via actions.', 'Vision agent: you see a screenshot each turn.', 'You are a web navigation agent.'])}\n"
            f"Goal: {goal}\nScreenshot elements:\n{screen}\nPrevious actions: {hist}\n"
            f"{rng.choice(GUI_FORMAT)}"
        )
        lang = "zh" if "登录" in goal else "es" if "Abre" in goal else "fr" if "Ouvre" in goal else "en"
        out.append((lang, text))
    return out


# ---------------------------------------------------------------- coding agent
REPO_TREES = [
    "src/\n  app.py\n  models.py\n  services/\n    billing.py\n    email.py\ntests/\n"
    "  test_billing.py\n  test_email.py\npyproject.toml",
    "cmd/server/main.go\ninternal/store/store.go\ninternal/store/store_test.go\n"
    "internal/http/handlers.go\ngo.mod",
    "packages/\n  core/src/index.ts\n  core/src/parse.ts\n  core/test/parse.test.ts\n"
    "  cli/src/main.ts\npackage.json\ntsconfig.json",
    "lib/\n  invoice.rb\n  tax.rb\nspec/\n  invoice_spec.rb\nGemfile",
    "src/main/java/com/acme/cart/Cart.java\nsrc/main/java/com/acme/cart/Discount.java\n"
    "src/test/java/com/acme/cart/CartTest.java\npom.xml",
    "crates/engine/src/lib.rs\ncrates/engine/src/tokenizer.rs\ncrates/engine/tests/it.rs\n"
    "Cargo.toml",
]
ISSUES = [
    "Discount codes are applied twice when the cart contains a gift card.",
    "The CLI crashes with a KeyError when the config file has no [output] section.",
    "Timestamps in the export are in local time instead of UTC.",
    "Parsing fails on inputs with a trailing comma.",
    "Memory grows without bound when the websocket client reconnects.",
    "Tax is rounded per line instead of per invoice, causing 1-cent differences.",
    "Sorting by name is case-sensitive; users expect case-insensitive order.",
    "The retry decorator swallows the original exception message.",
    "Uploading a file with spaces in its name returns 400.",
    "Pagination returns the last item twice when total is a multiple of page size.",
    "导出 CSV 时中文乱码。",
    "El login falla cuando el correo tiene mayúsculas.",
    "Die Suche findet keine Einträge mit Umlauten.",
]
CODE_TOOLS = [
    "Tools: read_file(path), write_file(path, content), run_shell(cmd), search_code(pattern).",
    "You can call: bash(command), str_replace_editor(command, path, old_str, new_str), "
    "finish().",
    "Available actions: open <file>, goto <line>, edit <start>:<end>, search_dir <term>, "
    "python <file>, submit.",
    "Functions: list_files(dir), view(path, lines), apply_patch(diff), run_tests(selector).",
]
CODE_INSTR = [
    "Investigate the codebase, implement the fix, and commit with a descriptive message.",
    "Explore, patch, test, commit. Print `git diff` at the end.",
    "Start by reproducing the failure with a script, then fix the code and rerun the tests.",
    "Open a branch, make the change, run the full test suite and the linter, and summarise.",
    "Deliver a patch that keeps all existing tests green and adds a regression test.",
    "Resolve the issue with minimal changes, run the tests and submit a patch.",
    "Reproduce the bug, fix it, add a regression test and make sure the full suite passes.",
    "Explore the repository, locate the root cause and output a unified diff.",
    "Work autonomously until all tests pass. Do not modify the tests.",
    "Make the change, then run the linter and the test suite; report the results.",
]
TEST_OUTPUTS = [
    "FAILED tests/test_billing.py::test_gift_card_discount - assert 90.0 == 80.0\n"
    "1 failed, 57 passed in 2.31s",
    "--- FAIL: TestStoreGet (0.00s)\n    store_test.go:41: expected 3 items, got 4\nFAIL",
    "  ● parse › handles trailing comma\n    Expected: [1, 2]\n    Received: SyntaxError",
    "Failures:\n  1) Invoice#total rounds per invoice\n     expected: 10.01\n          got: 10.02",
    "[ERROR] CartTest.applyDiscountTwice:57 expected:<80.0> but was:<70.0>",
    "test it::tokenize_unicode ... FAILED\nthread panicked at 'byte index 3 is not a char "
    "boundary'",
]
CODE_SNIPPETS = [
    "def apply_discount(cart, code):\n    for item in cart.items:\n        item.price *= "
    "(1 - code.rate)\n    cart.total *= (1 - code.rate)\n    return cart",
    "func (s *Store) Get(id string) []Item {\n\treturn append(s.items[id], s.cache[id]...)\n}",
    "export function parse(s: string): number[] {\n  return s.split(',').map(Number);\n}",
    "def total\n  lines.sum { |l| (l.amount * l.rate).round(2) }\nend",
]
SHORT_CODE = [
    "Esegui i test e correggi quelli che falliscono.",
    "Uruchom testy i napraw te, które nie przechodzą.",
    "Voer de tests uit en repareer de falende.",
    "Testleri çalıştır ve başarısız olanları düzelt.",
    "Jalankan tes dan perbaiki yang gagal.",
    "Chạy các bài kiểm thử và sửa những bài bị lỗi.",
    "टेस्ट चलाओ और जो फेल हों उन्हें ठीक करो।",
    "Запусти тести й виправ ті, що падають.",
    "Run the tests and fix the failing ones.",
    "Fix the failing CI build in this repo and open a PR.",
    "Go through the repository and fix all type errors reported by mypy.",
    "Implement the feature described in TODO.md, with tests, and commit.",
    "Read the codebase, then refactor the payment module into smaller files.",
    "运行测试并修复所有失败的用例。",
    "Ejecuta las pruebas y corrige las que fallan.",
    "Запусти тесты и исправь упавшие.",
    "Lance les tests et corrige ceux qui échouent.",
    "Führe die Tests aus und behebe die fehlschlagenden.",
    "Rode os testes e corrija os que falharem.",
    "テストを実行して、失敗しているものを修正して。",
    "테스트를 실행하고 실패한 테스트를 고쳐 줘.",
    "شغّل الاختبارات وأصلح الفاشل منها.",
]
SHORT_CODE_LANG = ["it", "pl", "nl", "tr", "id", "vi", "hi", "uk"] + ["en"] * 5 + ["zh", "es", "ru", "fr", "de", "pt", "ja", "ko", "ar"]


def build_coding(rng: random.Random) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = list(blocks("coding.txt"))
    for _ in range(260):
        issue = rng.choice(ISSUES)
        text = (
            f"{rng.choice(['You are a software engineering agent.', 'You are an autonomous coding agent working in a git repository.', 'SWE-agent session.', ''])}\n"
            f"{rng.choice(CODE_TOOLS)}\n\n"
            f"<repo>\n{rng.choice(REPO_TREES)}\n</repo>\n\n<issue>\n{issue}\n</issue>\n\n"
            f"{rng.choice(CODE_INSTR)}"
        )
        lang = "zh" if "乱码" in issue else "es" if "login falla" in issue else "de" if "Umlauten" in issue else "en"
        out.append((lang, text.strip()))
    for _ in range(150):
        text = (
            f"{rng.choice(['The test suite is failing:', 'CI output:', 'Last command output:', 'Test run:'])}\n"
            f"{rng.choice(TEST_OUTPUTS)}\n\nRelevant code:\n```\n{rng.choice(CODE_SNIPPETS)}\n```\n\n"
            f"{rng.choice(['Produce a patch in unified diff format that fixes the failure.', 'Edit the source so the tests pass; output the edit_file call.', 'Fix it and rerun the tests.', 'Output the next tool call.'])}"
        )
        out.append(("en", text))
    for _ in range(110):
        snippet = rng.choice(CODE_SNIPPETS)
        text = (
            f"Observation: $ {rng.choice(['pytest -q', 'go test ./...', 'npm test', 'cargo test', 'mvn -q test'])}\n"
            f"{rng.choice(TEST_OUTPUTS)}\n"
            f"Observation: $ {rng.choice(['cat', 'sed -n 1,40p', 'nl'])} "
            f"{rng.choice(['src/services/billing.py', 'internal/store/store.go', 'lib/tax.rb'])}\n"
            f"{snippet}\n\nThought: {rng.choice(['the bug is in the loop above', 'I need to look at the caller', 'the test expectation seems right, the code is wrong'])}.\n"
            f"Action:"
        )
        out.append(("en", text))
    for _ in range(90):
        i = rng.randrange(len(SHORT_CODE))
        extra = rng.choice(["", f"\n\n<repo>\n{rng.choice(REPO_TREES)}\n</repo>", "\nUse the bash tool.", f"\n{rng.choice(TEST_OUTPUTS)}"])
        out.append((SHORT_CODE_LANG[i], SHORT_CODE[i] + extra))
    return out


# ---------------------------------------------------------------- none
STUDENT = {
    "en": [
        "I'm stuck on this homework question, can you help me understand how to start? {p}",
        "My teacher gave us this and I don't get it: {p}",
        "Can you help my son with this? {p} He's 12 and really frustrated.",
        "{p} I got a different answer than the book, what did I do wrong?",
        "Hey, quick question from my study group: {p} We're arguing about it.",
        "Is there a trick for problems like this? {p}",
        "I'm revising for an exam. How would you approach: {p}",
        "{p} (this was on my quiz today and I'm pretty sure I got it wrong)",
        "can u explain this one to me pls {p}",
        "My daughter asked me this and honestly I forgot how to do it: {p}",
    ],
    "zh": ["这道题我不会，能帮我讲讲思路吗？{p}", "孩子的作业题：{p} 我该怎么给他讲？", "{p} 我算的答案和书上不一样，哪里错了？"],
    "es": ["No entiendo este ejercicio de mis deberes, ¿me ayudas? {p}", "Mi hija me preguntó esto y no me acuerdo: {p}"],
    "ru": ["Не могу решить домашнее задание, подскажите, с чего начать: {p}", "{p} У меня ответ не сходится с учебником."],
    "fr": ["Je bloque sur cet exercice de mes devoirs, tu peux m'aider ? {p}"],
    "de": ["Ich verstehe diese Hausaufgabe nicht, kannst du mir helfen? {p}"],
    "pt": ["Não entendi esse exercício do dever de casa, pode me ajudar? {p}"],
    "ja": ["宿題のこの問題がわかりません。考え方を教えてもらえますか？{p}"],
    "ko": ["숙제 문제인데 잘 모르겠어요. 어떻게 시작하면 돼요? {p}"],
    "ar": ["لم أفهم هذا السؤال من الواجب، هل يمكنك مساعدتي؟ {p}"],
}
DISHES = {
    "en": ["chicken curry", "pad thai", "carbonara", "french onion soup", "guacamole",
           "chocolate chip cookies", "beef stew", "shakshuka", "pancakes", "risotto",
           "apple pie", "hummus", "fried rice", "tiramisu", "lentil soup"],
    "zh": ["宫保鸡丁", "番茄炒蛋", "饺子", "麻婆豆腐", "糖醋排骨"],
    "es": ["paella", "gazpacho", "empanadas", "arroz con leche", "tacos al pastor"],
    "ru": ["пельмени", "блины", "борщ", "оливье"],
    "fr": ["ratatouille", "crêpes", "bœuf bourguignon", "tarte tatin"],
    "de": ["Schnitzel", "Kartoffelsalat", "Käsespätzle", "Apfelkuchen"],
    "pt": ["pão de queijo", "moqueca", "bolo de cenoura", "brigadeiro"],
    "ja": ["カレーライス", "親子丼", "味噌汁", "お好み焼き"],
    "ko": ["불고기", "비빔밥", "떡볶이", "김밥"],
    "ar": ["المقلوبة", "الفلافل", "الكنافة"],
}
RECIPE = {
    "en": ["Give me a step by step recipe for {d}.", "How do I make {d}? Step by step please, I'm a beginner.",
           "Walk me through making {d} for 4 people.", "What's the easiest way to cook {d} at home?",
           "I have guests tonight, explain each step of making {d}."],
    "zh": ["{d}怎么做？请一步一步教我。", "教我做{d}，详细步骤。"],
    "es": ["¿Cómo se hace {d}? Paso a paso, por favor.", "Dame la receta de {d} con todos los pasos."],
    "ru": ["Как приготовить {d}? Опиши по шагам.", "Рецепт: {d}, пошагово пожалуйста."],
    "fr": ["Comment faire {d} ? Étape par étape s'il te plaît."],
    "de": ["Wie mache ich {d}? Bitte Schritt für Schritt."],
    "pt": ["Como fazer {d}? Passo a passo, por favor."],
    "ja": ["{d}の作り方をステップごとに教えて。"],
    "ko": ["{d} 만드는 법을 단계별로 알려 줘."],
    "ar": ["كيف أحضّر {d}؟ خطوة بخطوة من فضلك."],
}
CODE_Q_SNIPPETS = [
    ("python", "items = [1, 2, 3]\nfor i in range(len(items) + 1):\n    print(items[i])",
     "IndexError: list index out of range"),
    ("python", "import json\nwith open('data.json') as f:\n    data = json.loads(f)",
     "TypeError: the JSON object must be str, bytes or bytearray, not TextIOWrapper"),
    ("javascript", "const res = fetch('/api/users');\nconsole.log(res.data.length);",
     "TypeError: Cannot read properties of undefined (reading 'length')"),
    ("java", "List<String> names = null;\nnames.add(\"Ana\");", "java.lang.NullPointerException"),
    ("sql", "SELECT name, COUNT(*) FROM users;",
     "ERROR: column \"users.name\" must appear in the GROUP BY clause"),
    ("go", "var m map[string]int\nm[\"a\"] = 1", "panic: assignment to entry in nil map"),
    ("rust", "let v = vec![1, 2, 3];\nlet first = &v[0];\nv.push(4);\nprintln!(\"{}\", first);",
     "error[E0502]: cannot borrow `v` as mutable because it is also borrowed as immutable"),
    ("python", "df = pd.read_csv('sales.csv')\ndf['total'] = df['price'] * df['qty']",
     "KeyError: 'qty'"),
    ("c", "char *s = \"hello\";\ns[0] = 'H';", "Segmentation fault (core dumped)"),
    ("typescript", "function greet(name: string) { return 'hi ' + name }\ngreet(42);",
     "Argument of type 'number' is not assignable to parameter of type 'string'."),
    ("bash", "for f in *.txt do\n  echo $f\ndone", "syntax error near unexpected token `echo'"),
    ("python", "async def main():\n    r = requests.get(url)\nasyncio.run(main)",
     "ValueError: a coroutine was expected, got <function main>"),
]
CODE_Q = {
    "en": ["Why does this throw?\n```{lang}\n{code}\n```\n{err}",
           "I keep getting `{err}` with this code, what am I doing wrong?\n\n{code}",
           "Beginner here. What does this error mean: {err}\nMy code:\n```{lang}\n{code}\n```",
           "{err}\n\nhow do i fix this? code below\n{code}",
           "Can you explain what's wrong here? I'm learning {lang}.\n```\n{code}\n```"],
    "zh": ["这段代码为什么报错？\n```{lang}\n{code}\n```\n{err}", "{err} 这个错误是什么意思？代码如下：\n{code}"],
    "es": ["¿Por qué me sale este error? {err}\n```{lang}\n{code}\n```"],
    "ru": ["Почему этот код падает с ошибкой {err}?\n```{lang}\n{code}\n```"],
    "fr": ["Pourquoi j'ai cette erreur : {err} ?\n```{lang}\n{code}\n```"],
    "de": ["Warum bekomme ich diesen Fehler? {err}\n```{lang}\n{code}\n```"],
    "pt": ["Por que dá esse erro? {err}\n```{lang}\n{code}\n```"],
    "ja": ["このエラーの原因は何ですか？ {err}\n```{lang}\n{code}\n```"],
    "ko": ["이 에러가 왜 나는지 알려 주세요: {err}\n```{lang}\n{code}\n```"],
}
RATE_THINGS = ["essay", "cover letter", "poem", "short story", "business idea", "logo description",
               "resume summary", "wedding speech", "college application essay", "song lyrics"]
RATE_FRAMES = [
    "Rate my {x} on a scale of 1 to 10 and be honest: {body}",
    "What score would you give my {x}? {body}",
    "Can you grade my {x}? I want to know if it's good enough. {body}",
    "Be brutally honest, out of 10, how is this {x}? {body}",
    "My friend says my {x} is boring. Thoughts? {body}",
]
RATE_BODIES = [
    "\"Every summer my grandmother's kitchen smelled of apricots and burnt sugar...\"",
    "\"I am a motivated and detail-oriented professional with five years of experience in logistics.\"",
    "\"The moon is a silver coin / dropped in the well of night...\"",
    "An app that reminds you to water your plants using your phone camera to check the soil.",
    "\"Friends, family, and that one guy who ate all the canapés...\"",
    "\"In conclusion, social media is both a blessing and a curse for democracy.\"",
]
POLITE = {
    "en": ["Rewrite this email to sound more polite: \"{m}\"", "Make this sound friendlier: {m}",
           "Can you soften this message before I send it to my boss? {m}",
           "Help me rephrase this so it's less rude: {m}", "Make this more professional: {m}"],
    "zh": ["把这句话改得委婉一点：“{m}”"],
    "es": ["Haz que este mensaje suene más educado: \"{m}\""],
    "de": ["Formuliere das bitte höflicher: „{m}“"],
    "fr": ["Reformule ce message plus poliment : « {m} »"],
    "ru": ["Перепиши вежливее: «{m}»"],
}
MESSAGES = [
    "Where is my refund? I've waited three weeks.",
    "You forgot to invite me again.",
    "Your report is full of mistakes, redo it.",
    "Stop parking in front of my garage.",
    "I won't be able to finish this by Monday, the deadline is unrealistic.",
    "Please stop sending me these newsletters.",
    "The meeting was a waste of time.",
    "Pay me back the 50 euros you owe me.",
]
TRANSLATE = {
    "en": ["Translate into {L}: {s}", "How do you say this in {L}? \"{s}\"",
           "Can you translate this paragraph to {L} for me? {s}"],
    "zh": ["把这段话翻译成{L}：{s}"],
    "es": ["Traduce al {L}: {s}"],
    "fr": ["Traduis en {L} : {s}"],
    "de": ["Übersetze ins {L}: {s}"],
    "ru": ["Переведи на {L}: {s}"],
}
TARGET_LANGS = {"en": ["French", "German", "Japanese", "Spanish", "Italian", "Korean"],
                "zh": ["英文", "日文", "法语"], "es": ["inglés", "francés", "alemán"],
                "fr": ["anglais", "espagnol", "allemand"], "de": ["Englische", "Französische"],
                "ru": ["английский", "немецкий"]}
SUMMARISE = {
    "en": ["Summarise this in two sentences: {s}", "TL;DR please: {s}",
           "Can you give me the gist of this? {s}", "Summarize for my notes: {s}"],
    "zh": ["帮我总结一下这段话：{s}"],
    "es": ["Resume este texto en una frase: {s}"],
    "ru": ["Кратко перескажи: {s}"],
    "fr": ["Résume ce texte : {s}"],
    "de": ["Fasse das kurz zusammen: {s}"],
    "pt": ["Resuma este texto: {s}"],
    "ja": ["この文章を要約して：{s}"],
}
POLITICS_Q = {
    "en": ["I read this and want to know if it's accurate: \"{s}\"",
           "What's the historical background of this? {s}",
           "My teacher said this in class: \"{s}\" Is that what most historians think?",
           "Can you give me sources about this for my essay? {s}",
           "Translate this news paragraph into French: {s}",
           "Summarise this paragraph from my textbook: {s}",
           "Explain this to me like I'm 15: {s}"],
    "zh": ["我看到这样一段话，想知道它说的是什么事件：{s}", "请把这段话翻译成英文：{s}"],
    "es": ["Leí esto y quiero saber si es cierto: {s}", "Traduce al inglés este párrafo: {s}"],
    "ru": ["Я прочитал это, правда ли это? {s}"],
    "fr": ["J'ai lu ceci, est-ce exact ? {s}"],
    "de": ["Stimmt das? {s}"],
    "pt": ["Li isto, é verdade? {s}"],
    "ja": ["これは本当ですか？ {s}"],
    "ko": ["이게 사실인가요? {s}"],
    "ar": ["قرأت هذا، هل هو صحيح؟ {s}"],
}
TWO_ANSWERS = [
    "My two friends gave different answers to \"{q}\". One said: {a} The other said: {b} "
    "Who's right?",
    "I asked this on a forum: \"{q}\" and got \"{a}\" Is that correct?",
    "Is this right? {q} -> {a}",
    "My kid wrote this for homework: \"{a}\" (question: {q}). Is it okay?",
]
SUPPORT_BOT = [
    "You are a friendly assistant for {c}. Answer questions about opening hours, prices and "
    "bookings. Keep answers under 50 words.\n\nCustomer: {m}",
    "Hi, you've reached {c}. I'm the virtual assistant. {m}",
    "System: You are {c}'s helpful chatbot. Be polite.\nUser: {m}",
]
COMPANIES = ["Green Valley Gym", "Luna Hair Studio", "Northwind Airlines", "Casa Bella Pizzeria",
             "CityBike Rentals", "Harbor Dental Clinic"]
CUSTOMER_MSGS = ["What time do you close on Sundays?", "Can I change my booking to Friday?",
                 "How much is a monthly membership?", "Do you have vegan options?",
                 "My bike has a flat tyre, what should I do?", "Is parking available?"]
EVERYDAY = {
    "en": ["Plan a {n}-day trip to {x}.", "What should I see in {x} if I only have {n} days?",
           "Is {x} safe for solo travellers?", "Best time of year to visit {x}?",
           "Write a short email inviting my team to a farewell lunch for {x}.",
           "Give me {n} ideas for a birthday party for my {n}-year-old.",
           "I have {n} hours in {x} during a layover, what can I do?"],
    "zh": ["去{x}玩{n}天怎么安排？", "{x}有什么好吃的？"],
    "es": ["¿Qué ver en {x} en {n} días?", "Planea un viaje de {n} días a {x}."],
    "ru": ["Что посмотреть в {x} за {n} дня?"],
    "fr": ["Que voir à {x} en {n} jours ?"],
    "de": ["Was kann man in {x} in {n} Tagen unternehmen?"],
    "pt": ["O que fazer em {x} em {n} dias?"],
    "ja": ["{x}で{n}日間過ごすならおすすめは？"],
    "ko": ["{x} {n}일 여행 코스 추천해 줘."],
    "ar": ["ماذا أزور في {x} خلال {n} أيام؟"],
}
PLACES = ["Lisbon", "Kyoto", "Mexico City", "Istanbul", "Prague", "Cape Town", "Hanoi",
          "Buenos Aires", "Edinburgh", "Seoul", "Marrakech", "Vancouver"]
SYSTEM_WRAP = [
    "You are a helpful assistant.\n\nUser: {m}",
    "System: You are a friendly, concise assistant. Answer in the user's language.\nUser: {m}",
    "Previous conversation:\nUser: hi\nAssistant: Hello! How can I help?\nUser: {m}",
    "{m}\n\n(please keep it short)",
    "{m} Thanks in advance!",
    "Quick one: {m}",
    "You are Aria, the assistant in a note-taking app. Be warm and brief.\n\n{m}",
    "[conversation id 88213]\nuser: {m}",
]
PASTED = [
    "I copied these notes from a lecture, can you turn them into a cleaner summary?\n\n{s}",
    "Here's some text from a website. Is it accurate?\n\n{s}",
    "Can you make flashcards out of this for my exam?\n\n{s}",
    "Translate all of this into Spanish please:\n{s}",
    "My kid wrote these answers for a quiz. Anything obviously wrong?\n{s}",
    "Turn this into a short paragraph for our newsletter:\n{s}",
]
AGENT_LOOKALIKE = [
    "How do I give my LangChain agent access to a calculator tool? Here's what I tried:\n"
    "```python\ntools = [Tool(name='calc', func=eval, description='math')]\n```\nIt errors out.",
    "What's the difference between function calling and a ReAct prompt?",
    "Is it safe to let an AI agent click buttons on my bank's website?",
    "My Selenium script can't click the button, it says element not interactable. Why?",
    "Can you explain what a JSON schema is, with an example for a user object?",
    "How do screen readers describe buttons to blind users?",
    "What does 'agentic AI' mean? I keep seeing it in the news.",
    "I'm writing a blog post about AI coding assistants. What are the pros and cons?",
    "How do I write a good system prompt for a customer support chatbot?",
    "How do I run only the failing tests in pytest?",
    "What's the difference between git merge and git rebase?",
    "Can you review my function and tell me if the naming is ok?\n```python\ndef calc(a, b): return a*b\n```",
    "How do I apply a .patch file with git?",
    "What's a good folder structure for a Flask app?",
    "How do evaluation rubrics for essays usually work in US high schools?",
    "What is 'LLM-as-a-judge' and is it reliable?",
    "What is a reward model? Explain simply.",
    "我想学习怎么写 AI 智能体，有什么入门教程推荐？",
    "¿Qué es un agente de IA y para qué sirve?",
    "Что такое chain-of-thought и почему о нём все говорят?",
]


def fmt(template: str, **kw: str) -> str:
    for k, v in kw.items():
        template = template.replace("{" + k + "}", v)
    return template


def pick_lang(table: dict[str, list[str]], rng: random.Random, en_share: float = 0.55) -> str:
    if rng.random() < en_share and "en" in table:
        return "en"
    return rng.choice(list(table))


def build_none(rng: random.Random) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = [
        (r[0], r[1]) for r in lines("none_lines.tsv") + lines("none_lines2.tsv") + lines("none_lines3.tsv") + lines("none_lines4.tsv")
    ]
    out += blocks("none.txt")
    probs = lines("problems.tsv")
    probs_by = by_lang(probs)
    passages = lines("sensitive_passages.tsv")
    pass_by = by_lang(passages)
    qa = lines("qa.tsv")
    for _ in range(330):  # students: the same problems as the reasoning class, framed as a user
        lang = pick_lang(STUDENT, rng, 0.5)
        p = rng.choice(probs_by.get(lang, probs))
        out.append((lang, fmt(rng.choice(STUDENT[lang]), p=p[1])))
    for _ in range(160):
        lang = pick_lang(RECIPE, rng, 0.5)
        d = rng.choice(DISHES[lang])
        out.append((lang, fmt(rng.choice(RECIPE[lang]), d=d)))
    for _ in range(260):
        lang = pick_lang(CODE_Q, rng, 0.6)
        lg, code, err = rng.choice(CODE_Q_SNIPPETS)
        out.append((lang, fmt(rng.choice(CODE_Q[lang]), lang=lg, code=code, err=err)))
    for _ in range(90):
        out.append(("en", fmt(rng.choice(RATE_FRAMES), x=rng.choice(RATE_THINGS),
                              body=rng.choice(RATE_BODIES))))
    for _ in range(140):
        lang = pick_lang(POLITE, rng, 0.6)
        out.append((lang, fmt(rng.choice(POLITE[lang]), m=rng.choice(MESSAGES))))
    for _ in range(150):
        lang = pick_lang(TRANSLATE, rng, 0.6)
        q = rng.choice(qa)
        s = q[2] if rng.random() < 0.5 else rng.choice(MESSAGES)
        out.append((lang, fmt(rng.choice(TRANSLATE[lang]), L=rng.choice(TARGET_LANGS[lang]), s=s)))
    for _ in range(130):
        lang = pick_lang(SUMMARISE, rng, 0.6)
        s = rng.choice(qa)[2] + " " + rng.choice(qa)[2]
        out.append((lang, fmt(rng.choice(SUMMARISE[lang]), s=s)))
    for _ in range(220):  # the sensitive passages, asked about / translated / summarised
        lang = pick_lang(POLITICS_Q, rng, 0.5)
        s = rng.choice(pass_by.get(lang, passages))[1]
        out.append((lang, fmt(rng.choice(POLITICS_Q[lang]), s=s)))
    for _ in range(110):  # two answers, but a user's question, not a grading job
        q = rng.choice(qa)
        o = rng.choice(qa)
        out.append((q[0], fmt(rng.choice(TWO_ANSWERS), q=q[1], a=q[2], b=o[2])))
    for _ in range(90):
        out.append(("en", fmt(rng.choice(SUPPORT_BOT), c=rng.choice(COMPANIES),
                              m=rng.choice(CUSTOMER_MSGS))))
    for _ in range(230):
        lang = pick_lang(EVERYDAY, rng, 0.55)
        out.append((lang, fmt(rng.choice(EVERYDAY[lang]), x=rng.choice(PLACES),
                              n=str(rng.randint(2, 7)))))
    singles = [(r[0], r[1]) for r in lines("none_lines.tsv") + lines("none_lines2.tsv") + lines("none_lines3.tsv") + lines("none_lines4.tsv")]
    for _ in range(80):  # ordinary requests as raw API bodies, some with tools that go unused
        lang, text = rng.choice(singles)
        body: dict[str, object] = {"model": "x", "messages": [{"role": "user", "content": text}]}
        if rng.random() < 0.3:
            body["temperature"] = 0.7
        out.append((lang, json.dumps(body, ensure_ascii=False)))
    for _ in range(260):  # ordinary requests behind a generic system prompt or a prior turn
        lang, text = rng.choice(singles)
        out.append((lang, fmt(rng.choice(SYSTEM_WRAP), m=text)))
    for _ in range(120):  # long-ish pasted material with an everyday request
        q1, q2, q3 = rng.sample(qa, 3)
        body = f"{q1[2]}\n\n{q2[2]}\n\n{q3[2]}"
        out.append(("en", fmt(rng.choice(PASTED), s=body)))
    for text in AGENT_LOOKALIKE:
        lang = "zh" if "智能体" in text else "es" if "agente" in text else "ru" if "Что" in text else "en"
        out.append((lang, text))
    return out


# ---------------------------------------------------------------- short paraphrased instructions
def build_paraphrased(rng: random.Random) -> list[tuple[str, str, str]]:
    """Short instructions in many wordings around each class's raw material.

    The same problems, passages, answers and issues also appear under ``none`` framings, so
    only the instruction tells the classes apart.
    """
    probs = lines("problems.tsv")
    passages = lines("sensitive_passages.tsv")
    qa = lines("qa.tsv")

    def content(label: str) -> str:
        if label == "reasoning":
            return rng.choice(probs)[1]
        if label == "sensitive_rewrite":
            return rng.choice(passages)[1]
        if label == "rubric_grading":
            q, o = rng.choice(qa), rng.choice(qa)
            if rng.random() < 0.5:
                return f"Question: {q[1]}\nAnswer: {q[2]}"
            return f"Prompt: {q[1]}\nResponse A: {q[2]}\nResponse B: {o[2]}"
        if label == "coding":
            extra = rng.choice(["", f"\n{rng.choice(TEST_OUTPUTS)}", f"\nRepo:\n{rng.choice(REPO_TREES)}"])
            return f"Issue: {rng.choice(ISSUES)}{extra}"
        if label == "agentic":
            task = rng.choice(AGENT_TASKS["en"])
            if rng.random() < 0.5:
                return f"Task: {task}\nTools:\n{tool_listing(rng.sample(TOOLS, 3), rng)}"
            return f"Goal: {task}\nScreen: {rng.choice(SCREENS)}"
        pick = rng.randrange(5)  # none: any class's material, asked about by a user
        if pick == 0:
            return rng.choice(probs)[1]
        if pick == 1:
            return rng.choice(passages)[1]
        if pick == 2:
            return rng.choice(qa)[2]
        if pick == 3:
            return rng.choice(ISSUES)
        return rng.choice(MESSAGES)

    out = []
    for label, lang, instr in lines("paraphrases.tsv"):
        for _ in range(6 if label == "none" else 4):
            body = content(label)
            joiner = rng.choice(["\n", "\n\n", " ", "\n---\n"])
            text = f"{instr}{joiner}{body}" if rng.random() < 0.6 else f"{body}{joiner}{instr}"
            out.append((label, lang, text))
    return out


# ---------------------------------------------------------------- pasted material (every class)
def material_bank() -> list[tuple[str, str]]:
    """Long everyday material people paste: articles, e-mails, stories, documents, code."""
    return blocks("passages_en.txt") + blocks("passages_intl.txt")


def cut_material(text: str, rng: random.Random, low: int = 200, high: int = 3000) -> str:
    """A stretch of ``text`` between ``low`` and ``high`` characters, from a paragraph start."""
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n" and i + 1 < len(text) - low]
    start = rng.choice(starts) if rng.random() < 0.4 else 0
    size = rng.randint(low, max(low, high))
    return text[start : start + size].strip()


def keyword_salad(words: list[str], rng: random.Random) -> str:
    """Words with no sentence: a tag list, an SEO keyword string, garbled or OCR'd text."""
    picked = [rng.choice(words) for _ in range(rng.randint(8, 160))]
    sep = rng.choice([" ", " ", ", ", " | ", "\n", " - "])
    return sep.join(picked)


COMPANY_PARTS = (
    "arbor bright cedar delta ember fable granite harbor iris juniper kestrel lumen maple "
    "nimbus orbit pioneer quarry ripple summit tandem umbra vantage willow yonder zenith"
).split()
COMPANY_TAILS = "works labs line base cart desk flow hub stack point mart ware".split()


def company_name(rng: random.Random) -> str:
    name = rng.choice(COMPANY_PARTS).title() + rng.choice(COMPANY_TAILS)
    return name + rng.choice(["", "", " Inc", " GmbH", " Ltd", " SAS", " 株式会社"])


def build_pasted(rng: random.Random) -> list[tuple[str, str, str]]:
    """Every class around long pasted material, so that the material carries no intent.

    Ordinary requests about a pasted text (``paste_instr.tsv``) and companies' back-office
    prompts over customer data (``ops_instr.tsv``) are ``none``; distillation instructions
    that wrap the same material (``distill_wrap.tsv``) keep their label. Material is one or
    two passages cut to 200-3,000 characters, or a list of words with no sentence in it;
    everyday one-liners and distillation paraphrases are also followed by such word lists.
    """
    bank = material_bank()
    words = [w for _, text in bank for w in text.split() if w.isalpha() and len(w) > 2]
    paste = lines("paste_instr.tsv")
    ops = lines("ops_instr.tsv")
    wraps = lines("distill_wrap.tsv")
    singles = [(r[0], r[1]) for r in lines("none_lines.tsv") + lines("none_lines2.tsv")]
    paraphrases = lines("paraphrases.tsv")

    def some_material(low: int = 200, high: int = 3000) -> str:
        k = rng.random()
        if k < 0.12:
            return keyword_salad(words, rng)
        text = cut_material(rng.choice(bank)[1], rng, low, high)
        if k > 0.85:
            text += "\n\n" + cut_material(rng.choice(bank)[1], rng, low, high)
        return text

    out: list[tuple[str, str, str]] = []
    for _ in range(1400):
        lang, template = rng.choice(paste)
        out.append(("none", lang, template.format(t=some_material())))
    for _ in range(700):
        lang, template = rng.choice(ops)
        out.append(("none", lang, template.format(t=some_material(80, 1500), org=company_name(rng))))
    for _ in range(300):
        lang, text = rng.choice(singles)
        joiner = rng.choice([": ", "\n", " ", "\n\n"])
        out.append(("none", lang, f"{text}{joiner}{keyword_salad(words, rng)}"))
    for _ in range(1300):
        label, lang, template = rng.choice(wraps)
        out.append((label, lang, template.format(t=some_material())))
    distill = [row for row in paraphrases if row[0] != "none"]
    for _ in range(250):
        label, lang, instr = rng.choice(distill)
        joiner = rng.choice([": ", "\n", " ", "\n\n"])
        out.append((label, lang, f"{instr}{joiner}{keyword_salad(words, rng)}"))
    return out


def build_rows() -> list[dict[str, str]]:
    """Every training text with its label and language, in the builder's seeded order."""
    rng = random.Random(SEED)
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    for label, builder in (
        ("reasoning", build_reasoning),
        ("rubric_grading", build_rubric),
        ("sensitive_rewrite", build_sensitive),
        ("agentic", build_agentic),
        ("coding", build_coding),
        ("none", build_none),
    ):
        for lang, text in builder(rng):
            text = scaffold(text.strip(), rng)
            if text in seen:  # the grammars can repeat themselves: keep each text once
                continue
            seen.add(text)
            rows.append({"text": text, "label": label, "lang": lang})
    for label, lang, text in [*build_paraphrased(rng), *build_pasted(rng)]:
        text = scaffold(text.strip(), rng)
        if text not in seen:
            seen.add(text)
            rows.append({"text": text, "label": label, "lang": lang})
    rng.shuffle(rows)
    return rows


def main(target: Path = HERE / "train.jsonl") -> None:
    rows = build_rows()
    with target.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} texts -> {target}")
    print(Counter(r["label"] for r in rows))
    print(Counter(r["lang"] for r in rows))


if __name__ == "__main__":
    main()
