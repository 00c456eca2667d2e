"""`madoguchi bench faq`: index build time and query latency of the FAQ engine at 10,000 entries.

The corpus is generated at run time. When the LocalGovFAQ evaluation data is present in the shared
directory (``MADOGUCHI_SHARED_DIR``, default ``../shared`` beside the repository) its FAQs are
recombined into new entries (each question gets a clause of another question, each answer mixes the
sentences of two answers), so lengths and vocabulary are realistic; nothing of it is stored. Without
it, entries are synthesised from a small built-in municipal vocabulary. Queries are the data set's
residents' questions, or generated ones.

The cold build analyses every FAQ and encodes every sentence vector; ``build_s`` is the rebuild
with the analysed terms and the vectors of the previous build (as the background job does after an
import: only new or edited FAQs are analysed and encoded); a rebuild after 1 % of the FAQs were
edited and one FAQ edit are timed as well.

Last line: ``entries=… build_s=… cold_build_s=… p50_ms=… p99_ms=…``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import pickle
import random
import re
import resource
import sys
import time
from dataclasses import replace
from pathlib import Path

from madoguchi.faq.engine import EngineConfig, FaqDocument, FaqIndex
from madoguchi.faq.engine.sentence import default_encoder
from madoguchi.faq.engine.timing import percentile

_SENTENCE = re.compile(r"(?<=[。！？])")


def shared_dir() -> Path:
    override = os.environ.get("MADOGUCHI_SHARED_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[1].parent / "shared"


def _children_cpu_s() -> float:
    """CPU time of this process's ended child processes (the build's workers)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _load_jsonl(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# Share of borrowed sentences kept word for word; the others get a unique marker. Real municipal
# answers repeat much boilerplate (in LocalGovFAQ 46 % of answer text is repeated sentences), which
# the engine's sentence cache exploits; without the marker, recombining would repeat far more.
KEEP_VERBATIM = 0.45


def recombined_corpus(rows: list[dict[str, str]], n: int, rng: random.Random) -> list[FaqDocument]:
    docs = []
    for i in range(n):
        base = rows[i % len(rows)]
        question = base.get("title", "")
        answer = base["text"]
        if i >= len(rows):
            other = rows[rng.randrange(len(rows))]
            clause = re.split(r"[、。？?]", other.get("title", ""))[0][:20]
            question = f"{question}（{clause}）"
            mine = [s for s in _SENTENCE.split(answer) if s]
            theirs = [s for s in _SENTENCE.split(other["text"]) if s]
            mixed = mine[: max(1, len(mine) // 2 + 1)] + theirs[len(theirs) // 2 :]
            answer = "".join(
                s if rng.random() < KEEP_VERBATIM else f"{s}（{i}-{j}）"
                for j, s in enumerate(mixed)
            )
        docs.append(FaqDocument(id=f"b{i}", question=question, answer=answer))
    return docs


def repeated_share(docs: list[FaqDocument]) -> float:
    """Share of answer characters in sentences that occur more than once."""
    counts: dict[str, int] = {}
    for doc in docs:
        for s in _SENTENCE.split(doc.answer):
            if s:
                counts[s] = counts.get(s, 0) + 1
    total = sum(len(s) * c for s, c in counts.items())
    repeated = sum(len(s) * (c - 1) for s, c in counts.items())
    return repeated / total if total else 0.0


_TOPICS = [
    "住民票",
    "戸籍",
    "印鑑登録",
    "転入届",
    "転出届",
    "国民健康保険",
    "介護保険",
    "児童手当",
    "保育所",
    "粗大ごみ",
    "資源ごみ",
    "市民税",
    "固定資産税",
    "軽自動車税",
    "予防接種",
    "がん検診",
    "市営住宅",
    "図書館",
    "投票",
    "マイナンバーカード",
    "パスポート",
    "狂犬病",
    "道路",
    "公園",
    "下水道",
    "避難所",
    "自治会",
    "生活保護",
    "障害者手帳",
    "放置自転車",
]
_ASPECTS = ["申請", "手続き", "必要書類", "手数料", "受付時間", "窓口", "郵送", "代理人", "期限"]
_PLACES = ["市民課", "各支所", "保険年金課", "環境政策課", "福祉相談窓口", "税務課", "子育て支援課"]


def synthetic_corpus(n: int, rng: random.Random) -> list[FaqDocument]:
    docs = []
    for i in range(n):
        topic = rng.choice(_TOPICS)
        aspect = rng.choice(_ASPECTS)
        place = rng.choice(_PLACES)
        other = rng.choice(_TOPICS)
        question = f"{topic}の{aspect}について知りたい（{other}）"
        sentences = [
            f"{topic}の{aspect}は{place}で受け付けています。",
            f"本人確認書類をお持ちください。{other}については別のページをご覧ください。",
            f"受付時間は平日午前9時から午後5時30分までです（番号{i}）。",
            f"郵送による{aspect}もできます。詳しくは{place}へお問い合わせください。",
        ]
        rng.shuffle(sentences)
        docs.append(FaqDocument(id=f"s{i}", question=question, answer="".join(sentences * 3)))
    return docs


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="madoguchi bench faq", description=__doc__)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=600, help="query samples to time")
    parser.add_argument("--seed", type=int, default=20240401)
    parser.add_argument(
        "--no-e5", action="store_true", help="without the e5 sentence channel (to compare)"
    )
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    data = shared_dir() / "benchmarks" / "localgovfaq"
    if (data / "corpus.jsonl").is_file():
        rows = _load_jsonl(data / "corpus.jsonl")
        docs = recombined_corpus(rows, args.entries, rng)
        queries = [r["text"] for r in _load_jsonl(data / "queries-dev.jsonl")]
        source = "recombined LocalGovFAQ"
    else:
        docs = synthetic_corpus(args.entries, rng)
        queries = [
            f"{rng.choice(_TOPICS)}の{rng.choice(_ASPECTS)}はどうすればいい？" for _ in range(300)
        ]
        source = "synthetic"
    samples = [queries[i % len(queries)] for i in range(args.queries)]

    config = EngineConfig(use_e5=not args.no_e5)
    cold = FaqIndex(config)
    cold.analyzer.words("準備")  # load the Sudachi dictionary outside the timed build
    for name in cold.sentence_channels:  # and the sentence models
        default_encoder(name).encode(["準備"], query=True)  # type: ignore[union-attr]
    # Cold: every sentence vector is encoded (what the background job does the first time).
    started = time.perf_counter()
    cpu_started = time.process_time() + _children_cpu_s()
    cold.build(docs)
    cold_build_s = time.perf_counter() - started
    cold_cpu_s = time.process_time() + _children_cpu_s() - cpu_started
    encoded = sum(cache.encoded for cache in cold.vector_caches())

    # Rebuild with the terms and vectors of the previous build (what the job does after a CSV
    # import), in a new index with its own analyzer, as in the job's process.
    index = FaqIndex(config)
    index.adopt_vector_caches(cold.vector_caches())
    index.adopt_analysis_cache(cold.analysis_cache)
    del cold
    started = time.perf_counter()
    cpu_started = time.process_time() + _children_cpu_s()
    index.build(docs)
    build_s = time.perf_counter() - started
    # The build may run worker processes: their CPU time counts too (it can exceed wall time).
    build_cpu_s = time.process_time() + _children_cpu_s() - cpu_started
    analysed = index.analysis_cache.analysed

    # A rebuild after 1 % of the FAQs were edited: those are analysed and encoded again.
    step = 100
    edited_docs = [
        replace(doc, answer=f"{doc.answer}（{i}月改訂）") if i % step == 0 else doc
        for i, doc in enumerate(docs)
    ]
    started = time.perf_counter()
    cpu_started = time.process_time() + _children_cpu_s()
    index.build(edited_docs)
    edited_build_s = time.perf_counter() - started
    edited_build_cpu_s = time.process_time() + _children_cpu_s() - cpu_started
    edited_analysed = index.analysis_cache.analysed

    # One FAQ edited: its texts are analysed and encoded, nothing else.
    edits = []
    edits_cpu = []
    for i in range(20):
        doc = docs[(i * 997) % len(docs)]
        edited = replace(doc, question=f"{doc.question}（改訂{i}）", answer=f"{doc.answer}（{i}）")
        t0 = time.perf_counter()
        c0 = time.process_time()
        index.upsert(edited)
        edits_cpu.append((time.process_time() - c0) * 1000.0)
        edits.append((time.perf_counter() - t0) * 1000.0)

    for q in samples[:20]:  # warm caches the way a running server has them
        index.search(f"{q}。")  # (not the timed questions themselves: their vectors would be kept)
    latencies = []
    cpu_latencies = []
    for q in samples:
        t0 = time.perf_counter()
        c0 = time.process_time()
        index.search(q, k=10)
        cpu_latencies.append((time.process_time() - c0) * 1000.0)
        latencies.append((time.perf_counter() - t0) * 1000.0)

    print(
        f"corpus: {source}, {len(docs)} entries, repeated answer text "
        f"{repeated_share(docs):.0%}; dense channel: {index.uses_dense}; "
        f"sentence channels: {','.join(index.sentence_channels) or 'none'}"
    )
    stored = io.BytesIO()
    pickle.dump(index, stored, protocol=pickle.HIGHEST_PROTOCOL)
    print(
        f"rebuild: FAQs analysed {analysed}; after {len(docs) // step} FAQs edited: "
        f"{edited_analysed} analysed, wall {edited_build_s:.2f} s, cpu {edited_build_cpu_s:.2f} s"
    )
    print(
        f"sentence texts encoded cold: {encoded}; edit_ms p50={percentile(edits, 50):.1f} "
        f"max={max(edits):.1f}; stored index {stored.tell() / 1e6:.1f} MB "
        f"(sentence vectors in memory {index.sentence_nbytes() / 1e6:.1f} MB)"
    )
    # CPU time beside wall time: on a shared two-core machine the difference is other load.
    print(
        f"cpu: build_s={build_cpu_s:.2f} cold_build_s={cold_cpu_s:.2f} "
        f"edit_ms={percentile(edits_cpu, 50):.1f} p50_ms={percentile(cpu_latencies, 50):.2f} "
        f"p99_ms={percentile(cpu_latencies, 99):.2f}; load average {os.getloadavg()[0]:.2f}"
    )
    # The samples repeat the questions; a question asked again skips the encoder (its vector is
    # kept), so the first askings are reported apart.
    seen: set[str] = set()
    first = []
    for q, cpu in zip(samples, cpu_latencies, strict=True):
        if q not in seen:
            seen.add(q)
            first.append(cpu)
    print(
        f"cpu, questions asked for the first time ({len(first)}): "
        f"p50_ms={percentile(first, 50):.2f} p99_ms={percentile(first, 99):.2f}"
    )
    print(f"queries timed: {len(latencies)}")
    print(
        f"entries={len(index)} build_s={build_s:.2f} cold_build_s={cold_build_s:.2f} "
        f"p50_ms={percentile(latencies, 50):.2f} p99_ms={percentile(latencies, 99):.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
