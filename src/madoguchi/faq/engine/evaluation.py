"""Reading BEIR-layout data, writing and reading TREC runs, and the retrieval metrics.

Metrics follow the usual definitions (as in trec_eval / pytrec_eval):
- nDCG@k with linear gains (gain = relevance grade), discount 1/log2(rank + 1), ideal ranking from the
  judged documents of the query;
- Recall@k: share of the query's relevant documents (grade > 0) in the top k;
- MRR@k: 1 / rank of the first relevant document in the top k, 0 if none;
- hits@k: number of queries with at least one relevant document in the top k.
Queries without any relevant judgement are left out of the averages.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .documents import FaqDocument

Qrels = dict[str, dict[str, int]]
Run = dict[str, list[tuple[str, float]]]


def read_beir_corpus(path: str | Path) -> list[FaqDocument]:
    docs = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            docs.append(
                FaqDocument(id=str(row["_id"]), question=row.get("title") or "", answer=row["text"])
            )
    return docs


def read_beir_queries(path: str | Path) -> list[tuple[str, str]]:
    queries = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                queries.append((str(row["_id"]), row["text"]))
    return queries


def read_qrels(path: str | Path) -> Qrels:
    qrels: Qrels = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) < 3 or not parts[2].lstrip("-").isdigit():
                continue  # header or blank line
            qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return qrels


def write_trec_run(path: str | Path, run: Mapping[str, list[tuple[str, float]]], tag: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for qid, ranked in run.items():
            for rank, (doc_id, score) in enumerate(ranked, start=1):
                fh.write(f"{qid} Q0 {doc_id} {rank} {score:.6f} {tag}\n")


def read_trec_run(path: str | Path) -> Run:
    rows: dict[str, list[tuple[int, str, float]]] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) < 6:
                continue
            qid, _q0, doc_id, rank, score = parts[:5]
            rows.setdefault(qid, []).append((int(rank), doc_id, float(score)))
    run: Run = {}
    for qid, items in rows.items():
        # trec_eval orders by score (then doc id); we trust the file's rank column instead, which
        # is the same for runs we write and keeps ties in the order the engine chose.
        items.sort(key=lambda x: x[0])
        run[qid] = [(doc_id, score) for _rank, doc_id, score in items]
    return run


@dataclass(frozen=True)
class Metrics:
    ndcg: float
    recall: float
    mrr: float
    hits: int
    queries: int
    k: int

    def format(self) -> str:
        return (
            f"nDCG@{self.k}={self.ndcg:.4f} Recall@{self.k}={self.recall:.4f} "
            f"MRR@{self.k}={self.mrr:.4f} hits@{self.k}={self.hits}/{self.queries}"
        )


def ndcg_at_k(ranked: list[str], judged: Mapping[str, int], k: int) -> float:
    dcg = sum(
        judged.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]) if judged.get(d, 0)
    )
    ideal = sorted((g for g in judged.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def per_query(run: Run, qrels: Qrels, k: int = 10) -> dict[str, tuple[float, float, float, bool]]:
    """(nDCG, recall, reciprocal rank, hit) per judged query."""
    out = {}
    for qid, judged in qrels.items():
        relevant = {d for d, g in judged.items() if g > 0}
        if not relevant:
            continue
        ranked = [d for d, _ in run.get(qid, [])][:k]
        found = [d for d in ranked if d in relevant]
        rr = 0.0
        for i, d in enumerate(ranked):
            if d in relevant:
                rr = 1.0 / (i + 1)
                break
        out[qid] = (
            ndcg_at_k(ranked, judged, k),
            len(found) / len(relevant),
            rr,
            bool(found),
        )
    return out


def evaluate(run: Run, qrels: Qrels, k: int = 10, only: Iterable[str] | None = None) -> Metrics:
    rows = per_query(run, qrels, k)
    if only is not None:
        keep = set(only)
        rows = {q: v for q, v in rows.items() if q in keep}
    n = len(rows)
    if n == 0:
        return Metrics(0.0, 0.0, 0.0, 0, 0, k)
    return Metrics(
        ndcg=sum(v[0] for v in rows.values()) / n,
        recall=sum(v[1] for v in rows.values()) / n,
        mrr=sum(v[2] for v in rows.values()) / n,
        hits=sum(1 for v in rows.values() if v[3]),
        queries=n,
        k=k,
    )
