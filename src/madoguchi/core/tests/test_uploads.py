from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given, settings
from hypothesis import strategies as st

from madoguchi.core.tests.hostile import any_char, hostile_text
from madoguchi.core.uploads import (
    HEIC,
    JPEG,
    PDF,
    PNG,
    SniffedType,
    display_filename,
    sniff_bytes,
    sniff_file,
    validate_attachment,
)

PDF_BYTES = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<<>>\n%%EOF\n"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\0" * 64
PNG_BYTES = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\0" * 64
HEIC_BYTES = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\0" * 64
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 64
ZIP_BYTES = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\0" * 64
HTML_BYTES = b"\xef\xbb\xbf  <!DOCTYPE html><html><script>alert(1)</script></html>"
SVG_BYTES = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'

MB = 1024 * 1024
ALLOWED = frozenset({PDF, JPEG, PNG, HEIC})


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    ("content", "mime"),
    [
        (PDF_BYTES, PDF),
        (JPEG_BYTES, JPEG),
        (PNG_BYTES, PNG),
        (HEIC_BYTES, HEIC),
        (EXE_BYTES, "application/x-msdownload"),
        (ZIP_BYTES, "application/zip"),
        (HTML_BYTES, "text/html"),
        (SVG_BYTES, "image/svg+xml"),
    ],
)
def test_sniff_bytes(content: bytes, mime: str) -> None:
    sniffed = sniff_bytes(content)
    assert sniffed is not None
    assert sniffed.mime == mime


def test_sniff_unknown() -> None:
    assert sniff_bytes(b"") is None
    assert sniff_bytes(b"just some text") is None


def test_sniff_file_keeps_position() -> None:
    buffer = io.BytesIO(b"junk" + PDF_BYTES)
    buffer.seek(4)
    assert sniff_file(buffer) is None  # the type is read from the start of the file
    assert buffer.tell() == 4
    buffer = io.BytesIO(PNG_BYTES)
    buffer.seek(10)
    assert sniff_file(buffer) == SniffedType(PNG, "png")
    assert buffer.tell() == 10


@pytest.mark.parametrize(
    ("name", "content", "mime"),
    [
        ("申請書.pdf", PDF_BYTES, PDF),
        ("SCAN.PDF", PDF_BYTES, PDF),
        ("IMG_0001.JPG", JPEG_BYTES, JPEG),
        ("photo.jpeg", JPEG_BYTES, JPEG),
        ("IMG_0002.HEIC", HEIC_BYTES, HEIC),
        ("screenshot.png", PNG_BYTES, PNG),
        ("no-extension", PDF_BYTES, PDF),
    ],
)
def test_accepts_real_files(name: str, content: bytes, mime: str) -> None:
    assert validate_attachment(upload(name, content), allowed=ALLOWED, max_bytes=MB).mime == mime


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("empty.pdf", b"", "empty"),
        ("big.pdf", PDF_BYTES + b"\0" * MB, "too_large"),
        ("invoice.pdf", EXE_BYTES, "disguised"),
        ("invoice.pdf", ZIP_BYTES, "disguised"),
        ("invoice.pdf", HTML_BYTES, "disguised"),
        ("photo.jpg", PNG_BYTES, "disguised"),
        ("photo.png", SVG_BYTES, "disguised"),
        ("document.pdf.exe", PDF_BYTES, "disguised"),
        ("notes.txt", b"plain text, no magic number", "unknown_type"),
        ("setup.exe", EXE_BYTES, "type_not_allowed"),
        ("archive.zip", ZIP_BYTES, "type_not_allowed"),
        ("page.html", HTML_BYTES, "type_not_allowed"),
        ("image.svg", SVG_BYTES, "type_not_allowed"),
    ],
)
def test_refuses(name: str, content: bytes, code: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_attachment(upload(name, content), allowed=ALLOWED, max_bytes=MB)
    assert excinfo.value.code == code
    assert excinfo.value.messages


@pytest.mark.parametrize(("limit", "shown"), [(10 * MB, "10MB"), (3 * MB // 2, "1.5MB")])
def test_too_large_message_names_the_limit(limit: int, shown: str) -> None:
    big = upload("a.pdf", PDF_BYTES + b"\0" * limit)
    with pytest.raises(ValidationError) as excinfo:
        validate_attachment(big, allowed=ALLOWED, max_bytes=limit)
    assert excinfo.value.code == "too_large"
    assert shown in excinfo.value.messages[0]


def test_allowed_subset() -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_attachment(upload("photo.jpg", JPEG_BYTES), allowed={PDF}, max_bytes=MB)
    assert excinfo.value.code == "type_not_allowed"
    assert "PDF" in excinfo.value.messages[0]


@settings(max_examples=200, deadline=None)
@given(name=hostile_text, content=st.binary(max_size=512))
def test_validate_attachment_only_ever_raises_validation_error(name: str, content: bytes) -> None:
    try:
        sniffed = validate_attachment(upload("x", content), allowed=ALLOWED, max_bytes=MB)
    except ValidationError as error:
        assert error.messages
    else:
        assert sniffed.mime in ALLOWED
    display_filename(name)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("申請書.pdf", "申請書.pdf"),
        ("C:\\Users\\taro\\Desktop\\住民票.pdf", "住民票.pdf"),
        ("../../etc/passwd", "passwd"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("a\x00b.pdf", "ab.pdf"),
        ("  spaced   name .pdf ", "spaced name .pdf"),
        ('what?<>:"|*.pdf', "what_______.pdf"),
        (".htaccess", "htaccess"),
        ("", "添付ファイル"),
        (None, "添付ファイル"),
        ("\u200b\u202e", "添付ファイル"),
    ],
)
def test_display_filename(raw: str | None, expected: str) -> None:
    assert display_filename(raw) == expected


def test_display_filename_shortens_but_keeps_extension() -> None:
    shown = display_filename("あ" * 300 + ".pdf", max_length=40)
    assert len(shown) <= 40
    assert shown.endswith("….pdf")


@settings(max_examples=300, deadline=None)
@given(name=st.text(any_char, max_size=300))
def test_display_filename_is_always_safe(name: str) -> None:
    shown = display_filename(name)
    assert shown
    assert len(shown) <= 80
    assert not any(ch in shown for ch in '/\\<>:"|?*\x00\u202e')
    assert not shown.startswith(".")
    shown.encode("utf-8")
