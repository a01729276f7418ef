"""Facilitators lock an event (read only for participants) and hide any content."""

import pytest
from django.test import Client
from django.urls import reverse

from agenda.models import SignUp, Topic
from events.models import Phase
from reports import action_plan, moderation
from reports import services as report_services
from reports.csv_export import export_action_plan_csv, export_agenda_csv
from reports.models import Initiative, Reflection, ReportComment
from reports.queries import news_wall
from tests.conftest import login_participant
from tests.factories import (
    EventFactory,
    ParticipantFactory,
    RoomFactory,
    TimeSlotFactory,
    TopicFactory,
)

from .test_every_url import concrete, patterns

pytestmark = pytest.mark.django_db


def lock(client, event, locked=True):
    return client.post(
        reverse("events:event-lock", kwargs={"slug": event.slug}),
        {"locked": "1" if locked else "0"},
    )


@pytest.fixture
def cell(event):
    return RoomFactory(event=event, code="A"), TimeSlotFactory(event=event, number=1)


@pytest.fixture
def placed(event, participant, cell):
    room, slot = cell
    return TopicFactory(event=event, convener=participant, room=room, time_slot=slot)


def publish(topic):
    report = report_services.report_for(topic)
    report_services.save_report(
        report=report, base_version=1, fields={"discussion": "Vi talade"}, publish=True
    )
    report.refresh_from_db()
    return report


# -- locking ------------------------------------------------------------------------------


def test_a_facilitator_locks_and_unlocks(facilitator_client, event):
    version = event.version
    assert lock(facilitator_client, event).status_code == 302
    event.refresh_from_db()
    assert event.is_locked and event.version > version
    lock(facilitator_client, event, locked=False)
    event.refresh_from_db()
    assert not event.is_locked


def test_only_the_events_facilitators_may_lock(client, event, other_facilitator, participant):
    client.force_login(other_facilitator)
    assert lock(client, event).status_code == 403
    client.logout()
    login_participant(client, participant)
    assert lock(client, event).status_code in (302, 403)
    event.refresh_from_db()
    assert not event.is_locked


# Writes a participant keeps while the event is locked: their own name and data.
ALLOWED_WHILE_LOCKED = {
    "events:join",
    "events:join-event",
    "events:resume",
    "events:me",
    "events:my-data-delete",
    "events:invite-accept",
    "login",
    "logout",
    "set_language",
}


def test_while_locked_no_participant_write_reaches_any_view(client, event, participant, placed):
    """Every URL pattern, POSTed by a participant of the locked event: 423, or refused
    as before (403, 404, 405), never done."""
    event.locked_at = event.updated_at
    event.save()
    publish(placed)
    login_participant(client, participant)
    values = {"slug": event.slug, "pk": placed.pk, "photo_pk": 1, "token": "x", "name": "x"}
    values.update({"path": "x", "kind": "topic"})
    before = (Topic.objects.count(), ReportComment.objects.count(), SignUp.objects.count())
    checked = 0
    for name, route in patterns():
        path = concrete(route, values)
        if path is None or name in ALLOWED_WHILE_LOCKED or "<slug" not in route:
            continue
        response = client.post(path, {"title": "x", "text": "x", "what": "x", "levels": "F"})
        checked += 1
        to_login = response.status_code == 302 and response["Location"].startswith("/accounts/")
        assert to_login or response.status_code in (423, 403, 404, 405), (
            f"{name}: {response.status_code}"
        )
    assert checked > 40
    assert (Topic.objects.count(), ReportComment.objects.count(), SignUp.objects.count()) == before


def test_the_locked_answer_is_clear_as_a_page_htmx_script_and_json(
    client, event, participant, placed
):
    event.locked_at = event.updated_at
    event.save()
    login_participant(client, participant)
    url = reverse("agenda:topic-new", kwargs={"slug": event.slug})
    page = client.post(url, {"title": "x"})
    assert page.status_code == 423 and "<h1>" in page.content.decode()
    fragment = client.post(
        reverse("agenda:signup", kwargs={"slug": event.slug, "pk": placed.pk}),
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 423 and fragment["HX-Retarget"] == "#main"
    assert "<html" not in fragment.content.decode()
    text = client.post(
        reverse("reports:photo-upload", kwargs={"slug": event.slug, "pk": placed.pk}),
        headers={"X-Requested-With": "fetch"},
    )
    assert text.status_code == 423 and text["Content-Type"].startswith("text/plain")
    autosave = client.post(
        reverse("reports:report-autosave", kwargs={"slug": event.slug, "pk": placed.pk}),
        {"version": 1},
    )
    assert autosave.status_code == 423 and autosave.json()["errors"]["__all__"][0]["message"]


def test_while_locked_participants_read_and_see_why_and_facilitators_still_post(
    client, event, participant, facilitator
):
    event.locked_at = event.updated_at
    event.save()
    login_participant(client, participant)
    page = client.get(reverse("agenda:home", kwargs={"slug": event.slug}))
    assert page.status_code == 200 and "notice-locked" in page.content.decode()
    client.force_login(facilitator)
    response = client.post(reverse("agenda:topic-new", kwargs={"slug": event.slug}), {"title": "F"})
    assert response.status_code == 302
    assert Topic.objects.filter(title="F").exists()


def test_after_unlocking_participants_post_again(facilitator_client, event, participant):
    client = Client()  # the participant's phone, beside the facilitator's laptop
    lock(facilitator_client, event)
    login_participant(client, participant)
    url = reverse("agenda:topic-new", kwargs={"slug": event.slug})
    assert client.post(url, {"title": "Ett"}).status_code == 423
    lock(facilitator_client, event, locked=False)
    assert client.post(url, {"title": "Ett"}).status_code == 302


# -- hiding -------------------------------------------------------------------------------


def moderate(client, event, kind, pk, hidden=True, **data):
    url = reverse("reports:moderate", kwargs={"slug": event.slug, "kind": kind, "pk": pk})
    return client.post(url, {"hidden": "1" if hidden else "0", **data})


def test_a_hidden_topic_leaves_every_page_and_export_and_comes_back_with_its_sign_ups(
    facilitator_client, event, participant, placed
):
    client = Client()  # the participant's phone, beside the facilitator's laptop
    SignUp.objects.create(topic=placed, participant=ParticipantFactory(event=event))
    assert moderate(facilitator_client, event, "topic", placed.pk).status_code == 302
    assert not Topic.objects.active().filter(pk=placed.pk).exists()
    assert placed.title not in export_agenda_csv(event).content.decode("utf-8-sig")
    login_participant(client, participant)
    assert (
        placed.title
        not in client.get(reverse("agenda:home", kwargs={"slug": event.slug})).content.decode()
    )
    topic_url = reverse("agenda:topic", kwargs={"slug": event.slug, "pk": placed.pk})
    assert client.get(topic_url).status_code == 404
    listing = facilitator_client.get(reverse("reports:moderation", kwargs={"slug": event.slug}))
    assert placed.title in listing.content.decode()

    moderate(facilitator_client, event, "topic", placed.pk, hidden=False)
    placed.refresh_from_db()
    assert placed.withdrawn_at is None and placed.hidden_at is None and placed.is_placed
    assert placed.signups.count() == 1
    assert client.get(topic_url).status_code == 200


def test_a_topic_whose_cell_was_taken_comes_back_unplaced(facilitator_client, event, placed, cell):
    moderate(facilitator_client, event, "topic", placed.pk)
    room, slot = cell
    TopicFactory(event=event, room=room, time_slot=slot)
    moderate(facilitator_client, event, "topic", placed.pk, hidden=False)
    placed.refresh_from_db()
    assert placed.withdrawn_at is None and not placed.is_placed


def test_a_hidden_report_is_gone_for_readers_stays_hidden_when_republished_and_comes_back(
    facilitator_client, event, participant, placed
):
    client = Client()  # the participant's phone, beside the facilitator's laptop
    report = publish(placed)
    moderate(facilitator_client, event, "report", report.pk)
    assert news_wall(event) == []
    reader = ParticipantFactory(event=event)
    login_participant(client, reader)
    url = reverse("reports:report", kwargs={"slug": event.slug, "pk": placed.pk})
    assert client.get(url).status_code == 404
    comment_url = reverse("reports:comment-add", kwargs={"slug": event.slug, "pk": placed.pk})
    assert client.post(comment_url, {"text": "x"}).status_code == 404
    # Its convener sees why, and publishing again does not show it.
    client.cookies.clear()
    login_participant(client, participant)
    edit = reverse("reports:report-edit", kwargs={"slug": event.slug, "pk": placed.pk})
    assert "Hidden by a facilitator" in client.get(edit).content.decode()
    report.refresh_from_db()
    report_services.save_report(
        report=report, base_version=report.version, fields={"discussion": "Igen"}, publish=True
    )
    assert news_wall(event) == []
    moderate(facilitator_client, event, "report", report.pk, hidden=False)
    assert [r.pk for r in news_wall(event)] == [report.pk]


def test_hidden_initiatives_comments_and_reflections(
    facilitator_client, event, participant, placed
):
    event.phase = Phase.ACTION_PLANNING
    event.save()
    initiative = action_plan.raise_initiative(
        event=event, participant=participant, what="Hemligt förslag", levels="F"
    )
    report = publish(placed)
    comment = report_services.add_comment(report=report, participant=participant, text="Fult")
    reflection = action_plan.leave_reflection(
        event=event, participant=participant, text="Ord", anonymous=False
    )
    moderate(facilitator_client, event, "initiative", initiative.pk)
    moderate(facilitator_client, event, "comment", comment.pk)
    moderate(facilitator_client, event, "reflection", reflection.pk)
    assert not Initiative.objects.active().filter(pk=initiative.pk).exists()
    assert "Hemligt" not in export_action_plan_csv(event).content.decode("utf-8-sig")
    assert ReportComment.objects.get(pk=comment.pk).hidden
    assert Reflection.objects.get(pk=reflection.pk).hidden_at is not None
    kinds = {item.kind for item in moderation.hidden_content(event)}
    assert kinds == {"initiative", "comment", "reflection"}
    for kind, pk in [("initiative", initiative.pk), ("comment", comment.pk)]:
        moderate(facilitator_client, event, kind, pk, hidden=False)
    assert Initiative.objects.active().filter(pk=initiative.pk).exists()
    assert not ReportComment.objects.get(pk=comment.pk).hidden


def test_the_hide_buttons_are_there_for_facilitators_only(
    facilitator_client, event, participant, placed
):
    client = Client()  # the participant's phone, beside the facilitator's laptop
    report = publish(placed)
    pages = [
        reverse("agenda:topic", kwargs={"slug": event.slug, "pk": placed.pk}),
        reverse("reports:report", kwargs={"slug": event.slug, "pk": placed.pk}),
    ]
    for url in pages:
        assert "moderate-form" in facilitator_client.get(url).content.decode(), url
    login_participant(client, participant)
    for url in pages:
        assert "moderate-form" not in client.get(url).content.decode(), url
    assert report.pk


def test_moderation_permissions(client, event, participant, other_facilitator, placed):
    other_topic = TopicFactory(event=EventFactory(facilitators=[other_facilitator]))
    login_participant(client, participant)
    assert moderate(client, event, "topic", placed.pk).status_code == 403
    client.cookies.clear()
    client.force_login(other_facilitator)
    assert moderate(client, event, "topic", placed.pk).status_code == 403
    assert moderate(client, other_topic.event, "topic", placed.pk).status_code == 404
    assert moderate(client, other_topic.event, "nonsense", other_topic.pk).status_code == 404
    placed.refresh_from_db()
    assert placed.hidden_at is None


def test_a_topic_withdrawn_by_its_convener_is_not_the_facilitators_to_show(
    facilitator_client, event, placed
):
    from agenda import services as agenda_services

    placed.event = event
    agenda_services.withdraw_topic(topic=placed)
    assert moderate(facilitator_client, event, "topic", placed.pk, hidden=False).status_code == 404


def test_moderation_goes_back_to_a_local_page_only(facilitator_client, event, placed):
    response = moderate(facilitator_client, event, "topic", placed.pk, next="https://evil.example/")
    assert response["Location"] == reverse("reports:moderation", kwargs={"slug": event.slug})
