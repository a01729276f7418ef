from django.urls import include, path

from . import action_views, documentation_views, moderation_views, views

app_name = "reports"

# An event's own pages, under /e/<slug>/ (openspace/urls.py; agenda/urls.py says why).
event_urlpatterns: list = [
    # Session reports, photos, comments, the news wall (reports/views.py)
    path("reports/", views.wall, name="wall"),
    path("wall/reports/", views.vernissage, name="vernissage"),
    path("facilitate/reports/", views.missing, name="missing"),
    path("sessions/<int:pk>/report/", views.report, name="report"),
    path("sessions/<int:pk>/report/edit/", views.report_edit, name="report-edit"),
    path(
        "sessions/<int:pk>/report/autosave/",
        views.report_autosave,
        name="report-autosave",
    ),
    path("sessions/<int:pk>/report/photos/", views.photo_upload, name="photo-upload"),
    path(
        "sessions/<int:pk>/report/photos/<int:photo_pk>/",
        views.photo_edit,
        name="photo-edit",
    ),
    path("sessions/<int:pk>/report/comments/", views.comment_add, name="comment-add"),
    path("comments/<int:pk>/", views.comment_moderate, name="comment-moderate"),
    # Moderation: hide and show any content (reports/moderation_views.py)
    path(
        "facilitate/moderation/",
        moderation_views.moderation_page,
        name="moderation",
    ),
    path(
        "facilitate/moderation/<slug:kind>/<int:pk>/",
        moderation_views.moderate,
        name="moderate",
    ),
    # Documentation, PDF and the event's data in and out (reports/documentation_views.py)
    path(
        "documentation/",
        documentation_views.documentation_preview,
        name="documentation-preview",
    ),
    path(
        "documentation.pdf",
        documentation_views.documentation_pdf,
        name="documentation-pdf",
    ),
    path(
        "documentation/status/",
        documentation_views.documentation_status,
        name="documentation-status",
    ),
    path(
        "documentation/settings/",
        documentation_views.documentation_settings,
        name="documentation-settings",
    ),
    path(
        "documentation/photos/<str:name>",
        documentation_views.documentation_photo,
        name="documentation-photo",
    ),
    path("export.json", documentation_views.event_json, name="event-json"),
    path("agenda.csv", documentation_views.agenda_csv, name="agenda-csv"),
    path(
        "action-plan.csv",
        documentation_views.action_plan_csv,
        name="action-plan-csv",
    ),
    # Action plan, collaboration ladder and closing circle (reports/action_views.py)
    path("actions/", action_views.board, name="actions"),
    path("actions/new/", action_views.initiative_new, name="action-new"),
    path("actions/ladder/", action_views.ladder, name="ladder"),
    path("actions/<int:pk>/edit/", action_views.initiative_edit, name="action-edit"),
    path(
        "actions/<int:pk>/withdraw/",
        action_views.initiative_withdraw,
        name="action-withdraw",
    ),
    path("actions/<int:pk>/join/", action_views.initiative_join, name="action-join"),
    path("actions/<int:pk>/leave/", action_views.initiative_leave, name="action-leave"),
    path("actions/<int:pk>/merge/", action_views.initiative_merge, name="action-merge"),
    path("actions/<int:pk>/state/", action_views.initiative_state, name="action-state"),
    path("actions/<int:pk>/ladder/", action_views.ladder_move, name="ladder-move"),
    path(
        "actions/follow-up/<int:pk>/state/",
        action_views.follow_up_state,
        name="follow-up-state",
    ),
    path("wall/actions/", action_views.wall, name="actions-wall"),
    path("closing/", action_views.closing, name="closing"),
    path("closing/summary/", action_views.closing_summary, name="closing-summary"),
    path(
        "closing/reflections/<int:pk>/hide/",
        action_views.reflection_hide,
        name="reflection-hide",
    ),
]

urlpatterns = [
    path("facilitate/import/", documentation_views.import_event_view, name="event-import"),
    path("e/<slug:slug>/", include(event_urlpatterns)),
]
