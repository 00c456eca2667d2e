"""An e-mail address longer than the column is refused by the booking form, with a message."""

from __future__ import annotations

import pytest

from madoguchi.procedures.models import Procedure
from madoguchi.reservations.forms import BookingForm

pytestmark = pytest.mark.django_db


def test_over_long_email_is_refused_by_the_form() -> None:
    form = BookingForm(
        {
            "name": "窓口 花子",
            "email": "a" * 250 + "@example.jp",
            "start": "2026-04-01T10:00",
            "token": "x" * 20,
        },
        procedure_choices=Procedure._base_manager.none(),
    )
    assert not form.is_valid()
    assert form.errors["email"] == ["メールアドレスは254文字以内で入力してください。"]
