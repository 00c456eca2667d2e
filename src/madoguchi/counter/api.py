"""The card agent's hand-off (docs/card-agent.md): one POST per card read, bearer token per
counter station. Mounted by the project at /api/v1/counter/.

The server attaches the attributes to the form open at that station (a counter case being
edited, touched within the last 30 minutes) and keeps them at most five minutes for staff to
take in with 「カードから読み込む」. Nothing of the body is logged.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.security import HttpBearer

from madoguchi.core import ratelimit
from madoguchi.core.api_errors import responses

from . import services
from .models import CounterStation


class StationAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> CounterStation | None:
        station = services.counter_station_for_token(token)
        if station is not None:
            request.counter_token = token  # type: ignore[attr-defined]
        return station


router = Router(tags=["counter"], auth=StationAuth())
CARD_READ_LIMIT = "counter.card_read.station"


class CardAttributesIn(Schema):
    name: str = ""
    address: str = ""
    birth_date: str = ""
    sex: str = ""


class CardReadIn(Schema):
    attributes: CardAttributesIn
    authenticity: Any = None


@router.post(
    "/card-reads",
    response=responses({204: None}, 401, 409, 422, 429),
    summary="カード読取結果の受け渡し",
)
@ratelimit.declare(CARD_READ_LIMIT)
def card_read(request: HttpRequest, payload: CardReadIn) -> Any:
    """The agent on a counter PC hands the card-face attributes to that counter's open form.

    Limited per counter station (429 over `counter.card_read.station`)."""
    station: CounterStation = request.auth  # type: ignore[attr-defined]
    if not ratelimit.hit(CARD_READ_LIMIT, f"station-{station.pk}"):
        raise HttpError(429, ratelimit.refusal_message())
    try:
        services.counter_card_handoff(
            token=request.counter_token,  # type: ignore[attr-defined]
            attributes=payload.attributes.dict(),
        )
    except services.CardHandoffRefused as exc:
        if exc.status == 401:
            raise HttpError(401, _("この窓口端末のトークンは使えません。")) from exc
        raise HttpError(
            409,
            _(
                "この窓口端末で入力中の申請書がありません。窓口モードで申請書を開いてから読み取ってください。"
            ),
        ) from exc
    return HttpResponse(status=204)
