"""Send the day-before reminder e-mails; run daily (cron). Safe to run more than once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from madoguchi.reservations.services import bookings_send_reminders


class Command(BaseCommand):
    help = "前日のお知らせメールを送ります（何度実行しても1回だけ送ります）。"

    def handle(self, *args: Any, **options: Any) -> None:
        sent = bookings_send_reminders()
        self.stdout.write(f"reminders sent: {sent}")
