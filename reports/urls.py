from django.urls import path

from . import action_views, documentation_views, moderation_views, views

app_name = "reports"

urlpatterns: list = [
    # Session reports, photos, comments, the news wall (reports/views.py)
    path("e/<slug:slug>/reports/", views.wall, name="wall"),
    path("e/<slug:slug>/wall/reports/", views.vernissage, name="vernissage"),
    path("e/<slug:slug>/facilitate/reports/", views.missing, name="missing"),
    path("e/<slug:slug>/sessions/<int:pk>/report/", views.report, name="report"),
    path("e/<slug:slug>/sessions/<int:pk>/report/edit/", views.report_edit, name="report-edit"),
    path(
        "e/<slug:slug>/sessions/<int:pk>/report/autosave/",
        views.report_autosave,
        name="report-autosave",
    ),
    path("e/<slug:slug>/sessions/<int:pk>/report/photos/", views.photo_upload, name="photo-upload"),
    path(
        "e/<slug:slug>/sessions/<int:pk>/report/photos/<int:photo_pk>/",
        views.photo_edit,
        name="photo-edit",
    ),
    path("e/<slug:slug>/sessions/<int:pk>/report/comments/", views.comment_add, name="comment-add"),
    path("e/<slug:slug>/comments/<int:pk>/", views.comment_moderate, name="comment-moderate"),
    # Moderation: hide and show any content (reports/moderation_views.py)
    path(
        "e/<slug:slug>/facilitate/moderation/",
        moderation_views.moderation_page,
        name="moderation",
    ),
    path(
        "e/<slug:slug>/facilitate/moderation/<slug:kind>/<int:pk>/",
        moderation_views.moderate,
        name="moderate",
    ),
    # Documentation, PDF and the event's data in and out (reports/documentation_views.py)
    path(
        "e/<slug:slug>/documentation/",
        documentation_views.documentation_preview,
        name="documentation-preview",
    ),
    path(
        "e/<slug:slug>/documentation.pdf",
        documentation_views.documentation_pdf,
        name="documentation-pdf",
    ),
    path(
        "e/<slug:slug>/documentation/status/",
        documentation_views.documentation_status,
        name="documentation-status",
    ),
    path(
        "e/<slug:slug>/documentation/settings/",
        documentation_views.documentation_settings,
        name="documentation-settings",
    ),
    path(
        "e/<slug:slug>/documentation/photos/<str:name>",
        documentation_views.documentation_photo,
        name="documentation-photo",
    ),
    path("e/<slug:slug>/export.json", documentation_views.event_json, name="event-json"),
    path("e/<slug:slug>/agenda.csv", documentation_views.agenda_csv, name="agenda-csv"),
    path(
        "e/<slug:slug>/action-plan.csv",
        documentation_views.action_plan_csv,
        name="action-plan-csv",
    ),
    path("facilitate/import/", documentation_views.import_event_view, name="event-import"),
    # Action plan, collaboration ladder and closing circle (reports/action_views.py)
    path("e/<slug:slug>/actions/", action_views.board, name="actions"),
    path("e/<slug:slug>/actions/new/", action_views.initiative_new, name="action-new"),
    path("e/<slug:slug>/actions/ladder/", action_views.ladder, name="ladder"),
    path("e/<slug:slug>/actions/<int:pk>/edit/", action_views.initiative_edit, name="action-edit"),
    path(
        "e/<slug:slug>/actions/<int:pk>/withdraw/",
        action_views.initiative_withdraw,
        name="action-withdraw",
    ),
    path("e/<slug:slug>/actions/<int:pk>/join/", action_views.initiative_join, name="action-join"),
    path(
        "e/<slug:slug>/actions/<int:pk>/leave/", action_views.initiative_leave, name="action-leave"
    ),
    path(
        "e/<slug:slug>/actions/<int:pk>/merge/", action_views.initiative_merge, name="action-merge"
    ),
    path(
        "e/<slug:slug>/actions/<int:pk>/state/", action_views.initiative_state, name="action-state"
    ),
    path("e/<slug:slug>/actions/<int:pk>/ladder/", action_views.ladder_move, name="ladder-move"),
    path(
        "e/<slug:slug>/actions/follow-up/<int:pk>/state/",
        action_views.follow_up_state,
        name="follow-up-state",
    ),
    path("e/<slug:slug>/wall/actions/", action_views.wall, name="actions-wall"),
    path("e/<slug:slug>/closing/", action_views.closing, name="closing"),
    path("e/<slug:slug>/closing/summary/", action_views.closing_summary, name="closing-summary"),
    path(
        "e/<slug:slug>/closing/reflections/<int:pk>/hide/",
        action_views.reflection_hide,
        name="reflection-hide",
    ),
]
