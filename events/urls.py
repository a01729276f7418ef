from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    # Participants
    path("join/", views.join, name="join"),
    path("e/<slug:slug>/join/", views.join_event, name="join-event"),
    path("e/<slug:slug>/resume/<str:token>/", views.resume, name="resume"),
    path("e/<slug:slug>/qr.svg", views.qr_svg, name="qr"),
    # Facilitators
    path("facilitate/", views.dashboard, name="dashboard"),
]
