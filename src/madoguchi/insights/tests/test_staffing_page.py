"""The staffing page (measured weekday → Erlang C/A → roster → simulated waits → what-ifs) and
the targets form, through HTTP as a manager uses them."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from madoguchi.accounts.models import Role
from madoguchi.accounts.tests.factories import StaffUserFactory
from madoguchi.insights import staffing_plan
from madoguchi.insights.models import InsightsTarget
from madoguchi.insights.rollups import rollup_build
from madoguchi.insights.staffing.erlang import agents_needed
from madoguchi.reservations.tests.factories import hall
from madoguchi.tenancy.tests.factories import MunicipalityFactory, PrefectureFactory

from .factories import measured_weekday, small_town

pytestmark = pytest.mark.django_db

WEDNESDAY = 2
STAFFING = reverse("insights:staffing")
STAFFING_CSV = reverse("insights:staffing_csv")
TARGETS = reverse("insights:targets")
QUERY = {"weekday": WEDNESDAY, "weeks": 4}


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _manager(municipality: Any) -> Client:
    return _client(StaffUserFactory(municipality=municipality, manager=True))


def _csv_rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_recommended_windows_are_erlang_for_the_measured_rate() -> None:
    town = measured_weekday(weekday=WEDNESDAY, per_half_hour=12, service_minutes=6)
    response = _manager(town["municipality"]).get(STAFFING, QUERY)
    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan.enough
    measured = plan.measured
    assert measured.open_days == len(town["days"])
    assert measured.walk_ins_per_day == pytest.approx(12 * 17)
    assert measured.service_minutes == pytest.approx(6.0)
    assert measured.no_show == pytest.approx(1 / 6) and measured.no_show_measured
    assert not measured.patience_measured  # nobody left the queue: the stated default
    row = next(r for r in plan.rows if r.label == "09:00")
    assert row.walk_ins == pytest.approx(12) and row.bookings == 0
    rate = 12 / 30  # a minute
    erlang_c = agents_needed(
        arrival_rate=rate, mean_service=6.0, target_time=15, target_share=0.9, minimum=1
    )
    erlang_a = agents_needed(
        arrival_rate=rate,
        mean_service=6.0,
        target_time=15,
        target_share=0.9,
        mean_patience=staffing_plan.DEFAULT_PATIENCE_MINUTES,
        minimum=1,
    )
    assert (row.erlang_c, row.erlang_a) == (erlang_c.agents, erlang_a.agents)
    # Bookings at 10:00 (five of six come): the 10:00 half-hour has more to serve.
    ten = next(r for r in plan.rows if r.label == "10:00")
    assert ten.bookings == pytest.approx(5, abs=0.5)
    assert ten.erlang_c >= row.erlang_c
    # The roster opens at least Erlang A's windows in every half-hour, and the page shows it.
    assert all(r.windows >= r.erlang_a for r in plan.rows)
    body = response.content.decode()
    assert "<caption" in body and "半時間ごとの来庁と必要な窓口数" in body
    assert "Erlang C の窓口数" in body
    assert f"{plan.computed.baseline.staff_hours:.1f}" in body
    assert "（計測値）" in body  # the no-show rate is measured
    assert "（計測が少ないため仮定の値）" in body  # the patience is not


def test_whatifs_move_the_simulated_waits_the_expected_way() -> None:
    town = measured_weekday(weekday=WEDNESDAY, per_half_hour=12, service_minutes=6)
    plan = _manager(town["municipality"]).get(STAFFING, QUERY).context["plan"]
    base = plan.computed.baseline
    whatifs = {w.slug: w for w in plan.computed.whatifs}
    window = whatifs["window"].result
    assert window.p90 <= base.p90
    assert window.within >= base.within
    assert window.staff_hours == pytest.approx(base.staff_hours + 3.0)  # 9:00–12:00, one more
    booked = whatifs["bookings"]
    assert booked.moved == pytest.approx(0.2 * 12 * 17, rel=0.01)
    assert booked.result.staff_hours == base.staff_hours
    close = whatifs["close"]
    # After 16:30: one half-hour of walk-ins (16:30–17:00) moves; 30 % to convenience stores.
    assert close.moved == pytest.approx(12, rel=0.01)
    assert close.to_convenience_store == pytest.approx(0.3 * close.moved)
    assert close.result.staff_hours < base.staff_hours
    assert close.replanned_hours is not None


def test_csv_download_is_the_recommendation_table() -> None:
    town = measured_weekday(weekday=WEDNESDAY, per_half_hour=6)
    client = _manager(town["municipality"])
    page = client.get(STAFFING, QUERY)
    response = client.get(STAFFING_CSV, QUERY)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert rows[0][0] == "時間帯" and len(rows[0]) == 8
    plan = page.context["plan"]
    assert [r[0] for r in rows[1:]] == [r.label for r in plan.rows]
    assert [int(r[5]) for r in rows[1:]] == [r.windows for r in plan.rows]
    assert reverse("insights:staffing_csv") in page.content.decode()


def test_too_little_data_is_said_plainly() -> None:
    municipality, _service, _windows = hall()
    client = _manager(municipality)
    response = client.get(STAFFING, QUERY)
    assert response.status_code == 200
    body = response.content.decode()
    assert "データが少ないため、おすすめを出せません" in body
    assert "対応時間の記録が少なすぎます" in body
    assert "推奨の勤務表" not in body
    assert client.get(STAFFING_CSV, QUERY).status_code == 302
    # A weekday the hall is closed on (Saturday is not offered; a bad value falls back).
    assert client.get(STAFFING, {"weekday": "9", "weeks": "x"}).status_code == 200


@pytest.mark.parametrize("kind", ["counter", "back_office"])
def test_clerks_get_403(kind: str) -> None:
    town = measured_weekday(weekday=WEDNESDAY)
    kwargs = {"counter": True} if kind == "counter" else {"role": Role.BACK_OFFICE}
    client = _client(StaffUserFactory(municipality=town["municipality"], **kwargs))
    for url in (STAFFING, STAFFING_CSV, TARGETS):
        assert client.get(url, QUERY).status_code == 403, url
    assert (
        client.post(TARGETS, {"online_target_percent": 50, "wait_target_minutes": 5}).status_code
        == 403
    )
    assert not InsightsTarget.objects.filter(municipality=town["municipality"]).exists()


def test_another_municipality_sees_only_its_own() -> None:
    measured_weekday(weekday=WEDNESDAY, per_half_hour=6)  # someone else's busy hall
    stranger, _service, _windows = hall()
    response = _manager(stranger).get(STAFFING, QUERY)
    plan = response.context["plan"]
    assert not plan.enough
    assert plan.measured.walk_ins_per_day == 0 and plan.measured.service_count == 0
    assert _manager(stranger).get(STAFFING_CSV, QUERY).status_code == 302


def test_prefecture_users_are_treated_as_on_the_dashboard() -> None:
    prefecture = PrefectureFactory()
    measured_weekday(MunicipalityFactory(prefecture=prefecture), weekday=WEDNESDAY)
    viewer = StaffUserFactory(municipality=None, prefecture=prefecture, role=Role.PREFECTURE_VIEWER)
    client = _client(viewer)
    assert client.get(reverse("insights:dashboard")).status_code == 403
    for url in (STAFFING, STAFFING_CSV, TARGETS):
        assert client.get(url, QUERY).status_code == 403, url


def test_the_dashboard_links_the_staffing_page_and_the_targets() -> None:
    town = small_town()
    body = _manager(town["municipality"]).get(reverse("insights:dashboard")).content.decode()
    assert STAFFING in body and TARGETS in body


def test_targets_change_is_stored_and_the_figures_follow() -> None:
    town = small_town()
    municipality = town["municipality"]
    rollup_build(municipality_id=municipality.pk)  # rolled for the default 15 minutes
    client = _manager(municipality)
    waits_csv = reverse("insights:table_csv") + "?chart=waits"
    # Waits 10, 30, 5 (not there) and 20 minutes: 2 of 4 called within 15 minutes.
    before = _csv_rows(client.get(waits_csv))
    assert before[0][3].startswith("15") and before[1][3] == "50.0"
    form = client.get(TARGETS)
    assert form.status_code == 200 and 'value="15"' in form.content.decode()
    response = client.post(TARGETS, {"online_target_percent": "70", "wait_target_minutes": "8"})
    assert response.status_code == 302
    stored = InsightsTarget.objects.get(municipality=municipality)
    assert (stored.online_target_percent, stored.wait_target_minutes) == (70, 8)
    assert "目標値を保存しました" in client.get(TARGETS).content.decode()
    after = _csv_rows(client.get(waits_csv))
    assert after[0][3].startswith("8") and after[1][3] == "25.0"  # only the 5-minute wait
    # Re-rolled for the new target, the figures are the same.
    rollup_build(municipality_id=municipality.pk)
    assert _csv_rows(client.get(waits_csv)) == after
    assert "8 分以内に呼出" in client.get(STAFFING).content.decode()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("wait_target_minutes", "0"),
        ("wait_target_minutes", "500"),
        ("wait_target_minutes", "abc"),
        ("online_target_percent", "0"),
        ("online_target_percent", "500"),
        ("online_target_percent", ""),
    ],
)
def test_invalid_targets_are_explained_and_not_stored(field: str, value: str) -> None:
    town = small_town()
    data = {"online_target_percent": "80", "wait_target_minutes": "15", field: value}
    response = _manager(town["municipality"]).post(TARGETS, data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "入力内容を確認してください" in body
    assert "までの整数で入力してください" in body or "入力してください。" in body
    assert 'aria-invalid="true"' in body
    assert not InsightsTarget.objects.filter(municipality=town["municipality"]).exists()
