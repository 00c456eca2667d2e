"""Start-up checks for a production configuration (run by `madoguchi serve` and `madoguchi check`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

# Backends that print mail to the server log (names, booking PINs, access codes) or drop it.
UNSENT_MAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


@register(Tags.security)
def mail_backend_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.DEBUG or settings.EMAIL_BACKEND not in UNSENT_MAIL_BACKENDS:
        return []
    return [
        Error(
            f"EMAIL_BACKEND is {settings.EMAIL_BACKEND}: residents' mail would be printed to "
            "the log or lost.",
            hint="Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST "
            "(see docs/operations.md), or run the demo (`madoguchi demo`), which writes mail to "
            "files.",
            id="madoguchi.E001",
        )
    ]
