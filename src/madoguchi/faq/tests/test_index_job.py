"""The FAQ index is built by a background job after a CSV import (or on request from the staff
list), stored, and loaded by processes instead of being built on a resident's question."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.core import forking
from madoguchi.faq import index_cache
from madoguchi.jobs.models import Job
from madoguchi.tenancy.tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db

CSV = (
    "id,question,answer,category,alt_questions,keywords,related_procedures,contact,status,last_reviewed\r\n"
    ",粗大ごみの出し方,予約制です。,ごみ,,,,,公開,\r\n"
)


def test_csv_import_builds_and_stores_the_index(
    client: Client,
    settings: Any,
    tmp_path: Path,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.FAQ_INDEX_DIR = tmp_path
    town = MunicipalityFactory()
    client.force_login(StaffUserFactory(municipality=town, manager=True))
    upload = io.BytesIO(CSV.encode())
    upload.name = "faq.csv"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("faq_staff:import"), {"file": upload, "encoding": "auto"})
    assert response.status_code == 302
    job = Job.objects.get(kind="faq.index")
    assert (job.state, job.done, job.total) == (Job.State.DONE, 1, 1)
    (stored,) = tmp_path.glob("*.pickle")
    assert stored.name.startswith(f"{town.pk}-")
    index_cache.forget()

    def no_build() -> Any:
        raise AssertionError("the stored index should have been loaded")

    monkeypatch.setattr(index_cache, "new_index", no_build)
    index, _lock = index_cache.get_index(town)
    assert [d.question for d in index.documents()] == ["粗大ごみの出し方"]
    page = client.get(reverse("faq_staff:list")).content.decode()
    assert 'id="job-state"' in page and 'http-equiv="refresh"' not in page


def test_rebuild_button_queues_a_job_and_the_list_refreshes(client: Client, settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    town = MunicipalityFactory()
    client.force_login(StaffUserFactory(municipality=town, manager=True))
    assert client.post(reverse("faq_staff:index_rebuild")).status_code == 302
    assert Job.objects.get(kind="faq.index").state == Job.State.QUEUED
    page = client.get(reverse("faq_staff:list")).content.decode()
    assert 'http-equiv="refresh"' in page
    other = MunicipalityFactory()
    client.force_login(StaffUserFactory(municipality=other, manager=True))
    assert 'id="job-state"' not in client.get(reverse("faq_staff:list")).content.decode()
    assert client.get(reverse("faq_staff:index_rebuild")).status_code == 405


def test_rebuilds_reuse_stored_vectors_and_terms_and_a_stale_index_is_synced(
    settings: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from madoguchi.faq import services
    from madoguchi.faq.engine import EngineConfig, FaqIndex, sentence
    from madoguchi.faq.models import Status

    from .test_sentence import CharEncoder

    settings.FAQ_INDEX_DIR = tmp_path
    encoder = CharEncoder()
    monkeypatch.setattr(sentence, "default_encoder", lambda name: encoder)
    monkeypatch.setattr(
        index_cache,
        "new_index",
        lambda: FaqIndex(
            EngineConfig(use_dense=False, use_e5=False),
            analyzer=index_cache._analyzer(),
            encoders={"use": encoder},
        ),
    )
    analysed: list[int] = []  # FAQs each build analysed
    save_analysis = index_cache.save_analysis_cache

    def saving(municipality_id: int, cache: Any) -> None:
        analysed.append(cache.analysed)
        save_analysis(municipality_id, cache)

    monkeypatch.setattr(index_cache, "save_analysis_cache", saving)
    town = MunicipalityFactory()
    dog = services.faq_entry_create(
        municipality=town, question="犬の登録", answer="30日以内に。", status=Status.PUBLISHED
    )
    services.faq_entry_create(
        municipality=town,
        question="粗大ごみの出し方",
        answer="予約制です。",
        status=Status.PUBLISHED,
    )
    index_cache.build_and_save(town)
    assert len(encoder.calls) == 4  # question and question + answer start of each FAQ
    assert index_cache.vectors_path(town.pk, "use").is_file()
    assert index_cache.analysis_path(town.pk).is_file() and analysed == [2]

    encoder.calls.clear()
    services.faq_entry_update(entry=dog, question="犬を飼い始めたら")
    index_cache.build_and_save(town)
    assert encoder.calls == ["犬を飼い始めたら", "犬を飼い始めたら\n30日以内に。"]
    assert analysed == [2, 1]  # only the edited FAQ went through Sudachi

    # Edited after the last build: a new process loads the stored index and upserts the change.
    services.faq_entry_update(entry=dog, question="子犬の登録")
    index_cache.forget()
    encoder.calls.clear()
    monkeypatch.setattr(index_cache, "new_index", lambda: pytest.fail("built in a request"))
    monkeypatch.setattr(forking, "map_pieces", lambda *a, **k: pytest.fail("forked in a request"))
    index, _lock = index_cache.get_index(town)
    assert encoder.calls == ["子犬の登録", "子犬の登録\n30日以内に。"]
    assert {d.question for d in index.documents()} == {"子犬の登録", "粗大ごみの出し方"}


def test_a_new_towns_first_question_queues_the_build_and_does_not_build(
    settings: Any, tmp_path: Path, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from madoguchi.faq import services
    from madoguchi.faq.models import Status
    from madoguchi.jobs.services import job_run

    settings.FAQ_INDEX_DIR = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    monkeypatch.setattr(index_cache, "BUILD_WHEN_MISSING", None)
    town = MunicipalityFactory()
    services.faq_entry_create(
        municipality=town,
        question="粗大ごみの出し方",
        answer="予約制です。",
        status=Status.PUBLISHED,
    )
    built: list[int] = []
    real_build = index_cache.FaqIndex.build
    monkeypatch.setattr(
        index_cache.FaqIndex, "build", lambda self, docs: built.append(1) or real_build(self, docs)
    )
    answer = services.faq_ask(municipality=town, query="粗大ごみを出したい")
    assert answer.answer is None and not answer.alternatives  # nothing yet, honestly said
    assert built == []  # the request built nothing
    services.faq_index_build_ensure(municipality=town)  # as on the first FAQ's commit
    services.faq_index_build_ensure(municipality=town)
    assert Job.objects.filter(kind="faq.index").count() == 1  # queued once
    job = Job.objects.get(kind="faq.index", municipality=town)
    job_run(job_id=job.pk)  # the worker
    assert built == [1]
    hits = services.faq_ask(municipality=town, query="粗大ごみを出したい")
    assert (hits.answer or hits.alternatives[0]).question == "粗大ごみの出し方"


def test_an_index_far_behind_is_served_as_it_is_while_the_job_rebuilds(
    settings: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from madoguchi.faq import services
    from madoguchi.faq.models import Status
    from madoguchi.jobs.services import job_run

    settings.FAQ_INDEX_DIR = tmp_path
    town = MunicipalityFactory()
    entries = [
        services.faq_entry_create(
            municipality=town, question=q, answer="予約制です。", status=Status.PUBLISHED
        )
        for q in ("粗大ごみの出し方", "犬の登録")
    ]
    index_cache.build_and_save(town)
    index_cache.get_index(town)
    # Every FAQ changed (as after a CSV import, whose job has not run yet).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    monkeypatch.setattr(index_cache, "BUILD_WHEN_MISSING", None)
    monkeypatch.setattr(index_cache, "REBUILD_AFTER", 0)
    monkeypatch.setattr(index_cache, "WAIT_FOR_JOB_S", 0.0)
    for entry in entries:
        services.faq_entry_update(entry=entry, question=f"{entry.question}（改訂）")
    built: list[int] = []
    real_build = index_cache.FaqIndex.build
    monkeypatch.setattr(
        index_cache.FaqIndex, "build", lambda self, docs: built.append(1) or real_build(self, docs)
    )
    index, _lock = index_cache.get_index(town)
    assert {d.question for d in index.documents()} == {"粗大ごみの出し方", "犬の登録"}
    assert built == []  # served as it is, not rebuilt in the request
    services.faq_index_build_start(municipality=town)  # as the import does
    job = Job.objects.get(kind="faq.index", municipality=town, state=Job.State.QUEUED)
    job_run(job_id=job.pk)
    assert built == [1]
    index, _lock = index_cache.get_index(town)
    assert {d.question for d in index.documents()} == {
        "粗大ごみの出し方（改訂）",
        "犬の登録（改訂）",
    }


def _chat_finds(client: Client, town: Any, query: str, question: str) -> bool:
    page = client.post(
        reverse("faq:chat", kwargs={"municipality_code": town.code}), {"q": query}
    ).content.decode()
    return question in page


def _queued(town: Any) -> list[Job]:
    return list(Job.objects.filter(kind="faq.index", municipality=town, state=Job.State.QUEUED))


def test_a_new_town_gets_its_index_job_and_its_first_entry_is_found(
    client: Client,
    settings: Any,
    tmp_path: Path,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Created → the job is queued (not run in a request); the worker stores an empty index; an
    entry saved in the staff editor is then found by residents without another job."""
    from madoguchi.jobs.services import job_run

    settings.FAQ_INDEX_DIR = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    monkeypatch.setattr(index_cache, "BUILD_WHEN_MISSING", None)  # as in production
    with django_capture_on_commit_callbacks(execute=True):
        town = MunicipalityFactory()
    (job,) = _queued(town)
    job_run(job_id=job.pk)  # the worker
    assert index_cache.has_stored_index(town.pk)
    client.force_login(StaffUserFactory(municipality=town, manager=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("faq_staff:create"),
            {"question": "粗大ごみの出し方", "answer": "予約制です。", "status": "published"},
        )
    assert response.status_code == 302
    assert _queued(town) == []  # an index is stored: the entry is an upsert, no job
    assert _chat_finds(Client(), town, "粗大ごみを出したい", "粗大ごみの出し方")


def test_without_a_stored_index_saving_an_entry_queues_the_job_once(
    client: Client,
    settings: Any,
    tmp_path: Path,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A town whose creation job never ran (or failed): the first entry saved in the editor
    queues it; a resident's question never does; after the worker the entry is found."""
    from madoguchi.jobs.services import job_run

    settings.FAQ_INDEX_DIR = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    monkeypatch.setattr(index_cache, "BUILD_WHEN_MISSING", None)
    town = MunicipalityFactory()  # its creation's on-commit jobs never ran
    resident = Client()
    assert not _chat_finds(resident, town, "粗大ごみを出したい", "粗大ごみの出し方")
    assert _queued(town) == []  # the resident's question queued nothing
    client.force_login(StaffUserFactory(municipality=town, manager=True))
    for question in ("粗大ごみの出し方", "犬の登録"):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("faq_staff:create"),
                {"question": question, "answer": "予約制です。", "status": "published"},
            )
    (job,) = _queued(town)  # queued by the first save only
    assert not _chat_finds(resident, town, "粗大ごみを出したい", "粗大ごみの出し方")
    job_run(job_id=job.pk)
    assert _chat_finds(resident, town, "粗大ごみを出したい", "粗大ごみの出し方")
