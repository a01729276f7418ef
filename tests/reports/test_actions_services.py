import datetime

import pytest

from events.models import Phase
from reports import action_plan
from reports.action_plan import ActionPlanError
from reports.models import Initiative, InitiativeMember, InitiativeState
from tests.factories import EventFactory, ParticipantFactory, TopicFactory


@pytest.fixture
def open_event(event):
    event.phase = Phase.ACTION_PLANNING
    event.save()
    return event


def raise_one(event, participant, **kwargs):
    values = {"what": "Gemensam workshop om e-tjänster", "levels": "F/U", "when": "augusti"}
    values.update(kwargs)
    return action_plan.raise_initiative(event=event, participant=participant, **values)


def test_raise_initiative_defaults_who_to_the_posters_name_and_organisation(
    open_event, participant
):
    initiative = raise_one(open_event, participant)
    assert initiative.who == "Anna Andersson (Kommunen)"
    assert initiative.levels == "FU"
    assert initiative.level_display == "F/U"
    assert initiative.created_by == participant
    assert initiative.state == InitiativeState.OPEN


def test_raise_initiative_bumps_the_event_version(open_event, participant):
    before = open_event.version
    raise_one(open_event, participant)
    open_event.refresh_from_db()
    assert open_event.version == before + 1


@pytest.mark.parametrize(
    ("given", "stored"),
    [("F", "F"), ("g", "G"), ("U/F", "FU"), (["U", "G", "F"], "FGU"), (["G", "G"], "G")],
)
def test_levels_are_stored_in_a_fixed_order(open_event, participant, given, stored):
    assert raise_one(open_event, participant, levels=given).levels == stored


@pytest.mark.parametrize("levels", ["X", "F/X", ["A"], "", []])
def test_an_unknown_or_missing_level_is_refused(open_event, participant, levels):
    with pytest.raises(ActionPlanError) as error:
        raise_one(open_event, participant, levels=levels)
    assert error.value.field == "levels"
    assert not Initiative.objects.exists()


@pytest.mark.parametrize("what", ["", "   \n "])
def test_an_empty_what_is_refused(open_event, participant, what):
    with pytest.raises(ActionPlanError) as error:
        raise_one(open_event, participant, what=what)
    assert error.value.field == "what"


@pytest.mark.parametrize("field", ["what", "who", "when", "guests"])
def test_5000_characters_are_refused(open_event, participant, field):
    with pytest.raises(ActionPlanError) as error:
        raise_one(open_event, participant, **{field: "x" * 5000})
    assert error.value.field == field


def test_the_same_idempotency_key_makes_one_initiative(open_event, participant):
    first = raise_one(open_event, participant, idempotency_key="tap-1")
    second = raise_one(open_event, participant, idempotency_key="tap-1")
    assert first.pk == second.pk
    assert Initiative.objects.count() == 1


def test_raising_is_refused_with_a_clear_message_when_the_event_is_closed(event, participant):
    event.phase = Phase.CLOSED
    event.save()
    with pytest.raises(ActionPlanError) as error:
        raise_one(event, participant)
    assert "closed" in error.value.message


def test_raising_waits_for_the_action_planning(event, participant):
    event.phase = Phase.ROUNDS
    event.save()
    with pytest.raises(ActionPlanError):
        raise_one(event, participant)


def test_raising_is_open_after_the_event_until_it_is_closed(facilitator):
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    past = EventFactory(date=yesterday, phase=Phase.VERNISSAGE, facilitators=[facilitator])
    someone = ParticipantFactory(event=past)
    assert action_plan.actions_open(past)
    assert raise_one(past, someone).pk
    past.phase = Phase.CLOSED
    assert not action_plan.actions_open(past)


def test_facilitators_may_raise_even_when_closed(event):
    event.phase = Phase.CLOSED
    event.save()
    initiative = action_plan.raise_initiative(
        event=event, participant=None, who="Nätverket", what="Ny träff", levels="G",
        as_facilitator=True,
    )  # fmt: skip
    assert initiative.who == "Nätverket"


def test_the_session_must_belong_to_the_same_event(open_event, participant, other_event):
    foreign = TopicFactory(event=other_event)
    with pytest.raises(ActionPlanError) as error:
        raise_one(open_event, participant, topic=foreign)
    assert error.value.field == "topic"
    own = TopicFactory(event=open_event)
    assert raise_one(open_event, participant, topic=own).topic == own


def test_joining_twice_keeps_one_sign_up(open_event, participant):
    initiative = raise_one(open_event, participant)
    other = ParticipantFactory(event=open_event)
    action_plan.join_initiative(initiative=initiative, participant=other)
    action_plan.join_initiative(initiative=initiative, participant=other)
    assert InitiativeMember.objects.filter(initiative=initiative).count() == 1
    action_plan.leave_initiative(initiative=initiative, participant=other)
    assert not InitiativeMember.objects.exists()


def test_joining_an_initiative_of_another_event_is_refused(open_event, participant, other_event):
    initiative = raise_one(open_event, participant)
    stranger = ParticipantFactory(event=other_event)
    with pytest.raises(ActionPlanError):
        action_plan.join_initiative(initiative=initiative, participant=stranger)
    assert not InitiativeMember.objects.exists()


def test_joining_is_refused_when_the_event_is_closed(open_event, participant):
    initiative = raise_one(open_event, participant)
    open_event.phase = Phase.CLOSED
    open_event.save()
    with pytest.raises(ActionPlanError):
        action_plan.join_initiative(initiative=initiative, participant=participant)


def test_edit_and_withdraw(open_event, participant):
    initiative = raise_one(open_event, participant)
    action_plan.edit_initiative(
        initiative=initiative, who="Anna och Bo", what="Ändrad", levels=["G"], when="v. 34"
    )
    initiative.refresh_from_db()
    assert (initiative.who, initiative.what, initiative.levels) == ("Anna och Bo", "Ändrad", "G")
    action_plan.withdraw_initiative(initiative=initiative)
    assert not Initiative.objects.active().exists()


def test_merge_moves_people_guests_and_levels(open_event, participant):
    target = raise_one(open_event, participant, levels="F", guests="Eva Ek")
    bo = ParticipantFactory(event=open_event, name="Bo")
    cia = ParticipantFactory(event=open_event, name="Cia")
    source = action_plan.raise_initiative(
        event=open_event, participant=bo, what="Samma sak", levels="U", guests="Eva Ek\nOlle"
    )
    action_plan.join_initiative(initiative=source, participant=cia)
    action_plan.join_initiative(initiative=target, participant=cia)
    action_plan.merge_initiatives(source=source, target=target)
    target.refresh_from_db()
    source.refresh_from_db()
    assert source.merged_into == target
    assert target.levels == "FU"
    assert target.guest_list == ["Eva Ek", "Olle"]
    members = set(target.members.values_list("participant__name", flat=True))
    assert members == {"Bo", "Cia"}
    assert list(Initiative.objects.active()) == [target]


def test_merge_refuses_the_same_initiative_and_another_event(open_event, participant, other_event):
    one = raise_one(open_event, participant)
    with pytest.raises(ActionPlanError):
        action_plan.merge_initiatives(source=one, target=one)
    other_event.phase = Phase.ACTION_PLANNING
    other_event.save()
    foreign = raise_one(other_event, ParticipantFactory(event=other_event))
    with pytest.raises(ActionPlanError):
        action_plan.merge_initiatives(source=one, target=foreign)


def test_move_on_ladder_places_and_orders(open_event, participant):
    a, b, c = (raise_one(open_event, participant, what=w) for w in "abc")
    action_plan.move_on_ladder(initiative=a, step=2)
    action_plan.move_on_ladder(initiative=b, step=2)
    action_plan.move_on_ladder(initiative=c, step=2, position=0, next_step="En gemensam budget")
    on_step = list(
        Initiative.objects.filter(ladder_step=2)
        .order_by("ladder_position")
        .values_list("what", flat=True)
    )
    assert on_step == ["c", "a", "b"]
    c.refresh_from_db()
    assert c.next_step == "En gemensam budget"
    action_plan.move_on_ladder(initiative=c, step=None)
    c.refresh_from_db()
    assert c.ladder_step is None
    assert c.next_step == "En gemensam budget"


@pytest.mark.parametrize("step", [0, 5, -1])
def test_move_on_ladder_refuses_an_unknown_step(open_event, participant, step):
    initiative = raise_one(open_event, participant)
    with pytest.raises(ActionPlanError):
        action_plan.move_on_ladder(initiative=initiative, step=step)


def test_set_state_works_after_the_event_is_closed(open_event, participant):
    initiative = raise_one(open_event, participant)
    open_event.phase = Phase.CLOSED
    open_event.save()
    action_plan.set_state(initiative=initiative, state="done")
    initiative.refresh_from_db()
    assert initiative.state == InitiativeState.DONE
    with pytest.raises(ActionPlanError):
        action_plan.set_state(initiative=initiative, state="forgotten")
