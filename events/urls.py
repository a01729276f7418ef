from django.urls import include, path

from . import privacy_views, setup_views, views

app_name = "events"

# An event's own pages, under /e/<slug>/ (openspace/urls.py; agenda/urls.py says why).
event_urlpatterns = [
    # Participants
    path("join/", views.join_event, name="join-event"),
    # Tokens are URL-safe base64, a slug's characters: "%00" in a <str:> was a 500 on PostgreSQL.
    path("resume/<slug:token>/", views.resume, name="resume"),
    path("me/", views.me, name="me"),
    path("qr.svg", views.qr_svg, name="qr"),
    # Privacy (events/privacy_views.py)
    path("privacy/", privacy_views.privacy_notice, name="privacy"),
    path("me/data/", privacy_views.my_data, name="my-data"),
    path("me/data.json", privacy_views.my_data_download, name="my-data-download"),
    path("me/delete/", privacy_views.my_data_delete, name="my-data-delete"),
    path("facilitate/privacy/", privacy_views.privacy_settings, name="privacy-settings"),
    path(
        "facilitate/privacy/anonymise/",
        privacy_views.event_anonymise,
        name="event-anonymise",
    ),
    path("facilitate/delete/", privacy_views.event_delete, name="event-delete"),
    # Facilitators
    path("facilitate/", setup_views.facilitate, name="facilitate"),
    path("facilitate/details/", setup_views.event_details, name="event-details"),
    path("facilitate/phase/", setup_views.event_phase, name="event-phase"),
    path("facilitate/lock/", setup_views.event_lock, name="event-lock"),
    path("facilitate/duplicate/", setup_views.event_duplicate, name="event-duplicate"),
    path("facilitate/poster/", views.poster, name="poster"),
    path("facilitate/rooms/", setup_views.room_add, name="room-add"),
    path("facilitate/rooms/renumber/", setup_views.rooms_renumber, name="rooms-renumber"),
    path("facilitate/rooms/<int:pk>/", setup_views.room_edit, name="room-edit"),
    path("facilitate/slots/", setup_views.slot_add, name="slot-add"),
    path("facilitate/slots/renumber/", setup_views.slots_renumber, name="slots-renumber"),
    path("facilitate/slots/<int:pk>/", setup_views.slot_edit, name="slot-edit"),
    path("facilitate/run-sheet/", setup_views.run_sheet_add, name="run-sheet-add"),
    path("facilitate/run-sheet/<int:pk>/", setup_views.run_sheet_edit, name="run-sheet-edit"),
    path(
        "facilitate/run-sheet/<int:pk>/delete/",
        setup_views.run_sheet_delete,
        name="run-sheet-delete",
    ),
    path(
        "facilitate/participants/<int:pk>/remove/",
        setup_views.participant_remove,
        name="participant-remove",
    ),
    path("facilitate/invites/", setup_views.invite_create, name="invite-create"),
]

urlpatterns = [
    path("join/", views.join, name="join"),
    path("facilitate/", setup_views.dashboard, name="dashboard"),
    path("facilitate/new/", setup_views.event_new, name="event-new"),
    path("facilitate/invite/<slug:token>/", setup_views.invite_accept, name="invite-accept"),
    path("e/<slug:slug>/", include(event_urlpatterns)),
]
