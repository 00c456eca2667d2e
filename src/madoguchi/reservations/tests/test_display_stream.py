"""The calling display's event stream takes at most a few threads of a process (see
madoguchi.gunicorn_config); the real-server starvation test is core/tests/test_serving.py."""

from __future__ import annotations

import gc

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from .factories import hall

pytestmark = pytest.mark.django_db


@override_settings(DISPLAY_STREAMS_PER_PROCESS=2)
def test_streams_beyond_the_cap_are_refused_at_once_until_one_ends(client: Client) -> None:
    municipality, _, _ = hall()
    url = reverse("reservations:display_stream", kwargs={"municipality_code": municipality.code})
    held = [client.get(url) for _ in range(2)]
    assert [response.status_code for response in held] == [200, 200]
    refused = client.get(url)
    assert refused.status_code == 503
    assert refused["Retry-After"] == "30" and refused["Cache-Control"] == "no-store"
    held[0].close()  # the server closes a finished (or abandoned) stream
    again = client.get(url)
    assert again.status_code == 200
    again.close()
    again.close()  # a second close gives nothing back twice
    held[1].close()
    last = [client.get(url) for _ in range(3)]
    assert [response.status_code for response in last] == [200, 200, 503]
    for response in last:
        response.close()


@override_settings(DISPLAY_STREAMS_PER_PROCESS=1)
def test_a_stream_dropped_without_close_gives_its_slot_back(client: Client) -> None:
    municipality, _, _ = hall()
    url = reverse("reservations:display_stream", kwargs={"municipality_code": municipality.code})
    dropped = client.get(url)
    assert dropped.status_code == 200
    del dropped  # never closed (the test client's wrapper makes a cycle: freed by the collector)
    gc.collect()
    response = client.get(url)
    assert response.status_code == 200
    response.close()


@override_settings(DISPLAY_STREAMS_PER_PROCESS=0)
def test_no_stream_slots_means_polling_only(client: Client) -> None:
    municipality, _, _ = hall()
    url = reverse("reservations:display_stream", kwargs={"municipality_code": municipality.code})
    assert client.get(url).status_code == 503
