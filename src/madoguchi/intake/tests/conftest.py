"""Fixtures for the intake tests.

Until "madoguchi.intake" is in INSTALLED_APPS the whole directory is skipped at collection.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.conf import settings

if "madoguchi.intake" not in settings.INSTALLED_APPS:  # pragma: no cover
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture
def town(db: Any) -> Any:
    from madoguchi.tenancy.tests.factories import MunicipalityFactory

    return MunicipalityFactory(code="221309", name="テスト町")


@pytest.fixture
def other_town(db: Any) -> Any:
    from madoguchi.core.municipality_code import with_check_digit
    from madoguchi.tenancy.tests.factories import MunicipalityFactory

    return MunicipalityFactory(code=with_check_digit("22131"), name="となり町")


@pytest.fixture
def version(town: Any) -> Any:
    """第1版 of a procedure with a name, a date, an e-mail and a required PDF/PNG attachment."""
    from madoguchi.applications.tests.factories import FormVersionFactory, ProcedureFactory

    procedure = ProcedureFactory(
        municipality=town, slug="test-certificate", standard_code="STD-0001", name="テスト証明"
    )
    return FormVersionFactory(procedure=procedure, number=1)


@pytest.fixture
def form_data() -> dict[str, Any]:
    from madoguchi.applications.tests.factories import VALID_ANSWERS

    return {**VALID_ANSWERS, "id_document": {"file": "attachments/id.pdf"}}


@pytest.fixture
def make_bundle(form_data: dict[str, Any]) -> Any:
    from .bundles import PDF_BYTES, BundleBuilder, manifest

    def make(count: int = 3, *, start: int = 1, serial: bool = False) -> io.BytesIO:
        builder = BundleBuilder()
        for i in range(start, start + count):
            builder.add(
                manifest(
                    f"R{i:08d}",
                    procedure="test-certificate",
                    form_data=form_data,
                    certificate_serial=f"{i:X}" if serial else None,
                ),
                files={"attachments/id.pdf": PDF_BYTES},
            )
        out = io.BytesIO(builder.build())
        out.name = "bundle.zip"
        return out

    return make
