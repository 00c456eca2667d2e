"""Factories for the counter: pre-input settings per municipality, a procedure open to pre-input."""

from __future__ import annotations

from typing import Any

import factory

from madoguchi.applications.tests.factories import FormVersionFactory
from madoguchi.counter.models import PreInputMode, PreInputSetting
from madoguchi.procedures.models import FormVersion
from madoguchi.tenancy.tests.factories import MunicipalityFactory


class PreInputSettingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PreInputSetting
        django_get_or_create = ("municipality",)

    municipality = factory.SubFactory(MunicipalityFactory)
    mode = PreInputMode.TOKEN
    lifetime_days = 14

    class Params:
        payload = factory.Trait(mode=PreInputMode.PAYLOAD)


def preinput_form_version(**kwargs: Any) -> FormVersion:
    """A published procedure open to pre-input, its form without file fields."""
    version: FormVersion = FormVersionFactory(
        **{"without_files": True, "procedure__counter_preinput": True, **kwargs}
    )
    return version
