"""Two facilitators saving the same settings at once: the later save does not silently
overwrite the earlier one (openspace.concurrency.GuardedModelForm)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from events import privacy
from events.forms import EventForm, PrivacySettingsForm, RoomForm
from events.models import Event
from openspace.concurrency import fingerprint
from reports import documentation
from reports.documentation_views import DocumentationSettingsForm
from reports.models.documentation import DocumentationSettings
from tests.factories import RoomFactory

pytestmark = pytest.mark.django_db

CONFLICT = "Someone else saved this while you were editing it."


def form_data(form, **changes) -> dict:
    """What a browser sends for the unbound `form` as drawn, with `changes`."""
    data = {}
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        data[bound.html_name] = "on" if value is True else str(value)
    data.update({form.add_prefix(name): value for name, value in changes.items()})
    return data


def base_in(page: str, prefix: str = "") -> str:
    name = f"{prefix}-base" if prefix else "base"
    return re.search(rf'name="{name}" value="([0-9a-f]+)"', page)[1]


@pytest.fixture
def other_client(other_facilitator, event):
    event.facilitators.add(other_facilitator)
    client = Client()
    client.force_login(other_facilitator)
    return client


def test_two_facilitators_saving_the_event_details(facilitator_client, other_client, event):
    setup = reverse("events:facilitate", kwargs={"slug": event.slug})
    path = reverse("events:event-details", kwargs={"slug": event.slug})
    mine = form_data(EventForm(instance=event), title="Nätverksträff 5")
    base = base_in(facilitator_client.get(setup).content.decode())
    assert mine["base"] == base  # the page draws the form as form_data() does

    theirs = form_data(EventForm(instance=event), theme_question="Hur litar vi mer?")
    assert other_client.post(path, theirs).status_code == 302

    response = facilitator_client.post(path, mine)
    page = response.content.decode()
    assert response.status_code == 200 and CONFLICT in page
    assert "Hur litar vi mer?" in page  # what is stored now
    assert 'value="Nätverksträff 5"' in page  # what was typed, kept
    event.refresh_from_db()
    assert (event.title, event.theme_question) != ("Nätverksträff 5", "Hur litar vi mer?")
    assert event.theme_question == "Hur litar vi mer?"

    assert facilitator_client.post(path, {**mine, "base": base_in(page)}).status_code == 302
    event.refresh_from_db()
    assert event.title == "Nätverksträff 5"


def test_two_facilitators_saving_one_room(facilitator_client, other_client, event):
    room = RoomFactory(event=event, name="Biblioteket", capacity=20)
    path = reverse("events:room-edit", kwargs={"slug": event.slug, "pk": room.pk})
    prefix = f"room-{room.pk}"
    drawn = RoomForm(instance=room, prefix=prefix)
    mine = form_data(drawn, name="Biblioteket, övre plan")
    assert other_client.post(path, form_data(drawn, capacity="12")).status_code == 302

    response = facilitator_client.post(path, mine)
    page = response.content.decode()
    assert CONFLICT in page and "12" in page
    room.refresh_from_db()
    assert (room.name, room.capacity) == ("Biblioteket", 12)
    assert facilitator_client.post(path, {**mine, f"{prefix}-base": base_in(page, prefix)})
    room.refresh_from_db()
    assert room.name == "Biblioteket, övre plan"


def test_privacy_and_documentation_settings_are_guarded(facilitator_client, event, facilitator):
    path = reverse("events:privacy-settings", kwargs={"slug": event.slug})
    mine = form_data(PrivacySettingsForm(instance=event), privacy_controller="Kommunen")
    privacy.update_privacy_settings(
        event=event,
        privacy_controller="Regionen",
        retention_days=event.retention_days,
        privacy_notice=event.privacy_notice,
        accessibility_statement_url=event.accessibility_statement_url,
    )
    page = facilitator_client.post(path, mine).content.decode()
    assert CONFLICT in page and "Regionen" in page
    assert Event.objects.get(pk=event.pk).privacy_controller == "Regionen"

    doc_fields = {"purpose": "", "include_comments": True, "published": False}
    documentation.save_documentation_settings(
        event=event, user=facilitator, intro="Hej", **doc_fields
    )
    doc = documentation.get_documentation_settings(event)
    path = reverse("reports:documentation-settings", kwargs={"slug": event.slug})
    mine = form_data(DocumentationSettingsForm(instance=doc), intro="Välkomna")
    documentation.save_documentation_settings(
        event=event, user=facilitator, intro="Hej igen", **doc_fields
    )
    page = facilitator_client.post(path, mine).content.decode()
    assert CONFLICT in page and "Hej igen" in page
    assert DocumentationSettings.objects.get(event=event).intro == "Hej igen"

    # The closing summary lives in its own table, and is guarded too.
    doc = DocumentationSettings.objects.get(event=event)
    mine = form_data(DocumentationSettingsForm(instance=doc), summary="Vår sammanfattning")
    documentation.save_documentation_settings(
        event=event,
        user=facilitator,
        intro="Hej igen",
        summary="Deras sammanfattning",
        **doc_fields,
    )
    page = facilitator_client.post(path, mine).content.decode()
    assert CONFLICT in page and "Deras sammanfattning" in page
    assert documentation.action_queries.documentation_summary(event) == "Deras sammanfattning"


def test_a_form_drawn_before_the_check_or_saved_twice_is_no_conflict(facilitator_client, event):
    """A form without a base (drawn before an upgrade) saves as before; the same save
    sent twice finds its own change and is no conflict."""
    path = reverse("events:event-details", kwargs={"slug": event.slug})
    mine = form_data(EventForm(instance=event), title="Ny titel")
    assert facilitator_client.post(path, mine).status_code == 302
    assert facilitator_client.post(path, mine).status_code == 302  # a retry
    assert facilitator_client.post(path, {**mine, "base": ""}).status_code == 302
    assert Event.objects.get(pk=event.pk).title == "Ny titel"


def test_fingerprints_differ_by_field_and_ignore_none_versus_empty():
    assert fingerprint(["a", "b"]) != fingerprint(["ab", ""])
    assert fingerprint([None, 1]) == fingerprint(["", "1"])
