import pytest
from django.urls import reverse

from events.models import Phase
from reports import action_plan, action_queries
from reports.action_plan import ActionPlanError
from reports.models import ClosingSummary, Reflection
from tests.conftest import login_participant
from tests.factories import ParticipantFactory


@pytest.fixture
def closing_event(event):
    event.phase = Phase.CLOSING
    event.save()
    return event


def closing_url(event):
    return reverse("reports:closing", kwargs={"slug": event.slug})


def test_leave_and_change_a_reflection(participant_client, closing_event, participant):
    response = participant_client.post(closing_url(closing_event), {"text": "Inspirerande!"})
    assert response.status_code == 302
    participant_client.post(
        closing_url(closing_event), {"text": "Nya kontakter", "anonymous": "on"}
    )
    reflection = Reflection.objects.get()
    assert (reflection.text, reflection.anonymous) == ("Nya kontakter", True)
    assert reflection.participant == participant


def test_an_anonymous_reflection_never_shows_the_name(
    client, facilitator, closing_event, participant
):
    action_plan.leave_reflection(
        event=closing_event, participant=participant, text="Tyst tanke", anonymous=True
    )
    client.force_login(facilitator)
    page = client.get(closing_url(closing_event)).content.decode()
    assert "Tyst tanke" in page
    assert "Anna Andersson" not in page
    assert action_queries.documentation_reflections(closing_event)[0].author == ""


def test_facilitators_hide_reflections_and_still_see_them(
    client, facilitator, closing_event, participant
):
    reflection = action_plan.leave_reflection(
        event=closing_event, participant=participant, text="Olämpligt"
    )
    client.force_login(facilitator)
    client.post(
        reverse(
            "reports:reflection-hide", kwargs={"slug": closing_event.slug, "pk": reflection.pk}
        ),
        {"hidden": "1"},
    )
    assert "Olämpligt" in client.get(closing_url(closing_event)).content.decode()
    client.logout()
    login_participant(client, ParticipantFactory(event=closing_event))
    assert "Olämpligt" not in client.get(closing_url(closing_event)).content.decode()
    assert action_queries.documentation_reflections(closing_event) == []


@pytest.mark.parametrize("text", ["", "x" * 5000])
def test_bad_reflections_are_refused(participant_client, closing_event, text):
    participant_client.cookies["lang"] = "en"
    response = participant_client.post(closing_url(closing_event), {"text": text})
    assert response.status_code == 200
    assert "text" in response.context["form"].errors
    assert not Reflection.objects.exists()


def test_reflection_html_is_escaped(participant_client, closing_event):
    participant_client.post(closing_url(closing_event), {"text": "<b>fet</b>"})
    page = participant_client.get(closing_url(closing_event)).content.decode()
    assert "<b>fet</b>" not in page
    assert "&lt;b&gt;fet&lt;/b&gt;" in page


def test_reflections_are_refused_when_the_event_is_closed(participant_client, closing_event):
    closing_event.phase = Phase.CLOSED
    closing_event.save()
    participant_client.cookies["lang"] = "en"
    page = participant_client.get(closing_url(closing_event)).content.decode()
    # Said once, above the page, not again over a form that is not there.
    assert page.count("The event is over") == 1
    assert "The event is closed" not in page
    assert "Leave a reflection" not in page
    # Sent from a page opened before: refused, said why, and the text given back.
    response = participant_client.post(closing_url(closing_event), {"text": "Sent & <b>kept</b>"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "The event is closed: reflections can no longer be left." in content
    assert "Sent &amp; &lt;b&gt;kept&lt;/b&gt;" in content
    assert not Reflection.objects.exists()


def test_reflection_of_another_events_participant_is_refused(closing_event, other_event):
    with pytest.raises(ActionPlanError):
        action_plan.leave_reflection(
            event=closing_event, participant=ParticipantFactory(event=other_event), text="Hej"
        )


def test_facilitator_writes_the_summary(facilitator_client, closing_event, facilitator):
    url = reverse("reports:closing-summary", kwargs={"slug": closing_event.slug})
    response = facilitator_client.post(url, {"text": "En dag full av energi."})
    assert response.status_code == 302
    summary = ClosingSummary.objects.get()
    assert summary.updated_by == facilitator
    assert action_queries.documentation_summary(closing_event) == "En dag full av energi."
    response = facilitator_client.post(url, {"text": "x" * 10001})
    assert response.status_code == 200
    assert action_queries.documentation_summary(closing_event) == "En dag full av energi."


def test_documentation_rows_read_like_the_paper(closing_event, participant):
    initiative = action_plan.raise_initiative(
        event=closing_event,
        participant=participant,
        what="Bjud in till en hackathon",
        levels="F/U",
        when="hösten",
        guests="Eva Ek",
    )
    action_plan.join_initiative(
        initiative=initiative, participant=ParticipantFactory(event=closing_event, name="Bo")
    )
    action_plan.move_on_ladder(initiative=initiative, step=2, next_step="Gemensam budget")
    [row] = action_queries.documentation_initiatives(closing_event)
    assert row.who == "Anna Andersson (Kommunen)"
    assert (row.level, row.when, row.step, row.next_step) == ("F/U", "hösten", 2, "Gemensam budget")
    assert row.joins == "Bo (Region Exempel), Eva Ek"
    closing_event.participant_visibility = "count"
    [row] = action_queries.documentation_initiatives(closing_event)
    assert "Bo" not in row.joins and "2" in row.joins


def test_documentation_queries_are_constant(closing_event, django_assert_num_queries):
    def grow(n):
        for i in range(n):
            person = ParticipantFactory(event=closing_event)
            initiative = action_plan.raise_initiative(
                event=closing_event, participant=person, what=f"Idé {i}", levels="G"
            )
            action_plan.join_initiative(initiative=initiative, participant=person)
            action_plan.leave_reflection(event=closing_event, participant=person, text="Tack")

    grow(1)
    with django_assert_num_queries(3):
        action_queries.documentation_initiatives(closing_event)
        action_queries.documentation_reflections(closing_event)
    grow(5)
    with django_assert_num_queries(3):
        action_queries.documentation_initiatives(closing_event)
        action_queries.documentation_reflections(closing_event)
