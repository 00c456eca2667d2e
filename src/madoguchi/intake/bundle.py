"""Reading a bundle (a zip) without trusting it.

The central directory is checked before any member is read: member count, declared sizes (each
and in total), compression ratios, names (no absolute paths, no "..", no backslashes or drive
letters, no control characters, no duplicates), no symlinks, no encryption. Reading a member
then stops at its declared size, so a member that lies about its size cannot grow in memory.
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import stat
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from .parsers import parser_for


class BundleRefused(Exception):
    """The bundle as a whole is refused; nothing of it is imported. `message` is Japanese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MemberError(Exception):
    """One member cannot be read (missing, too large, damaged); its application is rejected."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Limits:
    max_members: int = 500_000
    max_total_bytes: int = 4 * 1024**3
    max_manifest_bytes: int = 1024 * 1024
    max_attachment_bytes: int = 10 * 1024 * 1024
    # Compression ratio refused above this, for members larger than `ratio_floor_bytes`
    # (small text compresses well and is harmless).
    max_ratio: int = 100
    ratio_floor_bytes: int = 1024 * 1024

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(
            max_members=getattr(settings, "INTAKE_MAX_MEMBERS", cls.max_members),
            max_total_bytes=getattr(settings, "INTAKE_MAX_TOTAL_BYTES", cls.max_total_bytes),
            max_attachment_bytes=getattr(
                settings, "ATTACHMENT_MAX_BYTES", cls.max_attachment_bytes
            ),
        )


def _mb(n: int) -> str:
    return f"{n / 1024**2:,.0f}"


_CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f]")


def check_member_name(name: str) -> str | None:
    """Why a member name is refused, or None if it is a safe relative path."""
    if not name or _CONTROL_CHARACTER.search(name):
        return _("制御文字を含むファイル名があります。")
    if "\\" in name:
        return _("ファイル名に「\\」が含まれています（パスの区切りは「/」にしてください）。")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return _("絶対パスのファイル名「%(name)s」があります。") % {"name": name[:100]}
    parts = name.rstrip("/").split("/")
    if any(part in ("..", ".", "") for part in parts):
        return _("親ディレクトリを指す「..」などを含むファイル名「%(name)s」があります。") % {
            "name": name[:100]
        }
    return None


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    mode = info.external_attr >> 16
    return info.create_system == 3 and stat.S_ISLNK(mode)


class _PositionalReader(io.RawIOBase):
    """A read-only view of an open file that keeps its own position (os.pread).

    The offset of an OS file is shared by every process that inherited it; reading through
    this view instead leaves that offset alone, so forked workers can read the same bundle
    at once. The underlying file stays owned (and closed) by its opener.
    """

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            position = offset
        elif whence == io.SEEK_CUR:
            position = self._position + offset
        else:
            position = os.fstat(self._fd).st_size + offset
        if position < 0:
            raise ValueError("negative seek position")
        self._position = position
        return position

    def readinto(self, buffer: Any) -> int:
        data = os.pread(self._fd, len(buffer), self._position)
        buffer[: len(data)] = data
        self._position += len(data)
        return len(data)


def _positional(file: IO[bytes]) -> IO[bytes]:
    try:
        fd = file.fileno()
    except (AttributeError, OSError, ValueError):  # in memory: each process has its own copy
        return file
    return io.BufferedReader(_PositionalReader(fd))  # type: ignore[return-value]


class Bundle:
    """An opened, checked bundle. Use as a context manager; `applications` lists the manifests."""

    def __init__(self, file: IO[bytes], *, limits: Limits | None = None) -> None:
        self.limits = limits or Limits.from_settings()
        try:
            self._zip = zipfile.ZipFile(_positional(file))
        except (zipfile.BadZipFile, OSError, ValueError):
            raise BundleRefused(
                _("zip ファイルとして読めません。バンドル（zip）を選び直してください。")
            ) from None
        try:
            self._members = self._check()
        except BundleRefused:
            self._zip.close()
            raise

    def __enter__(self) -> Bundle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    def _check(self) -> dict[str, zipfile.ZipInfo]:
        limits = self.limits
        infos = self._zip.infolist()
        if len(infos) > limits.max_members:
            raise BundleRefused(
                _("バンドル内のファイルが多すぎます（%(count)s 個、上限 %(max)s 個）。")
                % {"count": f"{len(infos):,}", "max": f"{limits.max_members:,}"}
            )
        members: dict[str, zipfile.ZipInfo] = {}
        total = 0
        for info in infos:
            name = info.filename
            reason = check_member_name(name)
            if reason:
                raise BundleRefused(reason + _("安全のため、このバンドルは取り込みません。"))
            if _is_symlink(info):
                raise BundleRefused(
                    _("シンボリックリンク「%(name)s」が含まれています。安全のため取り込みません。")
                    % {"name": name[:100]}
                )
            if info.flag_bits & 0x1:
                raise BundleRefused(_("暗号化されたファイルは取り込めません。"))
            if info.is_dir():
                continue
            if name in members:
                raise BundleRefused(
                    _("同じ名前のファイル「%(name)s」が重複しています。") % {"name": name[:100]}
                )
            total += info.file_size
            if total > limits.max_total_bytes:
                raise BundleRefused(
                    _("展開後の合計サイズが大きすぎます（上限 %(max)s MB）。")
                    % {"max": _mb(limits.max_total_bytes)}
                )
            if info.file_size > max(limits.max_attachment_bytes, limits.max_manifest_bytes):
                raise BundleRefused(
                    _(
                        "展開後のサイズが大きすぎるファイル「%(name)s」があります（上限 %(max)s MB）。"
                    )
                    % {
                        "name": name[:100],
                        "max": _mb(max(limits.max_attachment_bytes, limits.max_manifest_bytes)),
                    }
                )
            if (
                info.file_size > limits.ratio_floor_bytes
                and info.file_size > limits.max_ratio * max(info.compress_size, 1)
            ):
                raise BundleRefused(
                    _(
                        "圧縮率が異常に高いファイル「%(name)s」があります（zip 爆弾の疑い）。"
                        "安全のため取り込みません。"
                    )
                    % {"name": name[:100]}
                )
            members[name] = info
        return members

    @property
    def manifests(self) -> list[str]:
        """Manifest member names, one per application, in the bundle's order."""
        return [name for name in self._members if parser_for(name) is not None]

    def has(self, name: str) -> bool:
        return name in self._members

    def resolve(self, manifest_name: str, relative: str) -> str:
        """The member a manifest refers to, which must stay inside the manifest's directory."""
        base = posixpath.dirname(manifest_name)
        if not isinstance(relative, str) or check_member_name(relative):
            raise MemberError(
                _("添付ファイルの場所「%(path)s」が正しくありません。")
                % {"path": str(relative)[:100]}
            )
        joined = posixpath.normpath(posixpath.join(base, relative)) if base else relative
        if base and not joined.startswith(base + "/"):
            raise MemberError(
                _("添付ファイル「%(path)s」が申請のフォルダの外を指しています。")
                % {"path": relative[:100]}
            )
        if joined not in self._members:
            raise MemberError(
                _("添付ファイル「%(path)s」がバンドル内にありません。") % {"path": relative[:100]}
            )
        return joined

    def size(self, name: str) -> int:
        return self._members[name].file_size

    def read(self, name: str, *, max_bytes: int) -> bytes:
        info = self._members.get(name)
        if info is None:
            raise MemberError(_("「%(name)s」がバンドル内にありません。") % {"name": name[:100]})
        if info.file_size > max_bytes:
            raise MemberError(
                _("「%(name)s」が大きすぎます（上限 %(max)s MB）。")
                % {"name": name.rsplit("/", 1)[-1][:100], "max": _mb(max_bytes)}
            )
        chunks: list[bytes] = []
        size = 0
        try:
            with self._zip.open(info) as handle:
                while chunk := handle.read(64 * 1024):
                    size += len(chunk)
                    if size > info.file_size:
                        raise MemberError(
                            _("「%(name)s」の実際のサイズが申告と異なります。")
                            % {"name": name[:100]}
                        )
                    chunks.append(chunk)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
            raise MemberError(
                _("「%(name)s」が壊れていて読めません。") % {"name": name[:100]}
            ) from None
        return b"".join(chunks)
