"""Per-object permissions beyond the URL walk (test_every_url.py): ids of another event
sent in POST data, a participant acting on another participant's things, a removed
participant's old cookie, and what a participant of a closed event may still do."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from agenda.models import SignUp, Topic
from events import services as event_services
from events.models import Phase
from reports import action_plan
from reports import services as report_services
from reports.models import Initiative, InitiativeMember, Reflection, ReportComment, ReportPhoto
from tests.conftest import login_participant
from tests.factories import ParticipantFactory, RoomFactory, TimeSlotFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "green").save(buffer, "JPEG")
    return buffer.getvalue()


def place(event, code="A", number=1, **topic):
    return TopicFactory(
        event=event,
        room=RoomFactory(event=event, code=code),
        time_slot=TimeSlotFactory(event=event, number=number),
        **topic,
    )


def url(name, event, **kwargs):
    return reverse(name, kwargs={"slug": event.slug, **kwargs})


@pytest.fixture
def two_events(event, other_event, participant):
    event.phase = other_event.phase = Phase.ACTION_PLANNING
    event.save()
    other_event.save()
    here = place(event, convener=participant, title="Här")
    there = place(other_event, convener=ParticipantFactory(event=other_event), title="Där")
    return here, there


# -- ids of another event in POST data --------------------------------------------------


def test_a_facilitator_cannot_move_a_topic_into_another_events_cell(
    facilitator_client, event, two_events
):
    here, there = two_events
    response = facilitator_client.post(
        url("agenda:topic-arrange", event, pk=here.pk),
        {"action": "move", "cell": f"{there.room_id}-{there.time_slot_id}"},
        follow=True,
    )
    assert "That place does not exist in this event." in response.content.decode()
    here.refresh_from_db()
    assert (here.room.event_id, here.time_slot.event_id) == (event.pk, event.pk)


@pytest.mark.parametrize("action", ["swap", "merge"])
def test_a_facilitator_cannot_swap_or_merge_with_another_events_topic(
    facilitator_client, event, two_events, action
):
    here, there = two_events
    response = facilitator_client.post(
        url("agenda:topic-arrange", event, pk=here.pk),
        {"action": action, "other": there.pk},
        follow=True,
    )
    assert "Choose another topic of this event." in response.content.decode()
    there.refresh_from_db()
    assert there.withdrawn_at is None and there.event_id != event.pk
    assert Topic.objects.get(pk=here.pk).withdrawn_at is None


def test_an_initiative_cannot_grow_from_another_events_session(
    participant_client, event, two_events
):
    _here, there = two_events
    response = participant_client.post(
        url("reports:action-new", event),
        {"who": "Anna", "what": "Något", "levels": ["F"], "topic": there.pk, "key": "k1"},
    )
    assert response.status_code == 200  # the form again, with the error at the field
    assert not Initiative.objects.filter(event=event).exists()


def test_a_facilitator_cannot_merge_into_another_events_initiative(
    facilitator_client, event, other_event, two_events
):
    mine = action_plan.raise_initiative(
        event=event, participant=None, who="F", what="Här", levels="F", as_facilitator=True
    )
    theirs = action_plan.raise_initiative(
        event=other_event, participant=None, who="F", what="Där", levels="F", as_facilitator=True
    )
    response = facilitator_client.post(
        url("reports:action-merge", event, pk=mine.pk), {"target": theirs.pk}
    )
    assert response.status_code == 200  # refused by the form: not a choice here
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.merged_into_id is None and theirs.merged_into_id is None


def test_a_photo_of_another_report_is_not_found_under_ones_own_session(
    participant_client, event, participant, two_events
):
    """The convener of A1 edits A1's report: a photo id of another session's report (same
    event) in the URL is 404, not a way to delete someone else's photo."""
    here, _there = two_events
    other = place(event, code="B", number=2, convener=ParticipantFactory(event=event))
    photo = report_services.add_photo(
        report=report_services.report_for(other), upload=SimpleUploadedFile("p.jpg", jpeg())
    )
    response = participant_client.post(
        url("reports:photo-edit", event, pk=here.pk, photo_pk=photo.pk), {"action": "delete"}
    )
    assert response.status_code == 404
    assert ReportPhoto.objects.filter(pk=photo.pk).exists()


# -- another participant's things ----------------------------------------------------------


def test_a_participant_id_in_post_data_signs_up_nobody_else(client, event, participant, two_events):
    here, _there = two_events
    event.phase = Phase.MARKETPLACE
    event.save()
    bertil = ParticipantFactory(event=event, name="Bertil")
    login_participant(client, bertil)
    client.post(url("agenda:signup", event, pk=here.pk), {"participant": participant.pk})
    assert list(SignUp.objects.values_list("participant_id", flat=True)) == [bertil.pk]


def test_leaving_takes_away_only_ones_own_sign_up_and_membership(
    client, event, participant, two_events
):
    here, _there = two_events
    bertil = ParticipantFactory(event=event, name="Bertil")
    SignUp.objects.create(topic=here, participant=participant)
    initiative = action_plan.raise_initiative(
        event=event, participant=participant, who="Anna", what="Nätverk", levels="F"
    )
    action_plan.join_initiative(initiative=initiative, participant=participant)
    event.phase = Phase.ROUNDS
    event.save()
    login_participant(client, bertil)
    client.post(url("agenda:signup", event, pk=here.pk), {"action": "leave"})
    assert SignUp.objects.filter(participant=participant).exists()
    event.phase = Phase.ACTION_PLANNING
    event.save()
    client.post(url("reports:action-leave", event, pk=initiative.pk))
    assert InitiativeMember.objects.filter(participant=participant).exists()


def test_a_reflection_is_changed_only_by_its_author(client, event, participant):
    event.phase = Phase.CLOSING
    event.save()
    action_plan.leave_reflection(event=event, participant=participant, text="Annas ord")
    bertil = ParticipantFactory(event=event, name="Bertil")
    login_participant(client, bertil)
    client.post(url("reports:closing", event), {"text": "Bertils ord"})
    assert Reflection.objects.get(participant=participant).text == "Annas ord"
    assert Reflection.objects.get(participant=bertil).text == "Bertils ord"


# -- a removed participant's old cookie -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("agenda:topic-new", {"title": "Smyg"}),
        ("reports:action-new", {"who": "x", "what": "Smyg", "levels": ["F"], "key": "k"}),
        ("reports:closing", {"text": "Smyg"}),
    ],
)
def test_a_removed_participants_cookie_writes_nothing(client, event, participant, name, data):
    event.phase = Phase.ACTION_PLANNING
    event.save()
    login_participant(client, participant)
    event_services.remove_participant(participant=participant)
    response = client.post(url(name, event), data)
    assert response.status_code == 403
    assert not Topic.objects.exists() and not Initiative.objects.exists()
    assert not Reflection.objects.exists()
    page = client.get(url("agenda:home", event))
    assert page.status_code == 302 and "/join/" in page["Location"]


def test_a_removed_convener_no_longer_writes_their_report_or_comments(
    client, event, participant, two_events
):
    here, _there = two_events
    report = report_services.report_for(here)
    report_services.save_report(
        report=report, base_version=report.version, fields={"discussion": "Text"}, publish=True
    )
    login_participant(client, participant)
    event_services.remove_participant(participant=participant)
    edit = client.post(
        url("reports:report-edit", event, pk=here.pk),
        {"discussion": "Efter", "version": report.version + 1, "action": "save"},
    )
    comment = client.post(url("reports:comment-add", event, pk=here.pk), {"text": "Efter"})
    assert (edit.status_code, comment.status_code) == (403, 403)
    report.refresh_from_db()
    assert report.discussion == "Text" and not ReportComment.objects.exists()


# -- a participant of a closed event ----------------------------------------------------------


@pytest.fixture
def closed(event, participant, two_events):
    here, _there = two_events
    report = report_services.report_for(here)
    report_services.save_report(
        report=report, base_version=report.version, fields={"discussion": "Text"}, publish=True
    )
    initiative = action_plan.raise_initiative(
        event=event, participant=participant, who="Anna", what="Nätverk", levels="F"
    )
    event.phase = Phase.CLOSED
    event.save()
    return {"topic": here, "report": report, "initiative": initiative}


def test_a_participant_of_a_closed_event_adds_nothing(client, event, participant, closed):
    bertil = ParticipantFactory(event=event, name="Bertil")
    login_participant(client, bertil)
    topic, initiative = closed["topic"], closed["initiative"]
    posts = [
        (url("agenda:topic-new", event), {"title": "Sent"}),
        (url("agenda:signup", event, pk=topic.pk), {}),
        (url("reports:comment-add", event, pk=topic.pk), {"text": "Sent"}),
        (url("reports:action-new", event), {"who": "B", "what": "Sent", "levels": ["F"]}),
        (url("reports:action-join", event, pk=initiative.pk), {}),
        (url("reports:closing", event), {"text": "Sent"}),
    ]
    for address, data in posts:
        response = client.post(address, data)
        assert response.status_code < 500, address
    assert Topic.objects.filter(event=event).count() == 1
    assert not SignUp.objects.exists()
    assert not ReportComment.objects.exists()
    assert Initiative.objects.filter(event=event).count() == 1
    assert not InitiativeMember.objects.exists()
    assert not Reflection.objects.exists()


def test_a_convener_of_a_closed_event_changes_neither_report_nor_initiative(
    participant_client, event, closed
):
    topic, report, initiative = closed["topic"], closed["report"], closed["initiative"]
    report.refresh_from_db()
    participant_client.post(
        url("reports:report-edit", event, pk=topic.pk),
        {"discussion": "Ändrad", "version": report.version, "action": "publish"},
    )
    participant_client.post(url("reports:action-withdraw", event, pk=initiative.pk))
    report.refresh_from_db()
    initiative.refresh_from_db()
    assert report.discussion == "Text"
    assert initiative.withdrawn_at is None


def test_a_participant_of_a_closed_event_still_sees_and_deletes_their_data(
    participant_client, event, participant, closed
):
    assert participant_client.get(url("events:my-data", event)).status_code == 200
    response = participant_client.post(url("events:my-data-delete", event), {"confirm": "yes"})
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.name == "Deleted participant"
