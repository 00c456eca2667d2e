"""Looking at rendered PDFs the way a person would: poppler's pdftotext and pdftoppm, and
pypdf for the font dictionaries. Real rendering, no mocks."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader

DPI = 150
SCALE = DPI / 72


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: apt-get install poppler-utils (.ci/run installs it)")
    return path


def _run(args: list[str], pdf: bytes) -> bytes:
    # poppler's own tools, found on PATH, reading the PDF from standard input.
    done = subprocess.run(args, input=pdf, capture_output=True, check=True)  # noqa: S603
    return done.stdout


def text(pdf: bytes, *, layout: bool = False) -> str:
    args = [_tool("pdftotext"), *(["-layout"] if layout else []), "-enc", "UTF-8", "-", "-"]
    return _run(args, pdf).decode()


@dataclass(frozen=True)
class Word:
    text: str
    x0: float  # points, from the top-left corner
    y0: float
    x1: float
    y1: float


def words(pdf: bytes, page: int = 1) -> list[Word]:
    args = [
        _tool("pdftotext"),
        "-bbox",
        "-f",
        str(page),
        "-l",
        str(page),
        "-enc",
        "UTF-8",
        "-",
        "-",
    ]
    html = _run(args, pdf).decode()
    pattern = (
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    )
    return [
        Word(t, float(a), float(b), float(c), float(d))
        for a, b, c, d, t in re.findall(pattern, html)
    ]


def raster(pdf: bytes, page: int = 1, tmp: Path | None = None) -> Image.Image:
    args = [
        _tool("pdftoppm"),
        "-r",
        str(DPI),
        "-f",
        str(page),
        "-l",
        str(page),
        "-gray",
        "-png",
        "-",
    ]
    png = _run(args, pdf)
    return Image.open(io.BytesIO(png)).convert("L")


def dark_pixels(image: Image.Image, box: tuple[float, float, float, float]) -> int:
    """Pixels darker than mid-grey inside a box given in points from the top-left."""
    x0, y0, x1, y1 = (round(v * SCALE) for v in box)
    region = image.crop((x0, y0, x1, y1))
    return sum(1 for value in region.tobytes() if value < 128)


def fonts(pdf: bytes) -> list[dict[str, Any]]:
    """Every font dictionary used on any page (resolved)."""
    reader = PdfReader(io.BytesIO(pdf))
    found: dict[str, dict[str, Any]] = {}
    for page in reader.pages:
        resources = page.get("/Resources")
        if resources is None:
            continue
        for ref in (resources.get_object().get("/Font") or {}).values():
            font = ref.get_object()
            found[str(font["/BaseFont"])] = font
    return list(found.values())


def media_boxes(pdf: bytes) -> list[tuple[float, float]]:
    reader = PdfReader(io.BytesIO(pdf))
    return [(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages]
