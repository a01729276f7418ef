import datetime

import pytest
from django.db import connection, transaction
from django.db.models import Count
from django.db.transaction import TransactionManagementError
from django.forms.models import model_to_dict

from agenda.models import Topic
from events.models import Event, Participant
from openspace import prepared
from openspace.prepared import Prepared, insert

from .factories import (
    EventFactory,
    ParticipantFactory,
    RoomFactory,
    TimeSlotFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db

BY_SLUG = Prepared(lambda slug: Event.objects.filter(slug=slug), slug=str)


def fields(instance):
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.fields}


def test_gives_the_same_instance_as_the_orm():
    event = EventFactory(
        date=datetime.date(2026, 3, 12),
        start_time=datetime.time(9, 0),
        locked_at=datetime.datetime(2026, 3, 12, 15, 30, tzinfo=datetime.UTC),
        title="Hur möts vi? <b>&amp;</b> 🌱",
    )
    prepared = BY_SLUG.first(slug=event.slug)
    stored = Event.objects.get(slug=event.slug)
    assert fields(prepared) == fields(stored)
    assert prepared.locked_at.tzinfo is not None  # aware, as the ORM gives it
    assert prepared._state.adding is False and prepared._state.db == "default"
    assert model_to_dict(prepared) == model_to_dict(stored)


def test_each_call_uses_its_own_values_and_one_query(django_assert_num_queries):
    first, second = EventFactory(), EventFactory()
    BY_SLUG.first(slug=first.slug)  # compiled once
    with django_assert_num_queries(1):
        assert BY_SLUG.first(slug=second.slug).pk == second.pk
    assert BY_SLUG.first(slug="no-such-event") is None
    assert BY_SLUG.first(slug="x' OR '1'='1") is None  # a value, never SQL


def test_several_keywords_and_the_querysets_own_filters():
    event = EventFactory()
    here = ParticipantFactory(event=event)
    removed = ParticipantFactory(event=event, removed_at=datetime.datetime.now(datetime.UTC))
    by_token = Prepared(
        lambda event_id, token: Participant.objects.active().filter(event_id=event_id, token=token),
        event_id=int,
        token=str,
    )
    assert by_token.first(event_id=event.pk, token=here.token) == here
    assert by_token.first(event_id=event.pk, token=removed.token) is None
    assert by_token.first(event_id=EventFactory().pk, token=here.token) is None


@pytest.mark.parametrize("pk", [2**63, 2**70, -(2**63) - 1])
def test_a_key_out_of_any_columns_range_finds_nothing_as_the_orm_does(pk):
    """SQLite's driver raised OverflowError: a session's address with a 22-digit number
    in it was a 500 (GET /e/<slug>/sessions/<pk>/ and its sign-up)."""
    event = EventFactory()
    by_pk = Prepared(lambda pk: Event.objects.filter(pk=pk), pk=int)
    assert list(Event.objects.filter(pk=pk)) == []
    assert by_pk.first(pk=pk) is None
    assert by_pk.first(pk=2**63 - 1) is None  # the largest key a column holds: a query
    assert by_pk.first(pk=event.pk) == event


def test_all_keeps_the_querysets_order():
    event = EventFactory()
    people = [ParticipantFactory(event=event, name=name) for name in ("Cecilia", "Anna", "Bo")]
    by_event = Prepared(
        lambda event_id: Participant.objects.filter(event_id=event_id).order_by("name"),
        event_id=int,
    )
    assert by_event.all(event_id=event.pk) == sorted(people, key=lambda p: p.name)


@pytest.mark.django_db(transaction=True)  # autocommit outside the atomic block, as in a view
def test_select_for_update_needs_a_transaction_on_every_call():
    topic = TopicFactory()
    locked = Prepared(lambda pk: Topic.objects.select_for_update().filter(pk=pk), pk=int)
    with transaction.atomic():
        assert locked.first(pk=topic.pk) == topic
    with pytest.raises(TransactionManagementError):
        locked.first(pk=topic.pk)


def test_select_related_gives_what_the_orm_gives(django_assert_num_queries):
    event = EventFactory()
    placed = TopicFactory(
        event=event,
        room=RoomFactory(event=event, capacity=12),
        time_slot=TimeSlotFactory(event=event),
    )
    unplaced = TopicFactory(event=event)
    with_relations = Prepared(
        lambda pk: Topic.objects.filter(pk=pk).select_related("convener", "room", "time_slot"),
        pk=int,
    )
    for topic in (placed, unplaced):
        stored = Topic.objects.select_related("convener", "room", "time_slot").get(pk=topic.pk)
        with django_assert_num_queries(1):
            prepared = with_relations.first(pk=topic.pk)
            assert fields(prepared) == fields(stored)
            for relation in ("convener", "room", "time_slot"):
                related, expected = getattr(prepared, relation), getattr(stored, relation)
                assert (related and fields(related)) == (expected and fields(expected))
    assert with_relations.first(pk=unplaced.pk).room is None  # known, not looked up


def test_refuses_what_it_cannot_build_right():
    event = EventFactory()
    with pytest.raises(ValueError, match="whole model instances"):
        Prepared(lambda slug: Event.objects.filter(slug=slug).only("title"), slug=str).first(
            slug=event.slug
        )
    with pytest.raises(ValueError, match="whole model instances"):
        Prepared(lambda pk: Topic.objects.annotate(n=Count("signups")).filter(pk=pk), pk=int).first(
            pk=1
        )
    with pytest.raises(ValueError, match="once"):
        Prepared(lambda slug: Event.objects.all(), slug=str).first(slug=event.slug)
    with pytest.raises(TypeError):
        BY_SLUG.first(title=event.title)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares statements")
def test_postgresql_prepares_a_lookup_run_again_and_again(participant_client, participant):
    """openspace/settings.py turns on server-side binding: from the fifth run on a
    connection, the lookup of the participant with their event is a prepared statement
    that PostgreSQL neither parses nor plans again."""
    url = f"/e/{participant.event.slug}/"
    for _ in range(7):  # the first looks the event up alone
        assert participant_client.get(url).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any(
        'FROM "events_participant" INNER JOIN "events_event"' in sql
        and '"events_event"."slug" = $1' in sql
        for sql in prepared
    )


def test_insert_writes_the_row_the_orm_writes(django_assert_num_queries):
    event = EventFactory()
    made = Participant(event=event, name="Åsa <b>", organisation="Region")
    with django_assert_num_queries(1):
        insert(made)
    assert made.pk is not None and made._state.adding is False and made._state.db == "default"
    assert made.created_at is not None  # auto_now_add, as save() sets it
    stored = Participant.objects.get(pk=made.pk)
    assert fields(stored) == fields(made)
    by_orm = Participant.objects.create(event=event, name="Bo")
    assert set(fields(by_orm)) == set(fields(stored))


def test_insert_refuses_what_save_refuses(monkeypatch):
    with pytest.raises(ValueError, match="unsaved related object"):
        insert(Participant(event=Event(title="Not saved"), name="Anna"))
    event = EventFactory()
    monkeypatch.setattr(connection.features, "can_return_columns_from_insert", False)
    monkeypatch.setattr(prepared, "_INSERTS", {})
    with pytest.raises(ValueError, match="plain model"):
        insert(Participant(event=event, name="Anna"))


def test_insert_can_skip_a_row_a_unique_rule_refuses_and_the_transaction_goes_on(
    django_assert_num_queries,
):
    """With skip_conflict a refused row is no error: the caller's transaction stays
    usable without a savepoint around the insert."""
    first = TopicFactory(idempotency_key="form-key-0001")
    again = Topic(event=first.event, title="Again", idempotency_key="form-key-0001")
    with transaction.atomic():
        with django_assert_num_queries(1):
            assert insert(again, skip_conflict=True) is False
        assert again.pk is None and again._state.adding is True
        new = Topic(event=first.event, title="New", idempotency_key="form-key-0002")
        assert insert(new, skip_conflict=True) is True and new.pk is not None
    assert set(Topic.objects.values_list("title", flat=True)) == {first.title, "New"}
