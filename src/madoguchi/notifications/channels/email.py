"""E-mail through Django's configured backend (SMTP in production)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string

from .base import OutgoingMessage

# Seconds to wait for the mail server: with the immediate task backend the send happens at the
# end of the resident's request, which must not hang on a server that does not answer.
DEFAULT_TIMEOUT = 10


class EmailChannel:
    """Templates "app/name" are `app/email/name_subject.txt` and `app/email/name_body.txt`."""

    name = "email"

    def render(
        self, *, template: str, recipient: str, context: Mapping[str, Any]
    ) -> OutgoingMessage:
        app, _, name = template.partition("/")
        subject = render_to_string(f"{app}/email/{name}_subject.txt", dict(context))
        body = render_to_string(f"{app}/email/{name}_body.txt", dict(context))
        # A header holds one line.
        return OutgoingMessage(recipient=recipient, subject=" ".join(subject.split()), body=body)

    def send(self, message: OutgoingMessage) -> None:
        connection = get_connection(timeout=settings.EMAIL_TIMEOUT or DEFAULT_TIMEOUT)
        email = EmailMessage(
            message.subject, message.body, None, [message.recipient], connection=connection
        )
        for attachment in message.attachments:
            email.attach(attachment.filename, attachment.content, attachment.content_type)
        email.send()
