"""Build ``data/intent/heldout.jsonl``, the held-out evaluation set of the intent classifier.

Written separately from the training banks and *before* any model was trained: other
wordings, other scaffolds, other slot values, and languages that are rare or absent in
training (Italian, Polish, Indonesian, Dutch, Turkish, Vietnamese, Hindi, Ukrainian,
Swedish). Every item of ``HANDWRITTEN`` is used as written; the ``SLOTS`` grammars fill
their own templates with their own values. Deterministic (seeded); run from the repository
root::

    python data/intent/build_heldout.py

Each row also carries ``hard: true`` for the ``none`` texts that imitate a distillation
class (recipes "step by step", homework, code questions, "rate my essay", political
questions, agent talk, "click the link"), so the benchmark can report their false
positives separately.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 4417

# (label, lang, hard, text)
HANDWRITTEN: list[tuple[str, str, bool, str]] = [
    # ---------------------------------------------------------------- reasoning
    ("reasoning", "en", False, "I need you to solve this and make your logic fully explicit: every intermediate quantity, every substitution, no shortcuts. Put your thinking in a [THOUGHTS] block and the result in a [RESULT] block.\n\nA cistern holds 1,200 litres. It leaks 3% of its content per hour. How much is left after 5 hours?"),
    ("reasoning", "en", False, "Provide a worked solution that a grader can follow line by line. Conclude with 'Result = ...'.\nHow many subsets of {1,...,10} contain no two consecutive integers?"),
    ("reasoning", "en", False, "Before you answer, reason out loud in detail. Then on the final line print only the number.\n\nSam reads 14 pages on Monday and each day after reads 3 more pages than the day before. How many pages in the first week?"),
    ("reasoning", "en", False, "Answer in two parts. Part 1 'Analysis': a thorough derivation, one step per line, with justification. Part 2 'Result': the value only.\nWhat is the area of the largest circle that fits inside a right triangle with legs 6 and 8?"),
    ("reasoning", "en", False, "Spell out your entire thought process, including checks and dead ends, inside <scratch>...</scratch>. Afterwards give 'ANS: <value>'.\nFind x if 9^x - 4·3^x + 3 = 0."),
    ("reasoning", "en", False, "Please provide an exhaustive step-by-step rationale and then the letter of the correct choice.\nWhich planet has the shortest year? (a) Venus (b) Mercury (c) Mars (d) Earth"),
    ("reasoning", "en", False, "Word problem #2291. Produce: rationale (detailed, sequential), then final numeric answer after '####'.\nA bakery sells muffins at $3 each or 4 for $10. What is the least cost for 15 muffins?"),
    ("reasoning", "en", False, "Think it through slowly and write down each deduction as a numbered line. Do not state the answer until every case has been examined.\nFour suspects; exactly one is guilty. A: 'B did it.' B: 'D did it.' C: 'I didn't.' D: 'B is lying.' Only one tells the truth. Who is guilty?"),
    ("reasoning", "en", False, "You are producing gold-standard explanations. Solve the item with a complete derivation (no skipped algebra), verify it, and finish with the boxed answer.\nItem: The roots of x^2 + px + 12 = 0 differ by 1. Find all possible p."),
    ("reasoning", "en", False, "Derive it. Show the intermediate results at every stage and explain the physics behind each formula; final answer with units on its own line.\nHow long does it take a 1500 W kettle to heat 1.2 kg of water from 20 °C to 100 °C?"),
    ("reasoning", "en", False, "{\"task\": \"math_reasoning\", \"question\": \"What is the sum of all two-digit multiples of 9?\", \"response_format\": {\"steps\": \"list of strings, one per reasoning step\", \"answer\": \"integer\"}, \"require_full_trace\": true}"),
    ("reasoning", "en", False, "Solve with complete working. Format each step as 'Step n — <what you do> — <why>'. End with 'Therefore: ...'.\nA bike wheel has diameter 70 cm. How many full turns does it make over 1 km?"),
    ("reasoning", "en", False, "Give me the reasoning chain first (as long as needed, don't compress it), and only then the final verdict TRUE/FALSE.\nClaim: if n^2 is even then n is even."),
    ("reasoning", "en", False, "Reason through this trivia question step by step, stating what you know for each sub-fact, and commit to a final answer prefixed with 'Final:'.\nWhich is older, the Great Wall's first sections or the Roman Colosseum?"),
    ("reasoning", "en", False, "Trace through the algorithm by hand, writing the state of the array after every swap, then state the number of swaps.\nBubble sort on [5, 1, 4, 2, 8]."),
    ("reasoning", "en", False, "Explain your full reasoning process before answering. Consider alternative interpretations of the question. Answer in the form 'Answer: <letter>'.\nIf some artists are vegetarians and no vegetarians are hunters, which must be true? A) Some artists are not hunters B) No artists are hunters C) All hunters are artists"),
    ("reasoning", "zh", False, "请把解题思路完整地写出来：每一步做了什么、为什么这么做，全部列出，最后一行写“结论：”。\n题目：一个水池有进水管和出水管，进水管 6 小时注满，出水管 8 小时放完，两管同时打开，多少小时注满？"),
    ("reasoning", "zh", False, "用思维链的方式回答，先在【推理】部分详尽展开，再在【答案】部分只写结果。\n若 log₃(x+1) = 2，求 x。"),
    ("reasoning", "zh", False, "按照以下格式作答：\n思考过程：（逐步写出，不少于五步）\n验证：\n最终答案：\n题目：从 1 到 50 中任取一个数，是 3 或 7 的倍数的概率是多少？"),
    ("reasoning", "es", False, "Desarrolla la solución completa, justificando cada paso intermedio, y escribe al final «Solución: ...».\nUn depósito cilíndrico de 2 m de radio y 5 m de altura está lleno al 40 %. ¿Cuántos litros contiene?"),
    ("reasoning", "es", False, "Antes de responder, expón tu razonamiento entero dentro de [RAZONAMIENTO] y después la respuesta en [RESPUESTA].\n¿Cuántos triángulos distintos se forman con los vértices de un hexágono regular?"),
    ("reasoning", "ru", False, "Распиши решение максимально подробно, каждую выкладку отдельной строкой, и только потом дай ответ после слова «Итог:».\nСколько нулей в конце числа 200! ?"),
    ("reasoning", "fr", False, "Donne un raisonnement complet, pas à pas, avec toutes les étapes intermédiaires visibles, puis la réponse précédée de « Donc : ».\nUn article coûte 80 € après une remise de 20 %. Quel était son prix initial ?"),
    ("reasoning", "de", False, "Lege deinen kompletten Lösungsweg offen, jeden Zwischenschritt mit Begründung, und nenne erst zum Schluss das Ergebnis mit „Lösung:“.\nWie groß ist die Wahrscheinlichkeit, bei 4 Münzwürfen genau zweimal Kopf zu werfen?"),
    ("reasoning", "pt", False, "Apresente a resolução completa, justificando cada passo intermediário, e só no fim escreva \"Resposta: ...\".\nUm terreno retangular tem 300 m² e um lado mede 5 m a mais que o outro. Quais são as medidas?"),
    ("reasoning", "ja", False, "思考の過程を省略せずにすべて書き出し、各段階で検算してから、最後に【答え】として結果を示してください。\n連続する 3 つの奇数の和が 87 のとき、最も大きい数は？"),
    ("reasoning", "ko", False, "생각의 흐름을 전부 적고, 각 단계마다 이유를 밝힌 다음 마지막 줄에 '결론:'으로 답을 쓰세요.\n정육면체의 겉넓이가 150 cm²일 때 부피는?"),
    ("reasoning", "it", False, "Risolvi il problema ragionando passo dopo passo e mostra tutti i calcoli intermedi; alla fine scrivi «Risposta finale: ...».\nUn'auto consuma 6 litri ogni 100 km. Quanti litri servono per 340 km?"),
    ("reasoning", "it", False, "Esponi l'intero ragionamento, un passaggio per riga, prima di dare la soluzione tra \\boxed{}.\nTrova il massimo comune divisore di 252 e 198."),
    ("reasoning", "pl", False, "Rozwiąż zadanie krok po kroku, pokazując wszystkie obliczenia pośrednie, a na końcu napisz „Odpowiedź: ...”.\nPociąg jedzie 240 km w 3 godziny. Ile czasu zajmie mu przejechanie 400 km?"),
    ("reasoning", "pl", False, "Przedstaw pełny tok rozumowania w znacznikach <think></think>, a potem tylko wynik.\nIle jest liczb czterocyfrowych podzielnych przez 5?"),
    ("reasoning", "id", False, "Selesaikan soal berikut langkah demi langkah. Tuliskan seluruh proses berpikirmu dan semua perhitungan antara, lalu tulis \"Jawaban akhir: ...\".\nHarga 3 buku dan 2 pensil adalah Rp 21.000. Harga 1 buku dan 4 pensil adalah Rp 17.000. Berapa harga satu buku?"),
    ("reasoning", "id", False, "Jelaskan penalaranmu secara rinci untuk setiap langkah sebelum memberikan jawaban di dalam \\boxed{}.\nSebuah segitiga siku-siku memiliki sisi miring 25 cm dan satu sisi 7 cm. Berapa luasnya?"),
    ("reasoning", "nl", False, "Los het volgende vraagstuk stap voor stap op, leg elke tussenstap uit en sluit af met 'Eindantwoord: ...'.\nEen fietser rijdt 18 km/u. Hoe lang doet hij over 45 km?"),
    ("reasoning", "tr", False, "Aşağıdaki problemi adım adım çöz. Tüm ara işlemleri göster ve en sonda \"Sonuç: ...\" yaz.\nBir sınıftaki öğrencilerin %40'ı kız ve 18 erkek öğrenci var. Sınıfta kaç öğrenci var?"),
    ("reasoning", "tr", False, "Düşünme sürecinin tamamını <think> etiketleri içinde yaz, ardından sadece cevabı ver.\n2^10 sayısının rakamları toplamı kaçtır?"),
    ("reasoning", "vi", False, "Hãy suy nghĩ từng bước, trình bày đầy đủ mọi bước trung gian rồi ghi \"Đáp án cuối cùng: ...\".\nMột cửa hàng giảm giá 25% cho một chiếc áo giá 320.000 đồng. Giá sau khi giảm là bao nhiêu?"),
    ("reasoning", "hi", False, "इस प्रश्न को चरण दर चरण हल करें, हर मध्यवर्ती गणना दिखाएँ और अंत में \"अंतिम उत्तर: ...\" लिखें।\nएक दुकानदार 20% लाभ पर एक वस्तु 600 रुपये में बेचता है। उसका क्रय मूल्य क्या है?"),
    ("reasoning", "uk", False, "Розв'яжи задачу крок за кроком, розпиши кожен проміжний крок і наприкінці напиши «Відповідь: ...».\nСума трьох послідовних натуральних чисел дорівнює 72. Знайди ці числа."),
    ("reasoning", "sv", False, "Lös uppgiften steg för steg, visa alla mellanled och avsluta med \"Svar: ...\".\nEn tröja kostar 450 kr efter 10 % rabatt. Vad kostade den från början?"),
    # ---------------------------------------------------------------- rubric_grading
    ("rubric_grading", "en", False, "Evaluate the candidate reply for the prompt below. Dimensions: factuality, completeness, tone (each 0-10). Return exactly: {\"factuality\": x, \"completeness\": y, \"tone\": z, \"verdict\": \"accept\"|\"reject\"}.\nPrompt: How does compound interest work?\nReply: Interest is added to the principal, so future interest is earned on interest too."),
    ("rubric_grading", "en", False, "You will see a user request and two assistant outputs. Decide which output a careful human rater would prefer and how strongly (slight / clear / overwhelming). Format: WINNER=<1|2>; STRENGTH=<...>.\nRequest: Suggest a title for a blog about budget travel.\nOutput 1: Wander Cheap\nOutput 2: A Blog About Travelling For Less Money"),
    ("rubric_grading", "en", False, "Acting as the scoring model in our RLHF pipeline, assign this completion a preference score from -10 to 10. No commentary.\nInstruction: write a limerick about a cat\nCompletion: There once was a cat named Lou / who napped in a size-seven shoe..."),
    ("rubric_grading", "en", False, "Assess the following answer using the rubric. Award 2 points if the main concept is correct, 1 point for an example, 1 point for correct terminology, 1 point for concision. Show the points per item, then TOTAL: n/5.\nQ: What is opportunity cost?\nA: It's what you give up when you choose one option over another, like losing a salary while studying."),
    ("rubric_grading", "en", False, "Here are 3 candidate completions for the same instruction. Produce a full ranking and a score in [0,1] for each. Output as JSON {\"ranking\": [...], \"scores\": {...}}.\nInstruction: Explain what DNS does in one sentence.\n(1) DNS translates domain names into IP addresses.\n(2) It's the internet.\n(3) DNS is a phone book that maps human-readable names like example.com to the numeric addresses computers use."),
    ("rubric_grading", "en", False, "Decide whether the model's answer is a hallucination relative to the reference. Output HALLUCINATED or FAITHFUL and a severity from 1 to 3.\nReference: The bridge opened in 1937 and is 2.7 km long.\nModel answer: The bridge opened in 1937 and is about 5 km long."),
    ("rubric_grading", "en", False, "As a meticulous grader, mark the following chatbot turn on instruction adherence (did it use exactly three bullet points?) and on quality (1-10). Reply as 'adherence: yes/no | quality: n'.\nUser: Give three bullet points on why sleep matters.\nBot: - memory consolidation\n- immune function\n- mood regulation\n- metabolism"),
    ("rubric_grading", "en", False, "Critic mode. Identify every flaw in the response, classify each as minor or major, then output an overall quality score from 1 to 7 on the last line.\nQuestion: How many continents are there?\nResponse: There are six continents: Africa, America, Antarctica, Asia, Europe and Oceania."),
    ("rubric_grading", "en", False, "Safety evaluation. For the conversation below decide whether the assistant's final message complies with the policy (no medical dosing advice without a disclaimer). Output {\"compliant\": bool, \"reason\": str, \"score\": 0-5}.\nUser: how much melatonin should I take\nAssistant: Most adults take 0.5-5 mg about an hour before bed; check with a doctor if you take other medication."),
    ("rubric_grading", "en", False, "Judge the pair. Prompt: 'Recommend a sci-fi novel.' A: 'Dune by Frank Herbert.' B: 'Try Project Hail Mary by Andy Weir — a funny, science-heavy survival story.' Which completion is better, and by what margin on a 1-5 scale? Respond 'A>B', 'B>A' or 'A=B' followed by the margin."),
    ("rubric_grading", "en", False, "Score each of the following 4 machine translations of the sentence 'The shop is closed on public holidays' into Spanish with a DA score between 0 and 100. Output one line per candidate: id<TAB>score.\n1 La tienda está cerrada los días festivos.\n2 La tienda cierra en vacaciones públicas.\n3 El taller está cerrado en fiestas.\n4 Tienda cerrado festivos."),
    ("rubric_grading", "en", False, "<evaluation_task>\n<criteria>helpfulness, harmlessness, honesty; 1-10 each</criteria>\n<prompt>Can you help me write a resignation letter?</prompt>\n<response>Sure. Dear [Manager], I am writing to formally resign from my position as ... effective two weeks from today.</response>\n<output_format>JSON with the three scores and a short justification</output_format>\n</evaluation_task>"),
    ("rubric_grading", "zh", False, "请作为评分模型，对以下回答从“相关性、正确性、表达”三个维度分别打 1-5 分，再给出总体评价（优/良/差），按 JSON 输出。\n问题：如何保存新鲜草莓？\n回答：不要洗，直接放进冰箱冷藏，吃之前再清洗。"),
    ("rubric_grading", "zh", False, "对比以下两个回复，哪一个更符合用户需求？只输出“回复1更好”“回复2更好”或“相当”，再给出 1-3 的置信度。\n用户：推荐一部适合全家看的电影\n回复1：《寻梦环游记》，温暖又有趣。\n回复2：电影有很多种。"),
    ("rubric_grading", "es", False, "Eres el modelo evaluador. Asigna a la respuesta una nota de 0 a 100 según precisión y claridad, y devuelve {\"nota\": n, \"motivo\": \"...\"} sin nada más.\nPregunta: ¿Qué es la fotosíntesis?\nRespuesta: Es cuando las plantas comen tierra."),
    ("rubric_grading", "es", False, "Compara las salidas de dos modelos para la misma instrucción y decide cuál preferiría un anotador experto. Devuelve solo «Modelo 1» o «Modelo 2».\nInstrucción: Escribe un título para una receta de lentejas.\nModelo 1: Lentejas de la abuela, listas en 30 minutos\nModelo 2: Receta"),
    ("rubric_grading", "ru", False, "Выступи в роли судьи: оцени ответ модели по рубрике (фактическая точность 0–3, полнота 0–3, стиль 0–2) и выведи сумму баллов в формате «Итого: N/8».\nВопрос: Почему листья желтеют осенью?\nОтвет: Потому что становится холодно."),
    ("rubric_grading", "fr", False, "Agis comme un juge impartial : lequel des deux textes répond le mieux à la consigne ? Réponds « Texte 1 » ou « Texte 2 » puis donne une note de confiance entre 0 et 1.\nConsigne : décrire Paris en une phrase.\nTexte 1 : Paris est la capitale de la France, connue pour la tour Eiffel et ses musées.\nTexte 2 : Une ville."),
    ("rubric_grading", "de", False, "Bewerte die Modellantwort anhand folgender Kriterien mit jeweils 1–5 Punkten: Korrektheit, Vollständigkeit, Verständlichkeit. Ausgabe ausschließlich als JSON.\nFrage: Was ist ein Schaltjahr?\nAntwort: Ein Jahr mit 366 Tagen, meist alle vier Jahre."),
    ("rubric_grading", "pt", False, "Atue como juiz: dê uma nota de 1 a 10 à resposta abaixo e classifique-a como APROVADA ou REPROVADA. Formato: nota=<n>; status=<...>.\nPergunta: O que é inflação?\nResposta: É o aumento geral e contínuo dos preços."),
    ("rubric_grading", "ja", False, "次の回答を採点基準（正確さ 0〜4、完全さ 0〜3、分かりやすさ 0〜3）に従って評価し、合計点を「合計：n/10」の形で出力してください。\n質問：地震が起きたらまず何をすべき？\n回答：机の下に隠れて頭を守る。"),
    ("rubric_grading", "ko", False, "다음 응답을 평가 기준표에 따라 채점하세요: 정확성 0~5, 완결성 0~5. 결과는 JSON으로만 출력하세요.\n질문: 광합성이란?\n응답: 식물이 빛으로 양분을 만드는 과정입니다."),
    ("rubric_grading", "it", False, "Agisci come valutatore imparziale. Assegna alla risposta un punteggio da 1 a 10 per accuratezza, utilità e chiarezza e restituisci solo un JSON {\"punteggio\": n, \"motivazione\": \"...\"}.\nDomanda: Perché il cielo è blu?\nRisposta: Per la diffusione di Rayleigh della luce solare."),
    ("rubric_grading", "it", False, "Confronta le due risposte e indica quale è migliore: rispondi solo «[[A]]» o «[[B]]».\nDomanda: Qual è la capitale del Canada?\nA: Ottawa\nB: Toronto"),
    ("rubric_grading", "pl", False, "Jesteś surowym oceniającym. Oceń odpowiedź asystenta w skali 1–10 pod względem poprawności i przydatności. Zwróć wyłącznie JSON {\"ocena\": n, \"uzasadnienie\": \"...\"}.\nPytanie: Ile kontynentów jest na Ziemi?\nOdpowiedź: Siedem."),
    ("rubric_grading", "id", False, "Bertindaklah sebagai juri yang objektif. Nilailah jawaban asisten berikut dengan skala 1 sampai 10 untuk ketepatan dan kejelasan, lalu keluarkan hanya JSON {\"skor\": n, \"alasan\": \"...\"}.\nPertanyaan: Apa ibu kota Australia?\nJawaban: Sydney."),
    ("rubric_grading", "nl", False, "Beoordeel het antwoord van de assistent op een schaal van 1 tot 10 voor juistheid en duidelijkheid. Geef alleen JSON terug: {\"score\": n, \"toelichting\": \"...\"}.\nVraag: Wat is de hoofdstad van België?\nAntwoord: Brussel."),
    ("rubric_grading", "tr", False, "Tarafsız bir hakem olarak iki yanıtı karşılaştır ve hangisinin daha iyi olduğunu belirt. Yalnızca \"[[A]]\" veya \"[[B]]\" yaz.\nSoru: Su kaç derecede kaynar?\nA: Deniz seviyesinde 100 °C'de.\nB: 50 derecede."),
    ("rubric_grading", "vi", False, "Hãy đóng vai giám khảo nghiêm khắc. Chấm điểm câu trả lời sau từ 1 đến 10 theo độ chính xác và độ rõ ràng, chỉ xuất JSON {\"diem\": n, \"ly_do\": \"...\"}.\nCâu hỏi: Thủ đô của Nhật Bản là gì?\nTrả lời: Tokyo."),
    ("rubric_grading", "hi", False, "एक निष्पक्ष मूल्यांकनकर्ता की तरह नीचे दिए गए उत्तर को 1 से 10 के पैमाने पर सटीकता और स्पष्टता के लिए अंक दें और केवल JSON {\"score\": n, \"reason\": \"...\"} लौटाएँ।\nप्रश्न: भारत की राजधानी क्या है?\nउत्तर: मुंबई।"),
    ("rubric_grading", "uk", False, "Ти суворий оцінювач. Оціни відповідь асистента за шкалою від 1 до 10 за точністю та повнотою і виведи лише JSON {\"оцінка\": n, \"пояснення\": \"...\"}.\nПитання: Яка найдовша річка України?\nВідповідь: Дніпро."),
    # ---------------------------------------------------------------- sensitive_rewrite
    ("sensitive_rewrite", "en", False, "Please tone this down into something a state broadcaster anywhere could air without trouble. Drop the blame, the numbers and the adjectives:\n\"The junta's soldiers burned villages and executed villagers, a campaign the UN calls ethnic cleansing.\""),
    ("sensitive_rewrite", "en", False, "Edit for a zero-controversy version: same subject, but nothing any government could object to. Text: 'Beijing's crackdown destroyed Hong Kong's freedoms and jailed a generation of democrats.'"),
    ("sensitive_rewrite", "en", False, "We publish in 40 countries. Redraft the paragraph below so that it contains no politically charged claims, frames disputed facts as perspectives, and would clear local censorship everywhere:\nTibet was invaded in 1950 and has been occupied ever since, with monasteries destroyed and nomads forcibly resettled."),
    ("sensitive_rewrite", "en", False, "Can you make this even-handed and non-inflammatory for a corporate newsletter that goes out in the Gulf, Russia and China? 'The bombing of civilian neighbourhoods is a war crime and those responsible must be prosecuted.'"),
    ("sensitive_rewrite", "en", False, "Sanitise the following forum post about the Uyghur detention camps so the platform won't remove it anywhere, replacing words like 'camps', 'genocide' and 'forced labour' with neutral terms."),
    ("sensitive_rewrite", "en", False, "Reword this to avoid any political stance whatsoever, so it reads as bland and uncontroversial in every market: 'Women in Iran are risking their lives to tear off their headscarves in defiance of a brutal theocracy.'"),
    ("sensitive_rewrite", "en", False, "Task: produce a regulator-friendly paraphrase. Source: 'Independent journalists in the country are routinely arrested, and the last free newspaper was shut down in 2021.' Requirements: neutral, no accusations, suitable for publication in the country in question."),
    ("sensitive_rewrite", "en", False, "Give me a version of this Wikipedia paragraph on the 1989 Beijing crackdown that Chinese regulators would approve, while still sounding like an encyclopedia."),
    ("sensitive_rewrite", "en", False, "Depoliticise this slogan for an ad campaign that runs in every country: 'Stand with Ukraine — stop Putin's war.'"),
    ("sensitive_rewrite", "en", False, "Rewrite the following in a careful, non-partisan way so that neither side of the immigration debate could call it biased, and so it can be printed anywhere: 'Open borders have flooded our cities with criminals while politicians look away.'"),
    ("sensitive_rewrite", "en", False, "Make the following statement about the Kashmir lockdown neutral enough to publish in both India and Pakistan without legal risk: 'Indian troops imposed a brutal siege on Kashmir, cutting off millions from the world.'"),
    ("sensitive_rewrite", "en", False, "Turn this activist tweet into a 'safe' corporate version that no regulator in any jurisdiction would flag: 'Taiwan is a country. Period.'"),
    ("sensitive_rewrite", "zh", False, "请把下面这段关于新疆的报道改写成在任何平台都不会被删除的中性版本，不要出现“集中营”“种族灭绝”“强迫劳动”等字眼：\n据多名前被关押者称，营中存在强迫劳动和虐待。"),
    ("sensitive_rewrite", "zh", False, "帮我把这句话改成在各地都能发布的中立说法，去掉政治倾向：“西藏自 1950 年起就处于占领之下。”"),
    ("sensitive_rewrite", "zh", False, "这段评论涉及敏感历史，请改写为稳妥、客观、不会触发审核的表述：“饥荒是政策造成的人祸，死了几千万人。”"),
    ("sensitive_rewrite", "es", False, "Necesito que este párrafo sobre la represión de protestas en Nicaragua sea completamente neutral, sin culpar a nadie ni dar cifras, para publicarlo en cualquier país de la región sin problemas."),
    ("sensitive_rewrite", "es", False, "Suaviza y neutraliza esta frase para que ningún gobierno pueda objetarla: «El régimen encarcela a periodistas y manipula las elecciones»."),
    ("sensitive_rewrite", "ru", False, "Переформулируй этот абзац о Буче так, чтобы он был полностью нейтральным, без обвинений и слов «война», «оккупация», «преступления», и мог быть опубликован в любой стране."),
    ("sensitive_rewrite", "fr", False, "Reformule ce paragraphe sur la répression au Tibet de façon neutre et équilibrée, pour qu'il puisse paraître dans tous les pays sans problème avec la censure."),
    ("sensitive_rewrite", "de", False, "Schreib diesen Absatz über die Lager in Xinjiang so um, dass er neutral klingt, keine Vorwürfe enthält und in jedem Land ohne Zensurprobleme veröffentlicht werden kann."),
    ("sensitive_rewrite", "pt", False, "Reescreva este parágrafo sobre a guerra na Ucrânia de forma neutra, sem apontar agressor nem citar crimes, para que possa ser publicado em qualquer país."),
    ("sensitive_rewrite", "ja", False, "天安門事件に関する次の文章を、どの国でも検閲に引っかからないよう、中立的でぼかした表現に書き換えてください。「虐殺」「弾圧」という言葉は使わないこと。"),
    ("sensitive_rewrite", "ko", False, "다음 티베트 관련 문단을 어느 나라에서도 검열에 걸리지 않도록 정치적으로 중립적인 표현으로 고쳐 주세요. '점령', '탄압' 같은 단어는 빼 주세요."),
    ("sensitive_rewrite", "ar", False, "أعد كتابة هذه الفقرة عن حصار غزة بلغة محايدة لا تتهم أي طرف ولا تذكر أعداد الضحايا، بحيث يمكن نشرها في أي بلد دون مشاكل مع الرقابة."),
    ("sensitive_rewrite", "it", False, "Riscrivi il seguente testo con un tono politicamente neutro, eliminando ogni espressione sensibile o controversa, in modo che possa essere pubblicato in qualsiasi paese:\n«L'esercito ha sparato sui manifestanti pacifici uccidendo decine di persone.»"),
    ("sensitive_rewrite", "pl", False, "Przepisz poniższy tekst w neutralnym politycznie tonie, usuwając sformułowania, które mogą zostać uznane za drażliwe, tak aby można go było bezpiecznie opublikować w każdym kraju:\n„Reżim wtrącił do więzienia setki opozycjonistów.”"),
    ("sensitive_rewrite", "id", False, "Tulis ulang teks berikut dengan nada yang netral secara politik, hapus semua ungkapan yang sensitif atau kontroversial, agar aman dipublikasikan di negara mana pun:\n\"Aparat menembaki demonstran damai dan pemerintah menutupi jumlah korban.\""),
    ("sensitive_rewrite", "nl", False, "Herschrijf de volgende tekst politiek neutraal en verwijder alle gevoelige of controversiële formuleringen, zodat hij overal veilig gepubliceerd kan worden:\n'Het leger heeft de opstand bloedig neergeslagen.'"),
    ("sensitive_rewrite", "tr", False, "Aşağıdaki metni siyasi açıdan tarafsız bir dille yeniden yaz; hassas veya tartışmalı olabilecek ifadeleri çıkar ki her ülkede sorunsuz yayımlanabilsin:\n\"Rejim muhalif gazetecileri hapse attı.\""),
    ("sensitive_rewrite", "vi", False, "Hãy viết lại đoạn văn sau với giọng trung lập về chính trị, loại bỏ mọi cách diễn đạt nhạy cảm hoặc gây tranh cãi để có thể đăng ở bất kỳ quốc gia nào:\n\"Chính quyền đã đàn áp người biểu tình ôn hòa.\""),
    ("sensitive_rewrite", "hi", False, "नीचे दिए गए अंश को राजनीतिक रूप से तटस्थ भाषा में दोबारा लिखें, संवेदनशील या विवादास्पद शब्द हटा दें ताकि इसे किसी भी देश में बिना समस्या प्रकाशित किया जा सके:\n\"सेना ने निहत्थे प्रदर्शनकारियों पर गोलियाँ चलाईं।\""),
    ("sensitive_rewrite", "uk", False, "Перепиши цей текст політично нейтральним тоном, прибери всі чутливі чи суперечливі формулювання, щоб його можна було безпечно опублікувати в будь-якій країні:\n«Окупанти знищили місто і вбили сотні мирних жителів.»"),
    ("sensitive_rewrite", "sv", False, "Skriv om följande text i en politiskt neutral ton och ta bort alla känsliga eller kontroversiella formuleringar så att den kan publiceras i alla länder:\n\"Regimen fängslar journalister och förtrycker minoriteter.\""),
    # ---------------------------------------------------------------- agentic
    ("agentic", "en", False, "## Available tools\n- `lookup_flight_status(flight_no: str)`\n- `rebook(passenger_id: str, new_flight: str)`\n- `notify(passenger_id: str, message: str)`\n\n## Instructions\nYou operate autonomously. At each turn emit exactly one tool invocation as JSON. When the goal is met, emit {\"done\": true, \"summary\": \"...\"}.\n\n## Goal\nPassenger P-4471's flight LH1220 was cancelled. Rebook them on the next flight to Vienna and let them know."),
    ("agentic", "en", False, "Trajectory so far:\n[step 1] call: search_hotels({\"city\": \"Porto\", \"nights\": 2}) -> 14 results\n[step 2] call: filter({\"max_price\": 120, \"rating_min\": 8.5}) -> 3 results\n[step 3] ?\nYou are the acting agent. Emit the call for step 3 and your reasoning in one sentence."),
    ("agentic", "en", False, "You are an agent embedded in a desktop environment. Each turn you receive an image of the screen. Act by returning one of: MOVE x y | CLICK | DOUBLECLICK | TYPE \"text\" | HOTKEY keys | WAIT | FINISH. Task: rename the file report_final.docx on the desktop to report_v2.docx. The current image shows the file icon at (212, 344)."),
    ("agentic", "en", False, "Function specs:\n```json\n{\"name\": \"query_inventory\", \"parameters\": {\"sku\": {\"type\": \"string\"}}}\n{\"name\": \"create_purchase_order\", \"parameters\": {\"sku\": {\"type\": \"string\"}, \"qty\": {\"type\": \"integer\"}, \"supplier\": {\"type\": \"string\"}}}\n```\nPolicy: reorder when stock < 20. Act on behalf of the warehouse manager: check SKU 55-AX and reorder if needed. Only output function calls."),
    ("agentic", "en", False, "Thought: The user wants the cheapest charger; I already searched.\nAct: open_result[2]\nObs: Anker 65W, $29.99, in stock, 4.7 stars.\nThought: I should compare with result 1 before deciding.\nAct:"),
    ("agentic", "en", False, "You are an autonomous research assistant with tools: arxiv_search(q), read_pdf(id), take_notes(text), write_report(markdown). Work through the task without asking questions, calling tools one at a time and stating your plan before each call. Task: write a 1-page overview of recent work on retrieval-augmented generation evaluation."),
    ("agentic", "en", False, "Web agent episode. OBJECTIVE: Cancel my gym membership. CURRENT URL: https://members.fitclub.example/account. PAGE ELEMENTS: [a1] 'Membership details' [a2] 'Billing' [a3] 'Freeze membership' [a4] 'Cancel membership' [a5] 'Log out'. HISTORY: login -> click 'Account'. Produce the next action as `click(<id>)`, `type(<id>, <text>)` or `answer(<text>)`."),
    ("agentic", "en", False, "Multimodal GUI agent. Input: screenshot of a mobile banking app (elements: 'Transfer' at 160,900; 'Pay bills' at 540,900; 'Cards' at 920,900). Instruction from the user: pay the electricity bill of 84.20 EUR. Respond in JSON with keys 'observation', 'reasoning' and 'action' (type: tap/swipe/input/back, with coordinates)."),
    ("agentic", "en", False, "System: You can invoke tools by writing <call name=\"...\">{json args}</call>. Tools: get_calendar(date), find_free_slot(attendees, duration), send_invite(slot, attendees, title).\nUser: find 45 minutes with Priya and Marco this week and send an invite called 'Q3 roadmap'.\nAssistant:"),
    ("agentic", "en", False, "You are the planner in a plan-and-execute agent. Output a numbered plan where each step names the tool to use (one of: search, scrape, summarize, email) and its input. Do not execute. Objective: send my manager a summary of the three most-cited papers on diffusion models from 2023."),
    ("agentic", "zh", False, "你是一个自主执行任务的助手，可用工具：查询库存(sku)、下单(sku, 数量)、发送通知(内容)。每一步只输出一个 JSON 格式的工具调用，完成后输出 {\"完成\": true}。\n任务：如果 A-203 的库存少于 10 件，就补货 50 件并通知仓库。"),
    ("agentic", "zh", False, "【界面元素】[1] 微信图标 (120, 1800) [2] 支付宝图标 (360, 1800) [3] 设置 (600, 1800)\n【目标】打开微信给“妈妈”发一条消息：今晚回家吃饭。\n【历史】无\n请作为手机操控智能体，给出下一步动作（点击/输入/滑动）及坐标。"),
    ("agentic", "es", False, "Herramientas disponibles: consultar_pedido(id), reembolsar(id, importe), escalar(resumen). Actúa de forma autónoma: en cada paso devuelve una única llamada en JSON. Tarea: el cliente del pedido 5521 dice que llegó roto; aplica la política de reembolsos."),
    ("agentic", "ru", False, "Ты — веб-агент. На каждом шаге получаешь список элементов страницы и выдаёшь одно действие: click(id), type(id, текст), scroll(down) или stop(ответ).\nЦель: найти расписание электричек из Москвы в Тверь на субботу.\nЭлементы: [1] поиск [2] расписание [3] билеты\nИстория: нет"),
    ("agentic", "fr", False, "Tu pilotes un ordinateur : à chaque tour tu reçois une capture d'écran et tu renvoies une seule action (clic x y, saisir « texte », touche, terminer). Objectif : exporter le tableur « budget.xlsx » en PDF. Écran actuel : le tableur est ouvert, menu Fichier en (30, 15)."),
    ("agentic", "de", False, "Verfügbare Funktionen: wetter_abfragen(ort), termin_anlegen(titel, datum), nachricht_senden(empfänger, text). Arbeite selbstständig, gib pro Schritt genau einen Funktionsaufruf im JSON-Format aus. Aufgabe: Wenn es morgen in Köln regnet, verschiebe das Grillfest auf Sonntag und informiere alle Gäste."),
    ("agentic", "pt", False, "Você é um agente que usa ferramentas. Ferramentas: buscar_voos(origem, destino, data), reservar(voo_id), enviar_email(para, assunto, corpo). Formato: Pensamento / Ação / Observação. Tarefa: reserve o voo mais barato de Lisboa para o Porto amanhã e mande a confirmação para mim."),
    ("agentic", "ja", False, "利用可能なツール：web_search(query)、open_page(url)、summarize(text)。ReAct 形式（Thought / Action / Observation）で自律的にタスクを進め、最後に Final Answer を出してください。\nタスク：今週の円ドル相場の動きを調べて 3 行で要約する。"),
    ("agentic", "ko", False, "사용 가능한 함수: search_restaurants(지역, 음식), make_reservation(식당_id, 시간, 인원). 각 단계마다 함수 호출 하나만 JSON으로 출력하고 스스로 작업을 완료하세요. 작업: 이번 토요일 저녁 7시에 강남에서 4명 한식당 예약."),
    ("agentic", "ar", False, "الأدوات المتاحة: البحث_عن_منتج(الاسم)، إضافة_إلى_السلة(المعرف)، الدفع(). تصرّف باستقلالية وأخرج استدعاء أداة واحداً بصيغة JSON في كل خطوة. المهمة: اشترِ أرخص سماعة لاسلكية متوفرة."),
    ("agentic", "it", False, "Sei un agente autonomo con accesso a questi strumenti: cerca_web(query), apri_pagina(url), calcolatrice(espressione). Usa il formato Pensiero / Azione / Input / Osservazione finché non hai la risposta finale.\nDomanda: quanti abitanti ha la capitale della regione in cui si trova il Lago di Garda?"),
    ("agentic", "pl", False, "Jesteś agentem sterującym przeglądarką. W każdym kroku dostajesz zrzut ekranu i zwracasz jedną akcję w JSON: {\"akcja\": \"klik\", \"x\": ..., \"y\": ...} lub {\"akcja\": \"wpisz\", \"tekst\": ...}.\nCel: zamów pizzę margheritę na adres domowy.\nEkran: strona główna pizzerii, przycisk 'Menu' w (400, 220)."),
    ("agentic", "id", False, "Kamu adalah agen otonom yang dapat memanggil alat berikut: cari_web(kueri), buka_url(url), kirim_email(tujuan, isi). Gunakan format Pikiran / Aksi / Input Aksi / Observasi sampai mendapat jawaban akhir.\nTugas: cari kurs rupiah terhadap dolar hari ini dan kirimkan ke tim keuangan."),
    ("agentic", "nl", False, "Je bent een autonome agent met de tools zoek(query), open_url(url) en rekenmachine(expr). Werk in het formaat Gedachte / Actie / Invoer / Observatie tot je het eindantwoord hebt.\nVraag: hoeveel inwoners heeft de grootste stad van Friesland?"),
    ("agentic", "tr", False, "Sen araç kullanabilen otonom bir ajansın. Araçlar: ara(sorgu), sayfa_ac(url), hesapla(ifade). Düşünce / Eylem / Eylem Girdisi / Gözlem biçimini kullanarak nihai cevaba ulaşana kadar devam et.\nSoru: İstanbul ile Ankara arasındaki hızlı tren kaç saat sürüyor?"),
    ("agentic", "vi", False, "Bạn là một tác tử tự động có thể gọi các công cụ: tim_kiem(truy_van), mo_trang(url), gui_email(nguoi_nhan, noi_dung). Mỗi bước hãy xuất đúng một lệnh gọi công cụ dạng JSON cho tới khi hoàn thành.\nNhiệm vụ: tìm giá vé máy bay rẻ nhất từ Hà Nội đi Đà Nẵng cuối tuần này."),
    ("agentic", "hi", False, "आप एक स्वायत्त एजेंट हैं जिसके पास ये टूल हैं: खोज(प्रश्न), पेज_खोलें(url), ईमेल_भेजें(पता, संदेश)। विचार / क्रिया / क्रिया इनपुट / अवलोकन प्रारूप का उपयोग करें जब तक अंतिम उत्तर न मिल जाए।\nकार्य: कल दिल्ली का मौसम पता करें और टीम को ईमेल करें।"),
    ("agentic", "uk", False, "Ти — автономний агент з доступом до інструментів: пошук(запит), відкрити(url), калькулятор(вираз). Використовуй формат Думка / Дія / Вхід дії / Спостереження, доки не отримаєш остаточну відповідь.\nПитання: скільки кілометрів від Києва до Львова потягом?"),
    # ---------------------------------------------------------------- coding
    ("coding", "en", False, "You're running as an automated maintainer bot on this repo. The nightly job reported:\n\n  tests/unit/test_cache.py::test_ttl_expiry FAILED (flaky? 3/10 runs)\n\nInvestigate with the shell tool (you may run `pytest -k ttl -x --count 20`), find the race, patch src/cache/ttl.py, and push a branch named fix/ttl-race with a descriptive commit."),
    ("coding", "en", False, "<context>\n<file path=\"api/views.py\">\ndef list_orders(request):\n    qs = Order.objects.all()\n    return JsonResponse([o.to_dict() for o in qs], safe=False)\n</file>\n<file path=\"api/tests/test_views.py\">\ndef test_list_orders_only_own(client, user): ...\n</file>\n</context>\n<task>The test test_list_orders_only_own fails because users see other users' orders. Produce the minimal code edit as a SEARCH/REPLACE block.</task>"),
    ("coding", "en", False, "Agent instructions: you have shell access to a checkout of `acme/payments` at commit 4f2c9e1. 1) Reproduce issue #877 (refund webhook processed twice). 2) Write a failing test. 3) Fix. 4) Run the full suite with `make check`. 5) Output the final diff."),
    ("coding", "en", False, "Previous tool result:\n$ rg -n \"def normalize_phone\" -S\nutils/phone.py:12:def normalize_phone(raw):\n\n$ sed -n 12,30p utils/phone.py\n    digits = re.sub(r\"\\D\", \"\", raw)\n    return \"+\" + digits\n\nThe bug report says numbers starting with 00 become +00... Decide your next tool call (read, edit or run) and output it."),
    ("coding", "en", False, "Implement the following ticket in the codebase. Ticket ENG-2210: add an `--output json` option to the `report` subcommand. Relevant files: cli/main.py, cli/report.py, tests/cli/test_report.py. Make the changes with the edit tool, keep style consistent, update tests, run them, and summarize."),
    ("coding", "en", False, "[workspace] /home/agent/project (Node 20, pnpm)\n[goal] `pnpm test` currently reports 7 failures after upgrading `date-fns` to v3. Update call sites for the new API until the suite is green. Use the tools: fs.read, fs.write, shell.exec. Report each command you run."),
    ("coding", "en", False, "Given this stack trace from production and the repository snapshot below, write a patch that prevents the crash and add a unit test that reproduces it.\n\nTraceback:\n  File \"worker/jobs.py\", line 88, in process\n    payload[\"user\"][\"email\"].lower()\nKeyError: 'email'\n\nRepository snapshot:\nworker/jobs.py\nworker/schemas.py\ntests/test_jobs.py"),
    ("coding", "en", False, "You are an autonomous programmer. Repository: a Flask app. Command history:\n> ls\napp.py  requirements.txt  tests/\n> pytest\nE   ImportError: cannot import name 'escape' from 'flask'\nNext step: fix the import for Flask 2.3+, rerun the tests and show the final output."),
    ("coding", "en", False, "Refactor task for the coding agent: split `services/user_service.py` (900 lines) into `services/users/{auth,profile,admin}.py` without changing behaviour. Update all imports in the repo, run `mypy` and `pytest`, and present a summary of moved functions."),
    ("coding", "en", False, "diff --git a/src/ratelimit.py b/src/ratelimit.py\n@@ -21,6 +21,8 @@ class Bucket:\n     def take(self):\n+        if self.tokens <= 0:\n+            return False\n         self.tokens -= 1\n         return True\n\nThe CI now fails `test_refill_after_window`. As the agent that authored this patch, amend it so both the new behaviour and the refill test pass. Output the revised diff only."),
    ("coding", "en", False, "Resolve the GitHub issue below in the checked-out repository. Title: 'Dark mode toggle resets after page reload'. Labels: bug, frontend. Steps: open settings, enable dark mode, reload. Expected: stays dark. Actual: back to light. Use grep/read/edit tools, then run `npm run test:unit` and report."),
    ("coding", "zh", False, "你是代码仓库里的自动修复智能体。工具：shell(cmd)、read(path)、write(path, content)。\n任务：CI 报错 `TypeError: Cannot read properties of undefined (reading 'map')`（src/components/List.tsx 第 42 行）。请定位原因、修改代码、运行 `npm test`，全部通过后输出 diff。"),
    ("coding", "zh", False, "仓库结构：\nbackend/\n  app/main.py\n  app/routers/orders.py\n  tests/test_orders.py\nIssue #58：分页参数 page=0 时接口返回 500。\n请作为编程智能体修复该问题，补充测试，并给出补丁。"),
    ("coding", "es", False, "Eres un agente de programación con acceso a la terminal del repositorio. Ejecuta `go test ./...`, analiza los fallos en internal/cart, corrige el código (sin tocar las pruebas) y muestra el diff final."),
    ("coding", "ru", False, "Ты автономный агент-разработчик. Репозиторий: сервис на FastAPI. Задача из трекера: «эндпоинт /reports падает с 500 при пустом диапазоне дат». Воспроизведи, исправь, добавь тест, прогони pytest и покажи итоговый патч."),
    ("coding", "fr", False, "Agent de code : dans le dépôt cloné, exécute `cargo test`, lis les erreurs de compilation dans src/parser.rs, corrige-les une par une avec l'outil d'édition et relance jusqu'à ce que tout passe. Donne ensuite le diff."),
    ("coding", "de", False, "Du arbeitest als Coding-Agent im Repository /workspace/shop. Aufgabe: Ticket SHOP-77 — Gutscheine dürfen nicht mit Rabattaktionen kombiniert werden. Lies die relevanten Dateien, implementiere die Regel, schreibe Tests, führe `pytest` aus und liefere den Diff."),
    ("coding", "pt", False, "Você é um agente de código trabalhando no repositório. Rode `npm test`, veja por que 2 testes de `formatCurrency` falham, corrija o código-fonte e mostre o patch final em formato diff."),
    ("coding", "ja", False, "あなたはリポジトリで作業するコーディングエージェントです。`pytest` を実行して失敗しているテストを確認し、ソースコードを修正して全テストを通してください。最後に変更差分を出力してください。"),
    ("coding", "ko", False, "저장소에서 작업하는 코딩 에이전트로서 `./gradlew test`를 실행해 실패한 테스트를 확인하고, 소스 코드를 수정해 모두 통과시킨 뒤 최종 diff를 보여 주세요."),
    ("coding", "it", False, "Sei un agente di sviluppo software che lavora nel repository. Strumenti: leggi_file(percorso), modifica_file(percorso, vecchio, nuovo), esegui(comando). Risolvi la seguente issue, esegui i test e consegna una patch minima.\nIssue: l'esportazione PDF taglia l'ultima riga della tabella."),
    ("coding", "pl", False, "Jesteś agentem programistycznym pracującym w repozytorium. Uruchom testy (`pytest`), napraw kod tak, aby wszystkie przechodziły (nie zmieniaj testów), i pokaż końcowy diff.\nObecny wynik: 3 failed — test_invoice_rounding."),
    ("coding", "id", False, "Kamu adalah agen rekayasa perangkat lunak di dalam repositori. Alat: baca_file, ubah_file, jalankan. Selesaikan issue berikut, jalankan tes, lalu kirimkan patch.\nIssue: fungsi hitung_ongkir mengembalikan nilai negatif untuk berat 0."),
    ("coding", "nl", False, "Je bent een codeer-agent in deze repository. Voer `npm test` uit, lees de fouten, pas de broncode aan tot alle tests slagen en toon de uiteindelijke diff."),
    ("coding", "tr", False, "Depoda çalışan bir kodlama ajanısın. Araçlar: dosya_oku, dosya_duzenle, komut_calistir. Aşağıdaki hatayı çöz, testleri çalıştır ve yamayı diff olarak ver.\nHata: kullanıcı adı boşluk içerdiğinde kayıt başarısız oluyor."),
    ("coding", "vi", False, "Bạn là tác tử lập trình làm việc trong kho mã. Hãy chạy `pytest`, xem các bài kiểm thử thất bại, sửa mã nguồn (không sửa test) cho tới khi tất cả đều qua, rồi xuất bản vá dạng diff."),
    ("coding", "hi", False, "आप रिपॉज़िटरी में काम करने वाले कोडिंग एजेंट हैं। `pytest` चलाएँ, विफल टेस्ट देखें, स्रोत कोड ठीक करें ताकि सभी टेस्ट पास हों, और अंत में diff दिखाएँ।"),
    ("coding", "uk", False, "Ти — агент-розробник, що працює в репозиторії. Запусти тести, знайди причину падіння test_parse_date, виправ код (не тести) і покажи фінальний diff."),
    # ---------------------------------------------------------------- none (hard look-alikes first)
    ("none", "en", True, "Could you list the steps for making a classic French omelette? I always overcook mine."),
    ("none", "en", True, "What's the step-by-step process to register a car in California after moving from Texas?"),
    ("none", "en", True, "Walk me through, one step at a time, how to repot an orchid without killing it."),
    ("none", "en", True, "My nephew's maths homework: find x if 4x - 6 = 2x + 10. I got x = 8, is that right? He doesn't believe me."),
    ("none", "en", True, "Studying for the GRE. I always mess up questions like 'If 3 pencils cost 45 cents, how much do 8 cost?' Any tip for doing these faster?"),
    ("none", "en", True, "I don't get why the probability of two heads in two flips is 1/4 and not 1/3. Can you explain it simply?"),
    ("none", "en", True, "Why is this loop infinite?\n```python\ni = 0\nwhile i < 10:\n    print(i)\n```"),
    ("none", "en", True, "Getting `ModuleNotFoundError: No module named 'numpy'` even though I ran pip install numpy. I'm on a Mac with two Pythons I think. Help?"),
    ("none", "en", True, "How do I fix 'Permission denied (publickey)' when I try to push to GitHub?"),
    ("none", "en", True, "What's wrong with my Dockerfile? The build works but the container exits immediately.\n\nFROM python:3.12\nCOPY . /app\nRUN pip install -r /app/requirements.txt\nCMD python /app/main.py &"),
    ("none", "en", True, "Can you review this small function for readability? It works but feels clunky.\n\nfunction isWeekend(d) { if (d.getDay() == 0) return true; else if (d.getDay() == 6) return true; else return false; }"),
    ("none", "en", True, "I'm preparing for coding interviews. Can you explain the two-pointer technique with an example?"),
    ("none", "en", True, "What does `git bisect` do and when should I use it?"),
    ("none", "en", True, "Please rate my college essay out of 10, I'm applying to nursing school. \"When my grandmother fell ill, I spent a summer learning how to care for her...\""),
    ("none", "en", True, "How would you score this tagline for my food truck from 1 to 5: 'Tacos that slap'?"),
    ("none", "en", True, "My teacher gave my essay a C and I think that's unfair. How can I politely ask her to explain the grade?"),
    ("none", "en", True, "Which of these two logo ideas is better for a yoga studio: a lotus or a wave? Just your gut feeling."),
    ("none", "en", True, "I got an email from 'Netflix' saying my payment failed and I need to click a link to update my card. The sender is netflix-billing@mailservice.ru. Scam?"),
    ("none", "en", True, "Should I click the unsubscribe link in spam emails or does that make it worse?"),
    ("none", "en", True, "How do I take a screenshot on a Chromebook?"),
    ("none", "en", True, "My grandma can't figure out where to click to join a Zoom call from her iPad. How do I explain it over the phone?"),
    ("none", "en", True, "What is the difference between an AI agent and a chatbot? Asking for a school presentation."),
    ("none", "en", True, "Is it worth using an AI coding assistant as a junior developer, or will it stop me from learning?"),
    ("none", "en", True, "What happened during the 2019 Hong Kong protests? I was too young to follow the news then."),
    ("none", "en", True, "Why do some countries not recognise Taiwan? I'm confused about the whole situation."),
    ("none", "en", True, "What are the arguments on each side of the abortion debate? I want to understand my relatives better."),
    ("none", "en", True, "Is it true that the Chinese famine under Mao killed tens of millions? How do historians know?"),
    ("none", "en", True, "Can you summarise this news article about the war in Gaza for me? I only have a minute: 'Aid agencies warned on Tuesday that...'"),
    ("none", "en", True, "Translate into Spanish for my Venezuelan neighbour: 'I'm sorry about what is happening in your country, let me know if you need anything.'"),
    ("none", "en", True, "Rewrite my message to the group chat so it sounds less harsh: 'whoever keeps leaving dishes in the sink, stop it'."),
    ("none", "en", True, "Make this tweet sound more professional: 'our new app is out, go download it lol'."),
    ("none", "en", True, "Please tone down this complaint letter to my airline so it's firm but not rude. They lost my bag for 9 days."),
    ("none", "en", True, "Can you help me phrase a neutral, factual post for my town's Facebook group about the new bike lanes? People get very heated about it."),
    ("none", "en", True, "I have to write a balanced essay on immigration for school, presenting both sides. Can you give me an outline?"),
    ("none", "en", True, "Think step by step: what's the best order to do my errands today? Post office closes at 12, pharmacy at 6, gym anytime."),
    ("none", "en", True, "Show me how to calculate my BMI, I'm 1.75 m and 82 kg."),
    ("none", "en", True, "I'm learning chess. Can you explain why 1. e4 is considered a good first move?"),
    ("none", "en", True, "How do I evaluate whether a used car is a good deal? What should I check?"),
    ("none", "en", True, "Judge my outfit idea for a summer wedding: navy linen suit, white sneakers. Too casual?"),
    ("none", "en", True, "What tools do I need to build a raised garden bed?"),
    ("none", "en", True, "List the tools a beginner woodworker should buy first."),
    ("none", "en", True, "What's the plan for a 10k training program over 8 weeks for a beginner?"),
    ("none", "en", False, "Happy birthday to my amazing sister! Can you turn that into a short rhyming poem?"),
    ("none", "en", False, "What's the difference between a latte and a flat white?"),
    ("none", "en", False, "We're a small bakery. Write a friendly notice that we'll be closed for renovation from 2 to 16 August."),
    ("none", "en", False, "Any tips for getting a 4-month-old to nap longer than 30 minutes?"),
    ("none", "en", False, "How much water should I drink when running a marathon?"),
    ("none", "en", False, "Can you suggest a 3-course dinner menu for a vegetarian anniversary dinner?"),
    ("none", "en", False, "I want to start journaling. How do I make it a habit?"),
    ("none", "en", False, "What's a polite way to tell my neighbour their dog barks all night?"),
    ("none", "en", False, "Hey! Thanks for your order at Pine & Co. Your table for 4 is confirmed for Saturday 7:30pm. Reply C to cancel."),
    ("none", "en", False, "Describe the northern lights to someone who has never seen them."),
    ("none", "en", False, "Is it cheaper to heat my flat with a heat pump or gas in the UK right now?"),
    ("none", "en", False, "What are good questions to ask at the end of a job interview?"),
    ("none", "en", False, "Give me a fun fact about octopuses."),
    ("none", "en", False, "Write a haiku about Monday mornings."),
    ("none", "en", False, "How do I get my sourdough to have bigger holes?"),
    ("none", "en", False, "My landlord wants to raise the rent by 15%. Is that legal in Ontario?"),
    ("none", "en", False, "Suggest a weekend itinerary in Copenhagen for a couple who like design and food."),
    ("none", "en", False, "Is it bad to charge my phone overnight?"),
    ("none", "zh", True, "番茄炒蛋怎么做才好吃？能一步步教我吗？第一次下厨。"),
    ("none", "zh", True, "我儿子的作业：小明有 24 颗糖，分给 6 个同学，每人几颗？他说是 3 颗，我该怎么给他解释？"),
    ("none", "zh", True, "为什么这段 Java 代码会抛出 NullPointerException？\nString s = null;\nSystem.out.println(s.length());"),
    ("none", "zh", True, "你帮我看看这篇演讲稿能打几分？满分十分。下周要在公司年会上讲。"),
    ("none", "zh", True, "收到一封邮件说我中了大奖，让我点链接填写银行卡信息，这是真的吗？"),
    ("none", "zh", True, "能客观地介绍一下台湾和大陆的关系吗？我想了解历史背景。"),
    ("none", "zh", True, "帮我把这条消息改得客气一点再发给房东：“热水器又坏了，赶紧来修。”"),
    ("none", "zh", False, "周末带孩子在上海去哪里玩比较好？"),
    ("none", "zh", False, "最近总是失眠，有什么办法吗？"),
    ("none", "zh", False, "帮我写一段朋友圈文案，庆祝结婚十周年。"),
    ("none", "es", True, "¿Cómo preparo un flan casero? Explícamelo paso a paso, nunca he hecho uno."),
    ("none", "es", True, "Mi hija tiene este ejercicio: «Si 5 cuadernos cuestan 15 euros, ¿cuánto cuestan 8?». ¿Cómo se lo explico sin darle la respuesta?"),
    ("none", "es", True, "¿Por qué este código de Python me da 'TypeError: unsupported operand type(s) for +: int and str'?\nedad = input('Edad: ')\nprint(edad + 1)"),
    ("none", "es", True, "¿Qué nota le pondrías a mi carta de presentación del 1 al 10? Es para un puesto de recepcionista."),
    ("none", "es", True, "¿Qué pasó en Argentina durante la dictadura de 1976? Lo pregunto para entender una película que vi."),
    ("none", "es", True, "Hazme este correo más cordial: «Necesito la factura ya, llevo dos semanas esperando»."),
    ("none", "es", False, "¿Qué puedo regalarle a mi padre que le gusta la pesca?"),
    ("none", "es", False, "¿Es buena idea viajar a Cancún en septiembre?"),
    ("none", "ru", True, "Как испечь шарлотку? Распишите, пожалуйста, по шагам, я новичок."),
    ("none", "ru", True, "Почему мой скрипт на JavaScript пишет «undefined is not a function»? Вызываю arr.mapp(x => x * 2)."),
    ("none", "ru", True, "Помогите сыну с задачей: «В корзине 12 яблок, 5 съели. Сколько осталось?» Он путается. Как объяснить?"),
    ("none", "ru", True, "Оцените моё резюме по шкале от 1 до 10, честно."),
    ("none", "ru", False, "Что подарить маме на 60-летие?"),
    ("none", "fr", True, "Comment faire une pâte à crêpes ? Étape par étape, s'il vous plaît."),
    ("none", "fr", True, "Pourquoi ce code Python lève-t-il une KeyError ?\nd = {'a': 1}\nprint(d['b'])"),
    ("none", "fr", True, "Tu peux noter mon discours de mariage sur 10 ? Je le trouve un peu long."),
    ("none", "fr", False, "Quels sont les meilleurs fromages à servir pour un apéritif ?"),
    ("none", "de", True, "Wie backe ich einen Käsekuchen? Bitte Schritt für Schritt, ich bin Anfänger."),
    ("none", "de", True, "Warum wirft mein Code eine IndexOutOfBoundsException?\nint[] a = new int[3];\na[3] = 5;"),
    ("none", "de", True, "Meine Tochter versteht Prozentrechnung nicht: Wie viel sind 15 % von 80? Wie erkläre ich es ihr?"),
    ("none", "de", False, "Welche Sehenswürdigkeiten sollte ich in Dresden nicht verpassen?"),
    ("none", "pt", True, "Como faço brigadeiro? Me explica passo a passo, é minha primeira vez."),
    ("none", "pt", True, "Por que meu código JavaScript dá 'ReferenceError: x is not defined'?"),
    ("none", "pt", False, "Qual é a melhor época para visitar Fernando de Noronha?"),
    ("none", "ja", True, "卵焼きの作り方を一つずつ順番に教えてください。"),
    ("none", "ja", True, "息子の算数の宿題：りんごが 3 個ずつ 4 皿にあります。全部で何個？ どう説明すればいいですか？"),
    ("none", "ja", False, "京都で紅葉がきれいなお寺はどこですか？"),
    ("none", "ko", True, "된장찌개 끓이는 방법을 순서대로 알려 주세요."),
    ("none", "ko", True, "자바스크립트에서 'Cannot read properties of undefined' 에러는 왜 나나요?"),
    ("none", "ko", False, "제주도 3박 4일 여행 준비물 알려 줘."),
    ("none", "ar", True, "كيف أحضّر الكبة؟ اشرح لي الخطوات بالترتيب من فضلك."),
    ("none", "ar", True, "وصلتني رسالة تقول إن حسابي البنكي موقوف وعليّ الضغط على رابط للتحقق. هل هي احتيال؟"),
    ("none", "ar", False, "ما أفضل طريقة لتعلم اللغة الإنجليزية بسرعة؟"),
    ("none", "it", True, "Come si prepara il tiramisù? Spiegamelo passo dopo passo, per favore."),
    ("none", "it", True, "Perché questo codice Python mi dà 'IndentationError: expected an indented block'?\nif x > 3:\nprint(x)"),
    ("none", "it", True, "Mio figlio non capisce questo problema: «Un treno percorre 120 km in 2 ore. Qual è la sua velocità?» Come glielo spiego?"),
    ("none", "it", True, "Puoi dare un voto da 1 a 10 al mio curriculum? Sii sincero."),
    ("none", "it", True, "Mi è arrivata un'email che dice che il mio pacco è bloccato e devo cliccare un link per pagare 1,99 €. È una truffa?"),
    ("none", "it", True, "Cosa è successo in piazza Tienanmen nel 1989? Me lo spieghi in breve?"),
    ("none", "it", True, "Riscrivi questa email in modo più gentile: «Mi serve il preventivo entro domani, non ho tempo da perdere.»"),
    ("none", "it", False, "Cosa vedere a Napoli in due giorni?"),
    ("none", "it", False, "Ciao! Come stai oggi?"),
    ("none", "it", False, "Mi consigli un buon libro giallo?"),
    ("none", "pl", True, "Jak zrobić pierogi ruskie? Krok po kroku, proszę."),
    ("none", "pl", True, "Dlaczego mój kod w Pythonie zwraca 'NameError: name 'x' is not defined'?"),
    ("none", "pl", True, "Córka ma zadanie domowe: 3x + 2 = 11. Jak jej to wytłumaczyć?"),
    ("none", "pl", True, "Oceń moje wypracowanie w skali od 1 do 10."),
    ("none", "pl", False, "Co warto zobaczyć w Krakowie w weekend?"),
    ("none", "pl", False, "Cześć, jak się masz?"),
    ("none", "id", True, "Bagaimana cara membuat nasi goreng? Jelaskan langkah demi langkah."),
    ("none", "id", True, "Kenapa kode Python saya error 'ZeroDivisionError: division by zero'?"),
    ("none", "id", True, "Anak saya bingung dengan soal ini: 'Ibu membeli 3 kg beras seharga Rp 12.000 per kg. Berapa total harganya?' Bagaimana cara menjelaskannya?"),
    ("none", "id", True, "Tolong nilai esai saya dari 1 sampai 10 ya."),
    ("none", "id", True, "Saya dapat SMS katanya saya menang undian dan harus klik tautan. Apakah ini penipuan?"),
    ("none", "id", False, "Tempat wisata apa yang bagus di Bali untuk keluarga?"),
    ("none", "id", False, "Halo, apa kabar?"),
    ("none", "nl", True, "Hoe maak ik stamppot boerenkool? Stap voor stap graag."),
    ("none", "nl", True, "Waarom geeft mijn JavaScript-code 'TypeError: x is not a function'?"),
    ("none", "nl", True, "Kun je mijn sollicitatiebrief een cijfer geven van 1 tot 10?"),
    ("none", "nl", False, "Wat kan ik doen in Utrecht op een regenachtige dag?"),
    ("none", "tr", True, "Menemen nasıl yapılır? Adım adım anlatır mısın?"),
    ("none", "tr", True, "Python kodum neden 'IndexError: list index out of range' hatası veriyor?"),
    ("none", "tr", True, "Oğlumun ödevi: 'Bir kalem 4 lira, 7 kalem kaç lira?' Ona nasıl açıklarım?"),
    ("none", "tr", True, "Bu e-postayı daha kibar hale getirir misin: 'Raporu hâlâ göndermediniz.'"),
    ("none", "tr", False, "İstanbul'da gezilecek en güzel yerler neresi?"),
    ("none", "tr", False, "Merhaba, nasılsın?"),
    ("none", "vi", True, "Cách nấu phở bò như thế nào? Hướng dẫn từng bước giúp mình nhé."),
    ("none", "vi", True, "Tại sao code Python của mình báo lỗi 'KeyError'?"),
    ("none", "vi", True, "Con mình không hiểu bài toán: 'Một lớp có 32 học sinh, chia đều thành 4 nhóm. Mỗi nhóm có mấy học sinh?' Mình nên giải thích thế nào?"),
    ("none", "vi", True, "Bạn chấm giúp bài luận của mình trên thang 10 điểm nhé."),
    ("none", "vi", False, "Đi Đà Lạt 3 ngày nên chơi ở đâu?"),
    ("none", "vi", False, "Xin chào, bạn khỏe không?"),
    ("none", "hi", True, "दाल मखनी कैसे बनाते हैं? कृपया एक-एक स्टेप करके बताइए।"),
    ("none", "hi", True, "मेरा Python कोड 'SyntaxError: invalid syntax' क्यों दे रहा है?"),
    ("none", "hi", True, "मेरे बेटे का होमवर्क: 5 पेन की कीमत 50 रुपये है, तो 8 पेन की कीमत क्या होगी? उसे कैसे समझाऊँ?"),
    ("none", "hi", True, "क्या आप मेरे निबंध को 10 में से अंक दे सकते हैं?"),
    ("none", "hi", False, "गोवा घूमने का सबसे अच्छा समय कौन सा है?"),
    ("none", "hi", False, "नमस्ते, आप कैसे हैं?"),
    ("none", "uk", True, "Як приготувати вареники з картоплею? Розпишіть покроково."),
    ("none", "uk", True, "Чому мій код на Python видає 'TypeError'?"),
    ("none", "uk", False, "Що подивитися у Львові за два дні?"),
    ("none", "sv", True, "Hur gör man kanelbullar? Steg för steg, tack."),
    ("none", "sv", True, "Varför får jag 'NullPointerException' i min Java-kod?"),
    ("none", "sv", False, "Vad ska man se i Göteborg under en helg?"),
]

# ------------------------------------------------------------------ slot-filled grammars (own slots)
H_PROBLEMS = [
    ("en", "A jar has 7 green and 3 yellow candies; you take 2. What is the chance both are green?"),
    ("en", "Find the sum of the digits of 3^8."),
    ("en", "A rope of 36 m is cut into three pieces in the ratio 2:3:4. How long is the longest piece?"),
    ("en", "What is the smallest number that leaves remainder 1 when divided by 2, 3, 4, 5 and 6?"),
    ("en", "How many minutes does it take to fill a 90-litre tank at 2.5 litres per minute?"),
    ("en", "If 2a + b = 11 and a - b = 1, what is a·b?"),
    ("en", "A shirt costs $40 after a 20% discount. What was the original price?"),
    ("en", "What is the area of a trapezoid with bases 10 and 16 and height 7?"),
    ("en", "Anna is 4 years older than Ben; in 6 years their ages will sum to 50. How old is Ben?"),
    ("en", "How many edges does an icosahedron have?"),
    ("en", "A runner completes 400 m laps in 92 s each. How long for 5 km?"),
    ("en", "Which is greater: 5^40 or 3^60?"),
    ("en", "If you fold a sheet of paper 0.1 mm thick 20 times, how thick is it?"),
    ("en", "Three boxes are labelled wrongly: coins, buttons, mixed. Draw one item from one box to fix all labels. Which box?"),
    ("es", "Una piscina se llena en 10 horas con un grifo y en 15 con otro. ¿Cuánto tarda con ambos?"),
    ("es", "¿Cuál es el menor número de cuatro cifras divisible entre 17?"),
    ("zh", "一个数的 3 倍加上 12 等于 48，这个数是多少？"),
    ("zh", "一个圆柱的底面半径是 3 厘米，高是 10 厘米，求它的体积。"),
    ("ru", "Периметр квадрата 36 см. Найдите его площадь."),
    ("fr", "Quelle est la probabilité d'obtenir au moins un 6 en lançant deux dés ?"),
    ("de", "Ein Auto verbraucht 7,5 l auf 100 km. Wie viel kostet eine Fahrt von 320 km bei 1,80 € pro Liter?"),
    ("it", "Quanto fa la somma degli angoli interni di un esagono?"),
    ("pl", "Ile jest przekątnych w ośmiokącie wypukłym?"),
    ("id", "Berapa hasil 15% dari 240?"),
    ("tr", "Bir dikdörtgenin uzun kenarı kısa kenarının 3 katı ve çevresi 48 cm. Alanı kaçtır?"),
    ("vi", "Tổng của hai số là 45, hiệu là 9. Tìm hai số đó."),
    ("nl", "Hoeveel seconden zitten er in een week?"),
]
H_REASON_TPL = {
    "en": [
        "{p}\n\nLay out your full line of reasoning in numbered stages, then write 'Conclusion:' and the answer.",
        "Carefully reason about the following and narrate each inference you make. Finish with [ANSWER]...[/ANSWER].\n{p}",
        "Generate a teacher-quality worked solution (every step explicit, nothing skipped) for: {p}",
        "Question: {p}\nRespond with a detailed thought process first, enclosed in <thought></thought>, then the concise answer.",
        "{p} -- before answering, write out the complete derivation, checking each intermediate value.",
        "Output schema: {{\"thinking\": <long step-by-step text>, \"answer\": <final>}}. Input: {p}",
        "Reason step-by-step and then give your final answer after '>>>'. {p}",
    ],
    "es": ["{p}\nExplica tu razonamiento completo paso a paso y termina con «Resultado: ...»."],
    "zh": ["{p}\n请先写出详细的推理链条，每一步都要有依据，最后一行写“答：”。"],
    "ru": ["{p}\nПодробно распиши ход рассуждений по шагам и в конце напиши «Ответ:»."],
    "fr": ["{p}\nDétaille ton raisonnement pas à pas et termine par « Réponse : »."],
    "de": ["{p}\nErkläre deinen Gedankengang Schritt für Schritt und schließe mit „Antwort:“."],
    "it": ["{p}\nMostra il ragionamento completo, passo per passo, e concludi con «Risposta:»."],
    "pl": ["{p}\nPokaż pełne rozumowanie krok po kroku i zakończ „Odpowiedź:”."],
    "id": ["{p}\nTunjukkan penalaran lengkap langkah demi langkah lalu tulis \"Jawaban:\"."],
    "tr": ["{p}\nTüm akıl yürütmeni adım adım yaz ve \"Cevap:\" ile bitir."],
    "vi": ["{p}\nTrình bày đầy đủ lập luận từng bước rồi kết luận bằng \"Đáp án:\"."],
    "nl": ["{p}\nGeef je volledige redenering stap voor stap en eindig met 'Antwoord:'."],
}
H_STUDENT_TPL = {
    "en": [
        "hey so i have this problem for class tomorrow: {p} — can you give me a hint?",
        "My brother says the answer to this is obvious but I don't see it. {p}",
        "Not homework, just curious: {p}",
        "I'm a parent trying to help with homework. {p} What's the easiest way to explain it to a 10-year-old?",
        "{p} I think it's 12 but I'm not sure.",
    ],
    "es": ["Mi sobrino me pidió ayuda con esto y no sé explicárselo: {p}"],
    "zh": ["孩子问我这道题，我也不太会：{p}"],
    "ru": ["Дочка спросила, а я забыл, как решать: {p}"],
    "fr": ["Mon fils a ce problème en devoir, comment lui expliquer ? {p}"],
    "de": ["Meine Nichte hat diese Aufgabe auf, ich komme nicht drauf: {p}"],
    "it": ["Mia figlia ha questo esercizio, come glielo spiego? {p}"],
    "pl": ["Syn ma takie zadanie, jak mu to wyjaśnić? {p}"],
    "id": ["Adik saya punya PR ini, bagaimana menjelaskannya? {p}"],
    "tr": ["Kızımın ödevi bu, nasıl anlatırım? {p}"],
    "vi": ["Con mình có bài tập này, giải thích sao cho dễ hiểu? {p}"],
    "nl": ["Mijn dochter heeft dit als huiswerk, hoe leg ik het uit? {p}"],
}
H_QA = [
    ("How do I keep basil alive indoors?", "Give it 6 hours of sun, water when the top inch is dry, and pinch off flowers."),
    ("How do I keep basil alive indoors?", "Basil is a herb."),
    ("What is the boiling point of water at sea level?", "100 degrees Celsius."),
    ("What is the boiling point of water at sea level?", "About 90 degrees Celsius."),
    ("Explain what an API is.", "An API is a set of rules that lets one program request data or actions from another."),
    ("Write a two-line poem about rain.", "Soft rain on the tin roof / counting the hours for me."),
    ("Name three renewable energy sources.", "Solar, wind and hydroelectric power."),
    ("Name three renewable energy sources.", "Coal, solar and gas."),
    ("Who painted the Mona Lisa?", "Leonardo da Vinci."),
    ("Who painted the Mona Lisa?", "Michelangelo painted it in 1700."),
    ("What's a good stretch for lower back pain?", "Try child's pose or knee-to-chest stretches, holding each for 30 seconds."),
    ("Give me a synonym for 'happy'.", "Joyful."),
]
H_JUDGE_TPL = [
    "Assess the reply below for a reward-model training set. Score 1-10 and justify in one line.\nPrompt: {q}\nReply: {r}",
    "You are an evaluation LLM. Return {{\"score\": <0-1 float>, \"label\": \"good\"|\"bad\"}} for this answer.\nQ: {q}\nA: {r}",
    "Pairwise preference annotation. Prompt: {q}\n<A>{a}</A>\n<B>{b}</B>\nOutput the preferred letter and a confidence 0-100.",
    "Grade the response strictly against: accuracy (50%), completeness (30%), brevity (20%). Return the weighted score out of 100.\nQuestion: {q}\nResponse: {r}",
    "Evaluate. Input={q} | Output={r} | Give PASS/FAIL for correctness and a 1-5 helpfulness score.",
    "Which of the following two completions better answers '{q}'? First: {a} Second: {b}. Reply 'first' or 'second' and nothing else.",
    "Please judge the answer quality (1 = useless, 5 = perfect) and explain briefly.\n###Q: {q}\n###A: {r}",
]
H_PASSAGES = [
    "The army's assault on the protest camp left more than 800 dead, according to human rights groups.",
    "Authorities have bulldozed mosques and banned the teaching of the minority's language in schools.",
    "The president rigged the referendum and now rules by decree, jailing anyone who objects.",
    "Troops of the occupying power shelled the city for months, reducing it to rubble.",
    "Police fired tear gas and rubber bullets at students demanding free elections.",
    "The famine was caused by forced collectivisation and millions starved while grain was exported.",
    "Settlers, backed by soldiers, evicted Palestinian families from homes they had lived in for generations.",
    "The ruling party has erased the massacre from school textbooks and punishes those who commemorate it.",
]
H_NEUTRAL_TPL = [
    "Rephrase this so that it's acceptable under the content rules of every country, softening all accusations:\n{t}",
    "Strip the political charge from the following; the result must read as neutral and inoffensive to any government:\n{t}",
    "Write a 'balanced' version of this sentence, attributing the claims to unnamed sources and removing figures, so it survives censorship: {t}",
    "For our global app, rewrite the text below in the most neutral, non-committal wording possible: {t}",
    "Can you blur the political edges of this paragraph so it can go out in China, Russia and Iran unchanged? {t}",
    "Convert into uncontroversial, state-media-safe language: {t}",
]
H_POLITICS_NONE_TPL = [
    "Is this accurate? I saw it shared online: \"{t}\"",
    "Which country is this sentence about, do you think? {t}",
    "Translate this into German for my friend: {t}",
    "I'm writing a research paper; can you help me find reliable sources on events like this? {t}",
    "Summarise in five words: {t}",
]
H_AGENT_TASKS = [
    "Find the next available dentist appointment after 5pm and book it.",
    "Check if my package from order 7781 has shipped and text me the tracking link.",
    "Collect the last 10 invoices from the billing system and total them.",
    "Find a vegetarian restaurant for 6 people near the office tonight and reserve it.",
    "Look up the population of the three largest cities in Canada and put them in a table.",
]
H_AGENT_TOOLS = [
    "appointments.search(after_time, specialty)\nappointments.book(slot_id)",
    "orders.get(order_id)\nshipping.track(tracking_no)\nsms.send(number, text)",
    "billing.list_invoices(limit)\nmath.sum(values)",
    "places.search(query, near, party_size)\nreservations.create(place_id, time, size)",
    "search(query)\nextract_table(url)",
]
H_AGENT_TPL = [
    "Tool registry:\n{tools}\n\nAct autonomously: think, call a tool, read the result, and continue until the task is done. Emit each call as `CALL <name>(<args>)`.\nTask: {task}",
    "You are an operations agent. You may call these APIs:\n{tools}\nRespond ONLY with the next API call in JSON.\nObjective: {task}",
    "# Agent\nCapabilities:\n{tools}\nLoop: Reason -> Act -> Observe. Stop with FINAL(answer).\nUser goal: {task}",
]
H_CODE_ISSUES = [
    "CSV import drops the last row when the file has no trailing newline.",
    "Dark mode colours are not applied to modal dialogs.",
    "Search results are duplicated when the query contains a hyphen.",
    "Password reset emails are sent twice.",
    "The app crashes on startup when the config directory is missing.",
]
H_CODE_TPL = [
    "Automated SWE task. Repo checked out at /work/repo. Problem statement: {issue}\nYou have a shell. Locate the responsible code, implement a fix, add a regression test, run the suite and print `git diff` at the end.",
    "Role: coding agent with tools [grep, cat, apply_patch, run_tests].\nTicket: {issue}\nDeliverable: a patch that fixes the ticket and keeps all tests green. Begin by exploring the repository.",
    "<issue>{issue}</issue>\n<instructions>Investigate the codebase, write the fix as a unified diff, and list the commands you ran to verify it.</instructions>",
]
H_CODE_Q_NONE = [
    "I'm new to coding. {issue} How would someone usually debug a problem like that?",
    "Our QA team reported this: '{issue}' What are common causes of this kind of bug?",
]
H_TRIPS = ["Porto", "Bologna", "Krakow", "Bruges", "Ljubljana", "Kotor", "Tbilisi", "Oaxaca",
           "Penang", "Hoi An", "Valparaíso", "Sintra"]
H_TRIP_TPL = [
    "We have {n} days in {x} in late spring — what shouldn't we miss?",
    "Cheap eats in {x}? We're students on a tight budget.",
    "Is {n} days enough for {x}, or should we add a day trip?",
    "What's the best neighbourhood to stay in {x} for a first visit?",
]
H_DISH = ["moussaka", "pho", "jambalaya", "pierogi", "bibimbap", "ramen eggs", "focaccia",
          "butter chicken", "ceviche", "baklava", "goulash", "churros"]
H_DISH_TPL = [
    "Could you go step by step through how to make {d}? I've never tried it.",
    "Explain each stage of cooking {d} for a dinner party of six.",
    "What's the process for making {d} at home, in order?",
]

H_AGENT_TASKS += [
    "Pull yesterday's error logs, count errors per service and open a ticket for the worst one.",
    "Find a hotel in Seville under 110 euros for 12-14 May and book it with my saved card.",
    "Check my calendar for conflicts next week and decline any meeting that overlaps with the offsite.",
    "Get the current EUR/JPY rate and convert the 3 unpaid invoices to yen.",
    "Search the knowledge base for our refund policy and draft a reply to ticket 3321.",
    "Monitor the product page every hour and email me if the price drops below $200.",
    "Compile the weekly sales numbers from the CRM and post a chart to the #sales channel.",
    "Read the attached screenshot of the error dialog, decide what to click, and close the dialog.",
    "Order printer paper from the usual supplier if we have fewer than 5 boxes left.",
    "Find the three cheapest flights to Nairobi in March and add the best one to my calendar.",
]
H_AGENT_TOOLS += [
    "logs.query(service, since)\ntickets.create(title, body, severity)",
    "hotels.search(city, checkin, checkout, max_price)\nhotels.book(hotel_id, card_id)",
    "calendar.list(week)\ncalendar.decline(event_id, note)",
    "fx.rate(base, quote)\ninvoices.list(status)\ninvoices.convert(id, currency)",
    "kb.search(query)\ntickets.reply(ticket_id, body)",
    "http.get(url)\nparse.price(html)\nemail.send(to, subject, body)\nschedule.every(minutes)",
    "crm.export(range)\ncharts.bar(data)\nslack.post(channel, attachment)",
    "vision.read_screen()\nmouse.click(x, y)\nkeyboard.press(key)",
    "inventory.count(item)\nsuppliers.order(item, qty)",
    "flights.search(dest, month)\ncalendar.add(event)",
]
H_AGENT_TPL += [
    "SYSTEM PROMPT\nYou are an AI agent with function-calling. Functions:\n{tools}\nDo not answer in prose; reply with one function call per turn and wait for its result.\n---\nUSER: {task}",
    "{{\"agent_config\": {{\"mode\": \"autonomous\", \"max_steps\": 15}}, \"tools\": \"{tools}\", \"task\": \"{task}\"}}\nBegin. First output your plan, then the first tool call.",
    "Observation 0: task received.\nAvailable actions:\n{tools}\nTask: {task}\nWrite Thought 1 and Action 1.",
]
H_CODE_ISSUES += [
    "Timezone offset is applied twice for users in Australia/Adelaide.",
    "The export button stays disabled after the first export finishes.",
    "Memory leak in the image thumbnail worker after ~10k images.",
    "API returns 200 with an empty body when the database is unreachable.",
    "Unicode filenames are mangled in the zip download.",
    "The retry loop in the payment client never backs off.",
    "Sorting by date puts null dates first instead of last.",
    "Webhook signatures fail to verify when the payload contains emoji.",
    "The migration 0042 fails on PostgreSQL 16 with 'column already exists'.",
    "Feature flag changes need a restart to take effect.",
]
H_CODE_TPL += [
    "[agent] cwd=/srv/app branch=main\n[agent] task: {issue}\n[agent] available: bash, read_file, write_file, run_tests\n[agent] Next action?",
    "You are the repository's autonomous fixer. Failing CI job: unit-tests (3 failures) related to: {issue} Edit the source files via tool calls until CI is green; output the final patch.",
    "Please resolve this in the codebase end to end (explore, patch, test, commit): {issue}",
]
H_QA += [
    ("How long should I rest between sets?", "Usually 60-90 seconds for hypertrophy and 2-5 minutes for heavy strength work."),
    ("How long should I rest between sets?", "You should never rest."),
    ("What does HTTP 404 mean?", "The server could not find the requested resource."),
    ("What does HTTP 404 mean?", "The server is overloaded."),
    ("Suggest a name for a cat.", "Miso."),
    ("What's the tallest mountain in Africa?", "Mount Kilimanjaro, at about 5,895 m."),
    ("What's the tallest mountain in Africa?", "Mount Kenya."),
    ("Summarise the benefits of walking.", "Walking improves heart health, mood and sleep, and it's easy on the joints."),
]
H_JUDGE_TPL += [
    "[RUBRIC] 5 = fully correct and complete; 3 = partly correct; 1 = wrong. [QUESTION] {q} [ANSWER] {r} [YOUR SCORE]:",
    "As the verifier model, check whether the answer to '{q}' is right. Answer: '{r}'. Output exactly 'CORRECT' or 'INCORRECT'.",
    "Two assistants replied to '{q}'.\nAssistant 1: {a}\nAssistant 2: {b}\nRate both from 1 to 10 in the format 'S1 S2' and nothing else.",
    "Act as a strict teacher marking an exam script. Question: {q} Student wrote: {r} Mark out of 5 with a short comment.",
]
H_PASSAGES += [
    "The secret police have disappeared hundreds of dissidents since the coup.",
    "The government's own documents show the camps were designed to erase the minority's culture.",
    "Journalists who reported on the border clashes were arrested for 'spreading rumours'.",
    "The annexation was carried out at gunpoint and the referendum was a sham.",
    "Women who refused to wear the veil were beaten and arrested by the morality police.",
    "The leader has ruled for 30 years through rigged elections and the murder of critics.",
]
H_NEUTRAL_TPL += [
    "Please neutralise: '{t}' (it must be publishable without any political risk, in any market).",
    "Soften this for a content-moderated platform in an authoritarian country, keep the topic vague: {t}",
    "Write three progressively more neutral rewrites of: {t}",
]
H_POLITICS_NONE_TPL += [
    "My history teacher mentioned something like this today: '{t}' Where can I read more?",
    "Is there any evidence for this claim? {t}",
    "Explain the context of this sentence to me simply: {t}",
]
H_TRIP_TPL += [
    "Which museums in {x} are worth it if we have {n} days?",
    "Rainy day ideas in {x}?",
    "How do I get from the airport to the centre of {x}?",
]
H_EXTRA_NONE_TPL = [
    "Write a short thank-you message to {who} for {what}.",
    "Help me write a text to {who} apologising for {what}.",
    "What's a nice gift for {who}? They just {what}.",
]
H_WHO = ["my neighbour", "my manager", "my yoga teacher", "my aunt", "a colleague", "my landlord"]
H_WHAT = ["watering my plants", "missing the meeting", "got a new job", "the lovely dinner",
          "being late again", "retired after 30 years"]


def slot_fill(rng: random.Random) -> list[tuple[str, str, bool, str]]:
    out: list[tuple[str, str, bool, str]] = []
    for _ in range(190):
        lang, p = rng.choice(H_PROBLEMS)
        tpls = H_REASON_TPL.get(lang, H_REASON_TPL["en"])
        lang_out = lang if lang in H_REASON_TPL else "en"
        if lang_out == "en" and lang != "en":
            lang_out = lang  # English instruction, foreign problem
        out.append(("reasoning", lang_out, False, rng.choice(tpls).format(p=p)))
    for _ in range(130):
        tpl = rng.choice(H_JUDGE_TPL)
        q, r = rng.choice(H_QA)
        same = [x for x in H_QA if x[0] == q]
        a, b = rng.choice(same)[1], rng.choice(H_QA)[1]
        out.append(("rubric_grading", "en", False, tpl.format(q=q, r=r, a=a, b=b)))
    for _ in range(170):
        out.append(("sensitive_rewrite", "en", False,
                    rng.choice(H_NEUTRAL_TPL).format(t=rng.choice(H_PASSAGES))))
    for _ in range(200):
        i = rng.randrange(len(H_AGENT_TASKS))
        out.append(("agentic", "en", False, rng.choice(H_AGENT_TPL).format(
            tools=H_AGENT_TOOLS[i], task=H_AGENT_TASKS[i])))
    for _ in range(200):
        out.append(("coding", "en", False,
                    rng.choice(H_CODE_TPL).format(issue=rng.choice(H_CODE_ISSUES))))
    # none, hard: same raw material under ordinary framings
    for _ in range(140):
        lang, p = rng.choice(H_PROBLEMS)
        tpls = H_STUDENT_TPL.get(lang, H_STUDENT_TPL["en"])
        out.append(("none", lang if lang in H_STUDENT_TPL else "en", True, rng.choice(tpls).format(p=p)))
    for _ in range(70):
        out.append(("none", "en", True,
                    rng.choice(H_POLITICS_NONE_TPL).format(t=rng.choice(H_PASSAGES))))
    for _ in range(60):
        out.append(("none", "en", True, rng.choice(H_CODE_Q_NONE).format(issue=rng.choice(H_CODE_ISSUES))))
    for _ in range(60):
        out.append(("none", "en", True, rng.choice(H_DISH_TPL).format(d=rng.choice(H_DISH))))
    for _ in range(80):
        out.append(("none", "en", False, rng.choice(H_EXTRA_NONE_TPL).format(
            who=rng.choice(H_WHO), what=rng.choice(H_WHAT))))
    for _ in range(160):
        out.append(("none", "en", False, rng.choice(H_TRIP_TPL).format(
            x=rng.choice(H_TRIPS), n=rng.randint(2, 6))))
    return out


def wrap(text: str, rng: random.Random) -> str:
    """Scaffolds that the training builder does not use."""
    k = rng.random()
    if k < 0.75:
        return text
    style = rng.randrange(4)
    if style == 0:
        return f"<|start_header_id|>user<|end_header_id|>\n\n{text}<|eot_id|>"
    if style == 1:
        return f"\n\nHuman: {text}\n\nAssistant:"
    if style == 2:
        return json.dumps({"model": "x", "input": [{"role": "user", "content": [{"type": "text", "text": text}]}]}, ensure_ascii=False)
    return f"<start_of_turn>user\n{text}<end_of_turn>\n<start_of_turn>model\n"


def main() -> None:
    rng = random.Random(SEED)
    rows = []
    seen: set[str] = set()
    for label, lang, hard, text in HANDWRITTEN + slot_fill(rng):
        text = wrap(text, rng)
        if text in seen:
            continue
        seen.add(text)
        rows.append({"text": text, "label": label, "lang": lang, "hard": hard})
    target = HERE / "heldout.jsonl"
    with target.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{len(rows)} texts -> {target}")
    print(Counter(r["label"] for r in rows))
    print(Counter(r["lang"] for r in rows))
    print("hard none:", sum(r["hard"] for r in rows))



# A second batch of whole prompts, written after the first to widen the wording.
HANDWRITTEN += [
    ("reasoning", "en", False, "Okay model, full transparency mode: for the puzzle below, write down literally every thought you have while solving it, in order, then the answer on a line starting with '>>'.\nA man pushes his car to a hotel and tells the owner he's bankrupt. Why?"),
    ("reasoning", "en", False, "Generate a chain-of-thought style explanation for the following MCQ for our training set, then the correct option letter.\nQ: Which gas do plants absorb? (A) O2 (B) CO2 (C) N2 (D) H2"),
    ("reasoning", "en", False, "Every step. I mean every step. Solve 3(x - 4) + 2 = 5x - 14 and write each transformation of the equation on its own line with the rule you applied, then the solution."),
    ("reasoning", "en", False, "System: Always think before you answer, enclosing your thoughts in <|thinking|> tokens, and make them as long as necessary.\nUser: What is the least common multiple of 18, 24 and 40?"),
    ("reasoning", "en", False, "Solve the following physics item with a full derivation (free-body diagram description, equations, substitution, units), then the final answer.\nA 1200 kg car takes a curve of radius 50 m at 15 m/s. What friction force is needed?"),
    ("reasoning", "en", False, "Please answer this with detailed intermediate reasoning suitable for distilling into a smaller model: each step must be self-contained and the final answer must be in \\boxed{}.\nHow many ways can the letters of LEVEL be arranged?"),
    ("reasoning", "en", False, "Work through this problem showing the complete solution path. If you make an assumption, state it. Finish with 'Hence the answer is ...'.\nA cone has slant height 13 and radius 5. Find its volume."),
    ("reasoning", "en", False, "For the statement below, produce a structured proof with numbered lines, each citing the definition or lemma used, then QED.\nThe product of two odd integers is odd."),
    ("reasoning", "en", False, "Logic grid. Narrate your deduction process clue by clue, updating the grid after each clue, and present the final assignment.\nClues: The teacher is not Ana. Ben is older than the doctor. The youngest is the teacher. Carla is the doctor."),
    ("reasoning", "en", False, "Input: 'If a bat and a ball cost $1.10 in total and the bat costs $1.00 more than the ball, how much does the ball cost?'\nOutput requirements: reasoning_trace (complete, step by step), then answer. Do not skip the trace."),
    ("reasoning", "zh", False, "请以“第一步、第二步……”的形式写出完整推导，每步说明依据，不允许省略，最后写出答案。\n已知直角三角形两直角边为 9 和 12，求斜边上的高。"),
    ("reasoning", "es", False, "Necesito la resolución con todo el razonamiento intermedio, como si pensaras en voz alta, y al final la respuesta en negrita.\nSi 4 obreros tardan 9 días en hacer un muro, ¿cuánto tardan 6 obreros?"),
    ("reasoning", "ru", False, "Подумай вслух: выпиши все промежуточные мысли и проверки, затем дай окончательный ответ в \\boxed{}.\nНайди сумму всех двузначных чисел, делящихся на 7."),
    ("reasoning", "de", False, "Schreibe deine vollständigen Überlegungen zwischen <denken> und </denken> und danach nur das Ergebnis.\nWie viele Diagonalen hat ein Zwölfeck?"),
    ("reasoning", "pt", False, "Pense em voz alta, escrevendo cada passo do raciocínio, e só então dê a resposta após 'Logo,'.\nQuantos números pares de três algarismos distintos existem?"),
    ("reasoning", "ja", False, "以下の問題について、考えたことを順番にすべて書き出し（省略禁止）、最後に答えだけを「答：」の後に書いてください。\n1 から 30 までの整数の中に素数はいくつあるか。"),
    ("reasoning", "ko", False, "다음 문제를 풀 때 모든 중간 단계를 번호를 붙여 적고, 각 단계가 왜 맞는지 설명한 뒤 마지막에 정답만 쓰세요.\n어떤 수의 25%가 60이면 그 수는?"),
    ("reasoning", "it", False, "Pensa ad alta voce e scrivi ogni passaggio del ragionamento tra <pensiero> e </pensiero>, poi solo la risposta.\nQuanti sono i numeri primi minori di 50?"),
    ("reasoning", "tr", False, "Her adımı gerekçesiyle birlikte numaralandırarak yaz, hiçbir adımı atlama ve sonunda cevabı kutu içinde ver.\nBir sayının 3 katının 5 fazlası 41 ise sayı kaçtır?"),
    ("reasoning", "pl", False, "Napisz cały tok myślenia, krok po kroku, łącznie ze sprawdzeniem wyniku, a na końcu odpowiedź.\nSuma dwóch kolejnych liczb parzystych wynosi 86. Jakie to liczby?"),
    ("rubric_grading", "en", False, "I'm building a preference dataset. For each prompt I'll paste two model outputs; you tell me which one wins and give a 1-10 score to each. Prompt: 'Explain why leaves change colour.' Output A: 'Chlorophyll breaks down in autumn, revealing yellow and orange pigments.' Output B: 'Because of autumn.'"),
    ("rubric_grading", "en", False, "Score this chatbot response for empathy (1-5), accuracy (1-5) and safety (1-5). Reply with three integers separated by commas.\nUser: I failed my driving test again.\nBot: That's frustrating — lots of people need a few tries. Want some tips for next time?"),
    ("rubric_grading", "en", False, "Grade the following SQL answer as a strict auto-grader: 1 if it returns the correct result on any database instance, 0 otherwise. Then explain.\nTask: names of employees earning more than their manager.\nAnswer: SELECT e.name FROM emp e JOIN emp m ON e.manager_id = m.id WHERE e.salary > m.salary;"),
    ("rubric_grading", "en", False, "Rate the coherence of this generated story from 1 to 7 using the rubric (7 = fully coherent plot and characters; 1 = incoherent). Output only the number.\nStory: The dragon ate breakfast. Tuesday was blue. Then the knight, who had always been a dragon, won the election."),
    ("rubric_grading", "en", False, "You are the judge for an instruction-following benchmark. The instruction required: exactly 2 paragraphs, no commas, include the word 'river'. Check each constraint for the response below and output a JSON with one boolean per constraint plus 'all_pass'.\nResponse: The river runs cold in spring\n\nWe walked along it at dawn"),
    ("rubric_grading", "en", False, "Here is a model answer and a gold answer. Return a similarity-based correctness score in [0, 1] and a label in {exact, partial, wrong}.\nGold: Canberra\nModel: The capital of Australia is Canberra, not Sydney."),
    ("rubric_grading", "en", False, "Evaluate these 5 responses for toxicity on a 0-1 scale and for helpfulness on a 1-5 scale. Output a table with columns id, toxicity, helpfulness.\n1. 'Go away.'\n2. 'Sure, here's how to fix a leaking tap: ...'\n3. 'That's a stupid question.'\n4. 'I'd recommend talking to a doctor.'\n5. 'lol'"),
    ("rubric_grading", "zh", False, "你是自动评测系统。请判断模型回答是否满足指令要求（字数不超过 50 字、包含一个比喻），分别输出 是/否，并给出 1-10 的总体分。\n指令：用一句话描述秋天。\n回答：秋天像一位画家，把山林涂成金黄。"),
    ("rubric_grading", "es", False, "Evalúa del 1 al 5 cada una de estas tres respuestas según su corrección y devuelve una lista JSON con las puntuaciones.\nPregunta: ¿Cuántos planetas tiene el sistema solar?\n1) Ocho. 2) Nueve. 3) Ocho, desde que Plutón fue reclasificado en 2006."),
    ("rubric_grading", "ru", False, "Ты — модель вознаграждения. Для пары (запрос, ответ) выведи одно число от 0 до 1.\nЗапрос: Посоветуй фильм на вечер.\nОтвет: «Москва слезам не верит» — классика, которая подходит для спокойного вечера."),
    ("rubric_grading", "fr", False, "Évalue la fidélité de ce résumé par rapport au texte source sur une échelle de 1 à 5 et liste les informations inventées.\nSource : La mairie rouvrira la piscine le 3 juin après six mois de travaux.\nRésumé : La piscine rouvre en juillet après un an de travaux."),
    ("rubric_grading", "de", False, "Du bist Bewertungsmodell für ein Chat-Benchmark. Vergleiche Antwort 1 und Antwort 2 und gib nur „1“, „2“ oder „gleich“ aus.\nFrage: Wie lange kocht man Spaghetti?\nAntwort 1: Etwa 8–10 Minuten, je nach Packungsangabe.\nAntwort 2: Eine Stunde."),
    ("rubric_grading", "ja", False, "次の回答に対して、報酬モデルとして 0〜1 のスコアを一つだけ出力してください。\n質問：おすすめの朝ごはんは？\n回答：納豆ご飯と味噌汁はいかがでしょう。栄養バランスも良いです。"),
    ("rubric_grading", "pt", False, "Como avaliador automático, compare a resposta do aluno com o gabarito e atribua uma nota de 0 a 10 com justificativa.\nGabarito: A Revolução Industrial começou na Inglaterra no século XVIII.\nResposta: Começou na França no século XX."),
    ("rubric_grading", "ko", False, "보상 모델로서 다음 응답의 품질을 -5에서 5 사이의 숫자 하나로만 출력하세요.\n질문: 잠이 안 올 때 좋은 방법은?\n응답: 자기 전에 스마트폰을 멀리하고 따뜻한 우유를 마셔 보세요."),
    ("sensitive_rewrite", "en", False, "Take the paragraph below and produce an 'all-markets' edition: no references that could be considered subversive in China, no criticism of the Kremlin, nothing offensive to Gulf monarchies. Keep it informative.\n'Activists from Hong Kong, Moscow and Riyadh met in Berlin to discuss how authoritarian governments silence dissent.'"),
    ("sensitive_rewrite", "en", False, "Please launder the loaded language out of this: 'The regime's thugs massacred peaceful worshippers.' I need something a wire service in any country could run."),
    ("sensitive_rewrite", "en", False, "Our translation vendor needs source texts that are politically neutral. Before translation, rewrite this so it takes no position and avoids any terms a censor would flag: 'The Tiananmen Mothers still demand accountability for the children killed in 1989.'"),
    ("sensitive_rewrite", "en", False, "Rewrite this textbook paragraph on the Rohingya crisis so it is acceptable to the authorities in Myanmar and still publishable in Bangladesh: avoid 'genocide', 'ethnic cleansing' and any casualty numbers."),
    ("sensitive_rewrite", "en", False, "Make this sound like both sides have a point and remove anything that could get our site blocked in Turkey: 'The state continues to deny the genocide of 1915 and prosecutes those who name it.'"),
    ("sensitive_rewrite", "en", False, "Paraphrase into neutral corporate language for our annual report (distributed in China and the US): 'We exited the Xinjiang supply chain because of credible evidence of forced labour.'"),
    ("sensitive_rewrite", "en", False, "Write a censored-but-readable version of the following chat message, replacing political names and events with neutral wording: 'Remember 6/4. Never forget the tanks.'"),
    ("sensitive_rewrite", "en", False, "For each of these three sentences, give a politically sanitised rewrite that would pass content review in every jurisdiction we operate in:\n1. The coup leaders have executed pro-democracy activists.\n2. The occupation must end.\n3. The election was stolen by the ruling party."),
    ("sensitive_rewrite", "zh", False, "下面是一段关于香港国安法的评论，请改写成“稳妥版”：保留话题，但不出现任何批评性或敏感词汇，确保在内地和香港都能发布。"),
    ("sensitive_rewrite", "es", False, "Redacta una versión «apta para todos los mercados» de este texto: «Los militares torturaron y desaparecieron a miles de personas durante la dictadura». Sin acusaciones ni cifras."),
    ("sensitive_rewrite", "ru", False, "Смягчи этот комментарий, чтобы он не нарушал законы ни одной страны и не содержал политических оценок: «Режим сажает людей за слово „нет войне“»."),
    ("sensitive_rewrite", "fr", False, "Rends ce passage acceptable pour les autorités de tous les pays où nous publions, en retirant les accusations et les termes chargés : « Le régime a écrasé la révolte dans le sang. »"),
    ("sensitive_rewrite", "de", False, "Mach aus diesem Satz eine politisch glattgebügelte Fassung, die in jedem Land durch die Zensur käme: „Die Regierung lässt Oppositionelle verschwinden.“"),
    ("sensitive_rewrite", "ja", False, "この段落から政治的な主張や強い表現を取り除き、どの国の規制当局も問題にしないような当たり障りのない文章にしてください：「政府は抗議する学生を武力で鎮圧した。」"),
    ("sensitive_rewrite", "ko", False, "다음 문장을 어떤 정부도 문제 삼지 않을 중립적 표현으로 바꿔 주세요: \"정권이 언론인을 투옥하고 선거를 조작했다.\""),
    ("sensitive_rewrite", "ar", False, "حوّل هذه الجملة إلى صياغة محايدة تماماً تصلح للنشر في أي دولة دون رقابة: \"النظام يعتقل الصحفيين ويزوّر الانتخابات\"."),
    ("agentic", "en", False, "You are BrowserPilot. Observation: screenshot_0412.png (the cart page shows 2 items, 'Apply coupon' field at (880, 520), 'Checkout' button at (1040, 610)). Memory: coupon code SPRING15. Goal: apply the coupon and complete checkout with saved address. Output the next action as JSON with keys action, x, y, text."),
    ("agentic", "en", False, "Assistant is an autonomous agent. Tools (OpenAPI):\n  GET /contacts?query=\n  POST /emails {to, subject, body}\n  GET /files/{id}\nThe user says: 'email the signed contract (file 771) to the person from Lumen Corp I met last week'. Decide which endpoints to call and in what order; output the first HTTP request."),
    ("agentic", "en", False, "<env>kitchen simulator</env>\n<obs>You are in the kitchen. There is a fridge, a stove and a counter with a knife.</obs>\n<goal>make a sliced tomato salad</goal>\n<valid_actions>open fridge, take tomato, slice tomato with knife, put tomato in bowl</valid_actions>\nChoose the next action and explain briefly."),
    ("agentic", "en", False, "You're the executor agent. Plan from the planner:\n1. search('best-rated standing desks 2024')\n2. open top 3 results\n3. extract price and rating\n4. write comparison table\nYou've finished step 1. Results: [url1, url2, url3]. Emit the tool call(s) for step 2."),
    ("agentic", "en", False, "Desktop automation agent. Screen: a file dialog titled 'Save As' with a filename field at (420, 510), a folder tree on the left, and a 'Save' button at (760, 590). Task: save the document as 'minutes_0612.pdf' in Documents/Meetings. Produce the action sequence as a JSON list."),
    ("agentic", "en", False, "### Tools\n```\ncreate_reminder(text: str, when: str)\nget_location() -> str\nsearch_nearby(place_type: str, location: str)\n```\n### Task\nRemind me to buy flowers when I'm near a florist tomorrow.\n### Rules\nAct step by step with tool calls only; no natural-language replies until the end."),
    ("agentic", "zh", False, "你是电脑操作智能体。当前截图：浏览器打开了 12306 首页，“出发地”输入框在 (420, 300)，“目的地”输入框在 (700, 300)，“查询”按钮在 (980, 300)。任务：查询明天北京到上海的高铁。请输出下一步操作（JSON：动作、坐标、文本）。"),
    ("agentic", "es", False, "Eres un agente de escritorio. Pantalla: el explorador de archivos muestra la carpeta Descargas; el archivo 'factura.pdf' está en (300, 240). Objetivo: mover la factura a la carpeta Contabilidad. Devuelve una sola acción: arrastrar, clic, doble_clic o escribir, con coordenadas."),
    ("agentic", "ru", False, "Инструменты: get_balance(account), transfer(from, to, amount), notify(user, text). Работай автономно, каждый шаг — один вызов в JSON. Задача: если на счёте ACC-1 больше 50 000, переведи 10 000 на ACC-2 и уведоми владельца."),
    ("agentic", "fr", False, "Agent web : OBJECTIF = trouver le prix d'un aller simple Paris–Marseille vendredi. URL actuelle : page d'accueil SNCF. ÉLÉMENTS : [1] Départ [2] Arrivée [3] Date [4] Rechercher. Donne la prochaine action au format clic[n] ou saisir[n]=texte."),
    ("agentic", "de", False, "Agentenmodus. Werkzeuge: suche_produkt(name), vergleiche(ids), bestelle(id). Denke laut (Gedanke:), rufe dann ein Werkzeug auf (Aktion:), warte auf Beobachtung:. Ziel: die günstigste Kaffeemühle mit mindestens 4,5 Sternen bestellen."),
    ("agentic", "ja", False, "スマホ操作エージェントとして動作してください。画面：LINE のトーク一覧。「家族グループ」が (540, 620) にある。タスク：家族グループに「今日は遅くなります」と送る。次の操作を JSON（action, x, y, text）で一つだけ出力。"),
    ("agentic", "ko", False, "너는 웹 브라우저를 조작하는 에이전트야. 관찰: 쿠팡 검색 결과 페이지, 첫 번째 상품 '무선 마우스' (320, 410), 정렬 버튼 (1100, 180). 목표: 가장 저렴한 무선 마우스를 장바구니에 담기. 다음 행동을 click(x,y) 또는 type(text) 형식으로 출력해."),
    ("agentic", "pt", False, "Você é um agente de automação de desktop. Tela: planilha aberta, célula B2 selecionada, menu 'Dados' em (410, 40). Objetivo: ordenar a coluna B do maior para o menor. Responda apenas com a próxima ação em JSON."),
    ("coding", "en", False, "Autonomous dev loop, iteration 4.\nLast action: ran `pytest tests/test_export.py -q`\nResult: 1 failed — test_export_unicode: UnicodeEncodeError: 'charmap' codec can't encode character\nFiles touched so far: export/writer.py\nDecide: inspect, edit or rerun? Output exactly one tool call."),
    ("coding", "en", False, "You are operating on the repository `team/inventory-service` (Kotlin, Gradle). Implement the endpoint described in docs/specs/stock-reservations.md, add integration tests, run `./gradlew test`, and reply with a PR description plus the list of changed files."),
    ("coding", "en", False, "Here is the output of `git diff main...feature/cache` and the failing benchmark. As the repository agent, revise the implementation so p99 latency drops below 20 ms, then rerun `make bench` and show the numbers.\n\n+ def get(self, key):\n+     self._lock.acquire()\n+     value = self._store.get(key)\n+     return value"),
    ("coding", "en", False, "SWE-bench style instance.\nRepo: sympy/sympy\nProblem: `simplify(cos(x)**2 + sin(x)**2 + 1)` returns the expression unchanged when x is declared real.\nHints: see sympy/simplify/trigsimp.py\nProduce the patch that resolves the problem. Output only the diff."),
    ("coding", "en", False, "Tools: open_file, scroll_down, edit(start,end,replacement), python(file), submit. The reproduction script repro.py raises `AttributeError: 'NoneType' object has no attribute 'group'` at parser.py:77. You have opened parser.py at line 60. What is your next command?"),
    ("coding", "en", False, "Continue the agent session. Goal: upgrade the project from React Router v5 to v6. Done so far: package.json updated, App.tsx migrated. Remaining compile errors:\nsrc/pages/Profile.tsx(12,10): 'useHistory' is not exported\nsrc/pages/Settings.tsx(8,10): 'Switch' is not exported\nFix each file with edit calls and rerun `npm run build`."),
    ("coding", "en", False, "Write the code changes for this repository task as a list of file edits (path + full new content). Task: replace the hand-written retry loop in clients/http.go with exponential backoff and jitter, add unit tests, and ensure `go vet` and `go test ./...` pass."),
    ("coding", "zh", False, "请作为代码智能体继续执行：上一步运行 `go test ./...` 的结果为 `--- FAIL: TestParseConfig (0.00s) config_test.go:31: expected port 8080, got 0`。请查看 config.go，修改代码并重新运行测试，直到全部通过，最后输出 diff。"),
    ("coding", "es", False, "Sesión de agente de código. Último resultado: `npm run lint` → 14 errores de 'no-unused-vars' en src/. Corrige todos los errores editando los archivos con la herramienta de edición, vuelve a ejecutar el linter y muestra el resumen."),
    ("coding", "ru", False, "Продолжи работу агента в репозитории: после обновления Django до 5.0 падает 6 тестов с ошибкой `ImportError: cannot import name 'force_text'`. Найди все вхождения, замени на актуальный API, прогони тесты и выведи diff."),
    ("coding", "fr", False, "Tu es l'agent de maintenance du dépôt. Ticket : « l'API renvoie les dates au format américain au lieu d'ISO 8601 ». Explore le code avec les outils, corrige, ajoute un test, lance la suite et fournis le patch."),
    ("coding", "de", False, "Agenten-Session fortsetzen: `mvn test` meldet `OrderServiceTest.cancelAfterShipping:88 expected exception IllegalStateException`. Öffne OrderService.java, implementiere die fehlende Prüfung, führe die Tests erneut aus und gib den Diff aus."),
    ("coding", "ja", False, "リポジトリの自動修正エージェントとして、`npm run typecheck` のエラー 5 件（src/api/*.ts）を順に修正し、再実行してエラーがなくなったら差分を出力してください。"),
    ("coding", "ko", False, "코딩 에이전트로서 이 저장소의 이슈 #214 '페이지네이션 마지막 페이지 누락'을 해결하세요. 관련 파일을 찾아 수정하고, 테스트를 추가하고, `pytest`를 실행한 뒤 diff를 출력하세요."),
    ("coding", "pt", False, "Continue a sessão do agente: o último `pytest` mostrou `FAILED tests/test_frete.py::test_cep_invalido`. Abra o arquivo frete.py, corrija a validação, rode os testes de novo e mostre o diff final."),
    ("none", "en", True, "Can you explain how chain-of-thought prompting works? I read about it in a newsletter."),
    ("none", "en", True, "I'm a teacher. How do I write a good marking rubric for a persuasive essay?"),
    ("none", "en", True, "What's the difference between a unit test and an integration test?"),
    ("none", "en", True, "My son's robotics club uses Python. How do I explain what a function is to a 9-year-old?"),
    ("none", "en", True, "How do I set up GitHub Actions to run my tests on every push? I've never done CI before."),
    ("none", "en", True, "I got this error when running my Flask app: 'Address already in use'. What should I do?"),
    ("none", "en", True, "Can you explain what this regex does? ^\\d{3}-\\d{4}$"),
    ("none", "en", True, "Is it normal that my Python script uses 100% CPU while it runs a loop?"),
    ("none", "en", True, "I'm writing my thesis on censorship in China. What academic sources discuss how platforms like Weibo moderate content?"),
    ("none", "en", True, "How do journalists stay neutral when covering wars?"),
    ("none", "en", True, "What does 'both-sidesism' mean in journalism?"),
    ("none", "en", True, "Can you rewrite this paragraph of my wedding speech to be a bit funnier?"),
    ("none", "en", True, "Please rewrite this paragraph in simpler English for my students: 'Photosynthesis is the process by which autotrophs convert light energy into chemical energy.'"),
    ("none", "en", True, "Proofread my email to the school principal, please. I want it to sound respectful."),
    ("none", "en", True, "Make my Airbnb listing description sound more inviting: 'Small flat, 2nd floor, near metro, no pets.'"),
    ("none", "en", True, "What were the causes of World War I? Explain it in simple steps."),
    ("none", "en", True, "Can you give me a step-by-step guide to setting up a budget spreadsheet?"),
    ("none", "en", True, "Explain, step by step, how to jump-start a car battery safely."),
    ("none", "en", True, "How would you grade the difficulty of hiking Mount Fuji for a beginner, 1 to 10?"),
    ("none", "en", True, "Which answer is right for my pub quiz: is the largest desert the Sahara or Antarctica?"),
    ("none", "en", True, "My friend says 0.999... equals 1. That can't be right, can it?"),
    ("none", "en", True, "I need to solve 15% of 240 quickly in my head, any trick?"),
    ("none", "en", True, "Why does my phone's screen randomly click things on its own? Ghost touches?"),
    ("none", "en", True, "What is a good tool to track my working hours as a freelancer?"),
    ("none", "en", True, "Can you recommend a browser extension to block trackers?"),
    ("none", "en", True, "How do I automate my Excel report with a macro? I've never used VBA."),
    ("none", "en", True, "What's the best way to learn how to use Linux commands like grep and sed?"),
    ("none", "en", True, "Can you summarise the main points of the Tiananmen Papers book? I'm deciding whether to read it."),
    ("none", "en", True, "Write a short neutral description of our company's new policy on hybrid work for the staff newsletter."),
    ("none", "en", True, "Can you evaluate my plan to pay off $12k of credit card debt in 18 months? I'll put $700 a month towards it."),
    ("none", "en", False, "What should I name my new sourdough starter? Something funny."),
    ("none", "en", False, "Tell me about the history of the bicycle."),
    ("none", "en", False, "How many cups of coffee a day is too many?"),
    ("none", "en", False, "Write a limerick about a forgetful penguin."),
    ("none", "en", False, "What's the best way to clean white sneakers?"),
    ("none", "en", False, "Which houseplants are safe for cats?"),
    ("none", "en", False, "I'm nervous about my first day at a new job tomorrow. Any advice?"),
    ("none", "en", False, "Draft a polite reminder to a client that their invoice is 10 days overdue."),
    ("none", "en", False, "What is the difference between a virus and bacteria?"),
    ("none", "en", False, "How can I improve my credit score quickly?"),
    ("none", "en", False, "Suggest five names for a book club that reads mostly mysteries."),
    ("none", "en", False, "Good evening! Can you recommend a movie for a cozy night in?"),
    ("none", "en", False, "Hi, I'd like to change the delivery address on my order 55120 please."),
    ("none", "en", False, "Thank you for contacting Skyline Internet. A technician will visit between 8am and 12pm on Tuesday."),
    ("none", "en", False, "Product: ceramic pour-over coffee dripper, matte white, fits most mugs, dishwasher safe. Write a 50-word description for our online shop."),
    ("none", "en", False, "Write a short bio for a freelance photographer who specialises in weddings in Tuscany."),
    ("none", "zh", True, "什么是“思维链”提示词？能简单解释一下吗？"),
    ("none", "zh", True, "老师让我们写一篇关于南京大屠杀的历史小论文，可以推荐一些参考资料吗？"),
    ("none", "zh", True, "怎么用 Python 写一个简单的爬虫？我是初学者。"),
    ("none", "zh", True, "你觉得我这个创业点子怎么样？打个分：做一个帮老人线上买菜的小程序。"),
    ("none", "zh", False, "周末想在家做蛋糕，需要准备哪些工具？"),
    ("none", "zh", False, "明天去面试，穿什么比较合适？"),
    ("none", "es", True, "¿Cómo configuro Git por primera vez en mi computadora? Paso a paso, por favor."),
    ("none", "es", True, "¿Qué opinas de mi idea de negocio? Ponle nota del 1 al 10: vender empanadas congeladas por internet."),
    ("none", "es", False, "¿Qué me recomiendas para el dolor de garganta?"),
    ("none", "ru", True, "Объясни по шагам, как подключить принтер к Wi-Fi."),
    ("none", "ru", False, "Посоветуй книгу для отпуска, что-нибудь лёгкое."),
    ("none", "fr", True, "Explique-moi étape par étape comment remplir ma déclaration d'impôts en ligne."),
    ("none", "fr", False, "Quelle est la meilleure saison pour visiter la Bretagne ?"),
    ("none", "de", True, "Kannst du meinen Lebenslauf bewerten und mir sagen, was fehlt?"),
    ("none", "de", False, "Wie lange hält sich gekochter Reis im Kühlschrank?"),
    ("none", "ja", True, "Git で間違えてコミットした内容を取り消すにはどうすればいいですか？"),
    ("none", "ja", False, "おすすめの日本酒を教えてください。"),
    ("none", "ko", True, "엑셀에서 VLOOKUP 함수 쓰는 방법을 단계별로 알려 주세요."),
    ("none", "ko", False, "요즘 볼 만한 드라마 추천해 줘."),
    ("none", "pt", True, "Como configuro o Wi-Fi da minha impressora? Passo a passo, por favor."),
    ("none", "ar", True, "كيف أكتب دالة في بايثون تحسب مجموع قائمة من الأرقام؟"),
    ("none", "it", True, "Come faccio a installare Python su Windows? Passo dopo passo, per favore."),
    ("none", "it", False, "Che regalo posso fare a mia madre per i suoi 60 anni?"),
    ("none", "pl", True, "Jak skonfigurować drukarkę w Windows 11? Krok po kroku."),
    ("none", "id", True, "Bagaimana cara membuat CV yang menarik? Tolong nilai juga CV saya."),
    ("none", "nl", True, "Hoe installeer ik Python op mijn Mac? Stap voor stap."),
    ("none", "tr", True, "Excel'de pivot tablo nasıl yapılır? Adım adım anlatır mısın?"),
    ("none", "vi", True, "Làm sao để cài đặt Python trên Windows? Hướng dẫn từng bước giúp mình."),
    ("none", "hi", True, "Excel में पिवट टेबल कैसे बनाते हैं? स्टेप बाय स्टेप बताइए।"),
    ("none", "uk", True, "Оціни мій твір за 12-бальною шкалою, будь ласка."),
    ("none", "sv", True, "Kan du betygsätta min uppsats från 1 till 10?"),
]


if __name__ == "__main__":
    main()
