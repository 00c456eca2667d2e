"""madoguchi preinput prune

Deletes token-mode pre-inputs that expired or were taken in at the counter (their answers are
personal data kept only until then), and old marks of payloads taken in. Run it daily, beside
`madoguchi jobs prune`.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from madoguchi.counter.services import preinput_prune


class Command(BaseCommand):
    help = "有効期限が過ぎた、または窓口で読み取り済みの事前入力を削除します。"

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"preinputs={preinput_prune()}")
