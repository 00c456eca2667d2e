from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from madoguchi.faq import services
from madoguchi.faq.demo_data import DEMO_FAQS, DEMO_FAQS_EN
from madoguchi.faq.models import FaqEntry, Status
from madoguchi.procedures.models import Procedure
from madoguchi.tenancy.models import Municipality


class Command(BaseCommand):
    help = "デモ用のよくある質問を読み込む（同じ質問があれば書き換える。何度実行してもよい）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("municipality_code")

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        try:
            municipality = Municipality.objects.get(code=options["municipality_code"])
        except Municipality.DoesNotExist as exc:
            raise CommandError(
                f"団体コード {options['municipality_code']} の自治体がありません。"
            ) from exc
        procedures = {p.slug: p for p in Procedure.objects.for_municipality(municipality)}
        created = 0
        for category, question, alts, keywords, answer, slugs, contact in DEMO_FAQS:
            category_en, question_en, answer_en, contact_en = DEMO_FAQS_EN[question]
            fields: dict[str, Any] = {
                "category": category,
                "category_en": category_en,
                "question_en": question_en,
                "answer_en": answer_en,
                "contact_en": contact_en,
                "alt_questions": "\n".join(alts),
                "keywords": keywords,
                "contact": contact,
                "status": Status.PUBLISHED,
                "last_reviewed": dt.date.today(),
            }
            related = [procedures[s] for s in slugs if s in procedures]
            entry = (
                FaqEntry.objects.for_municipality(municipality).filter(question=question).first()
            )
            if entry is None:
                services.faq_entry_create(
                    municipality=municipality,
                    question=question,
                    answer=answer,
                    related_procedures=related,
                    **fields,
                )
                created += 1
            else:
                services.faq_entry_update(
                    entry=entry, answer=answer, related_procedures=related, **fields
                )
        if options["verbosity"] >= 1:
            self.stdout.write(f"faq_demo: {created} created, {len(DEMO_FAQS) - created} updated")
