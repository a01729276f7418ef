"""Reads for the news wall and report pages, in a fixed number of queries."""

from django.db.models import Count, Prefetch, Q

from agenda.models import Topic
from events.models import Event

from .models import Report, ReportComment, ReportPhoto


def session_order(topic: Topic) -> tuple:
    """Code order: A1, A2 … B1 …; unplaced sessions last, by title."""
    if topic.is_placed:
        return (0, topic.room.position, topic.room.code, topic.time_slot.number, "")
    return (1, 0, "", 0, topic.title.lower())


def news_wall(event: Event, *, round_number=None, room_code=None, include_hidden=False):
    """Published reports with photos and their number of visible comments
    (comment_count), in session-code order."""
    counted = None if include_hidden else Q(comments__hidden=False)
    reports = (
        Report.objects.published()
        .filter(event=event)
        .select_related("topic__convener", "topic__room", "topic__time_slot")
        .prefetch_related(
            Prefetch("photos", queryset=ReportPhoto.objects.order_by("position", "pk")),
        )
        .annotate(comment_count=Count("comments", filter=counted))
    )
    if round_number:
        reports = reports.filter(topic__time_slot__number=round_number)
    if room_code:
        reports = reports.filter(topic__room__code=room_code)
    return sorted(reports, key=lambda report: session_order(report.topic))


def missing_reports(event: Event):
    """Placed sessions without a published report, in code order, with their write links."""
    topics = (
        Topic.objects.active()
        .filter(event=event, room__isnull=False)
        .select_related("convener", "room", "time_slot", "report")
        .filter(Q(report__isnull=True) | Q(report__published_at__isnull=True))
    )
    return sorted(topics, key=session_order)


def report_page(event: Event, topic_pk: int, *, include_hidden=False) -> Report | None:
    comments = ReportComment.objects.order_by("created_at", "pk")
    if not include_hidden:
        comments = comments.filter(hidden=False)
    return (
        Report.objects.filter(event=event, topic_id=topic_pk, topic__withdrawn_at__isnull=True)
        .select_related("topic__convener", "topic__room", "topic__time_slot")
        .prefetch_related(
            Prefetch("photos", queryset=ReportPhoto.objects.order_by("position", "pk")),
            Prefetch("comments", queryset=comments.select_related("participant")),
        )
        .annotate(comment_count=Count("comments"))
        .first()
    )
