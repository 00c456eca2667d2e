"""Back-office URLs, mounted by the project at /staff/applications/."""

from django.urls import path

from . import staff_views
from .handoff import views as handoff_views
from .payments import staff_views as payment_views

app_name = "applications_staff"

urlpatterns = [
    path("", staff_views.inbox, name="inbox"),
    path("audit/", staff_views.audit, name="audit"),
    path("bulk/", staff_views.bulk, name="bulk"),
    path("export/", handoff_views.export, name="export"),
    path("export/<int:run_id>/", handoff_views.export_run, name="export_run"),
    path("export/<int:run_id>/download/", handoff_views.export_download, name="export_download"),
    path("export/<int:run_id>/resume/", handoff_views.export_resume, name="export_resume"),
    path("rpa/<slug:slug>/", handoff_views.rpa_queue, name="rpa_queue"),
    path("<int:pk>/", staff_views.detail, name="detail"),
    path("<int:pk>/transition/", staff_views.transition, name="transition"),
    path("<int:pk>/assign/", staff_views.assign, name="assign"),
    path("<int:pk>/note/", staff_views.note, name="note"),
    path("<int:pk>/payment/paid/", payment_views.mark_paid, name="payment_paid"),
    path("<int:pk>/payment/refund/", payment_views.refund, name="payment_refund"),
    path("<int:pk>/payment/waive/", payment_views.waive, name="payment_waive"),
    path("<int:pk>/correction/", staff_views.correction, name="correction"),
    path(
        "<int:pk>/attachments/<uuid:attachment_id>/",
        staff_views.attachment,
        name="attachment",
    ),
    path(
        "<int:pk>/attachments/<uuid:attachment_id>/preview/",
        staff_views.attachment_preview,
        name="attachment_preview",
    ),
    path(
        "<int:pk>/attachments/<uuid:attachment_id>/pages/<int:number>.png",
        staff_views.attachment_page,
        name="attachment_page",
    ),
    path("<int:pk>/transcription/", handoff_views.transcription, name="transcription"),
    path("<int:pk>/rpa/", handoff_views.rpa, name="rpa"),
    path("<int:pk>/handed-off/", handoff_views.mark_handed_off, name="mark_handed_off"),
]
