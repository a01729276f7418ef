"""A refused comment leaves the browser at the comments address; loading that address
again goes back to the report instead of a blank 405."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from events.models import Phase
from reports import services
from reports.models import ReportComment
from tests.factories import RoomFactory, TimeSlotFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def topic(event, participant):
    event.phase = Phase.ROUNDS
    event.save()
    topic = TopicFactory(
        event=event,
        convener=participant,
        title="Tillit",
        room=RoomFactory(event=event, code="A"),
        time_slot=TimeSlotFactory(event=event, number=1),
    )
    report = services.report_for(topic)
    services.save_report(
        report=report, base_version=report.version, fields={"discussion": "Text"}, publish=True
    )
    return topic


def u(name, event, **kwargs):
    return reverse(f"reports:{name}", kwargs={"slug": event.slug, **kwargs})


def test_reloading_the_address_of_a_refused_comment_goes_back_to_the_report(
    participant_client, event, topic
):
    comments = u("comment-add", event, pk=topic.pk)
    refused = participant_client.post(comments, {"text": "   "})
    assert refused.status_code == 200
    assert not ReportComment.objects.exists()

    reload = participant_client.get(comments)

    assert reload.status_code == 302
    assert reload["Location"] == u("report", event, pk=topic.pk)
    assert participant_client.get(reload["Location"]).status_code == 200


def test_a_comment_is_still_added_by_a_post(participant_client, event, topic):
    response = participant_client.post(u("comment-add", event, pk=topic.pk), {"text": "Bra!"})
    assert response.status_code == 302
    assert response["Location"] == u("report", event, pk=topic.pk) + "#comments"
    assert ReportComment.objects.get().text == "Bra!"


def test_the_comments_address_sends_someone_not_joined_to_the_join_page(client, event, topic):
    comments = u("comment-add", event, pk=topic.pk)
    response = client.get(comments)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("events:join-event", kwargs={"slug": event.slug})
    assert parse_qs(location.query)["next"] == [comments]  # then here, then the report


def test_other_methods_on_the_comments_address_are_405(participant_client, event, topic):
    assert participant_client.put(u("comment-add", event, pk=topic.pk)).status_code == 405
