"""Writes for the intake: importing bundles, quarantine, and the linkage table.

How an import stays atomic per application while writing in batches
--------------------------------------------------------------------
Manifests are read, checked and validated in chunks (`CHUNK_SIZE`) in Python, without touching
the database. Each accepted application of the chunk is then written — the application, its
SUBMITTED event and its attachment rows by the applications' one creation service in its batch
form (`applications_create_batch`: COPY on PostgreSQL, `bulk_create` elsewhere), then its intake
record — inside ONE transaction per chunk, together with the chunk's quarantine items and the run's counters. So an
application is either entirely in the database or not at all: a crash, an exception or a killed
process loses at most the uncommitted chunk, never part of an application, and a re-run skips the
committed 受付番号 and completes the rest. If the batch write fails on a constraint (another
import committed the same 受付番号 meanwhile), the chunk is retried one application per
transaction, so one bad row cannot take its neighbours down. Attachment files are stored under
names derived from (municipality, 受付番号, member, content hash) before the transaction; a file
left behind by a killed run is simply overwritten by the re-run.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import logging
import re
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from madoguchi.accounts.models import StaffUser
from madoguchi.applications.creation import (
    ApplicantData,
    JsonText,
    NewApplication,
    NewAttachment,
    applications_create_batch,
    copy_rows,
)
from madoguchi.applications.models import Application, Channel
from madoguchi.core import forking, uploads
from madoguchi.core.japanese_text import normalize_input, strip_invisible
from madoguchi.core.kana import normalize_kana_name
from madoguchi.core.wareki import parse_date
from madoguchi.jobs.models import Job
from madoguchi.jobs.services import JobLost, Progress, job_create, job_enqueue, job_resume
from madoguchi.procedures.formdef import FormDefinition, extract_applicant, validate_answers
from madoguchi.procedures.models import FormVersion, Procedure
from madoguchi.procedures.selectors import form_version_definition
from madoguchi.tenancy.models import Municipality

from .bundle import Bundle, BundleRefused, Limits, MemberError
from .models import ImportedApplication, ImportRun, LinkageImport, QuarantineItem, ResidentLink
from .parsers import Manifest, ManifestError, parser_for

logger = logging.getLogger(__name__)

CHUNK_SIZE = 500
MAX_REPORTED_REJECTIONS = 1000
RECEIPT_NUMBER = re.compile(r"[0-9A-Za-z][0-9A-Za-z-]{0,19}")
# 宛名番号: digits only (systems differ in length, up to 15 in the standard spec).
RESIDENT_NUMBER = re.compile(r"[0-9]{1,15}")
ATTACHMENT_NAMESPACE = uuid.UUID("6f1d3c52-6a0e-4d7e-9a43-5b7f0c3e2a11")
_SUBMITTED_SLACK_SECONDS = 24 * 3600


# --- Results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rejection:
    receipt_number: str
    member: str
    reasons: list[dict[str, str]]


@dataclass
class ImportReport:
    """What an import did; `rejections` is the per-application error report."""

    run: ImportRun
    refused: str = ""
    total: int = 0
    imported: int = 0
    duplicates: int = 0
    rejected: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    imported_receipts: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.refused and not self.rejected


# --- Normalising identifiers -----------------------------------------------------------------


def normalize_serial(value: Any) -> str:
    """A certificate serial number as stored: hex digits, upper case, no separators or leading
    zeros ("00:ab:12" → "AB12"); "" if it is not a hexadecimal number."""
    if value is None:
        return ""
    text = normalize_input(str(value)).strip()
    if text.lower().startswith("0x"):
        text = text[2:]
    text = re.sub(r"[\s:\-]", "", text).upper()
    if not text or not re.fullmatch(r"[0-9A-F]{1,64}", text):
        return ""
    return text.lstrip("0") or "0"


# --- Checking one manifest -------------------------------------------------------------------


class _Catalogue:
    """The municipality's procedures and form versions, loaded once per import."""

    def __init__(self, municipality: Municipality) -> None:
        self.municipality = municipality
        self.by_code: dict[str, Procedure] = {}
        for procedure in Procedure.objects.for_municipality(municipality):
            self.by_code[procedure.slug] = procedure
            if procedure.standard_code:
                self.by_code.setdefault(procedure.standard_code, procedure)
        # Every version is loaded now, so checking needs no query (checks may run in workers).
        self._versions: dict[tuple[int, int], FormVersion] = {
            (version.procedure_id, version.number): version
            for version in FormVersion.objects.filter(procedure__municipality=municipality)
        }

        self._definitions: dict[int, FormDefinition] = {}

    def version(
        self, procedure: Procedure, number: int
    ) -> tuple[FormVersion, FormDefinition] | None:
        version = self._versions.get((procedure.pk, number))
        if version is None:
            return None
        definition = self._definitions.get(version.pk)
        if definition is None:
            definition = form_version_definition(form_version=version)
            self._definitions[version.pk] = definition
        return version, definition


@dataclass
class _StoredFile:
    id: uuid.UUID
    name: str  # storage name
    field_path: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    data: bytes = b""


@dataclass
class _Accepted:
    """An application ready to be written (all checks passed, nothing stored yet)."""

    member: str
    manifest_sha256: str
    receipt_number: str
    procedure_id: int
    form_version_id: int
    answers: JsonText  # serialised where it was checked (a worker), not in the writing process
    name: str
    kana: str
    birth_date: date
    address: str
    email: str
    serial: str
    submitted_at: datetime
    files: list[_StoredFile]


@dataclass
class _Checked:
    member: str
    manifest_sha256: str
    receipt_number: str
    manifest: Manifest | None
    reasons: list[dict[str, str]]


@dataclass(frozen=True)
class _Clock:
    """The moment an import's checks are made against, and its local date and time zone."""

    now: datetime
    today: date
    tz: tzinfo

    @classmethod
    def current(cls) -> _Clock:
        now = timezone.now()
        tz = timezone.get_current_timezone()
        return cls(now, now.astimezone(tz).date(), tz)


Outcome = _Accepted | list[dict[str, str]]


def _reason(field_name: str, message: str) -> dict[str, str]:
    # Messages quote manifest values: nothing in them may stop the quarantine row being stored.
    return {"field": strip_invisible(field_name)[:200], "message": strip_invisible(message)}


def _read_manifest(bundle: Bundle, member: str) -> _Checked:
    try:
        data = bundle.read(member, max_bytes=bundle.limits.max_manifest_bytes)
    except MemberError as exc:
        return _Checked(member, "", "", None, [_reason("", exc.message)])
    sha = hashlib.sha256(data).hexdigest()
    parser = parser_for(member)
    assert parser is not None
    try:
        manifest = parser.parse(data)
    except ManifestError as exc:
        return _Checked(member, sha, "", None, [_reason("", exc.message)])
    receipt = manifest.receipt_number
    receipt_text = receipt.strip() if isinstance(receipt, str) else ""
    return _Checked(member, sha, receipt_text, manifest, [])


# Electronic applications exist since then; earlier (year 1…) is a broken clock, and moments
# near date.min/date.max overflow when converted between time zones.
_EARLIEST_SUBMISSION = datetime(1990, 1, 1, tzinfo=UTC)
# 明治改元: no living applicant was born before.
_EARLIEST_BIRTH_DATE = date(1868, 1, 25)


def _parse_submitted_at(value: Any) -> datetime | None:
    if not isinstance(value, str) or len(value) > 64:
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
        if timezone.is_naive(moment):
            # No offset given: the portal's clock is Japan time.
            moment = timezone.make_aware(moment, timezone.get_default_timezone())
        moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return moment


def _form_version_number(value: Any) -> int | None:
    """A form version number: a positive int, or a string of (half- or full-width) digits;
    None for anything else (circled or other digit-like characters, booleans, floats)."""
    if isinstance(value, str):
        text = value.strip().translate(_FULLWIDTH_DIGITS)
        if not re.fullmatch(r"[0-9]{1,9}", text):
            return None
        value = int(text)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value < 2**31:
        return None
    return value


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def _text(value: Any, limit: int) -> str:
    if not isinstance(value, str):
        return ""
    return normalize_input(value)[:limit]


Key = str | int


def _collect_files(
    value: Any, path: tuple[Key, ...], out: list[tuple[tuple[Key, ...], Any]]
) -> None:
    """(keys from the form data's root, reference) for every {"file": …} in the form data.

    Keys are kept as a tuple, not joined: a key may itself contain a dot."""
    if isinstance(value, dict):
        if set(value) <= {"file", "name", "content_type"} and "file" in value:
            out.append((path, value))
            return
        for key, sub in value.items():
            _collect_files(sub, (*path, key), out)
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            _collect_files(sub, (*path, i), out)


def _put(answers: Any, path: tuple[Key, ...], value: Any) -> None:
    current = answers
    for key in path[:-1]:
        current = current[key]
    current[path[-1]] = value


def _dotted(path: tuple[Key, ...]) -> str:
    return ".".join(str(key) for key in path)


_ALL_KNOWN_TYPES = frozenset(
    {uploads.PDF, uploads.JPEG, uploads.PNG, uploads.HEIC, uploads.HEIF, uploads.WEBP, "image/gif"}
)


def _check_attachments(
    bundle: Bundle,
    checked: _Checked,
    form_data: dict[str, Any],
    *,
    municipality: Municipality,
    receipt_number: str,
    reasons: list[dict[str, str]],
) -> list[_StoredFile]:
    """Read each referenced attachment, check its real type, and put a reference in its place."""
    refs: list[tuple[tuple[Key, ...], Any]] = []
    _collect_files(form_data, (), refs)
    files: list[_StoredFile] = []
    for path, ref in refs:
        where = f"form_data.{_dotted(path)}" if path else "form_data"
        if not path:
            reasons.append(_reason(where, _("申請内容（form_data）がありません。")))
            continue
        try:
            member = bundle.resolve(checked.member, ref["file"])
            data = bundle.read(member, max_bytes=bundle.limits.max_attachment_bytes)
        except MemberError as exc:
            reasons.append(_reason(where, exc.message))
            continue
        display = uploads.display_filename(
            ref.get("name") if isinstance(ref.get("name"), str) else member
        )
        upload = File(io.BytesIO(data), name=member.rsplit("/", 1)[-1])
        upload.size = len(data)
        try:
            sniffed = uploads.validate_attachment(
                upload, allowed=_ALL_KNOWN_TYPES, max_bytes=bundle.limits.max_attachment_bytes
            )
        except ValidationError as exc:
            reasons.extend(_reason(where, f"{display}: {m}") for m in exc.messages)
            continue
        declared = ref.get("content_type")
        if isinstance(declared, str) and declared and declared != sniffed.mime:
            reasons.append(
                _reason(
                    where,
                    _(
                        "添付ファイル「%(name)s」の中身（%(real)s）が申告された種類（%(declared)s）と一致しません。"
                    )
                    % {"name": display, "real": sniffed.mime, "declared": declared[:50]},
                )
            )
            continue
        sha = hashlib.sha256(data).hexdigest()
        # The answer's path is part of the identity: one file may answer two questions.
        file_id = uuid.uuid5(
            ATTACHMENT_NAMESPACE,
            f"{municipality.code}/{receipt_number}/{member}/{sha}/{_dotted(path)}",
        )
        files.append(
            _StoredFile(
                id=file_id,
                name=f"attachments/{municipality.code}/{file_id}",
                field_path=_dotted(path)[:200],
                original_name=display[:255],
                content_type=sniffed.mime,
                size=len(data),
                sha256=sha,
                data=data,
            )
        )
        _put(
            form_data,
            path,
            {
                "attachment": str(file_id),
                "name": display,
                "size": len(data),
                "content_type": sniffed.mime,
            },
        )
    return files


def _check(bundle: Bundle, checked: _Checked, catalogue: _Catalogue, *, clock: _Clock) -> Outcome:
    """All checks of one manifest; the accepted application, or the reasons to refuse it."""
    manifest = checked.manifest
    assert manifest is not None
    reasons: list[dict[str, str]] = []
    if str(manifest.format_version) != "1":
        reasons.append(
            _reason("format_version", _("対応していない形式の版です（対応しているのは 1 です）。"))
        )
    receipt = checked.receipt_number
    if not receipt:
        reasons.append(_reason("receipt_number", _("受付番号がありません。")))
    elif not RECEIPT_NUMBER.fullmatch(receipt):
        reasons.append(
            _reason(
                "receipt_number",
                _("受付番号は英数字とハイフンで20文字以内にしてください。"),
            )
        )
    procedure = (
        catalogue.by_code.get(manifest.procedure.strip())
        if isinstance(manifest.procedure, str)
        else None
    )
    version: tuple[FormVersion, FormDefinition] | None = None
    if procedure is None:
        reasons.append(
            _reason(
                "procedure",
                _(
                    "手続「%(code)s」はこの自治体に登録されていません。手続の識別名か標準手続コードを確認してください。"
                )
                % {"code": str(manifest.procedure)[:80]},
            )
        )
    else:
        number = _form_version_number(manifest.form_version)
        if number is None:
            reasons.append(
                _reason("form_version", _("様式の版（form_version）を数字で指定してください。"))
            )
        else:
            version = catalogue.version(procedure, number)
            if version is None:
                reasons.append(
                    _reason(
                        "form_version",
                        _("手続「%(name)s」に様式の第%(number)s版はありません。")
                        % {"name": procedure.name, "number": number},
                    )
                )
    submitted_at = _parse_submitted_at(manifest.submitted_at)
    if submitted_at is None:
        reasons.append(
            _reason(
                "submitted_at",
                _("申請日時は ISO 8601 形式（例：2025-06-16T09:30:00+09:00）で指定してください。"),
            )
        )
    elif (submitted_at - clock.now).total_seconds() > _SUBMITTED_SLACK_SECONDS:
        reasons.append(_reason("submitted_at", _("申請日時が未来の日付になっています。")))
    elif submitted_at < _EARLIEST_SUBMISSION:
        reasons.append(_reason("submitted_at", _("申請日時が古すぎます。日付を確認してください。")))

    applicant = manifest.applicant
    name = _text(applicant.get("name"), 100)
    if not name:
        reasons.append(_reason("applicant.name", _("申請者の氏名がありません。")))
    kana = ""
    raw_kana = applicant.get("kana")
    if not isinstance(raw_kana, str) or not raw_kana.strip():
        reasons.append(_reason("applicant.kana", _("申請者の氏名（カナ）がありません。")))
    else:
        try:
            kana = normalize_kana_name(raw_kana)
        except ValidationError as exc:
            reasons.extend(_reason("applicant.kana", m) for m in exc.messages)
    birth: date | None = None
    raw_birth = applicant.get("birth_date")
    if not isinstance(raw_birth, str) or not raw_birth.strip():
        reasons.append(_reason("applicant.birth_date", _("申請者の生年月日がありません。")))
    else:
        try:
            birth = parse_date(raw_birth)
        except ValidationError as exc:
            reasons.extend(
                _reason("applicant.birth_date", _("生年月日：") + m) for m in exc.messages
            )
        else:
            if birth > clock.today:
                reasons.append(
                    _reason("applicant.birth_date", _("生年月日が未来の日付になっています。"))
                )
            elif birth < _EARLIEST_BIRTH_DATE:
                reasons.append(
                    _reason(
                        "applicant.birth_date", _("生年月日が古すぎます。日付を確認してください。")
                    )
                )
    address = _text(applicant.get("address"), 300)
    if not address:
        reasons.append(_reason("applicant.address", _("申請者の住所がありません。")))
    serial = ""
    if manifest.certificate_serial not in (None, ""):
        serial = normalize_serial(manifest.certificate_serial)
        if not serial:
            reasons.append(
                _reason(
                    "certificate_serial",
                    _("署名用証明書のシリアル番号は16進数で指定してください。"),
                )
            )
    form_data = manifest.form_data
    if not isinstance(form_data, dict):
        reasons.append(_reason("form_data", _("申請内容（form_data）がありません。")))
    if reasons or version is None or not isinstance(form_data, dict):
        return reasons

    files = _check_attachments(
        bundle,
        checked,
        form_data,
        municipality=catalogue.municipality,
        receipt_number=receipt,
        reasons=reasons,
    )
    if reasons:
        return reasons
    form_version, definition = version
    assert submitted_at is not None and birth is not None and procedure is not None
    answers, errors = validate_answers(
        # A portal application answers the online form: the "online" channel's fields apply.
        definition,
        form_data,
        today=submitted_at.astimezone(clock.tz).date(),
        channel="online",
    )
    if errors:
        return [
            _reason(f"form_data.{path}" if path else "form_data", message)
            for path, messages in errors.items()
            for message in messages
        ]
    from_form = extract_applicant(definition, answers)
    return _Accepted(
        member=checked.member,
        manifest_sha256=checked.manifest_sha256,
        receipt_number=receipt,
        procedure_id=procedure.pk,
        form_version_id=form_version.pk,
        answers=JsonText(json.dumps(answers, ensure_ascii=False)),
        name=name,
        kana=kana,
        birth_date=birth,
        address=address,
        email=from_form.email[:254],
        serial=serial,
        submitted_at=submitted_at,
        files=files,
    )


def check_members(
    bundle: Bundle, catalogue: _Catalogue, members: list[str], clock: _Clock
) -> list[tuple[_Checked, Outcome]]:
    """Read and check manifests without touching the database (so it can run in a worker)."""
    out: list[tuple[_Checked, Outcome]] = []
    for member in members:
        item = _read_manifest(bundle, member)
        outcome: Outcome
        try:
            outcome = item.reasons or _check(bundle, item, catalogue, clock=clock)
        except Exception as exc:
            # A check that breaks on a value nobody foresaw must not take the bundle down:
            # this application is quarantined, the others go on.
            _log_failed_check(exc)
            outcome = [
                _reason(
                    "",
                    _(
                        "この申請は内容を検査できませんでした。マニフェストの値を確認し、"
                        "直したバンドルを取り込むか、保留の画面から再取込してください。"
                    ),
                )
            ]
            item.reasons = outcome
        item.manifest = None  # checked: not needed any more, nor sent back from a worker
        out.append((item, outcome))
    return out


def _log_failed_check(exc: BaseException) -> None:
    # The code path only: the exception's message may quote the manifest (personal data).
    where = "".join(traceback.format_tb(exc.__traceback__)[-3:])
    logger.error("intake: a manifest check failed with %s\n%s", type(exc).__name__, where)


# --- Writing a chunk -------------------------------------------------------------------------


def _store_files(accepted: Iterable[_Accepted]) -> None:
    for item in accepted:
        for stored in item.files:
            if default_storage.exists(stored.name):
                # Left by a run that was killed before its transaction committed.
                default_storage.delete(stored.name)
            saved = default_storage.save(stored.name, ContentFile(stored.data))
            if saved != stored.name:  # pragma: no cover — the storage renamed it
                stored.name = saved
            stored.data = b""


def _remove_files(accepted: Iterable[_Accepted]) -> None:
    for item in accepted:
        for stored in item.files:
            try:
                default_storage.delete(stored.name)
            except OSError:  # pragma: no cover
                logger.warning("intake: could not remove an orphan attachment file")


# Rows of intake's own tables go the same way as the applications' (COPY on PostgreSQL); a
# module-level name, so a test can make one insert fail.
_insert = copy_rows


def _write(
    accepted: list[_Accepted],
    *,
    municipality: Municipality,
    run: ImportRun,
    links: dict[str, str],
    now: datetime,
) -> None:
    """Insert the applications and everything that belongs to them (caller holds a transaction)."""
    if not accepted:
        return
    town = municipality.pk
    note = _("外部連携で受け付けました（取込 #%(run)s）。") % {"run": run.pk}
    # Residents follow bundle applications on their portal: no access code is issued.
    ids = applications_create_batch(
        [
            NewApplication(
                municipality_id=town,
                procedure_id=item.procedure_id,
                form_version_id=item.form_version_id,
                channel=Channel.BUNDLE.value,
                answers=item.answers,
                applicant=ApplicantData(name=item.name, kana=item.kana, email=item.email),
                submitted_at=item.submitted_at,
                receipt_number=item.receipt_number,
                note=note,
                attachments=[
                    NewAttachment(
                        id=stored.id,
                        field_path=stored.field_path,
                        file=stored.name,
                        original_name=stored.original_name,
                        content_type=stored.content_type,
                        size=stored.size,
                        sha256=stored.sha256,
                    )
                    for stored in item.files
                ],
            )
            for item in accepted
        ]
    )
    match = ImportedApplication.Match
    no_certificate, matched, unmatched = (
        match.NO_CERTIFICATE.value,
        match.MATCHED.value,
        match.UNMATCHED.value,
    )
    records = []
    for item, pk in zip(accepted, ids, strict=True):
        resident = links.get(item.serial, "") if item.serial else ""
        records.append(
            {
                "municipality_id": town,
                "application_id": pk,
                "run_id": run.pk,
                "receipt_number": item.receipt_number,
                "manifest_sha256": item.manifest_sha256,
                "applicant_birth_date": item.birth_date,
                "applicant_address": item.address,
                "certificate_serial": item.serial,
                "match": (
                    no_certificate if not item.serial else matched if resident else unmatched
                ),
                "resident_number": resident,
                "matched_at": now if resident else None,
            }
        )
    _insert(ImportedApplication, records)


def _among(queryset: QuerySet[Any], column: str, values: list[str]) -> QuerySet[Any]:
    """`queryset.filter(<column>__in=values)`; on PostgreSQL the values go as one array
    parameter (`= ANY(%s)`), so a chunk's hundreds of values cost no query building."""
    if connection.vendor != "postgresql":
        return queryset.filter(**{f"{column}__in": values})
    quoted = connection.ops.quote_name(column)  # one of this module's column names
    condition = RawSQL(f"{quoted} = ANY(%s)", [values], output_field=BooleanField())  # noqa: S611
    return queryset.filter(condition)


@dataclass
class _ChunkResult:
    imported: list[tuple[_Accepted, int]] = field(default_factory=list)  # (item, application pk)
    duplicates: int = 0
    rejected: list[Rejection] = field(default_factory=list)


class _Importer:
    def __init__(self, *, municipality: Municipality, run: ImportRun, bundle: Bundle) -> None:
        self.municipality = municipality
        self.run = run
        self.bundle = bundle
        self.catalogue = _Catalogue(municipality)
        self.seen: set[str] = set()
        # Tests replace this to inject a fault between applications.
        self.before_write: Callable[[list[_Accepted]], None] = lambda accepted: None
        # Called with the number of manifests of a chunk, in the chunk's transaction (progress).
        self.on_chunk: Callable[[int], None] = lambda members: None
        self._chunk_members = 0

    def chunk(self, members: list[str]) -> _ChunkResult:
        """Check and write some applications (one transaction)."""
        return self.write(check_members(self.bundle, self.catalogue, members, _Clock.current()))

    def write(self, checked: list[tuple[_Checked, Outcome]]) -> _ChunkResult:
        """Write the applications of a checked chunk that are not in the database yet."""
        now = timezone.now()
        result = _ChunkResult()
        self._chunk_members = len(checked)
        receipts = [c.receipt_number for c, _outcome in checked if c.receipt_number]
        taken = dict(
            _among(
                Application.objects.for_municipality(self.municipality), "receipt_number", receipts
            ).values_list("receipt_number", "channel")
        )
        shas = (
            dict(
                _among(
                    ImportedApplication.objects.for_municipality(self.municipality),
                    "receipt_number",
                    list(taken),
                ).values_list("receipt_number", "manifest_sha256")
            )
            if taken
            else {}
        )
        existing = {receipt: (channel, shas.get(receipt)) for receipt, channel in taken.items()}
        accepted: list[_Accepted] = []
        rejected: list[tuple[_Checked, list[dict[str, str]]]] = []
        for item, outcome in checked:
            if item.reasons:
                rejected.append((item, item.reasons))
                continue
            receipt = item.receipt_number
            if receipt and receipt in existing:
                channel, sha = existing[receipt]
                if channel == Channel.BUNDLE and sha == item.manifest_sha256:
                    result.duplicates += 1
                    continue
                message = (
                    _(
                        "同じ受付番号で内容の異なる申請を既に取り込んでいます。内容を確認してください。"
                    )
                    if channel == Channel.BUNDLE
                    else _("受付番号がこの自治体の別の経路の申請と重複しています。")
                )
                rejected.append((item, [_reason("receipt_number", message)]))
                continue
            if receipt and receipt in self.seen:
                rejected.append(
                    (item, [_reason("receipt_number", _("バンドル内で受付番号が重複しています。"))])
                )
                continue
            if isinstance(outcome, _Accepted):
                accepted.append(outcome)
                self.seen.add(outcome.receipt_number)
            else:
                rejected.append((item, outcome))
        serials = {a.serial for a in accepted if a.serial}
        links = (
            dict(
                _among(
                    ResidentLink.objects.for_municipality(self.municipality),
                    "certificate_serial",
                    list(serials),
                ).values_list("certificate_serial", "resident_number")
            )
            if serials
            else {}
        )
        result.rejected = [
            Rejection(item.receipt_number, item.member, reasons) for item, reasons in rejected
        ]
        self.before_write(accepted)
        _store_files(accepted)
        try:
            try:
                with transaction.atomic():
                    _write(
                        accepted, municipality=self.municipality, run=self.run, links=links, now=now
                    )
                    self._record(rejected, result, len(accepted), now)
                result.imported = [(a, 0) for a in accepted]
            except (IntegrityError, DataError):
                # Someone else committed one of these 受付番号 meanwhile, or one value is refused
                # by the database: one by one, so the others are written.
                result = self._one_by_one(accepted, rejected, result, links, now)
        except BaseException:
            _remove_files(accepted)
            raise
        return result

    def _one_by_one(
        self,
        accepted: list[_Accepted],
        rejected: list[tuple[_Checked, list[dict[str, str]]]],
        result: _ChunkResult,
        links: dict[str, str],
        now: datetime,
    ) -> _ChunkResult:
        imported = []
        for item in accepted:
            try:
                with transaction.atomic():
                    _write(
                        [item], municipality=self.municipality, run=self.run, links=links, now=now
                    )
                imported.append((item, 0))
            except (IntegrityError, DataError):
                _remove_files([item])
                if (
                    Application.objects.for_municipality(self.municipality)
                    .filter(receipt_number=item.receipt_number)
                    .exists()
                ):
                    result.duplicates += 1  # committed by another import meanwhile
                    continue
                reasons = [
                    _reason(
                        "",
                        _(
                            "この申請はデータベースに保存できない値を含んでいます。"
                            "マニフェストの値を確認してください。"
                        ),
                    )
                ]
                rejected.append(
                    (
                        _Checked(
                            item.member, item.manifest_sha256, item.receipt_number, None, reasons
                        ),
                        reasons,
                    )
                )
                result.rejected.append(Rejection(item.receipt_number, item.member, reasons))
        with transaction.atomic():
            self._record(rejected, result, len(imported), now)
        result.imported = imported
        return result

    def _record(
        self,
        rejected: list[tuple[_Checked, list[dict[str, str]]]],
        result: _ChunkResult,
        imported: int,
        now: datetime,
    ) -> None:
        """Quarantine (once per distinct manifest) and the run's counters, in the same transaction."""
        shas = {c.manifest_sha256 for c, _r in rejected if c.manifest_sha256}
        already = (
            set(
                QuarantineItem.objects.for_municipality(self.municipality)
                .filter(manifest_sha256__in=shas, status=QuarantineItem.Status.PENDING)
                .values_list("manifest_sha256", flat=True)
            )
            if shas
            else set()
        )
        new_items = []
        for checked, reasons in rejected:
            if checked.manifest_sha256 and checked.manifest_sha256 in already:
                continue
            already.add(checked.manifest_sha256)
            new_items.append(
                QuarantineItem(
                    municipality=self.municipality,
                    run=self.run,
                    receipt_number=checked.receipt_number[:64],
                    member=checked.member[:255],
                    manifest_sha256=checked.manifest_sha256,
                    reasons=reasons,
                    created_at=now,
                )
            )
        if new_items:
            QuarantineItem.objects.bulk_create(new_items)
        run = self.run
        run.imported += imported
        run.duplicates += result.duplicates
        run.rejected += len(rejected)
        room = MAX_REPORTED_REJECTIONS - len(run.rejections)
        if room > 0 and rejected:
            run.rejections = [
                *run.rejections,
                *(
                    {"receipt_number": c.receipt_number, "member": c.member, "reasons": r}
                    for c, r in rejected[:room]
                ),
            ]
        run.updated_at = now
        run.save(update_fields=["imported", "duplicates", "rejected", "rejections", "updated_at"])
        self.on_chunk(self._chunk_members)


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _open(path_or_file: str | Path | IO[bytes]) -> tuple[IO[bytes], str, bool]:
    if isinstance(path_or_file, (str, Path)):
        return open(path_or_file, "rb"), Path(path_or_file).name, True
    return path_or_file, str(getattr(path_or_file, "name", "") or "bundle.zip"), False


def _sha256(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    handle.seek(0)
    while chunk := handle.read(1024 * 1024):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


def _new_run(
    *,
    municipality: Municipality,
    handle: IO[bytes],
    name: str,
    actor: StaffUser | None,
    source_name: str,
    keep_bundle: bool,
    status: str = ImportRun.Status.RUNNING,
) -> ImportRun:
    now = timezone.now()
    run = ImportRun(
        municipality=municipality,
        source_name=uploads.display_filename(source_name or name, max_length=200),
        sha256=_sha256(handle),
        actor=actor,
        status=status,
        started_at=now,
        updated_at=now,
    )
    if keep_bundle:
        # Kept (privately) so a quarantined item can be re-tried after the cause is fixed,
        # and so a background import can read it (and resume it).
        run.bundle.save("bundle", File(handle), save=False)
        handle.seek(0)
    run.save()
    return run


def bundle_import(
    *,
    municipality: Municipality,
    path_or_file: str | Path | IO[bytes],
    actor: StaffUser | None = None,
    source_name: str = "",
    chunk_size: int = CHUNK_SIZE,
    limits: Limits | None = None,
    keep_bundle: bool = True,
    workers: int = 1,
    _hook: Callable[[_Importer], None] | None = None,
) -> ImportReport:
    """Import a bundle now: every application atomically, idempotent by 受付番号.

    Manifests are checked in `workers` forked processes when more than one is given (batch
    use: the command line, never a web request — the staff screen uses `bundle_import_start`).

    Returns the report; a refused bundle (not a zip, zip bomb, unsafe names…) imports nothing
    and says why in `report.refused`. Rejected applications go to quarantine with their reasons.
    """
    handle, name, close = _open(path_or_file)
    try:
        run = _new_run(
            municipality=municipality,
            handle=handle,
            name=name,
            actor=actor,
            source_name=source_name,
            keep_bundle=keep_bundle,
        )
        return _import_into(
            run, handle, chunk_size=chunk_size, limits=limits, workers=workers, _hook=_hook
        )
    finally:
        if close:
            handle.close()


def _import_into(
    run: ImportRun,
    handle: IO[bytes],
    *,
    chunk_size: int = CHUNK_SIZE,
    limits: Limits | None = None,
    workers: int = 1,
    start: int = 0,
    progress: Progress | None = None,
    _hook: Callable[[_Importer], None] | None = None,
) -> ImportReport:
    """Import the bundle's manifests from the `start`-th on into `run` (a resumed run starts
    where the last committed chunk ended); `progress` is told, in each chunk's transaction."""
    municipality = run.municipality
    report = ImportReport(run=run)
    try:
        bundle = Bundle(handle, limits=limits)
    except BundleRefused as exc:
        _finish(run, ImportRun.Status.REFUSED, exc.message)
        report.refused = exc.message
        return report
    with bundle:
        importer = _Importer(municipality=municipality, run=run, bundle=bundle)
        if _hook is not None:
            _hook(importer)
        members = bundle.manifests
        report.total = len(members)
        ImportRun.objects.filter(pk=run.pk).update(total=len(members))
        run.total = len(members)
        done = min(start, len(members))
        if progress is not None:
            progress.advance(done=done, total=len(members), quarantined=run.rejected)

            def advance(count: int) -> None:
                nonlocal done
                done += count
                progress.advance(done=done, quarantined=run.rejected)

            importer.on_chunk = advance
        check = functools.partial(check_members, bundle, importer.catalogue, clock=_Clock.current())
        remaining = members[done:]
        checked_chunks = forking.ordered_map(
            check,
            _chunks(remaining, chunk_size),
            # One chunk is checked faster than processes start.
            workers=workers if len(remaining) > chunk_size else 1,
        )
        try:
            for checked in checked_chunks:
                result = importer.write(checked)
                report.imported += len(result.imported)
                report.imported_receipts.extend(a.receipt_number for a, _pk in result.imported)
                report.duplicates += result.duplicates
                report.rejected += len(result.rejected)
                report.rejections.extend(result.rejected)
        except JobLost:
            raise  # another attempt owns the run now: leave it alone
        except Exception as exc:
            _finish(
                run,
                ImportRun.Status.FAILED,
                _(
                    "取込の途中でエラーが発生し、中断しました。同じバンドルをもう一度取り込むと続きから再開します。"
                ),
            )
            logger.error("intake: run %s failed with %s", run.pk, type(exc).__name__)
            raise
        finally:
            checked_chunks.close()
    if not members:
        _finish(
            run,
            ImportRun.Status.REFUSED,
            _("バンドルに申請（manifest.json / manifest.xml）がありません。"),
        )
        report.refused = run.error
        return report
    _finish(run, ImportRun.Status.COMPLETED, "")
    return report


# --- In the background -----------------------------------------------------------------------

JOB_KIND = "intake.import"


def bundle_import_start(
    *,
    municipality: Municipality,
    upload: IO[bytes],
    actor: StaffUser | None = None,
    source_name: str = "",
) -> ImportRun:
    """Store an uploaded bundle (private storage) and queue its import as a background job.

    The staff screen follows the run's job; with the immediate task backend the import has
    run by the time this returns (one process), with the database backend a worker runs it."""
    handle, name, _close = _open(upload)
    with transaction.atomic():
        job = job_create(kind=JOB_KIND, municipality=municipality, started_by=actor)
        run = _new_run(
            municipality=municipality,
            handle=handle,
            name=name,
            actor=actor,
            source_name=source_name,
            keep_bundle=True,
            status=ImportRun.Status.QUEUED,
        )
        run.job = job
        run.save(update_fields=["job"])
        job_enqueue(job=job)
    run.refresh_from_db()
    return run


def bundle_import_forget(job: Job) -> None:
    """Before an old import job is pruned: delete the stored bundle (personal data); the run's
    record and the applications it created stay."""
    for run in ImportRun.objects.filter(job=job).exclude(bundle=""):
        run.bundle.delete(save=False)
        ImportRun.objects.filter(pk=run.pk).update(bundle="")


def bundle_import_work(job: Job, progress: Progress) -> None:
    """The job's work: import the run's stored bundle from where the last attempt stopped."""
    run = ImportRun.objects.get(job=job)
    if run.status in (ImportRun.Status.COMPLETED, ImportRun.Status.REFUSED):
        return
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.RUNNING, error="", finished_at=None
    )
    run.status = ImportRun.Status.RUNNING
    with run.bundle.open("rb") as handle:
        _import_into(run, handle, start=job.done, progress=progress)


def bundle_import_resume(*, run: ImportRun) -> bool:
    """Resume an interrupted or failed background import; False if it cannot be resumed."""
    if run.job is None:
        return False
    return job_resume(job=run.job)


def _finish(run: ImportRun, status: str, error: str) -> None:
    now = timezone.now()
    run.status = status
    run.error = error
    run.finished_at = now
    run.updated_at = now
    ImportRun.objects.filter(pk=run.pk).update(
        status=status, error=error, finished_at=now, updated_at=now
    )


# --- Quarantine ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryOutcome:
    imported: bool
    duplicate: bool
    reasons: list[dict[str, str]]


def quarantine_retry(*, item: QuarantineItem, actor: StaffUser | None = None) -> RetryOutcome:
    """Check a quarantined application again (e.g. after publishing the missing form version)."""
    run = item.run
    if item.status != QuarantineItem.Status.PENDING:
        return RetryOutcome(imported=False, duplicate=False, reasons=[])
    if not run.bundle:
        reasons = [_reason("", _("元のバンドルが保存されていないため、再取込できません。"))]
        return RetryOutcome(imported=False, duplicate=False, reasons=reasons)
    with run.bundle.open("rb") as handle, Bundle(handle) as bundle:
        importer = _Importer(municipality=item.municipality, run=run, bundle=bundle)
        # Counters of the original run stay as they were: a re-try is recorded on the item.
        importer._record = lambda rejected, result, imported, now: None  # type: ignore[method-assign]
        result = importer.chunk([item.member])
    now = timezone.now()
    if result.imported:
        receipt = result.imported[0][0].receipt_number
        application = Application.objects.for_municipality(item.municipality).get(
            receipt_number=receipt
        )
        item.status = QuarantineItem.Status.IMPORTED
        item.application = application
        item.resolved_at = now
        item.resolved_by = actor
        item.save(update_fields=["status", "application", "resolved_at", "resolved_by"])
        return RetryOutcome(imported=True, duplicate=False, reasons=[])
    if result.duplicates:
        item.status = QuarantineItem.Status.IMPORTED
        item.resolved_at = now
        item.resolved_by = actor
        item.save(update_fields=["status", "resolved_at", "resolved_by"])
        return RetryOutcome(imported=False, duplicate=True, reasons=[])
    reasons = result.rejected[0].reasons if result.rejected else []
    item.reasons = reasons
    item.save(update_fields=["reasons"])
    return RetryOutcome(imported=False, duplicate=False, reasons=reasons)


def quarantine_dismiss(*, item: QuarantineItem, actor: StaffUser | None = None) -> QuarantineItem:
    if item.status == QuarantineItem.Status.PENDING:
        item.status = QuarantineItem.Status.DISMISSED
        item.resolved_at = timezone.now()
        item.resolved_by = actor
        item.save(update_fields=["status", "resolved_at", "resolved_by"])
    return item


# --- Linkage table ---------------------------------------------------------------------------

LINKAGE_SERIAL = "証明書シリアル番号"
LINKAGE_RESIDENT = "宛名番号"
LINKAGE_ACTION = "異動区分"
_REMOVE_ACTIONS = frozenset({"削除", "失効", "delete", "remove"})
_UPSERT_ACTIONS = frozenset({"", "登録", "更新", "upsert"})


class LinkageRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _decode_csv(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932")
    except UnicodeDecodeError:
        raise LinkageRefused(
            _("CSV の文字コードを判別できません。UTF-8 か Shift_JIS で保存してください。")
        ) from None


def linkage_import(
    *,
    municipality: Municipality,
    path_or_file: str | Path | IO[bytes],
    actor: StaffUser | None = None,
    full_replace: bool = False,
    source_name: str = "",
    max_bytes: int = 200 * 1024 * 1024,
) -> LinkageImport:
    """Apply a linkage CSV (証明書シリアル番号, 宛名番号[, 異動区分]) in one transaction.

    Rows are upserted; 異動区分 削除/失効 removes a link. With `full_replace` the file is the whole
    table: links not in it are removed, and any bad row refuses the whole file. Applications that
    were imported without a match and carry a serial now linked are matched automatically.
    """
    handle, name, close = _open(path_or_file)
    try:
        data = handle.read(max_bytes + 1)
    finally:
        if close:
            handle.close()
    if len(data) > max_bytes:
        raise LinkageRefused(_("CSV が大きすぎます。"))
    sha = hashlib.sha256(data).hexdigest()
    text = _decode_csv(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    if LINKAGE_SERIAL not in header or LINKAGE_RESIDENT not in header:
        raise LinkageRefused(
            _("1行目に見出し「%(serial)s」「%(resident)s」が必要です。")
            % {"serial": LINKAGE_SERIAL, "resident": LINKAGE_RESIDENT}
        )
    i_serial, i_resident = header.index(LINKAGE_SERIAL), header.index(LINKAGE_RESIDENT)
    i_action = header.index(LINKAGE_ACTION) if LINKAGE_ACTION in header else None
    upserts: dict[str, str] = {}
    removals: set[str] = set()
    errors: list[dict[str, Any]] = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        cells = [*row, *[""] * len(header)]
        serial = normalize_serial(cells[i_serial])
        resident = normalize_input(cells[i_resident]).strip()
        action = normalize_input(cells[i_action]).strip() if i_action is not None else ""
        if not serial:
            errors.append({"line": line, "message": _("シリアル番号が16進数ではありません。")})
            continue
        if action in _REMOVE_ACTIONS:
            removals.add(serial)
            upserts.pop(serial, None)
            continue
        if action not in _UPSERT_ACTIONS:
            errors.append(
                {
                    "line": line,
                    "message": _(
                        "異動区分は空欄・登録・更新・削除・失効のいずれかにしてください。"
                    ),
                }
            )
            continue
        if not RESIDENT_NUMBER.fullmatch(resident):
            errors.append({"line": line, "message": _("宛名番号は15桁以内の数字にしてください。")})
            continue
        upserts[serial] = resident
        removals.discard(serial)
    if full_replace and errors:
        raise LinkageRefused(
            _(
                "全件置換では誤りのある行を含むファイルは取り込めません（%(line)s行目：%(message)s）。"
            )
            % {"line": errors[0]["line"], "message": errors[0]["message"]}
        )
    now = timezone.now()
    with transaction.atomic():
        history = LinkageImport.objects.create(
            municipality=municipality,
            source_name=uploads.display_filename(source_name or name, max_length=200),
            sha256=sha,
            full_replace=full_replace,
            errors=errors[:1000],
            actor=actor,
            at=now,
        )
        links = ResidentLink.objects.for_municipality(municipality)
        existing = {
            serial: (pk, resident)
            for pk, serial, resident in links.values_list(
                "pk", "certificate_serial", "resident_number"
            )
        }
        if full_replace:
            removals = set(existing) - set(upserts)
        create, update, changed = [], [], set()
        for serial, resident in upserts.items():
            if serial not in existing:
                create.append(
                    ResidentLink(
                        municipality=municipality,
                        certificate_serial=serial,
                        resident_number=resident,
                        updated_at=now,
                        source=history,
                    )
                )
                changed.add(serial)
            elif existing[serial][1] != resident:
                update.append(
                    ResidentLink(
                        pk=existing[serial][0],
                        resident_number=resident,
                        updated_at=now,
                        source=history,
                    )
                )
                changed.add(serial)
        ResidentLink.objects.bulk_create(create, batch_size=2000)
        ResidentLink.objects.bulk_update(
            update, ["resident_number", "updated_at", "source"], batch_size=2000
        )
        removed = [existing[s][0] for s in removals if s in existing]
        for start in range(0, len(removed), 2000):
            ResidentLink.objects.filter(pk__in=removed[start : start + 2000]).delete()
        matched = _rematch(municipality=municipality, serials=changed, links=upserts, now=now)
        history.created = len(create)
        history.updated = len(update)
        history.removed = len(removed)
        history.unchanged = len(upserts) - len(changed)
        history.matched = matched
        history.save(update_fields=["created", "updated", "removed", "unchanged", "matched"])
    return history


def _rematch(
    *, municipality: Municipality, serials: set[str], links: dict[str, str], now: datetime
) -> int:
    """Match imported applications still unmatched whose serial has just been linked."""
    if not serials:
        return 0
    ordered = sorted(serials)
    records: list[ImportedApplication] = []
    for start in range(0, len(ordered), 500):
        records.extend(
            ImportedApplication.objects.for_municipality(municipality).filter(
                match=ImportedApplication.Match.UNMATCHED,
                certificate_serial__in=ordered[start : start + 500],
            )
        )
    for record in records:
        record.match = ImportedApplication.Match.MATCHED
        record.resident_number = links[record.certificate_serial]
        record.matched_at = now
    ImportedApplication.objects.bulk_update(
        records, ["match", "resident_number", "matched_at"], batch_size=2000
    )
    return len(records)
