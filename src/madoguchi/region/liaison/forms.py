"""Forms of the liaison desk."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from madoguchi.tenancy.models import Municipality

from ..models import Consultation, ConsultationKind, Priority, Topic


def _date() -> forms.DateField:
    return forms.DateField(
        label=_("希望日"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ConsultationForm(forms.ModelForm):
    kind = forms.ChoiceField(
        label=_("種類"),
        choices=ConsultationKind.choices,
        widget=forms.RadioSelect,
        initial=ConsultationKind.CONSULTATION,
    )
    date_1 = _date()
    date_2 = _date()
    date_3 = _date()
    file = forms.FileField(label=_("添付ファイル（PDF・画像）"), required=False)

    class Meta:
        model = Consultation
        fields = ["kind", "topic", "title", "body", "audience", "may_publish"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}
        help_texts = {
            "audience": _("出前講座のとき：対象（例：管理職）と人数"),
            "may_publish": _(
                "回答を、氏名を除いたうえで管内の市町村が検索できる事例として県が公開してよい場合にチェックしてください。"
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date_1"].label = _("出前講座の第1希望日")
        self.fields["date_2"].label = _("第2希望日")
        self.fields["date_3"].label = _("第3希望日")

    def preferred_dates(self) -> list[Any]:
        return [d for k in ("date_1", "date_2", "date_3") if (d := self.cleaned_data.get(k))]


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("本文"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )


class FileForm(forms.Form):
    file = forms.FileField(label=_("ファイル"))


class TriageForm(forms.Form):
    topic = forms.ChoiceField(label=_("分野"), choices=Topic.choices)
    priority = forms.ChoiceField(label=_("優先度"), choices=Priority.choices)
    liaison: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("担当リエゾン"), queryset=None, required=False, empty_label=_("（未定）")
    )
    expert: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("専門人材（人材プールから）"),
        queryset=None,
        required=False,
        empty_label=_("（なし）"),
    )

    def __init__(self, *args: Any, liaisons: Any, experts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["liaison"].queryset = liaisons  # type: ignore[attr-defined]
        self.fields["liaison"].label_from_instance = (  # type: ignore[attr-defined]
            lambda u: f"{u.last_name} {u.first_name}".strip() or u.username
        )
        self.fields["expert"].queryset = experts  # type: ignore[attr-defined]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("次の状態"))
    scheduled_on = forms.DateField(
        label=_("実施日（実施予定にするとき）"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, statuses: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = statuses  # type: ignore[attr-defined]


class PublishForm(forms.Form):
    title = forms.CharField(label=_("件名（公開する文）"), max_length=120)
    question = forms.CharField(
        label=_("質問（公開する文）"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    answer = forms.CharField(
        label=_("回答（公開する文）"), max_length=8000, widget=forms.Textarea(attrs={"rows": 8})
    )


class KnowledgeSearchForm(forms.Form):
    q = forms.CharField(label=_("知りたいこと"), max_length=200, required=False)
    topic = forms.ChoiceField(
        label=_("分野"), choices=[("", _("すべて")), *Topic.choices], required=False
    )


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("件名"), max_length=120)
    body = forms.CharField(
        label=_("本文"), max_length=8000, widget=forms.Textarea(attrs={"rows": 8})
    )
    to_all = forms.BooleanField(label=_("管内のすべての市町村へ送る"), required=False, initial=True)
    targets = forms.ModelMultipleChoiceField(
        label=_("送り先の市町村（すべてへ送らないとき）"),
        queryset=Municipality.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, municipalities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["targets"].queryset = municipalities  # type: ignore[attr-defined]
