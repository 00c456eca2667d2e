"""The DX progress survey over HTTP: a prefecture defines and opens it, municipalities answer
(pre-filled with Madoguchi's figures) with evidence, results by population class and year, CSV —
and who sees which answers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.applications.tests.factories import ApplicationFactory, pdf_bytes
from madoguchi.region.models import Answer, Evidence, Question, Response, SurveyStatus
from madoguchi.region.survey import selectors, services
from madoguchi.region.tests.factories import hata_municipalities, prefecture_user
from madoguchi.tenancy.tests.factories import MunicipalityFactory, prefecture_for

pytestmark = pytest.mark.django_db


def answers_for(survey, **by_key):
    questions = {q.key: q for q in survey.questions.all()}
    return {questions[k].pk: v for k, v in by_key.items()}


def submit(survey, town, **by_key):
    response = services.response_for(survey=survey, municipality=town)
    result = services.response_save(
        response=response,
        questions=list(survey.questions.all()),
        raw=answers_for(survey, **{**FULL, **by_key}),
        measured={},
        actor=StaffUserFactory(municipality=town, manager=True),
        submit=True,
    )
    assert result.ok, result.errors
    return response


FULL = {
    "cio": "yes",
    "cio_adviser": "no",
    "policy": "策定済み",
    "external_talent": "1",
    "ai": "yes",
    "rpa": "no",
    "standard_systems": "5",
    "online_procedures": "30",
    "online_share": "20",
    "kakanai": "no",
    "preinput_share": "0",
    "cashless": "yes",
}


def test_the_default_questionnaire_has_the_three_sections_and_is_copied_next_year():
    towns = hata_municipalities()
    prefecture = towns[0].prefecture
    first = services.survey_create(prefecture=prefecture, fiscal_year=2025, title="DX調査")
    keys = list(first.questions.values_list("section", "key"))
    assert ("structure", "cio") in keys and ("operations", "standard_systems") in keys
    assert ("services", "kakanai") in keys and len(keys) == 12
    services.question_add(
        survey=first, section="services", key="line", text="LINE公式アカウント", kind="yes_no"
    )
    second = services.survey_create(prefecture=prefecture, fiscal_year=2026, title="DX調査")
    assert second.questions.filter(key="line").exists()
    assert second.questions.count() == 13


def test_answers_are_checked_and_submitting_needs_every_answer():
    towns = hata_municipalities()
    survey = services.survey_create(prefecture=towns[0].prefecture, fiscal_year=2026, title="調査")
    services.survey_set_status(survey=survey, status=SurveyStatus.OPEN)
    questions = list(survey.questions.all())
    response = services.response_for(survey=survey, municipality=towns[0])
    actor = StaffUserFactory(municipality=towns[0], manager=True)
    bad = services.response_save(
        response=response,
        questions=questions,
        raw=answers_for(survey, standard_systems="21", online_share="abc", cio="maybe"),
        measured={},
        actor=actor,
        submit=False,
    )
    assert set(bad.errors) == set(answers_for(survey, standard_systems=1, online_share=1, cio=1))
    assert not Answer.objects.exists()
    partial = services.response_save(
        response=response,
        questions=questions,
        raw=answers_for(survey, standard_systems="１２"),
        measured={},
        actor=actor,
        submit=False,
    )
    assert partial.ok and Answer.objects.get(question__key="standard_systems").value == "12"
    refused = services.response_save(
        response=response, questions=questions, raw={}, measured={}, actor=actor, submit=True
    )
    assert len(refused.errors) == 12  # every question but free text must be answered


def test_a_municipality_answers_with_measured_figures_and_evidence(client, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    towns = hata_municipalities()
    town = towns[0]
    survey = services.survey_create(prefecture=town.prefecture, fiscal_year=2026, title="調査")
    # 3 online applications of 4 this fiscal year: the online share is pre-filled as 75.
    for channel in ("online", "online", "online", "counter"):
        ApplicationFactory(form_version__procedure__municipality=town, channel=channel)
    manager = StaffUserFactory(municipality=town, manager=True)
    client.force_login(manager)
    # A draft is not shown to municipalities.
    assert client.get(f"/staff/region/surveys/{survey.pk}/answer/").status_code == 404
    services.survey_set_status(survey=survey, status=SurveyStatus.OPEN)
    page = client.get(f"/staff/region/surveys/{survey.pk}/answer/").content.decode()
    online = survey.questions.get(key="online_share")
    assert f'name="q{online.pk}" value="75"' in page
    assert "Madoguchi の計測値：75" in page
    form = {f"q{pk}": v for pk, v in answers_for(survey, **{**FULL, "online_share": "75"}).items()}
    sent = client.post(f"/staff/region/surveys/{survey.pk}/answer/", {**form, "action": "submit"})
    assert sent.status_code == 302
    response = Response.objects.get(survey=survey, municipality=town)
    assert response.submitted_at is not None
    assert Answer.objects.get(response=response, question=online).measured is True
    upload = SimpleUploadedFile("CIO任命通知.pdf", pdf_bytes(), content_type="application/pdf")
    cio = survey.questions.get(key="cio")
    assert (
        client.post(
            f"/staff/region/surveys/{survey.pk}/evidence/", {"question": cio.pk, "file": upload}
        ).status_code
        == 302
    )
    evidence = Evidence.objects.get()
    assert evidence.file.name == f"region/evidence/{town.code}/{evidence.id}"
    assert evidence.original_name == "CIO任命通知.pdf"
    # A web page dressed as a PDF is refused.
    fake = SimpleUploadedFile("x.pdf", b"<html><script>1</script></html>")
    client.post(f"/staff/region/surveys/{survey.pk}/evidence/", {"file": fake})
    assert Evidence.objects.count() == 1
    download = client.get(f"/staff/region/surveys/{survey.pk}/evidence/{evidence.id}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    copy = client.get(f"/staff/region/surveys/{survey.pk}/responses/{town.code}/").content.decode()
    assert "はい" in copy and "CIO任命通知.pdf" in copy


def test_a_municipality_sees_only_its_own_answers_and_a_prefecture_only_its_own(client):
    towns = hata_municipalities()
    prefecture = towns[0].prefecture
    survey = services.survey_create(prefecture=prefecture, fiscal_year=2026, title="高知県DX点検")
    services.survey_set_status(survey=survey, status=SurveyStatus.OPEN)
    own, neighbour = submit(survey, towns[0]), submit(survey, towns[1])
    evidence = Evidence.objects.create(
        municipality=towns[1],
        response=neighbour,
        original_name="n.pdf",
        content_type="application/pdf",
        size=1,
        sha256="x",
        file="region/evidence/x",
    )
    client.force_login(StaffUserFactory(municipality=towns[0], manager=True))
    base = f"/staff/region/surveys/{survey.pk}"
    assert client.get(f"{base}/responses/{towns[0].code}/").status_code == 200
    assert client.get(f"{base}/responses/{towns[1].code}/").status_code == 404
    assert client.get(f"{base}/evidence/{evidence.id}/").status_code == 404
    assert client.get(f"{base}/").status_code == 403  # the prefecture's pages
    assert client.get(f"{base}/results/").status_code == 403
    assert client.get(f"{base}/results.csv").status_code == 403
    # Counter staff take no part.
    client.force_login(StaffUserFactory(municipality=towns[0], counter=True))
    assert client.get(f"{base}/answer/").status_code == 403
    # Another prefecture sees nothing of it.
    shizuoka = prefecture_for("221007")
    MunicipalityFactory(code="221007", prefecture=shizuoka)
    client.force_login(prefecture_user(shizuoka))
    for path in ("/", "/results/", "/results.csv", f"/responses/{towns[0].code}/"):
        assert client.get(base + path).status_code == 404, path
    assert survey.title not in client.get("/staff/region/surveys/").content.decode()
    # The prefecture reads its municipalities' answers.
    client.force_login(prefecture_user(prefecture, dx=False))
    assert client.get(f"{base}/responses/{towns[1].code}/").status_code == 200
    assert own.pk != neighbour.pk


def test_results_by_population_class_and_year_on_year(client):
    towns = hata_municipalities()  # 1,400 / 4,500 (〜1万) · 10,000–32,000 (〜5万)
    prefecture = towns[0].prefecture
    last = services.survey_create(prefecture=prefecture, fiscal_year=2025, title="調査")
    services.survey_set_status(survey=last, status=SurveyStatus.OPEN)
    for town in towns:
        submit(last, town, cio="no", standard_systems="2")
    this = services.survey_create(prefecture=prefecture, fiscal_year=2026, title="調査")
    services.survey_set_status(survey=this, status=SurveyStatus.OPEN)
    by_code = {t.code: t for t in towns}
    submit(this, by_code["394271"], cio="yes", standard_systems="6")  # 三原村 1,400
    submit(this, by_code["394246"], cio="no", standard_systems="4")  # 大月町 4,500
    submit(this, by_code["392103"], cio="yes", standard_systems="10")  # 四万十市 32,000
    results = selectors.results(survey=this)
    assert results.submitted == 3 and results.municipalities == 6
    cio = next(r for _label, rows in results.sections for r in rows if r.question.key == "cio")
    cells = {c.label: c for c in cio.cells}
    assert str(cells["〜1万"].value) == "50.0" and cells["〜1万"].answered == 2
    assert str(cells["〜5万"].value) == "100.0" and str(cio.overall.value) == "66.7"
    assert str({c.label: c for c in cio.last_year}["〜1万"].value) == "0.0"
    systems = next(
        r for _label, rows in results.sections for r in rows if r.question.key == "standard_systems"
    )
    assert str({c.label: c for c in systems.cells}["〜1万"].value) == "5.0"
    client.force_login(prefecture_user(prefecture, dx=False))
    page = client.get(f"/staff/region/surveys/{this.pk}/results/").content.decode()
    assert "人口区分ごとの回答率（%）" in page and "<svg" in page
    assert "+66.7" in page  # the whole prefecture's 「はい」 share, against last year's 0
    rows = client.get(f"/staff/region/surveys/{this.pk}/results.csv").content.decode("utf-8-sig")
    lines = rows.strip().splitlines()
    assert len(lines) == 4 and lines[3].startswith("2026,394271,三原村,1400,〜1万,")
    assert ",はい," in lines[3]


def test_the_prefecture_adds_a_question_only_while_drafting(client):
    towns = hata_municipalities()
    survey = services.survey_create(prefecture=towns[0].prefecture, fiscal_year=2026, title="調査")
    client.force_login(prefecture_user(towns[0].prefecture))
    sent = client.post(
        f"/staff/region/surveys/{survey.pk}/questions/new/",
        {"section": "services", "key": "line", "text": "LINEで通知していますか", "kind": "yes_no"},
    )
    assert sent.status_code == 302 and Question.objects.filter(key="line").exists()
    bad = client.post(
        f"/staff/region/surveys/{survey.pk}/questions/new/",
        {"section": "services", "key": "ラ", "text": "x", "kind": "yes_no"},
    )
    assert bad.status_code == 400
    client.post(f"/staff/region/surveys/{survey.pk}/status/", {"status": "open"})
    survey.refresh_from_db()
    assert survey.status == "open"
    late = client.post(
        f"/staff/region/surveys/{survey.pk}/questions/new/",
        {"section": "services", "key": "late", "text": "x", "kind": "yes_no"},
    )
    assert late.status_code == 400 and "準備中の調査だけ" in late.content.decode()


def test_results_csv_neutralises_formula_cells(client):
    """A free-text answer typed like a spreadsheet formula is exported as text, not a formula."""
    import csv as csv_module
    import io

    from madoguchi.core.tests.test_csv import HOSTILE, is_formula

    towns = hata_municipalities()
    survey = services.survey_create(prefecture=towns[0].prefecture, fiscal_year=2026, title="調査")
    client.force_login(prefecture_user(towns[0].prefecture))
    added = client.post(
        f"/staff/region/surveys/{survey.pk}/questions/new/",
        {"section": "services", "key": "note", "text": "自由記述", "kind": "text"},
    )
    assert added.status_code == 302
    services.survey_set_status(survey=survey, status=SurveyStatus.OPEN)
    for town, hostile in zip(towns, HOSTILE, strict=False):
        submit(survey, town, note=hostile)
    text = client.get(f"/staff/region/surveys/{survey.pk}/results.csv").content.decode("utf-8-sig")
    cells = [cell for row in csv_module.reader(io.StringIO(text)) for cell in row]
    assert not [cell for cell in cells if is_formula(cell)]
    assert sum(1 for cell in cells if cell.lstrip("'").startswith(("=", "+", "-", "@"))) >= 1


def test_the_prefecture_edits_and_reorders_questions_while_drafting(client):
    towns = hata_municipalities()
    survey = services.survey_create(prefecture=towns[0].prefecture, fiscal_year=2026, title="調査")
    client.force_login(prefecture_user(towns[0].prefecture))
    policy = survey.questions.get(key="policy")
    page = client.get(f"/staff/region/surveys/{survey.pk}/questions/{policy.pk}/")
    assert page.status_code == 200 and "策定済み\n" in page.content.decode()
    sent = client.post(
        f"/staff/region/surveys/{survey.pk}/questions/{policy.pk}/",
        {
            "section": "structure",
            "key": "renamed",  # not a field of the edit form: the key stays
            "text": "DX推進の全体方針はありますか。",
            "help_text": "計画・指針を含みます。",
            "kind": "choice",
            "choices_text": "ある\nつくっている\nない",
        },
    )
    assert sent.status_code == 302
    policy.refresh_from_db()
    assert policy.key == "policy" and policy.text == "DX推進の全体方針はありますか。"
    assert policy.choices == ["ある", "つくっている", "ない"] and policy.help_text
    one_choice = client.post(
        f"/staff/region/surveys/{survey.pk}/questions/{policy.pk}/",
        {"section": "structure", "text": "x", "kind": "choice", "choices_text": "ある"},
    )
    assert one_choice.status_code == 400 and "2つ以上" in one_choice.content.decode()
    # 上へ / 下へ swap neighbours inside the section (a form post, no JavaScript).
    structure = lambda: list(  # noqa: E731
        survey.questions.filter(section="structure").order_by("order").values_list("key", flat=True)
    )
    assert structure() == ["cio", "cio_adviser", "policy", "external_talent"]
    moved = client.post(
        f"/staff/region/surveys/{survey.pk}/questions/{policy.pk}/move/", {"direction": "up"}
    )
    assert moved.status_code == 302 and moved["Location"].endswith(f"#q{policy.pk}")
    assert structure() == ["cio", "policy", "cio_adviser", "external_talent"]
    client.post(
        f"/staff/region/surveys/{survey.pk}/questions/{policy.pk}/move/", {"direction": "down"}
    )
    client.post(
        f"/staff/region/surveys/{survey.pk}/questions/{policy.pk}/move/", {"direction": "down"}
    )
    assert structure() == ["cio", "cio_adviser", "external_talent", "policy"]
    last = client.post(
        f"/staff/region/surveys/{survey.pk}/questions/{policy.pk}/move/",
        {"direction": "down"},
        follow=True,
    )
    assert "もう一番下" in last.content.decode()
    # Another prefecture's question (or one of another survey) is not found.
    other = services.survey_create(
        prefecture=prefecture_for("221007"), fiscal_year=2026, title="他県"
    )
    stranger = other.questions.first()
    assert (
        client.get(f"/staff/region/surveys/{survey.pk}/questions/{stranger.pk}/").status_code == 404
    )
    assert (
        client.get(f"/staff/region/surveys/{other.pk}/questions/{stranger.pk}/").status_code == 404
    )
    with pytest.raises(ValidationError, match="識別子は変えられません"):
        services.question_edit(question=policy, key="other")
    # The next year keeps the key, so the edited question is compared year on year.
    next_year = services.survey_create(prefecture=survey.prefecture, fiscal_year=2027, title="調査")
    assert next_year.questions.get(key="policy").text == "DX推進の全体方針はありますか。"


def test_questions_cannot_change_once_answered(client):
    towns = hata_municipalities()
    survey = services.survey_create(prefecture=towns[0].prefecture, fiscal_year=2026, title="調査")
    services.survey_set_status(survey=survey, status=SurveyStatus.OPEN)
    submit(survey, towns[0], policy="策定済み")
    cio = survey.questions.get(key="cio")
    client.force_login(prefecture_user(towns[0].prefecture))
    base = f"/staff/region/surveys/{survey.pk}/questions/{cio.pk}/"
    opened = client.post(base, {"section": "structure", "text": "変えた", "kind": "yes_no"})
    assert opened.status_code == 400 and "準備中の調査だけ" in opened.content.decode()
    # Even set back to 準備中, an answered survey keeps its questions.
    services.survey_set_status(survey=survey, status=SurveyStatus.DRAFT)
    refused = client.post(base, {"section": "structure", "text": "変えた", "kind": "yes_no"})
    assert refused.status_code == 400
    assert "もう回答があるため、設問の内容と順番は変えられません" in refused.content.decode()
    moved = client.post(base + "move/", {"direction": "down"}, follow=True).content.decode()
    assert "もう回答があるため" in moved
    cio.refresh_from_db()
    assert cio.text != "変えた" and cio.order == 10
    detail = client.get(f"/staff/region/surveys/{survey.pk}/").content.decode()
    assert "番目を上へ" not in detail and "番目の設問を変更" not in detail
    # A municipality cannot reach the editor at all.
    client.force_login(StaffUserFactory(municipality=towns[0], manager=True))
    assert client.get(base).status_code == 403
