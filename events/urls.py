from django.urls import path

from . import privacy_views, views

app_name = "events"

urlpatterns = [
    # Participants
    path("join/", views.join, name="join"),
    path("e/<slug:slug>/join/", views.join_event, name="join-event"),
    # Tokens are URL-safe base64, a slug's characters: "%00" in a <str:> was a 500 on PostgreSQL.
    path("e/<slug:slug>/resume/<slug:token>/", views.resume, name="resume"),
    path("e/<slug:slug>/me/", views.me, name="me"),
    path("e/<slug:slug>/qr.svg", views.qr_svg, name="qr"),
    # Privacy (events/privacy_views.py)
    path("e/<slug:slug>/privacy/", privacy_views.privacy_notice, name="privacy"),
    path("e/<slug:slug>/me/data/", privacy_views.my_data, name="my-data"),
    path("e/<slug:slug>/me/data.json", privacy_views.my_data_download, name="my-data-download"),
    path("e/<slug:slug>/me/delete/", privacy_views.my_data_delete, name="my-data-delete"),
    path(
        "e/<slug:slug>/facilitate/privacy/",
        privacy_views.privacy_settings,
        name="privacy-settings",
    ),
    path(
        "e/<slug:slug>/facilitate/privacy/anonymise/",
        privacy_views.event_anonymise,
        name="event-anonymise",
    ),
    path("e/<slug:slug>/facilitate/delete/", privacy_views.event_delete, name="event-delete"),
    # Facilitators
    path("facilitate/", views.dashboard, name="dashboard"),
    path("facilitate/new/", views.event_new, name="event-new"),
    path("facilitate/invite/<slug:token>/", views.invite_accept, name="invite-accept"),
    path("e/<slug:slug>/facilitate/", views.facilitate, name="facilitate"),
    path("e/<slug:slug>/facilitate/details/", views.event_details, name="event-details"),
    path("e/<slug:slug>/facilitate/phase/", views.event_phase, name="event-phase"),
    path("e/<slug:slug>/facilitate/lock/", views.event_lock, name="event-lock"),
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
