"""Resident FAQ URLs, mounted by the project at /<municipality_code>/faq/."""

from django.urls import path

from . import views

app_name = "faq"

urlpatterns = [
    path("", views.chat, name="chat"),
    path("embed/", views.embed, name="embed"),
    path("ask.json", views.ask_json, name="ask_json"),
    path("feedback/", views.feedback, name="feedback"),
]
