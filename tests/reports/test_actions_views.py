import datetime
import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from events.models import Event, Phase, Series
from reports import action_plan
from reports.models import Initiative, InitiativeMember, Reflection
from tests.conftest import login_participant
from tests.factories import (
    EventFactory,
    ParticipantFactory,
    RoomFactory,
    TimeSlotFactory,
    TopicFactory,
)


@pytest.fixture
def open_event(event):
    event.phase = Phase.ACTION_PLANNING
    event.save()
    return event


@pytest.fixture
def initiator(open_event):
    return ParticipantFactory(event=open_event, name="Ingrid Initiativ", organisation="Regionen")


@pytest.fixture
def initiative(open_event, initiator):
    return action_plan.raise_initiative(
        event=open_event,
        participant=initiator,
        what="Gemensam kompetensdag om AI i offentlig sektor",
        levels="F/G",
        when="innan sommaren",
    )


@pytest.fixture
def reflection(open_event, initiator):
    return action_plan.leave_reflection(event=open_event, participant=initiator, text="Energi!")


def url(name, event, **kwargs):
    return reverse(f"reports:{name}", kwargs={"slug": event.slug, **kwargs})


def as_role(client, role, *, event, other_event, participant, initiator, facilitator, other_fac):
    if role == "participant":
        login_participant(client, participant)
    elif role == "initiator":
        login_participant(client, initiator)
    elif role == "other_participant":
        login_participant(client, ParticipantFactory(event=other_event))
    elif role == "facilitator":
        client.force_login(facilitator)
    elif role == "other_facilitator":
        client.force_login(other_fac)
    return client


ROLES = [
    "anonymous",
    "participant",
    "initiator",
    "other_participant",
    "facilitator",
    "other_facilitator",
]

# name, method, needs (initiative/reflection), expected status per role in ROLES order
MATRIX = [
    ("actions", "get", None, [302, 200, 200, 302, 200, 302]),
    ("ladder", "get", None, [302, 200, 200, 302, 200, 302]),
    ("actions-wall", "get", None, [302, 200, 200, 302, 200, 302]),
    ("closing", "get", None, [302, 200, 200, 302, 200, 302]),
    ("action-new", "get", None, [302, 200, 200, 302, 200, 302]),
    ("action-edit", "get", "initiative", [302, 403, 200, 302, 200, 302]),
    ("action-edit", "post", "initiative", [403, 403, 200, 403, 200, 403]),
    ("action-withdraw", "post", "initiative", [403, 403, 302, 403, 302, 403]),
    ("action-join", "post", "initiative", [403, 302, 302, 403, 403, 403]),
    ("action-leave", "post", "initiative", [403, 302, 302, 403, 403, 403]),
    ("action-state", "post", "initiative", [403, 403, 302, 403, 302, 403]),
    ("ladder-move", "post", "initiative", [403, 403, 302, 403, 302, 403]),
    ("action-merge", "get", "initiative", [302, 302, 302, 302, 200, 403]),
    ("reflection-hide", "post", "reflection", [403, 403, 403, 403, 302, 403]),
    ("closing-summary", "post", None, [403, 403, 403, 403, 302, 403]),
]


@pytest.mark.parametrize(("name", "method", "needs", "expected"), MATRIX)
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(
    client,
    open_event,
    other_event,
    participant,
    initiator,
    initiative,
    reflection,
    facilitator,
    other_facilitator,
    name,
    method,
    needs,
    expected,
    role,
):
    kwargs = {}
    if needs == "initiative":
        kwargs["pk"] = initiative.pk
    elif needs == "reflection":
        kwargs["pk"] = reflection.pk
    as_role(
        client,
        role,
        event=open_event,
        other_event=other_event,
        participant=participant,
        initiator=initiator,
        facilitator=facilitator,
        other_fac=other_facilitator,
    )
    data = {"state": "done", "step": "2", "text": "Bra dag", "what": "Ny text", "levels": ["G"]}
    response = getattr(client, method)(url(name, open_event, **kwargs), data)
    assert response.status_code == expected[ROLES.index(role)]


@pytest.mark.parametrize(
    ("name", "method", "needs"),
    [
        ("actions", "post", None),
        ("ladder", "post", None),
        ("actions-wall", "post", None),
        ("action-join", "get", "initiative"),
        ("action-leave", "get", "initiative"),
        ("action-withdraw", "get", "initiative"),
        ("action-state", "get", "initiative"),
        ("ladder-move", "get", "initiative"),
        ("reflection-hide", "get", "reflection"),
        ("closing-summary", "get", None),
        ("action-new", "delete", None),
        ("closing", "put", None),
    ],
)
def test_wrong_method_is_405(
    facilitator_client, open_event, initiative, reflection, name, method, needs
):
    kwargs = {}
    if needs:
        kwargs["pk"] = initiative.pk if needs == "initiative" else reflection.pk
    response = getattr(facilitator_client, method)(url(name, open_event, **kwargs))
    assert response.status_code == 405


def test_an_initiative_of_another_event_is_404(participant_client, open_event, other_event):
    other_event.phase = Phase.ACTION_PLANNING
    other_event.save()
    foreign = action_plan.raise_initiative(
        event=other_event,
        participant=ParticipantFactory(event=other_event),
        what="Annat",
        levels="U",
    )
    for name in ("action-join", "action-leave", "action-withdraw", "ladder-move"):
        response = participant_client.post(url(name, open_event, pk=foreign.pk))
        assert response.status_code == 404, name
    assert not InitiativeMember.objects.exists()


def test_a_participant_editing_someone_elses_initiative_gets_403(
    participant_client, open_event, initiative
):
    response = participant_client.post(
        url("action-edit", open_event, pk=initiative.pk), {"what": "Kapad", "levels": ["U"]}
    )
    assert response.status_code == 403
    initiative.refresh_from_db()
    assert initiative.what.startswith("Gemensam")


# -- raising through the form --------------------------------------------------------------


def post_new(client, event, **data):
    values = {"what": "Starta ett lärnätverk", "levels": ["F", "U"], "when": "augusti", "key": ""}
    values.update(data)
    return client.post(url("action-new", event), values)


def test_raise_an_initiative_through_the_form(participant_client, open_event):
    response = post_new(participant_client, open_event, key="abc")
    initiative = Initiative.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"#initiative-{initiative.pk}")
    assert initiative.who == "Anna Andersson (Kommunen)"
    assert initiative.level_display == "F/U"
    board = participant_client.get(url("actions", open_event)).content.decode()
    assert "Starta ett lärnätverk" in board
    assert "F/U" in board


def test_the_level_choices_speak_the_events_language(participant_client, open_event):
    open_event.language = "da"
    open_event.save()
    page = participant_client.get(url("action-new", open_event)).content.decode()
    assert "F – Forberede" in page
    assert "G – Gennemføre" in page
    assert "Förbereda" not in page


@pytest.mark.parametrize(
    ("language", "label", "asks"), [("sv", "Vem är med?", True), ("en", "Who joins", False)]
)
def test_a_label_that_asks_takes_no_colon_after_it(
    participant_client, open_event, initiative, language, label, asks
):
    """The board adds a colon after each label (CSS): the Swedish "Vem är med?" read
    "Vem är med?:"."""
    open_event.language = language
    open_event.save()
    for view in ("", "?view=table"):
        page = participant_client.get(url("actions", open_event) + view).content.decode()
        marked = re.search(r'class="label-asks"[^>]*>' + re.escape(label), page) or re.search(
            r'data-label="' + re.escape(label) + r'" class="label-asks"', page
        )
        assert bool(marked) is asks, view


def test_a_double_tap_makes_one_initiative(participant_client, open_event):
    post_new(participant_client, open_event, key="same-key")
    post_new(participant_client, open_event, key="same-key")
    assert Initiative.objects.count() == 1


def test_the_new_form_carries_a_fresh_key(participant_client, open_event):
    first = participant_client.get(url("action-new", open_event)).context["form"].initial["key"]
    second = participant_client.get(url("action-new", open_event)).context["form"].initial["key"]
    assert first and second and first != second


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"what": ""}, "what", "Write what the initiative is."),
        ({"what": "x" * 5000}, "what", "at most 2000"),
        ({"who": "x" * 5000}, "who", "at most 200"),
        ({"when": "x" * 5000}, "when", "at most 100"),
        ({"guests": "x" * 5000}, "guests", "at most 1000"),
        ({"levels": ["X"]}, "levels", "Choose the level from F, G and U."),
        ({"levels": []}, "levels", "Choose at least one level."),
    ],
)
def test_bad_input_keeps_what_was_typed(participant_client, open_event, data, field, message):
    with_language = participant_client
    with_language.cookies["lang"] = "en"
    response = post_new(with_language, open_event, **data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in response.content.decode()
    # The summary takes the focus when the page loads (static/js/app.js), as on every form.
    assert re.search(r'<div class="form-errors"[^>]*data-focus-on-load', response.content.decode())
    assert not Initiative.objects.exists()
    if field != "what":
        assert "Starta ett lärnätverk" in response.content.decode()


def test_direction_controls_are_taken_out_of_who_and_when(participant_client, open_event):
    post_new(participant_client, open_event, who="Ingrid\u202e (Regionen)", when="\u2067augusti")
    initiative = Initiative.objects.get()
    assert (initiative.who, initiative.when) == ("Ingrid (Regionen)", "augusti")


def test_html_is_escaped_on_the_board_ladder_and_wall(participant_client, open_event):
    script = '<script>alert("x")</script>'
    post_new(participant_client, open_event, what=script, who=script, when=script, guests=script)
    for name in ("actions", "ladder", "actions-wall"):
        content = participant_client.get(url(name, open_event)).content.decode()
        assert script not in content, name
        assert "&lt;script&gt;" in content, name
    content = participant_client.get(url("actions", open_event) + "?view=table").content.decode()
    assert script not in content


def test_raising_when_the_event_is_closed_gives_a_clear_message(participant_client, open_event):
    open_event.phase = Phase.CLOSED
    open_event.save()
    participant_client.cookies["lang"] = "en"
    page = participant_client.get(url("action-new", open_event)).content.decode()
    assert "The event is closed" in page
    response = post_new(participant_client, open_event)
    assert response.status_code == 200
    assert "The event is closed: the action plan can no longer be changed." in (
        response.content.decode()
    )
    assert not Initiative.objects.exists()
    board = participant_client.get(url("actions", open_event)).content.decode()
    assert "The event is over" in board
    assert url("action-new", open_event) not in board


def test_a_closed_board_says_it_is_closed_once_and_offers_no_changes(
    client, open_event, initiator, initiative, facilitator
):
    """A participant read "The event is over" above the page and "The event is closed"
    under its heading, and still got "Change" with Edit and Withdraw, which only refused."""
    open_event.phase = Phase.CLOSED
    open_event.save()
    client.cookies["lang"] = "en"
    login_participant(client, initiator)
    board = client.get(url("actions", open_event)).content.decode()
    assert board.count("The event is over") == 1
    assert "The event is closed" not in board
    assert "Raise an initiative you want to take" not in board
    assert "Gemensam kompetensdag" in board
    assert url("action-edit", open_event, pk=initiative.pk) not in board
    assert url("action-withdraw", open_event, pk=initiative.pk) not in board
    # A facilitator, who gets no notice above the page, reads it on the board, and may
    # still tidy up the plan.
    client.force_login(facilitator)
    board = client.get(url("actions", open_event)).content.decode()
    assert board.count("The event is closed: the action plan can no longer be changed.") == 1
    assert url("action-edit", open_event, pk=initiative.pk) in board


def test_a_session_of_another_event_is_not_offered(participant_client, open_event, other_event):
    foreign = TopicFactory(event=other_event)
    response = post_new(participant_client, open_event, topic=str(foreign.pk))
    assert response.status_code == 200
    assert "topic" in response.context["form"].errors


def test_initiative_grows_from_a_session(participant_client, open_event):
    topic = TopicFactory(
        event=open_event,
        title="Digital tillgänglighet",
        room=RoomFactory(event=open_event, code="B"),
        time_slot=TimeSlotFactory(event=open_event, number=2),
    )
    page = participant_client.get(url("action-new", open_event) + f"?topic={topic.pk}")
    assert page.context["form"].initial["topic"] == topic.pk
    post_new(participant_client, open_event, topic=str(topic.pk))
    assert Initiative.objects.get().topic == topic
    assert (
        "B2 Digital tillgänglighet"
        in participant_client.get(url("actions", open_event)).content.decode()
    )


# -- joining ---------------------------------------------------------------------------------


def test_join_and_leave_with_htmx_answer_the_board(participant_client, open_event, initiative):
    response = participant_client.post(
        url("action-join", open_event, pk=initiative.pk), headers={"HX-Request": "true"}
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<div id="action-board"')
    assert "Anna Andersson (Kommunen)" in content
    assert url("action-leave", open_event, pk=initiative.pk) in content
    participant_client.post(
        url("action-join", open_event, pk=initiative.pk), headers={"HX-Request": "true"}
    )
    assert InitiativeMember.objects.count() == 1
    response = participant_client.post(
        url("action-leave", open_event, pk=initiative.pk), headers={"HX-Request": "true"}
    )
    assert url("action-join", open_event, pk=initiative.pk) in response.content.decode()
    assert not InitiativeMember.objects.exists()


def test_join_without_js_redirects_back_to_the_board(participant_client, open_event, initiative):
    response = participant_client.post(
        url("action-join", open_event, pk=initiative.pk), {"view": "table"}
    )
    assert response.status_code == 302
    assert response["Location"] == url("actions", open_event) + (
        f"?view=table#initiative-{initiative.pk}"
    )


def test_joining_a_closed_event_shows_the_message(participant_client, open_event, initiative):
    open_event.phase = Phase.CLOSED
    open_event.save()
    participant_client.cookies["lang"] = "en"
    response = participant_client.post(
        url("action-join", open_event, pk=initiative.pk), headers={"HX-Request": "true"}
    )
    assert "The event is closed" in response.content.decode()
    assert not InitiativeMember.objects.exists()


def test_names_follow_the_events_participant_visibility(
    participant_client, open_event, initiative, participant
):
    action_plan.join_initiative(initiative=initiative, participant=participant)
    open_event.participant_visibility = "count"
    open_event.save()
    content = participant_client.get(url("actions", open_event)).content.decode()
    assert "Anna Andersson (Kommunen)</" not in content.split('id="action-board"')[1]


def test_initiator_adds_names_of_people_not_in_the_app(client, open_event, initiative, initiator):
    login_participant(client, initiator)
    client.post(
        url("action-edit", open_event, pk=initiative.pk),
        {"who": initiative.who, "what": initiative.what, "levels": ["F"], "guests": "Eva\nOlle"},
    )
    initiative.refresh_from_db()
    assert initiative.guest_list == ["Eva", "Olle"]
    content = client.get(url("actions", open_event) + "?view=table").content.decode()
    assert "Eva, Olle" in content


def test_two_edits_of_one_initiative_do_not_overwrite_each_other(
    client, open_event, initiative, initiator
):
    """The initiator edits while a facilitator saves the same initiative: the later
    save shows what is stored now and keeps what was typed; saving again is a choice."""
    login_participant(client, initiator)
    path = url("action-edit", open_event, pk=initiative.pk)
    base = re.search(r'name="base" value="([0-9a-f]+)"', client.get(path).content.decode())[1]
    mine = {"who": initiative.who, "what": initiative.what, "levels": ["F"], "guests": "Eva"}
    facilitators = Initiative.objects.get(pk=initiative.pk)
    action_plan.edit_initiative(
        initiative=facilitators, who=mine["who"], what="Kompetensdag om AI", levels="G"
    )

    response = client.post(path, {**mine, "base": base})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else changed this initiative while you were editing it." in page
    assert "Kompetensdag om AI</div>" in page  # stored now
    assert "Gemensam kompetensdag om AI i offentlig sektor</textarea>" in page  # kept
    initiative.refresh_from_db()
    assert (initiative.what, initiative.levels, initiative.guests) == (
        "Kompetensdag om AI",
        "G",
        "",
    )
    new_base = re.search(r'name="base" value="([0-9a-f]+)"', page)[1]
    assert client.post(path, {**mine, "base": new_base}).status_code == 302
    initiative.refresh_from_db()
    assert (initiative.what, initiative.levels, initiative.guests) == (mine["what"], "F", "Eva")


def test_facilitator_merges_duplicates(facilitator_client, open_event, initiative, initiator):
    duplicate = action_plan.raise_initiative(
        event=open_event,
        participant=ParticipantFactory(event=open_event),
        what="Kompetensdag AI",
        levels="U",
    )
    page = facilitator_client.get(url("action-merge", open_event, pk=duplicate.pk))
    assert page.status_code == 200
    response = facilitator_client.post(
        url("action-merge", open_event, pk=duplicate.pk), {"target": initiative.pk}
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == initiative


# -- ladder, wall, state ---------------------------------------------------------------------


def test_ladder_move_without_js_and_with_htmx(client, open_event, initiative, initiator):
    login_participant(client, initiator)
    response = client.post(
        url("ladder-move", open_event, pk=initiative.pk), {"step": "3", "next_step": "Avtal"}
    )
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert (initiative.ladder_step, initiative.next_step) == (3, "Avtal")
    response = client.post(
        url("ladder-move", open_event, pk=initiative.pk),
        {"step": "4", "position": "0"},
        headers={"HX-Request": "true"},
    )
    assert response.content.decode().lstrip().startswith('<div id="ladder"')
    assert "initiativeMoved" in response["HX-Trigger"]
    initiative.refresh_from_db()
    assert (initiative.ladder_step, initiative.next_step) == (4, "Avtal")
    client.post(url("ladder-move", open_event, pk=initiative.pk), {"step": "9"})
    initiative.refresh_from_db()
    assert initiative.ladder_step == 4


@pytest.mark.parametrize("htmx", [False, True])
def test_two_people_writing_what_it_takes_at_once_overwrite_nothing_unseen(
    client, open_event, initiative, initiator, htmx
):
    """The initiator's form was drawn before a facilitator saved their text: the
    initiator's save is held back, with the stored text shown and theirs kept in the
    form; saving again, with the form's new base, is a choice and goes through."""
    from reports import action_plan

    drawn = action_plan.next_step_base(initiative)
    action_plan.move_on_ladder(initiative=initiative, step=2, next_step="Facilitatorns text")
    login_participant(client, initiator)
    headers = {"HX-Request": "true"} if htmx else {}
    path = url("ladder-move", open_event, pk=initiative.pk)
    data = {"step": "2", "next_step": "Min <text>", "base": drawn}
    page = client.post(path, data, headers=headers).content.decode()
    initiative.refresh_from_db()
    assert initiative.next_step == "Facilitatorns text"
    assert "Someone else changed" in page and "Facilitatorns text" in page
    assert "Min &lt;text&gt;</textarea>" in page
    new_base = re.search(
        rf'name="base" value="(\w+)">\s*<div class="field">\s*<label for="step-{initiative.pk}"',
        page,
    )
    assert new_base and new_base[1] == action_plan.next_step_base(initiative)

    client.post(path, {**data, "base": new_base[1]}, headers=headers)
    initiative.refresh_from_db()
    assert initiative.next_step == "Min <text>"


def test_wall_answers_304_while_nothing_changed(
    participant_client, open_event, initiative, participant, django_assert_max_num_queries
):
    wall = url("actions-wall", open_event)
    first = participant_client.get(wall, headers={"HX-Request": "true"})
    assert first.status_code == 200
    assert first.content.decode().lstrip().startswith('<div id="actions-wall"')
    etag = first["ETag"]
    headers = {"HX-Request": "true", "If-None-Match": etag}
    with django_assert_max_num_queries(2):
        assert participant_client.get(wall, headers=headers).status_code == 304
    action_plan.join_initiative(initiative=initiative, participant=participant)
    response = participant_client.get(wall, headers=headers)
    assert response.status_code == 200
    assert "Anna Andersson (Kommunen)" in response.content.decode()
    assert response["ETag"] != etag


def test_board_on_phones_polls_with_304_per_view(
    participant_client, open_event, initiative, participant, django_assert_max_num_queries, settings
):
    settings.POLL_COALESCE_SECONDS = 0  # coalescing: test_board_is_shared_and_personalised
    page = participant_client.get(url("actions", open_event)).content.decode()
    assert 'data-poll="10000"' in page and "js/agenda.js" in page
    headers = {"HX-Request": "true"}
    levels = participant_client.get(url("actions", open_event), headers=headers)
    table = participant_client.get(url("actions", open_event) + "?view=table", headers=headers)
    assert levels.content.decode().lstrip().startswith('<div id="action-board"')
    assert levels["ETag"] != table["ETag"]  # the two views are different fragments
    with django_assert_max_num_queries(2):
        again = participant_client.get(
            url("actions", open_event), headers={**headers, "If-None-Match": levels["ETag"]}
        )
    assert again.status_code == 304
    action_plan.join_initiative(initiative=initiative, participant=participant)
    changed = participant_client.get(
        url("actions", open_event), headers={**headers, "If-None-Match": levels["ETag"]}
    )
    assert changed.status_code == 200


def test_the_board_page_holds_its_etag_so_the_first_poll_is_a_304(
    participant_client, open_event, initiative
):
    page = participant_client.get(url("actions", open_event))
    etag = page["ETag"]
    assert f'data-etag="{escape(etag)}"' in page.content.decode()
    poll = participant_client.get(
        url("actions", open_event), headers={"HX-Request": "true", "If-None-Match": etag}
    )
    assert poll.status_code == 304


def test_follow_up_shows_the_previous_meetings_initiatives(facilitator_client, facilitator):
    series = Series.objects.create(name="Innovationsnätverket")
    first = EventFactory(
        series=series,
        date=datetime.date.today() - datetime.timedelta(days=90),
        phase=Phase.CLOSED,
        facilitators=[facilitator],
    )
    second = EventFactory(series=series, phase=Phase.ACTION_PLANNING, facilitators=[facilitator])
    earlier = action_plan.raise_initiative(
        event=first, participant=None, who="Nätverket", what="Gemensam enkät", levels="G",
        as_facilitator=True,
    )  # fmt: skip
    page = facilitator_client.get(url("actions", second)).content.decode()
    assert "Gemensam enkät" in page
    response = facilitator_client.post(
        url("follow-up-state", second, pk=earlier.pk), {"state": "done"}
    )
    assert response.status_code == 302
    earlier.refresh_from_db()
    assert earlier.state == "done"


def test_follow_up_state_is_refused_to_other_participants(client, facilitator):
    series = Series.objects.create(name="Nätverket")
    first = EventFactory(series=series, date=datetime.date.today() - datetime.timedelta(days=90))
    second = EventFactory(series=series, phase=Phase.ACTION_PLANNING, facilitators=[facilitator])
    earlier = action_plan.raise_initiative(
        event=first, participant=None, who="X", what="Y", levels="G", as_facilitator=True
    )
    login_participant(client, ParticipantFactory(event=second))
    response = client.post(url("follow-up-state", second, pk=earlier.pk), {"state": "done"})
    assert response.status_code == 403


# -- query budgets -----------------------------------------------------------------------------


def make_initiatives(event, count, also=None):
    people = [ParticipantFactory(event=event) for _ in range(3)] + ([also] if also else [])
    topic = TopicFactory(
        event=event,
        room=RoomFactory(event=event),
        time_slot=TimeSlotFactory(event=event),
    )
    for n in range(count):
        initiative = action_plan.raise_initiative(
            event=event,
            participant=people[n % 3],
            what=f"Initiativ {n}",
            levels="FGU"[n % 3],
            topic=topic,
            guests="Gäst",
        )
        action_plan.move_on_ladder(initiative=initiative, step=1 + n % 4, next_step="Mer tid")
        for person in people:
            action_plan.join_initiative(initiative=initiative, participant=person)


def queries_of(client, address) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        assert client.get(address).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize(
    "path",
    ["actions", "actions?view=table", "ladder", "actions-wall"],
)
def test_query_count_is_the_same_at_two_sizes(
    participant_client, open_event, participant, django_assert_num_queries, path, settings
):
    """Rendered afresh after a change, and (the board) from the shared render, the
    number of queries stays the same with more initiatives and more of one's own."""
    settings.POLL_COALESCE_SECONDS = 0  # every page load current: another's write shows
    name, _sep, query = path.partition("?")
    address = url(name, open_event) + (f"?{query}" if query else "")
    make_initiatives(open_event, 1, also=participant)
    participant_client.get(address)  # warm up (sessions, content types)
    open_event.touch()
    afresh, shared = (
        queries_of(participant_client, address),
        queries_of(participant_client, address),
    )
    assert afresh <= 4
    make_initiatives(open_event, 6, also=participant)
    with django_assert_num_queries(afresh):
        response = participant_client.get(address)
    with django_assert_num_queries(shared):
        again = participant_client.get(address)
    if name == "actions":
        assert shared <= afresh
        assert again.content.count(b"initiative--joined") == 7 or "table" in path
        assert response.content.count(b'name="action"') == again.content.count(b'name="action"')


def test_reflections_are_hidden_by_facilitators(facilitator_client, open_event, reflection):
    facilitator_client.post(url("reflection-hide", open_event, pk=reflection.pk), {"hidden": "1"})
    reflection.refresh_from_db()
    assert reflection.hidden_at is not None
    assert not Reflection.objects.visible().exists()


def test_board_with_a_follow_up_keeps_its_query_count(
    participant_client, open_event, facilitator, django_assert_num_queries, settings
):
    settings.POLL_COALESCE_SECONDS = 0  # every page load current: another's write shows
    series = Series.objects.create(name="Nätverket")
    earlier = EventFactory(
        series=series,
        date=open_event.date - datetime.timedelta(days=90),
        phase=Phase.ACTION_PLANNING,
        facilitators=[facilitator],
    )
    open_event.series = series
    open_event.save()
    address = url("actions", open_event)
    make_initiatives(earlier, 1)
    make_initiatives(open_event, 1)
    participant_client.get(address)
    open_event.touch()  # rendered afresh both times
    with django_assert_num_queries(6) as first:
        assert participant_client.get(address).status_code == 200
    make_initiatives(earlier, 5)
    make_initiatives(open_event, 5)
    with django_assert_num_queries(len(first.captured_queries)):
        page = participant_client.get(address)
    assert page.content.decode().count("follow-up__item") == 6


def test_the_shared_board_is_made_whole_for_each_viewer(
    open_event, initiative, initiator, participant, facilitator
):
    """One render of the board serves every participant; each still sees their own
    initiatives (joined, raised) as theirs, and gets a CSRF token that works for them."""
    import re

    from django.test import Client

    other = action_plan.raise_initiative(
        event=open_event, participant=participant, what="Mitt eget initiativ", levels="U"
    )
    action_plan.join_initiative(initiative=initiative, participant=participant)
    board = url("actions", open_event)

    def look(who):
        client = Client(enforce_csrf_checks=True)
        if who is facilitator:
            client.force_login(facilitator)
        else:
            login_participant(client, who)
        return client, client.get(board).content.decode()

    def item(page, pk):
        return re.search(rf'<li class="[^"]*" id="initiative-{pk}">.*?</li>', page, re.S)[0]

    me, mine = look(participant)
    them, theirs = look(initiator)  # from the shared render
    assert "You are in" in item(mine, initiative.pk)  # joined
    assert "You are in" not in item(theirs, initiative.pk)
    assert "action-edit" not in item(mine, initiative.pk)  # not theirs to change
    edit = "reports:action-edit"
    assert reverse(edit, kwargs={"slug": open_event.slug, "pk": other.pk}) in item(mine, other.pk)
    assert reverse(edit, kwargs={"slug": open_event.slug, "pk": initiative.pk}) in item(
        theirs, initiative.pk
    )
    # The token in a shared item works for the one who got it.
    join = item(theirs, other.pk)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', join)[1]
    action = re.search(r'<form class="initiative__join" method="post"\s+action="([^"]+)"', join)[1]
    assert them.post(action, {"csrfmiddlewaretoken": token}).status_code == 302
    assert InitiativeMember.objects.filter(initiative=other, participant=initiator).exists()
    _fac, facilitators = look(facilitator)
    assert "Merge with another" in facilitators  # a render of their own, every tool shown
    assert facilitators.count("initiative__manage") == 2


def test_a_long_guest_line_does_not_fill_the_wall(participant_client, open_event, initiator):
    action_plan.raise_initiative(
        event=open_event, participant=initiator, what="Cykelstier", levels="G", guests="x" * 1000
    )
    wall = participant_client.get(url("actions-wall", open_event)).content.decode()
    assert "x" * 200 not in wall
    assert "x" * 150 in wall


def test_the_action_wall_shows_where_to_type_the_join_code(
    participant_client, open_event, settings
):
    settings.SITE_URL = "https://openspace.example.org"
    page = participant_client.get(url("actions-wall", open_event)).content.decode()
    join = page[page.index('<div class="wall__join">') :]
    assert '<span class="wall__address">openspace.example.org/join/</span>' in join


def test_the_action_wall_prints_the_board_at_the_public_address(
    participant_client, open_event, settings
):
    """Behind a proxy the request's host may be an internal name: SITE_URL is the address
    people can reach, as on the agenda wall."""
    settings.SITE_URL = "https://openspace.example.org"
    page = participant_client.get(url("actions-wall", open_event)).content.decode()
    assert f"https://openspace.example.org/e/{open_event.slug}/actions/" in page


def test_an_initiative_in_arabic_or_hebrew_runs_right_to_left(
    participant_client, open_event, initiative
):
    """dir="auto" on the text people write: the browser sets each one's direction."""
    for name in ("actions", "ladder", "actions-wall"):
        page = participant_client.get(url(name, open_event)).content.decode()
        assert re.search(r'dir="auto">' + re.escape(initiative.what[:20]), page), name


def test_once_closed_the_initiator_still_moves_their_initiative_on_the_ladder(
    client, open_event, initiative, initiator
):
    """Which step an initiative is on today is its state, kept up to date for the follow-up
    at the next meeting, as the initiative's state is: closing does not freeze it, and
    the ladder offers the move only to whom the server allows it."""
    Event.objects.filter(pk=open_event.pk).update(phase=Phase.CLOSED)
    login_participant(client, initiator)
    page = client.get(url("ladder", open_event)).content.decode()
    assert url("ladder-move", open_event, pk=initiative.pk) in page
    response = client.post(url("ladder-move", open_event, pk=initiative.pk), {"step": "2"})
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.ladder_step == 2
