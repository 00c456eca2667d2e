"""Metrics, TREC/BEIR files and the `faq run` / `faq evaluate` commands on hand-made data."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from madoguchi.faq.cli import main
from madoguchi.faq.engine.evaluation import (
    evaluate,
    ndcg_at_k,
    read_qrels,
    read_trec_run,
    write_trec_run,
)
from madoguchi.faq.engine.timing import percentile

QRELS = {
    "q1": {"d1": 2, "d2": 1},
    "q2": {"d3": 2},
    "q3": {"d4": 1},
    "q4": {"d9": 0},  # judged, but nothing relevant: left out of the averages
}
RUN = {
    "q1": [("d2", 3.0), ("d5", 2.0), ("d1", 1.0)],
    "q2": [("d7", 1.0), ("d8", 0.5)],
    "q3": [("d4", 9.0)],
}


def test_ndcg_uses_linear_gains_and_ideal_order() -> None:
    # q1: gains 1 (rank 1) and 2 (rank 3); ideal: 2 then 1.
    dcg = 1 / math.log2(2) + 2 / math.log2(4)
    idcg = 2 / math.log2(2) + 1 / math.log2(3)
    assert ndcg_at_k(["d2", "d5", "d1"], QRELS["q1"], 10) == pytest.approx(dcg / idcg)
    assert ndcg_at_k(["d1", "d2"], QRELS["q1"], 10) == pytest.approx(1.0)
    assert ndcg_at_k(["d1", "d2"], QRELS["q1"], 1) == pytest.approx(1.0)
    assert ndcg_at_k(["d2", "d1"], QRELS["q1"], 1) == pytest.approx(0.5)


def test_evaluate_averages_over_queries_with_a_relevant_document() -> None:
    m = evaluate(RUN, QRELS, k=10)
    assert m.queries == 3
    q1 = (1 / 1 + 2 / 2) / (2 + 1 / math.log2(3))
    assert m.ndcg == pytest.approx((q1 + 0 + 1) / 3)
    assert m.recall == pytest.approx((1 + 0 + 1) / 3)
    assert m.mrr == pytest.approx((1 + 0 + 1) / 3)
    assert m.hits == 2


def test_cut_off_applies_to_every_metric() -> None:
    m = evaluate(RUN, QRELS, k=1)
    assert m.recall == pytest.approx((0.5 + 0 + 1) / 3)
    assert m.hits == 2


def test_missing_query_counts_as_zero() -> None:
    m = evaluate({"q3": RUN["q3"]}, QRELS, k=10)
    assert m.ndcg == pytest.approx(1 / 3)


def test_subset_of_queries() -> None:
    assert evaluate(RUN, QRELS, only=["q3"]).ndcg == pytest.approx(1.0)


def test_trec_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "run.trec"
    write_trec_run(path, RUN, "t")
    first = path.read_text().splitlines()[0].split()
    assert first == ["q1", "Q0", "d2", "1", "3.000000", "t"]
    assert read_trec_run(path) == RUN


def test_read_qrels_skips_header(tmp_path: Path) -> None:
    path = tmp_path / "qrels.tsv"
    path.write_text("query-id\tcorpus-id\tscore\nq1\td1\t2\nq1\td2\t1\n")
    assert read_qrels(path) == {"q1": {"d1": 2, "d2": 1}}


def test_percentile_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 50) == 50.0
    assert percentile(values, 99) == 99.0
    assert percentile([3.0], 99) == 3.0
    assert percentile([], 50) == 0.0


def _write_jsonl(path: Path, rows: list[dict[str, str]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def test_cli_run_then_evaluate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus.jsonl"
    queries = tmp_path / "queries.jsonl"
    qrels = tmp_path / "qrels.tsv"
    run = tmp_path / "run.trec"
    _write_jsonl(
        corpus,
        [
            {"_id": "10", "title": "粗大ごみの出し方", "text": "電話で申し込んでください。"},
            {"_id": "11", "title": "図書館の開館時間", "text": "午前9時から午後7時までです。"},
            {"_id": "12", "title": "犬の登録", "text": "保健所で登録してください。"},
        ],
    )
    _write_jsonl(
        queries,
        [{"_id": "1", "text": "図書館は何時まで？"}, {"_id": "2", "text": "大きいごみを捨てたい"}],
    )
    qrels.write_text("query-id\tcorpus-id\tscore\n1\t11\t2\n2\t10\t2\n")

    assert main(["run", "--corpus", str(corpus), "--queries", str(queries), "--out", str(run)]) == 0
    out = capsys.readouterr().out
    assert "queries/s=" in out and "p50_ms=" in out and "p99_ms=" in out
    lines = run.read_text().splitlines()
    assert lines[0].split()[:4] == ["1", "Q0", "11", "1"]

    assert main(["evaluate", "--qrels", str(qrels), "--run", str(run)]) == 0
    out = capsys.readouterr().out
    assert "nDCG@10=1.0000" in out
    assert "Recall@10=1.0000" in out
    assert "MRR@10=1.0000" in out
    assert "hits@10=2/2" in out


def test_cli_requires_a_command() -> None:
    with pytest.raises(SystemExit):
        main([])
