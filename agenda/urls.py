from django.urls import include, path

from . import views

app_name = "agenda"

# Every page of an event is under /e/<slug>/: the prefix is matched once, and only then
# the pages under it, the ones each phone opens and polls most often first (a request's
# URL is tried against the patterns in order; openspace/urls.py puts this app first).
event_urlpatterns = [
    path("sessions/<int:pk>/signup/", views.signup, name="signup"),
    path("", views.home, name="home"),
    path("wall/", views.wall, name="wall"),
    path("sessions/<int:pk>/", views.topic_detail, name="topic"),
    path("sessions/new/", views.topic_new, name="topic-new"),
    path("sessions/<int:pk>/edit/", views.topic_edit, name="topic-edit"),
    path("sessions/<int:pk>/withdraw/", views.topic_withdraw, name="topic-withdraw"),
    path("sessions/<int:pk>/arrange/", views.topic_arrange, name="topic-arrange"),
    path("agenda.ics", views.agenda_ics, name="ics"),
    path("print/topic-sheets.pdf", views.topic_sheets_pdf, name="topic-sheets"),
    path("print/agenda-poster.pdf", views.agenda_poster_pdf, name="agenda-poster"),
    path("sessions/<int:pk>/sheet.pdf", views.topic_sheet_pdf, name="topic-sheet"),
    path("facilitate/schedule/", views.schedule, name="schedule"),
]

urlpatterns = [path("e/<slug:slug>/", include(event_urlpatterns))]
