"""A demo of the liaison desk: a few consultations of the demo prefecture's towns (one answered
and published to the knowledge base, one in progress, one new) and a 出前講座 request being
scheduled, plus a notice to every town. Idempotent: nothing is added once the prefecture has
consultations."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from madoguchi.accounts.models import StaffUser
from madoguchi.tenancy.access import Scope
from madoguchi.tenancy.models import Municipality, Prefecture

from ..models import Consultation, ConsultationStatus
from . import services


def desk_load(
    *,
    prefecture: Prefecture,
    towns: list[Municipality],
    dx: StaffUser,
    asker: StaffUser | None,
) -> None:
    """towns: at least two of the prefecture; dx: a DX team member; asker: the first town's
    staff member who asks (None: asked without a named person)."""
    if Consultation.objects.for_scope(Scope.of_prefecture(prefecture)).exists():
        return
    today = timezone.localdate()
    answered = services.consultation_create(
        municipality=towns[1],
        actor=None,
        kind="consultation",
        topic="kaizen",
        title="RPAの導入の進め方",
        body="税務課の入力作業をRPAで減らしたい。何から始めればよいか。",
        may_publish=True,
    )
    services.consultation_reply(
        consultation=answered,
        actor=dx,
        body=(
            "まず入力の多い業務を洗い出し、手順が決まっている作業からRPAのシナリオを作ります。"
            "県の共同調達のRPAを使えます。最初の1本は県の専門人材が一緒に作ります。"
        ),
    )
    services.consultation_set_status(
        consultation=answered, actor=dx, status=ConsultationStatus.ANSWERED
    )
    services.knowledge_publish(
        consultation=answered, actor=dx, **services.knowledge_draft(consultation=answered)
    )
    in_progress = services.consultation_create(
        municipality=towns[0],
        actor=asker,
        kind="consultation",
        topic="security",
        title="クラウドサービス利用時のセキュリティポリシー",
        body="電子申請でクラウドを使うとき、ポリシーのどこを見直せばよいか教えてください。",
    )
    services.consultation_reply(
        consultation=in_progress, actor=dx, body="担当リエゾンから今週中に連絡します。"
    )
    services.consultation_create(
        municipality=towns[0],
        actor=asker,
        kind="consultation",
        topic="counter",
        title="書かない窓口の始め方",
        body="転入の窓口で、住民が申請書を書かずに済むようにしたい。",
        may_publish=True,
    )
    services.consultation_create(
        municipality=towns[0],
        actor=asker,
        kind="lecture",
        topic="top_management",
        title="管理職向けDX研修（出前講座）",
        body="部課長20人を対象に、DXの進め方の講座をお願いしたい。",
        preferred_dates=[today + timedelta(days=30), today + timedelta(days=37)],
        audience="部課長 20人",
    )
    services.notice_send(
        prefecture=prefecture,
        actor=dx,
        title="地域DX出前講座の受付を始めました",
        body="トップマネジメント、カイゼンDX、データ利活用などの講座を、各団体に出向いて行います。"
        "「DX相談窓口」から希望日を添えて依頼してください。",
        to_all=True,
        targets=[],
    )
