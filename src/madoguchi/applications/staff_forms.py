"""Forms of the back office: they parse and check input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from madoguchi.accounts.models import StaffUser
from madoguchi.core.japanese_text import normalize_input
from madoguchi.core.wareki import parse_date

from .handoff.models import ExportRun
from .models import Channel, PaymentStatus, Status
from .selectors import InboxFilters


class StyledForm(forms.Form):
    """Adds the design system's classes to the widgets (templates stay generic).

    `id_prefix` keeps element ids unique when several forms share a page.
    """

    id_prefix = "id"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("class", "mg-textarea")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "mg-input mg-select")
            elif isinstance(widget, (forms.TextInput, forms.NumberInput, forms.DateInput)):
                widget.attrs.setdefault("class", "mg-input")


class JapaneseDateField(forms.DateField):
    """A date typed as 西暦 (2025-04-01, 2025/4/1) or 和暦 (令和7年4月1日, R7.4.1)."""

    default_error_messages = {
        "invalid": _("日付を「2025-04-01」または「令和7年4月1日」の形で入力してください。")
    }

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        try:
            return parse_date(normalize_input(str(value)))
        except (ValueError, TypeError) as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
        # parse_date's own ValidationError (a Japanese message saying what is wrong) passes on.


# The inbox's sort orders (selectors.INBOX_ORDERS holds their columns).
ORDER_LABELS = [
    ("newest", _("新しい順")),
    ("oldest", _("古い順")),
    ("due", _("期限の近い順")),
]


class InboxFilterForm(StyledForm):
    q = forms.CharField(label=_("受付番号・氏名・カナ"), required=False, max_length=100)
    procedure = forms.TypedChoiceField(
        label=_("手続"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(label=_("状態"), required=False)
    channel = forms.ChoiceField(label=_("受付経路"), required=False)
    date_from = JapaneseDateField(label=_("申請日（から）"), required=False)
    date_to = JapaneseDateField(label=_("申請日（まで）"), required=False)
    assignee = forms.ChoiceField(label=_("担当者"), required=False)
    deadline = forms.ChoiceField(
        label=_("処理期限"),
        required=False,
        choices=[
            ("", _("すべて")),
            ("overdue", _("期限を過ぎたもの")),
            ("soon", _("期限が3開庁日以内のもの")),
        ],
    )
    payment = forms.ChoiceField(label=_("手数料"), required=False)
    order = forms.ChoiceField(label=_("並べ順"), required=False, choices=ORDER_LABELS)

    def __init__(
        self,
        *args: Any,
        procedures: list[tuple[int, str]],
        staff: list[StaffUser],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        every = [("", _("すべて"))]
        self.fields["procedure"].choices = every + procedures  # type: ignore[attr-defined]
        self.fields["status"].choices = every + list(Status.choices)  # type: ignore[attr-defined]
        self.fields["channel"].choices = every + list(Channel.choices)  # type: ignore[attr-defined]
        self.fields["payment"].choices = (  # type: ignore[attr-defined]
            every + list(PaymentStatus.choices) + [("none", _("手数料なし"))]
        )
        self.fields["assignee"].choices = (  # type: ignore[attr-defined]
            every
            + [("me", _("自分")), ("none", _("未割当"))]
            + [(str(s.pk), s.get_full_name() or s.username) for s in staff]
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("「まで」には「から」と同じか後の日付を入力してください。"))
        return data

    def filters(self) -> InboxFilters:
        if not self.is_valid():
            return InboxFilters(query=str(self.data.get("q", ""))[:100])
        d = self.cleaned_data
        return InboxFilters(
            procedure_id=d.get("procedure"),
            status=d.get("status") or "",
            channel=d.get("channel") or "",
            date_from=d.get("date_from"),
            date_to=d.get("date_to"),
            assignee=d.get("assignee") or "",
            query=d.get("q") or "",
            deadline=d.get("deadline") or "",
            order=d.get("order") or "newest",
            payment=d.get("payment") or "",
        )


class VersionedForm(StyledForm):
    """Carries the version the staff member saw (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class TransitionForm(VersionedForm):
    id_prefix = "transition"

    to_status = forms.ChoiceField(
        label=_("次の状態"),
        choices=Status.choices,
        error_messages={"required": _("次の状態を選んでください。")},
    )
    reason = forms.CharField(
        label=_("申請者に伝える理由・連絡"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("却下のときは必ず入力してください。申請者の状況確認ページに表示されます。"),
    )
    reason_easy = forms.CharField(
        label=_("申請者に伝える理由・連絡（やさしい日本語）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "書くと、やさしい日本語で読む申請者には、上の文の代わりにこちらを表示し、メールでも送ります。"
        ),
    )
    internal_note = forms.CharField(
        label=_("内部メモ（職員だけに表示）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AssignForm(VersionedForm):
    id_prefix = "assign"

    assignee = forms.ChoiceField(label=_("担当者"), required=False)

    def __init__(self, *args: Any, staff: list[StaffUser], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.staff = {str(s.pk): s for s in staff}
        self.fields["assignee"].choices = [("", _("未割当"))] + [  # type: ignore[attr-defined]
            (key, s.get_full_name() or s.username) for key, s in self.staff.items()
        ]

    def chosen(self) -> StaffUser | None:
        return self.staff.get(self.cleaned_data.get("assignee") or "")


class NoteForm(StyledForm):
    id_prefix = "note"

    note = forms.CharField(
        label=_("内部メモ"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("メモを入力してください。")},
    )


class CorrectionForm(VersionedForm):
    id_prefix = "correction"

    fields_to_correct = forms.MultipleChoiceField(
        label=_("補正してほしい項目"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("補正してほしい項目を1つ以上選んでください。")},
    )
    message = forms.CharField(
        label=_("申請者へのお願い"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("何をどう直してほしいかを書いてください。メールと補正の画面に表示されます。"),
        error_messages={"required": _("何をどう直してほしいかを入力してください。")},
    )
    deadline = JapaneseDateField(
        label=_("補正の期限"),
        help_text=_("例：2025-04-30、令和7年4月30日"),
        error_messages={"required": _("補正の期限を入力してください。")},
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fields_to_correct"].choices = choices  # type: ignore[attr-defined]


class ExportForm(StyledForm):
    procedure = forms.TypedChoiceField(
        label=_("手続"),
        coerce=int,
        error_messages={"required": _("手続を選んでください。")},
    )
    encoding = forms.ChoiceField(
        label=_("文字コード"),
        choices=ExportRun.Encoding.choices,
        initial=ExportRun.Encoding.UTF8_BOM,
        widget=forms.RadioSelect,
    )
    only_new = forms.BooleanField(
        label=_("前回の出力より後の申請だけを出力する"), required=False, initial=True
    )
    substitute = forms.BooleanField(
        label=_(
            "Shift_JIS で表せない文字を「〓」に置き換えて出力する（置き換えた箇所は一覧で示します）"
        ),
        required=False,
    )

    def __init__(self, *args: Any, procedures: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = [("", _("選んでください")), *procedures]  # type: ignore[attr-defined]


class BulkForm(StyledForm):
    """The inbox's bulk action: the ticked applications (`ids`), and one assignment or one status."""

    id_prefix = "bulk"
    LIMIT = 200

    assignee = forms.ChoiceField(label=_("担当者を"), required=False)
    to_status = forms.ChoiceField(label=_("状態を"), required=False)
    reason = forms.CharField(
        label=_("申請者に伝える理由・連絡"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("却下するときは必ず入力してください。"),
    )

    def __init__(self, *args: Any, staff: list[StaffUser], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.staff = {str(s.pk): s for s in staff}
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", _("変えない")),
            ("none", _("未割当にする")),
        ] + [(key, s.get_full_name() or s.username) for key, s in self.staff.items()]
        # 補正依頼 names fields and a deadline per application: not a bulk action.
        self.fields["to_status"].choices = [("", _("変えない"))] + [  # type: ignore[attr-defined]
            (value, label)
            for value, label in Status.choices
            if value != Status.CORRECTION_REQUESTED
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        raw = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        ids = list(dict.fromkeys(int(v) for v in raw if str(v).isascii() and str(v).isdigit()))
        if not ids or len(ids) != len(set(raw)):
            raise forms.ValidationError(_("変更する申請を一覧で選んでください。"))
        if len(ids) > self.LIMIT:
            raise forms.ValidationError(
                _("一度に変更できるのは%(n)s件までです。") % {"n": self.LIMIT}
            )
        if bool(data.get("assignee")) == bool(data.get("to_status")):
            raise forms.ValidationError(_("担当者か状態の、どちらか一つを選んでください。"))
        data["ids"] = ids
        return data

    def chosen_assignee(self) -> StaffUser | None:
        return self.staff.get(self.cleaned_data.get("assignee") or "")
