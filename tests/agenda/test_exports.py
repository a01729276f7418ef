import pytest
from django.urls import reverse

from agenda.exporters import _escape, _fold
from agenda.models import SignUp
from tests.factories import TopicFactory

from .conftest import build_grid

pytestmark = pytest.mark.django_db


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def test_ics_has_every_placed_session_with_hostile_text_escaped(
    participant_client, event, participant
):
    rooms, slots = build_grid(event, rooms=2, rounds=1)
    TopicFactory(
        event=event, room=rooms[0], time_slot=slots[0], title='Kaffe, te; och "mer"\nrad två 🎉'
    )
    TopicFactory(event=event, title="Oplacerad")
    response = participant_client.get(reverse("agenda:ics", kwargs={"slug": event.slug}))
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    lines = unfold(text)
    assert 'SUMMARY:A1 Kaffe\\, te\\; och "mer"\\nrad två 🎉' in lines
    assert "Oplacerad" not in text
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    assert any(line.startswith("DTSTART:") and line.endswith("Z") for line in lines)


def test_my_sessions_ics_has_only_mine(participant_client, event, participant):
    rooms, slots = build_grid(event, rooms=2, rounds=1)
    mine = TopicFactory(event=event, room=rooms[0], time_slot=slots[0], title="Min")
    TopicFactory(event=event, room=rooms[1], time_slot=slots[0], title="Annan")
    SignUp.objects.create(topic=mine, participant=participant)
    text = participant_client.get(
        reverse("agenda:ics", kwargs={"slug": event.slug}) + "?mine=1"
    ).content.decode()
    assert "Min" in text and "Annan" not in text


def test_ics_needs_a_participant(client, event):
    assert client.get(reverse("agenda:ics", kwargs={"slug": event.slug})).status_code == 302


def test_fold_never_splits_a_character():
    line = "SUMMARY:" + "å" * 100
    folded = _fold(line)
    assert folded.replace("\r\n ", "") == line
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))


def test_escape():
    assert _escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
