from django.urls import path

from . import views

app_name = "agenda"

urlpatterns = [
    path("e/<slug:slug>/", views.home, name="home"),
    path("e/<slug:slug>/wall/", views.wall, name="wall"),
    path("e/<slug:slug>/agenda.ics", views.agenda_ics, name="ics"),
    path("e/<slug:slug>/print/topic-sheets.pdf", views.topic_sheets_pdf, name="topic-sheets"),
    path("e/<slug:slug>/print/agenda-poster.pdf", views.agenda_poster_pdf, name="agenda-poster"),
    path("e/<slug:slug>/sessions/<int:pk>/sheet.pdf", views.topic_sheet_pdf, name="topic-sheet"),
    path("e/<slug:slug>/facilitate/schedule/", views.schedule, name="schedule"),
    path("e/<slug:slug>/sessions/new/", views.topic_new, name="topic-new"),
    path("e/<slug:slug>/sessions/<int:pk>/", views.topic_detail, name="topic"),
    path("e/<slug:slug>/sessions/<int:pk>/edit/", views.topic_edit, name="topic-edit"),
    path("e/<slug:slug>/sessions/<int:pk>/withdraw/", views.topic_withdraw, name="topic-withdraw"),
    path("e/<slug:slug>/sessions/<int:pk>/signup/", views.signup, name="signup"),
    path("e/<slug:slug>/sessions/<int:pk>/arrange/", views.topic_arrange, name="topic-arrange"),
]
