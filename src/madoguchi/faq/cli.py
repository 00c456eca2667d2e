"""`madoguchi faq …`: evaluate the FAQ engine on a BEIR-layout data set.

    faq run --corpus CORPUS.jsonl --queries QUERIES.jsonl --out RUN.trec
    faq evaluate --qrels QRELS.tsv --run RUN.trec
    faq crosslingual --corpus CORPUS.jsonl --qrels QRELS.tsv [--translations FILE.tsv]

Uses exactly the engine the chat widget uses (``madoguchi.faq.engine``), with its default settings.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .engine import FaqIndex
from .engine.evaluation import (
    evaluate,
    read_beir_corpus,
    read_beir_queries,
    read_qrels,
    read_trec_run,
    write_trec_run,
)
from .engine.timing import percentile


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="madoguchi faq", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="index a corpus, answer every query, write a TREC run")
    run.add_argument("--corpus", required=True, help="BEIR corpus.jsonl (_id, title, text)")
    run.add_argument("--queries", required=True, help="BEIR queries.jsonl (_id, text)")
    run.add_argument("--out", required=True, help="TREC run file to write")
    run.add_argument("--k", type=int, default=10, help="hits per query (default 10)")
    run.add_argument("--tag", default="madoguchi", help="run tag in the last column")

    ev = sub.add_parser("evaluate", help="score a TREC run against qrels")
    ev.add_argument("--qrels", required=True, help="qrels TSV: query-id corpus-id grade")
    ev.add_argument("--run", required=True, help="TREC run file")
    ev.add_argument("--k", type=int, default=10, help="cut-off (default 10)")
    xl = sub.add_parser(
        "crosslingual", help="nDCG@10 of translated questions (query-id, English, Chinese)"
    )
    xl.add_argument("--corpus", required=True, help="BEIR corpus.jsonl (_id, title, text)")
    xl.add_argument("--qrels", required=True, help="qrels TSV: query-id corpus-id grade")
    xl.add_argument(
        "--translations",
        default=str(TRANSLATIONS),
        help="TSV: query-id, English, Chinese (default: the project's own 100 translations)",
    )
    return parser


TRANSLATIONS = Path(__file__).parent / "tests" / "data" / "crosslingual_dev.tsv"


def _crosslingual(args: argparse.Namespace) -> int:
    docs = read_beir_corpus(args.corpus)
    qrels = read_qrels(args.qrels)
    with open(args.translations, encoding="utf-8") as fh:
        rows = [
            line.rstrip("\n").split("\t")
            for line in fh
            if line.strip() and not line.startswith("#")
        ]
    index = FaqIndex()
    index.build(docs)
    ids = [r[0] for r in rows]
    halves = {
        "all": ids,
        "odd": [q for q in ids if int(q) % 2],
        "even": [q for q in ids if int(q) % 2 == 0],
    }
    for column, language in ((1, "en"), (2, "zh")):
        run = {r[0]: [(h.doc_id, h.score) for h in index.search(r[column]).hits] for r in rows}
        scores = " ".join(
            f"{name}={evaluate(run, qrels, only=only).ndcg:.4f}" for name, only in halves.items()
        )
        print(f"{language}: questions={len(rows)} nDCG@10 {scores}")
    return 0


def _run(args: argparse.Namespace) -> int:
    docs = read_beir_corpus(args.corpus)
    queries = read_beir_queries(args.queries)
    index = FaqIndex()
    started = time.perf_counter()
    index.build(docs)
    build_s = time.perf_counter() - started

    run: dict[str, list[tuple[str, float]]] = {}
    latencies: list[float] = []
    confident = 0
    total_started = time.perf_counter()
    for qid, text in queries:
        t0 = time.perf_counter()
        result = index.search(text, k=args.k)
        latencies.append((time.perf_counter() - t0) * 1000.0)
        run[qid] = [(hit.doc_id, hit.score) for hit in result.hits]
        confident += result.confident
    total_s = time.perf_counter() - total_started
    write_trec_run(args.out, run, args.tag)

    n = len(queries)
    print(f"indexed {len(docs)} FAQs in {build_s:.2f} s")
    print(f"answered {n} queries, {confident} with a confident answer; wrote {args.out}")
    if n:
        print(
            f"queries/s={n / total_s:.1f} p50_ms={percentile(latencies, 50):.2f} "
            f"p99_ms={percentile(latencies, 99):.2f}"
        )
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    qrels = read_qrels(args.qrels)
    run = read_trec_run(args.run)
    metrics = evaluate(run, qrels, k=args.k)
    missing = sum(1 for q in qrels if q not in run)
    print(f"queries judged={metrics.queries} missing_from_run={missing}")
    print(f"nDCG@{metrics.k}={metrics.ndcg:.4f}")
    print(f"Recall@{metrics.k}={metrics.recall:.4f}")
    print(f"MRR@{metrics.k}={metrics.mrr:.4f}")
    print(f"hits@{metrics.k}={metrics.hits}/{metrics.queries}")
    return 0


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.command == "run":
        return _run(args)
    if args.command == "crosslingual":
        return _crosslingual(args)
    return _evaluate(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
