from __future__ import annotations

import factory

from madoguchi.accounts.models import Role, StaffUser
from madoguchi.tenancy.tests.factories import MunicipalityFactory

PASSWORD = "correct horse battery staple"


class StaffUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffUser
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    last_name = "職員"
    first_name = factory.Sequence(lambda n: f"{n}")
    municipality = factory.SubFactory(MunicipalityFactory)
    role = Role.BACK_OFFICE
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    class Params:
        admin = factory.Trait(role=Role.MUNICIPALITY_ADMIN, is_staff=True)
        counter = factory.Trait(role=Role.COUNTER)
        manager = factory.Trait(role=Role.MANAGER)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()
