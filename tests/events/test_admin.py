"""The Django admin works for organisers: every events model lists, opens and adds."""

import pytest
from django.urls import reverse

from events.models import FacilitatorInvite, RunSheetItem, Series
from tests.factories import RoomFactory, TimeSlotFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="organiser", is_staff=True, is_superuser=True))
    return client


def test_admin_pages_open(admin_client, event, participant, facilitator):
    RoomFactory(event=event, code="A")
    TimeSlotFactory(event=event, number=1)
    series = Series.objects.create(name="Nätverket")
    item = RunSheetItem.objects.create(
        event=event, phase="opening", starts_at="09:00", ends_at="09:30"
    )
    invite = FacilitatorInvite.objects.create(event=event, created_by=facilitator)
    for model, obj in [
        ("event", event),
        ("series", series),
        ("runsheetitem", item),
        ("participant", participant),
        ("facilitatorinvite", invite),
    ]:
        for name, args in [("changelist", []), ("add", []), ("change", [obj.pk])]:
            url = reverse(f"admin:events_{model}_{name}", args=args)
            assert admin_client.get(url).status_code == 200, url
    assert admin_client.get(reverse("admin:events_event_changelist"), {"q": "x"}).status_code == 200
