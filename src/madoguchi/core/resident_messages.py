"""Which UI strings residents read: the one definition of "resident-facing".

A message is resident-facing when one of its source references (the `#:` lines of the .po
file) is in a file matched by RESIDENT_SOURCES and by none of NOT_RESIDENT. Those messages are
translated into every language of settings.LANGUAGES; the rest (staff pages, admin, exports,
the region's staff tools) only into English. The completeness test
(core/tests/test_resident_languages.py) and the fill-in helper
(`madoguchi untranslated_resident_messages`) both read this list.

Hall screens (kiosk, display) are not in it: they always show Japanese with English beside it
(reservations/views/hall.py), whatever the reader's language. Nor are the region's public
procurement pages (/region/): their readers are vendors and other governments, and like staff
pages they are offered in Japanese and English only (core/languages.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from fnmatch import fnmatch
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # polib is a development tool (requirements-dev.lock), imported when used
    import polib  # type: ignore[import-untyped]

PACKAGE = Path(__file__).resolve().parents[1]

# Languages residents may read beyond Japanese and English (complete) — gettext directory names.
RESIDENT_LOCALES = ("zh_Hans", "ko", "vi", "pt_BR")

# Paths relative to src/madoguchi, as the .po references write them (fnmatch patterns).
RESIDENT_SOURCES = (
    # The frame every resident page shares, the product's error pages, the site index.
    "core/templates/core/base.html",
    "core/templates/core/error.html",
    "core/templates/core/error_500.html",
    "core/templates/core/index.html",
    "core/templates/core/rate_limited.html",
    "tenancy/views.py",
    "tenancy/templates/tenancy/*",
    # Checks on what residents type and upload (field errors, dates in the Japanese era).
    "core/jis.py",
    "core/kana.py",
    "core/middleware.py",
    "core/phone.py",
    "core/postal.py",
    "core/ratelimit.py",
    "core/uploads.py",
    "core/wareki.py",
    "core/municipality_code.py",
    # Applying online: pages, views, the form engine and its field errors, mails to residents.
    "applications/templates/applications/*",
    "applications/views.py",
    "applications/correction_views.py",
    "applications/services.py",
    "applications/selectors.py",
    "applications/throttle.py",
    "applications/notices.py",
    # Fees: paying online (the test card page), the providers' names and messages, amounts.
    "applications/payments/views.py",
    "applications/payments/services.py",
    "applications/payments/providers/*",
    "applications/templatetags/payments.py",
    "procedures/formdef/*",
    "procedures/templates/procedures/formdef/*",
    # Booking a visit: pages, forms, the calendar, mails to residents.
    "reservations/templates/reservations/*",
    "reservations/forms.py",
    "reservations/views/resident.py",
    "reservations/calendar_days.py",
    "reservations/services.py",
    # Filling a form at home for the counter (pre-input with QR codes).
    "counter/templates/counter/preinput_*",
    "counter/templates/counter/status_pdf_expired.html",
    "counter/preinput_views.py",
    "counter/templates/counter/visit_start.html",
    "counter/templates/counter/visit_result.html",
    "counter/templates/counter/visit_view.html",
    "counter/templates/counter/_preinput_*",
    "counter/visit_views.py",
    "counter/preinput/*",
    # The FAQ chat and its widget.
    "faq/templates/faq/_*.html",
    "faq/templates/faq/chat.html",
    "faq/templates/faq/embed.html",
    "faq/views.py",
    "faq/forms.py",
    # Labels residents read that models define: procedure categories and channels, application
    # statuses, booking and ticket states, weekdays of the opening hours, trust page kinds
    # (the whole file: its staff-only labels are translated too, which costs little).
    "procedures/models.py",
    "applications/models.py",
    "reservations/models.py",
    "tenancy/models.py",
)

NOT_RESIDENT = (
    "applications/templates/applications/staff/*",
    "applications/templates/applications/email/assigned_*",  # to the clerk assigned
    "reservations/templates/reservations/staff_*",
    "reservations/templates/reservations/settings*",
    "reservations/templates/reservations/console.html",
    "reservations/templates/reservations/_console_state.html",
    "reservations/templates/reservations/_closed_day_form.html",
    "reservations/templates/reservations/board.html",
    # Hall screens: Japanese and English side by side, always (see the module docstring).
    "reservations/templates/reservations/hall_base.html",
    "reservations/templates/reservations/kiosk*.html",
    "reservations/templates/reservations/display.html",
)


def is_resident_source(path: str) -> bool:
    return any(fnmatch(path, p) for p in RESIDENT_SOURCES) and not any(
        fnmatch(path, p) for p in NOT_RESIDENT
    )


def is_resident_entry(entry: polib.POEntry) -> bool:
    return any(is_resident_source(path) for path, _line in entry.occurrences)


def catalogues(locale: str) -> list[Path]:
    """The project catalogue and every app catalogue of `locale` (Django finds <app>/locale)."""
    return sorted(PACKAGE.glob(f"locale/{locale}/LC_MESSAGES/django.po")) + sorted(
        PACKAGE.glob(f"*/locale/{locale}/LC_MESSAGES/django.po")
    )


@dataclass(frozen=True)
class Missing:
    catalogue: Path
    entry: polib.POEntry


def untranslated(locale: str) -> Iterator[Missing]:
    """Resident-facing messages of `locale` with no translation, or only a fuzzy one."""
    import polib  # type: ignore[import-untyped]

    for path in catalogues(locale):
        for entry in polib.pofile(str(path)):
            if entry.obsolete or not is_resident_entry(entry):
                continue
            if not entry.translated() or "fuzzy" in entry.flags:
                yield Missing(path, entry)
