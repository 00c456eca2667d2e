"""The check page shows every answer for checking, repeating groups item by item."""

from __future__ import annotations

import pytest

from madoguchi.applications.models import Draft
from madoguchi.applications.tests.factories import FormVersionFactory

pytestmark = pytest.mark.django_db

DEFINITION = {
    "title": "児童の届出",
    "steps": [
        {
            "key": "applicant",
            "title": "申請者",
            "fields": [
                {"key": "email", "type": "email", "label": "メールアドレス", "required": True}
            ],
        },
        {
            "key": "children",
            "title": "お子さん",
            "fields": [
                {
                    "key": "children",
                    "type": "group",
                    "label": "対象のお子さん",
                    "item_label": "お子さん",
                    "max_items": 5,
                    "fields": [
                        {"key": "name", "type": "text", "label": "お名前", "required": True},
                        {
                            "key": "birth_date",
                            "type": "date",
                            "label": "生年月日",
                            "required": True,
                        },
                    ],
                }
            ],
        },
    ],
}


def test_repeating_groups_are_listed_item_by_item_with_a_change_link_per_step(client):
    version = FormVersionFactory(definition=DEFINITION)
    code, slug = version.procedure.municipality.code, version.procedure.slug
    assert client.post(f"/{code}/procedures/{slug}/apply/").status_code == 302
    draft = Draft.objects.get()
    draft.answers = {
        "email": "hanako@example.jp",
        "children": [
            {"name": "山田一郎", "birth_date": "2019-05-01"},
            {"name": "山田二郎", "birth_date": "2021-06-15"},
        ],
    }
    draft.completed_steps = ["applicant", "children"]
    draft.save()
    page = client.get(f"/{code}/apply/{slug}/check/")
    assert page.status_code == 200
    html = page.content.decode()
    # Every item with its own answers, in the form's order: not only "2件".
    first, second = html.index("山田一郎"), html.index("山田二郎")
    assert first < second
    assert "令和元年5月1日" in html and "令和3年6月15日" in html
    assert html.count("お名前") >= 2
    # One change link per step.
    for step in ("applicant", "children"):
        assert f"/{code}/apply/{slug}/{step}/?return=check" in html
