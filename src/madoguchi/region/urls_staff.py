"""The prefecture console's URLs, mounted by the project at /staff/region/."""

from django.urls import path

from . import views
from .liaison import views as liaison
from .practice import views as practice
from .survey import views as survey
from .talent import views as talent

app_name = "region"

urlpatterns = [
    path("", views.system_list, name="systems"),
    path("systems/new/", views.system_create, name="system_create"),
    path("systems/import/", views.system_import, name="system_import"),
    path("systems/export.csv", views.system_export, name="system_export"),
    path("systems/madoguchi/", views.madoguchi_sync, name="madoguchi_sync"),
    path("systems/<int:pk>/", views.system_detail, name="system"),
    path("systems/<int:pk>/edit/", views.system_edit, name="system_edit"),
    path("agreements/", views.agreement_list, name="agreements"),
    path("agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("agreements/<int:pk>/members/", views.agreement_members, name="agreement_members"),
    path("agreements/<int:pk>/usage/", views.agreement_usage, name="agreement_usage"),
    path("agreements/<int:pk>/agreement.json", views.agreement_file, name="agreement_file"),
    path("agreements/<int:pk>/shares.csv", views.agreement_shares_csv, name="agreement_csv"),
    path("agreements/<int:pk>/statements/<str:code>/", views.statement, name="statement"),
    path(
        "agreements/<int:pk>/statements/<str:code>.pdf",
        views.statement_pdf,
        name="statement_pdf",
    ),
    path(
        "agreements/<int:pk>/statements/<str:code>.csv",
        views.statement_csv,
        name="statement_csv",
    ),
    # DX progress survey
    path("surveys/", survey.survey_list, name="surveys"),
    path("surveys/new/", survey.survey_create, name="survey_create"),
    path("surveys/<int:pk>/", survey.survey_detail, name="survey"),
    path("surveys/<int:pk>/status/", survey.survey_status, name="survey_status"),
    path("surveys/<int:pk>/questions/new/", survey.question_create, name="question_create"),
    path(
        "surveys/<int:pk>/questions/<int:question_id>/",
        survey.question_edit,
        name="question_edit",
    ),
    path(
        "surveys/<int:pk>/questions/<int:question_id>/move/",
        survey.question_move,
        name="question_move",
    ),
    path("surveys/<int:pk>/answer/", survey.answer, name="survey_answer"),
    path("surveys/<int:pk>/evidence/", survey.evidence_upload, name="evidence_upload"),
    path(
        "surveys/<int:pk>/evidence/<uuid:evidence_id>/",
        survey.evidence_download,
        name="evidence",
    ),
    path("surveys/<int:pk>/responses/<str:code>/", survey.response_detail, name="response"),
    path("surveys/<int:pk>/results/", survey.results, name="survey_results"),
    path("surveys/<int:pk>/results.csv", survey.results_csv, name="survey_results_csv"),
    # Talent pool
    path("talent/", talent.home, name="talent"),
    path("talent/specialists/new/", talent.specialist_create, name="specialist_create"),
    path("talent/specialists/<int:pk>/", talent.specialist_detail, name="specialist"),
    path("talent/specialists/<int:pk>/edit/", talent.specialist_edit, name="specialist_edit"),
    path(
        "talent/specialists/<int:pk>/contact/", talent.specialist_contact, name="specialist_contact"
    ),
    path("talent/needs/new/", talent.need_create, name="need_create"),
    path("talent/needs/<int:pk>/", talent.need_detail, name="need"),
    path("talent/needs/<int:pk>/assign/", talent.need_assign, name="need_assign"),
    path("talent/needs/<int:pk>/visits/", talent.visit_create, name="visit_create"),
    # Good practice
    path("practice/", practice.library, name="practice"),
    path("practice/new/", practice.case_create, name="practice_create"),
    path("practice/<int:pk>/", practice.case_detail, name="practice_case"),
    path("practice/<int:pk>/edit/", practice.case_edit, name="practice_edit"),
    path("practice/<int:pk>/effects/", practice.effects, name="practice_effects"),
    path("practice/<int:pk>/state/", practice.case_state, name="practice_state"),
    path("practice/<int:pk>/review/", practice.case_review, name="practice_review"),
    path("practice/<int:pk>/adopt/", practice.adopt, name="practice_adopt"),
    path("practice/<int:pk>/result/", practice.result, name="practice_result"),
    path("talent/needs/<int:pk>/close/", talent.need_close, name="need_close"),
    path("talent/needs/<int:pk>/end/", talent.assignment_end, name="assignment_end"),
    # Liaison desk
    path("liaison/", liaison.home, name="liaison"),
    path("liaison/new/", liaison.consultation_create, name="consultation_create"),
    path("liaison/<int:consultation_id>/", liaison.consultation_detail, name="consultation"),
    path(
        "liaison/<int:consultation_id>/reply/",
        liaison.consultation_reply,
        name="consultation_reply",
    ),
    path(
        "liaison/<int:consultation_id>/files/", liaison.file_upload, name="consultation_file_upload"
    ),
    path(
        "liaison/<int:consultation_id>/files/<uuid:file_id>/",
        liaison.file_download,
        name="consultation_file",
    ),
    path(
        "liaison/<int:consultation_id>/triage/",
        liaison.consultation_triage,
        name="consultation_triage",
    ),
    path(
        "liaison/<int:consultation_id>/status/",
        liaison.consultation_status,
        name="consultation_status",
    ),
    path(
        "liaison/<int:consultation_id>/publish/",
        liaison.knowledge_publish,
        name="knowledge_publish",
    ),
    path("liaison/knowledge/", liaison.knowledge, name="knowledge"),
    path("liaison/notices/", liaison.notices, name="notices"),
    path("liaison/notices/new/", liaison.notice_create, name="notice_create"),
    path("liaison/notices/<int:pk>/", liaison.notice_detail, name="notice"),
]
