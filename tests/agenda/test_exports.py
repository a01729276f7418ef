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


def pdf_text(data: bytes) -> str:
    import subprocess

    return subprocess.run(
        ["/usr/bin/pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def test_topic_sheets_and_poster_pdfs(client, event, facilitator, participant):
    rooms, slots = build_grid(event, rooms=2, rounds=1)
    TopicFactory(event=event, room=rooms[0], time_slot=slots[0], title="<img src=x> Tillit & mod")
    TopicFactory(event=event, title="Oplacerad fråga")
    client.force_login(facilitator)
    sheets = client.get(reverse("agenda:topic-sheets", kwargs={"slug": event.slug}))
    assert sheets["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(sheets.content).split())
    assert "<img src=x> Tillit & mod" in text and "A1" in text and "Oplacerad fråga" in text
    poster = client.get(reverse("agenda:agenda-poster", kwargs={"slug": event.slug}))
    assert "Tillit & mod" in pdf_text(poster.content)


def test_printables_permissions(client, event, participant, other_facilitator):
    rooms, slots = build_grid(event, rooms=1, rounds=1)
    mine = TopicFactory(event=event, convener=participant, room=rooms[0], time_slot=slots[0])
    other = TopicFactory(event=event)
    from tests.conftest import login_participant

    login_participant(client, participant)
    assert (
        client.get(reverse("agenda:topic-sheets", kwargs={"slug": event.slug})).status_code == 302
    )
    one = reverse("agenda:topic-sheet", kwargs={"slug": event.slug, "pk": mine.pk})
    assert client.get(one).status_code == 200
    theirs = reverse("agenda:topic-sheet", kwargs={"slug": event.slug, "pk": other.pk})
    assert client.get(theirs).status_code == 403
    client.cookies.clear()
    client.force_login(other_facilitator)
    assert (
        client.get(reverse("agenda:agenda-poster", kwargs={"slug": event.slug})).status_code == 403
    )
