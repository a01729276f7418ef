from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    # Participants
    path("join/", views.join, name="join"),
    path("e/<slug:slug>/join/", views.join_event, name="join-event"),
    path("e/<slug:slug>/resume/<str:token>/", views.resume, name="resume"),
    path("e/<slug:slug>/me/", views.me, name="me"),
    path("e/<slug:slug>/qr.svg", views.qr_svg, name="qr"),
    # Facilitators
    path("facilitate/", views.dashboard, name="dashboard"),
    path("facilitate/new/", views.event_new, name="event-new"),
    path("facilitate/invite/<str:token>/", views.invite_accept, name="invite-accept"),
    path("e/<slug:slug>/facilitate/", views.facilitate, name="facilitate"),
    path("e/<slug:slug>/facilitate/details/", views.event_details, name="event-details"),
    path("e/<slug:slug>/facilitate/phase/", views.event_phase, name="event-phase"),
    path("e/<slug:slug>/facilitate/duplicate/", views.event_duplicate, name="event-duplicate"),
    path("e/<slug:slug>/facilitate/poster/", views.poster, name="poster"),
    path("e/<slug:slug>/facilitate/rooms/", views.room_add, name="room-add"),
    path("e/<slug:slug>/facilitate/rooms/renumber/", views.rooms_renumber, name="rooms-renumber"),
    path("e/<slug:slug>/facilitate/rooms/<int:pk>/", views.room_edit, name="room-edit"),
    path("e/<slug:slug>/facilitate/slots/", views.slot_add, name="slot-add"),
    path("e/<slug:slug>/facilitate/slots/renumber/", views.slots_renumber, name="slots-renumber"),
    path("e/<slug:slug>/facilitate/slots/<int:pk>/", views.slot_edit, name="slot-edit"),
    path("e/<slug:slug>/facilitate/run-sheet/", views.run_sheet_add, name="run-sheet-add"),
    path(
        "e/<slug:slug>/facilitate/run-sheet/<int:pk>/delete/",
        views.run_sheet_delete,
        name="run-sheet-delete",
    ),
    path(
        "e/<slug:slug>/facilitate/participants/<int:pk>/remove/",
        views.participant_remove,
        name="participant-remove",
    ),
    path("e/<slug:slug>/facilitate/invites/", views.invite_create, name="invite-create"),
]
