import pytest
from django.core.management import call_command

from agenda.models import Room, SignUp, TimeSlot, Topic
from events.models import Event, Participant, RunSheetItem


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Event, Room, TimeSlot, RunSheetItem, Participant, Topic, SignUp)
    }


@pytest.mark.django_db
def test_seed_demo_creates_a_realistic_swedish_event(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    call_command("seed_demo", quiet=True)
    event = Event.objects.get(slug="demo")
    assert event.language == "sv"
    assert 3 <= event.rooms.count() <= 4
    assert event.time_slots.count() == 3
    assert event.facilitators.filter(username="facilitator").exists()
    assert event.topics.filter(room__isnull=False).count() >= 9
    assert SignUp.objects.filter(topic__event=event).count() > 30
    assert "Lagen om två fötter" in event.principles


@pytest.mark.django_db
def test_seed_demo_is_idempotent(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    call_command("seed_demo", quiet=True)
    first = counts()
    join_code = Event.objects.get(slug="demo").join_code
    call_command("seed_demo", quiet=True)
    assert counts() == first
    assert Event.objects.get(slug="demo").join_code == join_code


@pytest.mark.django_db
def test_seed_demo_keeps_the_facilitator_password(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    call_command("seed_demo", quiet=True)
    password = (tmp_path / "var" / "demo_facilitator_password").read_text().strip()
    call_command("seed_demo", quiet=True)
    from django.contrib.auth import authenticate

    assert authenticate(username="facilitator", password=password) is not None
