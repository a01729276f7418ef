"""A room, a time slot or a whole event deleted by any path leaves no topic half placed."""

import pytest
from django.urls import reverse

from agenda.models import Topic
from events.models import Event
from tests.factories import TopicFactory

pytestmark = pytest.mark.django_db


def test_deleting_a_room_by_the_orm_unplaces_its_topics(event, rooms, slots):
    topic = TopicFactory(event=event, room=rooms[0], time_slot=slots[0])
    rooms[0].delete()
    topic.refresh_from_db()
    assert (topic.room, topic.time_slot) == (None, None)


def test_deleting_time_slots_by_a_queryset_unplaces_their_topics(event, rooms, slots):
    topic = TopicFactory(event=event, room=rooms[1], time_slot=slots[1])
    event.time_slots.all().delete()
    topic.refresh_from_db()
    assert (topic.room, topic.time_slot) == (None, None)


def test_an_event_with_placed_topics_is_deleted_in_the_admin(admin_client, event, rooms, slots):
    TopicFactory(event=event, room=rooms[0], time_slot=slots[0])
    path = reverse("admin:events_event_delete", args=[event.pk])
    assert admin_client.post(path, {"post": "yes"}).status_code == 302
    assert not Event.objects.filter(pk=event.pk).exists()
    assert not Topic.objects.filter(event_id=event.pk).exists()
