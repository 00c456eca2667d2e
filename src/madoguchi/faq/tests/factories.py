from __future__ import annotations

import factory

from madoguchi.faq.models import FaqEntry, FaqQueryLog, FaqSet, SharedFaqEntry, Status
from madoguchi.tenancy.tests.factories import MunicipalityFactory


class FaqEntryFactory(factory.django.DjangoModelFactory):
    """Rows written directly (no index bump): use services in tests that search."""

    class Meta:
        model = FaqEntry

    municipality = factory.SubFactory(MunicipalityFactory)
    question = factory.Sequence(lambda n: f"質問{n}はどうすればいいですか")
    answer = "窓口でご相談ください。"
    category = "その他"
    status = Status.DRAFT

    class Params:
        published = factory.Trait(status=Status.PUBLISHED)
        archived = factory.Trait(status=Status.ARCHIVED)


class FaqSetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FaqSet

    name = factory.Sequence(lambda n: f"共通FAQ{n}")
    prefecture = None


class SharedFaqEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SharedFaqEntry

    faq_set = factory.SubFactory(FaqSetFactory)
    question = factory.Sequence(lambda n: f"共通の質問{n}")
    answer = "共通の回答です。"
    category = "共通"


class FaqQueryLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FaqQueryLog

    municipality = factory.SubFactory(MunicipalityFactory)
    query = "質問"
    query_key = factory.LazyAttribute(lambda o: o.query)
    answered = True

    class Params:
        unanswered = factory.Trait(answered=False, confidence=0.1)
        unhelpful = factory.Trait(helpful=False)
