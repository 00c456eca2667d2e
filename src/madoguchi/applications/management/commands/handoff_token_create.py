"""madoguchi handoff_token_create --municipality CODE --name NAME --scope SCOPE [--scope …]

Prints a new hand-off API token once; only its hash is stored. Scopes: applications:read,
applications:handoff.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from madoguchi.applications.handoff import services
from madoguchi.tenancy.models import Municipality


class Command(BaseCommand):
    help = "基幹連携 API のトークンを発行します（表示は一度だけ）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--municipality", required=True, help="団体コード")
        parser.add_argument("--name", required=True, help="用途（例：住民記録システム）")
        parser.add_argument("--scope", action="append", default=[], help="権限（複数可）")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(code=options["municipality"]).first()
        if municipality is None:
            raise CommandError(f"団体コード {options['municipality']} の自治体がありません。")
        try:
            token, secret = services.api_token_create(
                municipality=municipality, name=options["name"], scopes=options["scope"]
            )
        except services.HandoffRefused as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"token={secret}")
        self.stdout.write(f"prefix={token.prefix} scopes={','.join(token.scopes)}")
