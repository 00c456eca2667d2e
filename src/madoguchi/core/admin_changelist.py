"""The admin's change lists refuse out-of-range dates instead of answering 500.

Django's date hierarchy turns `?<field>__year=…&__month=…` into datetimes and adds a month or
a year; it catches ValueError but not OverflowError (a year past 9999, or December 9999 plus
one month), so those URLs answered 500 on every admin list with a date hierarchy (ours and
third-party ones such as axes' access log). Here they become IncorrectLookupParameters, which
the admin shows as its usual "invalid filter" page. Installed on every registered ModelAdmin
by CoreConfig.ready() (django.contrib.admin is before core in INSTALLED_APPS, so every admin
module has been imported by then).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList


class BoundedChangeList(ChangeList):
    def get_filters(self, request: Any) -> Any:
        try:
            return super().get_filters(request)
        except OverflowError as exc:
            raise IncorrectLookupParameters(exc) from exc


def install(site: admin.AdminSite = admin.site) -> None:
    for model_admin in site._registry.values():
        if type(model_admin).get_changelist is admin.ModelAdmin.get_changelist:
            model_admin.get_changelist = lambda request, **kwargs: BoundedChangeList  # type: ignore[method-assign]
