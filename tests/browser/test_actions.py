"""The action plan in a browser.

Phones raise and join, the projector follows; the ladder by keyboard and by dragging.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from events.models import Phase
from reports import action_plan
from reports.action_demo import seed_actions
from reports.models import Initiative, InitiativeMember
from tests.conftest import PROJECTOR
from tests.factories import EventFactory, ParticipantFactory, UserFactory

from .helpers import assert_no_axe_violations as assert_accessible
from .helpers import facilitator_context, participant_context

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/tmp/shots/h6-actions")


def shoot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def scene(db):
    facilitator = UserFactory(username="lena")
    event = EventFactory(
        slug="natverk",
        title="Nätverksträff om välfärdsinnovation",
        phase=Phase.ACTION_PLANNING,
        facilitators=[facilitator],
    )
    anna = ParticipantFactory(event=event, name="Anna Andersson", organisation="Kommunen")
    bo = ParticipantFactory(event=event, name="Bo Berg", organisation="Regionen")
    return event, facilitator, anna, bo


def test_two_phones_raise_and_join_while_the_projector_follows(browser, live_server, scene):
    event, facilitator, anna, bo = scene
    base = f"{live_server.url}/e/{event.slug}"

    projector = facilitator_context(browser, live_server, facilitator, PROJECTOR).new_page()
    projector.goto(f"{base}/wall/actions/")
    expect(projector.locator("#actions-wall")).to_be_visible()
    assert_accessible(projector)

    phone_a = participant_context(browser, live_server, anna).new_page()
    phone_a.goto(f"{base}/actions/new/")
    assert_accessible(phone_a)
    phone_a.fill("#id_what", "Starta ett lärnätverk för innovationsledare")
    phone_a.check("#id_levels_0")  # F
    phone_a.check("#id_levels_2")  # U
    phone_a.fill("#id_when", "Augusti")
    phone_a.click("form.initiative-form button[type=submit]")
    expect(phone_a.locator("#action-board")).to_contain_text("Starta ett lärnätverk")
    expect(phone_a.locator("#action-board")).to_contain_text("F/U")
    first = Initiative.objects.get()

    wall = projector.locator("#actions-wall")
    expect(wall).to_contain_text("Starta ett lärnätverk för innovationsledare")
    expect(wall).to_contain_text("Anna Andersson (Kommunen)")

    phone_b = participant_context(browser, live_server, bo).new_page()
    phone_b.goto(f"{base}/actions/")
    phone_b.click(f"#join-{first.pk}")
    expect(phone_b.locator(f"#initiative-{first.pk}")).to_contain_text("Bo Berg (Regionen)")
    # The button became "Leave" and kept the keyboard focus.
    expect(phone_b.locator(f"#join-{first.pk}")).to_be_focused()
    assert InitiativeMember.objects.filter(initiative=first).count() == 1
    assert_accessible(phone_b)

    expect(wall.locator(f"#wall-initiative-{first.pk}")).to_contain_text("Bo Berg (Regionen)")

    phone_b.goto(f"{base}/actions/new/")
    phone_b.fill("#id_what", "Testa en gemensam digital blankett")
    phone_b.check("#id_levels_1")  # G
    phone_b.fill("#id_when", "nästa vecka")
    # An impatient double tap still makes one initiative.
    phone_b.dblclick("form.initiative-form button[type=submit]")
    expect(phone_b.locator("#action-board")).to_contain_text("Testa en gemensam digital blankett")
    expect(wall.locator("tbody tr")).to_have_count(2)
    assert Initiative.objects.count() == 2
    expect(wall).to_contain_text("Testa en gemensam digital blankett")

    phone_a.goto(f"{base}/actions/?view=table")
    expect(phone_a.locator("table.action-table tbody tr")).to_have_count(2)
    assert_accessible(phone_a)
    no_scroll = phone_a.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_scroll


def test_a_join_that_fails_keeps_saying_so_when_the_board_refreshes(
    browser, live_server, scene, settings
):
    settings.POLL_COALESCE_SECONDS = 0  # the refresh after the tap shows Carl at once
    event, facilitator, anna, bo = scene
    first = action_plan.raise_initiative(event=event, participant=anna, what="Nätverk", levels="F")
    second = action_plan.raise_initiative(event=event, participant=anna, what="AI-dag", levels="G")
    page = participant_context(browser, live_server, bo).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/actions/")
    # A busy board: someone joins meanwhile, so the refresh after Bo's tap is a new board.
    carl = ParticipantFactory(event=event, name="Carl Carlsson", organisation="")
    action_plan.join_initiative(initiative=second, participant=carl)
    page.route(re.compile(rf"/actions/{first.pk}/join/$"), lambda r: r.fulfill(status=500))
    page.locator(f"#join-{first.pk}").click()
    expect(page.locator(f"#initiative-{second.pk}")).to_contain_text("Carl Carlsson")
    alert = page.locator(f"#initiative-{first.pk} [data-request-error]")
    expect(alert).to_have_text(re.compile("That did not work"))
    assert not InitiativeMember.objects.filter(participant=bo).exists()


def test_a_long_action_plan_turns_pages_on_the_projector(browser, live_server, scene):
    """25 initiatives do not fit on one screen: the wall shows what fits and turns
    the page every 15 seconds, so every initiative is read out in turn."""
    event, facilitator, anna, bo = scene
    people = [ParticipantFactory(event=event, name=f"Deltagare {i}") for i in range(8)]
    initiatives = []
    for i in range(25):
        initiative = Initiative.objects.create(
            event=event,
            created_by=anna,
            who=f"Förvaltning {i}",
            what=f"Initiativ nummer {i} om samverkan mellan skola och socialtjänst",
            levels="FG",
            when="Våren 2027",
        )
        InitiativeMember.objects.bulk_create(
            InitiativeMember(initiative=initiative, participant=p) for p in people
        )
        initiatives.append(initiative)
    projector = facilitator_context(browser, live_server, facilitator, PROJECTOR).new_page()
    projector.clock.install()
    projector.goto(f"{live_server.url}/e/{event.slug}/wall/actions/")
    label = projector.locator("[data-wall-page]")
    expect(label).to_have_text(re.compile(r"^Page 1 of [2-9]$"))
    pages = int(label.inner_text().rsplit(" ", 1)[1])
    assert projector.evaluate("document.documentElement.scrollHeight <= window.innerHeight")
    expect(projector.locator("#actions-wall")).to_contain_text("and 4 more")  # 8 joiners

    seen = []
    for page in range(1, pages + 1):
        expect(label).to_have_text(f"Page {page} of {pages}")
        visible = projector.locator("#actions-wall tbody tr:visible")
        ids = [row.get_attribute("id") for row in visible.all()]
        assert ids, f"page {page} is empty"
        last_bottom = visible.last.evaluate("row => row.getBoundingClientRect().bottom")
        assert last_bottom <= PROJECTOR["height"]
        seen += ids
        projector.clock.run_for(15_000)
    assert seen == [f"wall-initiative-{initiative.pk}" for initiative in initiatives]
    expect(label).to_have_text(f"Page 1 of {pages}")  # and round again
    assert_accessible(projector)


def test_keyboard_only_move_on_the_ladder(browser, live_server, scene):
    event, facilitator, anna, _bo = scene
    initiative = action_plan.raise_initiative(
        event=event, participant=anna, what="Gemensam checklista", levels="FG"
    )
    page = facilitator_context(browser, live_server, facilitator).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/actions/ladder/")
    assert_accessible(page)

    target = f"up-{initiative.pk}"
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == target:
            break
    assert page.evaluate("document.activeElement.id") == target
    page.keyboard.press("Enter")  # Place on step 1
    expect(page.locator("#ladder .ladder__list[data-step='1']")).to_contain_text(
        "Gemensam checklista"
    )
    # htmx has wired the new buttons once the ladder script marked the new lists.
    ready = page.locator("#ladder .ladder__list[data-step='1'][data-sortable-ready]")
    expect(ready).to_be_attached()
    expect(page.locator(f"#{target}")).to_be_focused()
    page.keyboard.press("Enter")  # One step up
    expect(page.locator("#ladder .ladder__list[data-step='2']")).to_contain_text(
        "Gemensam checklista"
    )
    expect(page.locator("#ladder-status")).not_to_be_empty()
    initiative.refresh_from_db()
    assert initiative.ladder_step == 2
    assert_accessible(page)


def test_dragging_on_the_ladder(browser, live_server, scene):
    event, facilitator, anna, _bo = scene
    initiative = action_plan.raise_initiative(
        event=event, participant=anna, what="Lärnätverk", levels="U"
    )
    action_plan.move_on_ladder(initiative=initiative, step=1)
    page = facilitator_context(browser, live_server, facilitator).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/actions/ladder/")
    handle = page.locator(f"#ladder-{initiative.pk} .ladder__handle")
    handle.drag_to(page.locator("#ladder .ladder__list[data-step='3']"))
    expect(page.locator("#ladder .ladder__list[data-step='3']")).to_contain_text("Lärnätverk")
    # The list moves at once; the server's answer fills the status. Reload after it.
    expect(page.locator("#ladder-status")).not_to_be_empty()
    page.reload()
    expect(page.locator("#ladder .ladder__list[data-step='3']")).to_contain_text("Lärnätverk")
    initiative.refresh_from_db()
    assert initiative.ladder_step == 3


@pytest.mark.parametrize(("motion", "animation"), [("reduce", 0), ("no-preference", 150)])
def test_the_ladder_slides_only_for_those_who_want_motion(
    browser, live_server, scene, motion, animation
):
    event, facilitator, anna, _bo = scene
    action_plan.raise_initiative(event=event, participant=anna, what="Lärnätverk", levels="U")
    page = facilitator_context(browser, live_server, facilitator, reduced_motion=motion).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/actions/ladder/")
    expect(page.locator("#ladder .ladder__list").first).to_have_attribute(
        "data-sortable-ready", "1"
    )
    options = "l => window.Sortable.get(l).options.animation"
    assert page.locator("#ladder .ladder__list").first.evaluate(options) == animation


def test_closing_circle_page_is_accessible(browser, live_server, scene):
    event, facilitator, anna, bo = scene
    people = [anna, bo] + [ParticipantFactory(event=event) for _ in range(6)]
    seed_actions(event, people, [])
    page = participant_context(browser, live_server, anna).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/closing/")
    expect(page.locator(".reflection").first).to_be_visible()
    assert_accessible(page)


def test_joining_an_initiative_by_keyboard_is_read_out(browser, live_server, scene):
    event, facilitator, anna, bo = scene
    initiative = action_plan.raise_initiative(
        event=event, participant=bo, what="Starta ett lärnätverk", levels="F"
    )
    page = participant_context(
        browser, live_server, anna, viewport={"width": 390, "height": 844}
    ).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/actions/")
    button = page.locator(f"#join-{initiative.pk}")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#announcer")).to_have_text("You are in")
    expect(page.locator(f"#join-{initiative.pk}")).to_be_focused()
    assert InitiativeMember.objects.filter(initiative=initiative, participant=anna).exists()


def test_the_focus_stays_on_change_when_the_board_refreshes(browser, live_server, scene):
    """ "Change" (a <summary>) has no id nor link: a refresh of the board, after someone
    joined an initiative, dropped the keyboard's focus to the top of the page."""
    event, facilitator, anna, bo = scene
    own = action_plan.raise_initiative(event=event, participant=anna, what="Mitt", levels="G")
    other = action_plan.raise_initiative(event=event, participant=bo, what="Hans", levels="F")
    page = participant_context(
        browser, live_server, anna, viewport={"width": 390, "height": 844}
    ).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/actions/")
    change = f"#initiative-{own.pk} .initiative__manage summary"
    count = page.locator(f"#initiative-{other.pk} .initiative__count")
    expect(count).to_have_text("0 people")
    page.locator(change).focus()
    action_plan.join_initiative(initiative=other, participant=bo)
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # poll now
    expect(count).to_have_text("1 person", timeout=25000)  # the next poll, or the one after
    expect(page.locator(change)).to_be_focused()


def test_a_closed_board_and_closing_circle_say_so_once_on_a_phone(browser, live_server, scene):
    event, facilitator, anna, bo = scene
    people = [anna, bo] + [ParticipantFactory(event=event) for _ in range(4)]
    seed_actions(event, people, [])
    action_plan.raise_initiative(event=event, participant=anna, what="Anna's own", levels="G")
    event.phase = Phase.CLOSED
    event.save()
    page = participant_context(
        browser, live_server, anna, viewport={"width": 390, "height": 844}
    ).new_page()
    for path in ("/actions/", "/actions/?view=table", "/closing/"):
        page.goto(f"{live_server.url}/e/{event.slug}{path}")
        expect(page.locator("main .message")).to_have_count(1)
        expect(page.locator("main .message")).to_contain_text("The event is over")
        expect(page.locator("main")).not_to_contain_text("The event is closed")
        # Nothing to press that would only be refused.
        expect(page.locator("main form button, .initiative__manage")).to_have_count(0)
        assert_accessible(page)
    page.goto(f"{live_server.url}/e/{event.slug}/actions/")
    shoot(page, "closed-board-390")


@pytest.mark.skipif(not os.environ.get("SHOTS"), reason="screenshots only on request (SHOTS=1)")
def test_screenshots(browser, live_server, scene):
    event, facilitator, anna, bo = scene
    people = [anna, bo] + [ParticipantFactory(event=event) for _ in range(8)]
    seed_actions(event, people, [])
    base = f"{live_server.url}/e/{event.slug}"
    phone = participant_context(browser, live_server, anna).new_page()
    for path, name in [
        ("/actions/", "board-360"),
        ("/actions/?view=table", "table-360"),
        ("/actions/ladder/", "ladder-360"),
        ("/closing/", "closing-360"),
        ("/actions/new/", "new-360"),
    ]:
        phone.goto(base + path)
        shoot(phone, name)
    laptop = facilitator_context(browser, live_server, facilitator).new_page()
    for path, name in [
        ("/actions/", "board-1366"),
        ("/actions/?view=table", "table-1366"),
        ("/actions/ladder/", "ladder-1366"),
    ]:
        laptop.goto(base + path)
        shoot(laptop, name)
    projector = facilitator_context(browser, live_server, facilitator, PROJECTOR).new_page()
    projector.goto(base + "/wall/actions/")
    projector.screenshot(path=str(SHOTS / "wall-1920.png"))
