"""`make demo` prints every door of the demo town as an absolute URL on the port it serves, and each opens."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from madoguchi.catalogue.models import SharedProcedure
from madoguchi.cli import demo_directory
from madoguchi.procedures.library import load_library


@pytest.mark.django_db
@override_settings(PUBLIC_BASE_URL="http://127.0.0.1:8123")
def test_demo_directory_lists_absolute_urls_that_open(client: Client) -> None:
    call_command("demo_load", verbosity=0)
    directory = demo_directory()
    urls = re.findall(r"https?://\S+", directory)
    assert len(urls) == 8
    assert all(url.startswith("http://127.0.0.1:8123/") for url in urls)
    for url in urls:
        response = client.get(url.removeprefix("http://127.0.0.1:8123"))
        # The admin sends visitors to the staff sign-in; every other door opens.
        assert response.status_code in {200, 302}, url
        if response.status_code == 302:
            assert response["Location"].startswith("/staff/login/"), url
    assert "madoguchi-demo" in directory and "demo-prefecture" in directory
    # The library is offered as national shared procedures (/staff/catalogue/shared/).
    assert SharedProcedure.objects.filter(prefecture=None, is_active=True).count() == len(
        load_library()
    )
