"""Create forms sent twice (a flaky phone network, a double tap) make one thing.

Every URL pattern is classified below, so a new create view cannot slip past: it is
either keyed (openspace/idempotency.py), idempotent by its nature (and why), or
changes nothing.
"""

import io
import json
import threading
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone
from PIL import Image

from agenda.models import Room, TimeSlot, Topic
from events.models import Event, FacilitatorInvite, Participant, Phase, RunSheetItem
from openspace import idempotency
from openspace.models import IdempotentRequest
from reports import event_io
from reports import services as report_services
from reports.models import Initiative, ReportComment, ReportPhoto
from tests.conftest import login_participant
from tests.factories import ParticipantFactory, TopicFactory

from .test_every_url import concrete, patterns

pytestmark = pytest.mark.django_db

KEY = "k" * 20

# -- every URL, classified --------------------------------------------------------------

# POSTs that make something new, or that would change something again when sent twice
# (a swap, a photo moved up), carry a key.
KEYED = {
    "events:join-event",
    "events:event-new",
    "events:room-add",
    "events:slot-add",
    "events:run-sheet-add",
    "events:invite-create",
    "events:event-duplicate",
    "agenda:topic-new",
    "agenda:topic-arrange",
    "reports:photo-upload",
    "reports:photo-edit",
    "reports:comment-add",
    "reports:action-new",
    "reports:event-import",
}
# POSTs that are idempotent by their nature: a second one changes nothing more.
NATURALLY_IDEMPOTENT = {
    "events:join": "a look-up of the code",
    "events:resume": "sets the cookie of an existing participant",
    "events:me": "saves the name (the same twice) or forgets this device",
    "events:event-details": "saves the fields",
    "events:event-phase": "sets the phase named in the form",
    "events:event-lock": "sets the state named in the form",
    "events:room-edit": "saves or deletes (the second delete finds nothing: 404)",
    "events:rooms-renumber": "renumbers from the order, the same result twice",
    "events:slot-edit": "saves or deletes (404 the second time)",
    "events:slots-renumber": "renumbers from the times",
    "events:run-sheet-edit": "saves the fields (refused the second time: changed since drawn)",
    "events:run-sheet-delete": "404 the second time",
    "events:participant-remove": "404 the second time",
    "events:invite-accept": "accepting twice is one co-facilitator; a second account with the "
    "same user name is refused by the form",
    "events:my-data-delete": "the second finds no participant",
    "events:privacy-settings": "saves the fields",
    "events:event-anonymise": "anonymises once (anonymised_at)",
    "events:event-delete": "404 the second time",
    "agenda:signup": "one sign-up per person (unique), leaving twice leaves once",
    "agenda:topic-edit": "saves the fields",
    "agenda:topic-withdraw": "404 the second time",
    "agenda:schedule": "the fingerprint of the grid refuses a second apply",
    "reports:report-edit": "a save based on a version; the same text twice is no conflict",
    "reports:report-autosave": "as report-edit",
    "reports:comment-moderate": "sets the state named in the form",
    "reports:documentation-settings": "saves the fields",
    "reports:documentation-pdf": "a GET",
    "reports:action-edit": "saves the fields",
    "reports:action-withdraw": "404 the second time",
    "reports:action-join": "one membership per person (unique)",
    "reports:action-leave": "leaving twice leaves once",
    "reports:action-merge": "the merged one is gone: 404 the second time",
    "reports:action-state": "sets the state named in the form",
    "reports:ladder-move": "sets the step and position named in the form",
    "reports:follow-up-state": "sets the state named in the form",
    "reports:closing": "one reflection per person, saved over",
    "reports:closing-summary": "saves the text",
    "reports:reflection-hide": "sets the state named in the form",
    "reports:moderate": "sets the state named in the form",
    "login": "logs in",
    "logout": "logs out",
    "set_language": "sets a cookie",
}


def test_every_view_that_accepts_a_post_is_keyed_or_idempotent_by_nature(event):
    values = {"slug": event.slug, "pk": 1, "photo_pk": 1, "token": "x", "name": "x", "path": "x"}
    unclassified, wrongly = [], []
    for name, route in patterns():
        path = concrete(route, values)
        if path is None:
            continue
        func = resolve(path).func
        keyed = getattr(func, "idempotent", False)
        if name in KEYED and not keyed:
            wrongly.append(name)
        accepts_post = Client().post(path).status_code != 405
        if accepts_post and name not in KEYED and name not in NATURALLY_IDEMPOTENT:
            unclassified.append(name)
    assert not wrongly, f"listed as keyed but not decorated: {wrongly}"
    assert not unclassified, f"POST views to classify here: {unclassified}"


# -- the mechanism -------------------------------------------------------------------------


def post_comment(client, event, topic, key=KEY, text="Bra!"):
    url = reverse("reports:comment-add", kwargs={"slug": event.slug, "pk": topic.pk})
    data = {"text": text}
    if key:
        data[idempotency.FIELD] = key
    return client.post(url, data)


@pytest.fixture
def published(event, participant):
    topic = TopicFactory(event=event, convener=participant)
    report = report_services.report_for(topic)
    report_services.save_report(report=report, base_version=1, fields={}, publish=True)
    return topic


def test_the_same_key_twice_makes_one_and_answers_the_same(participant_client, event, published):
    first = post_comment(participant_client, event, published)
    second = post_comment(participant_client, event, published)
    assert ReportComment.objects.count() == 1
    assert (first.status_code, first["Location"]) == (second.status_code, second["Location"])
    assert second["Idempotent-Replay"] == "true"
    assert "Idempotent-Replay" not in first


# Two different texts: the same text twice in a row is kept once whatever the keys
# (reports.services.add_comment: the back button brings the sent text back).


def test_another_key_makes_another(participant_client, event, published):
    post_comment(participant_client, event, published, key="a" * 20)
    post_comment(participant_client, event, published, key="b" * 20, text="Och mer")
    assert ReportComment.objects.count() == 2


def test_without_a_key_the_view_runs_as_before(participant_client, event, published):
    post_comment(participant_client, event, published, key="")
    post_comment(participant_client, event, published, key="", text="Och mer")
    assert ReportComment.objects.count() == 2


def test_a_malformed_key_is_ignored(participant_client, event, published):
    post_comment(participant_client, event, published, key="<script>")
    post_comment(participant_client, event, published, key="<script>", text="Och mer")
    assert ReportComment.objects.count() == 2
    assert not IdempotentRequest.objects.exists()


def test_a_refused_form_does_not_use_up_its_key(participant_client, event, published):
    assert post_comment(participant_client, event, published, text="").status_code == 200
    assert post_comment(participant_client, event, published, text="Nu").status_code == 302
    assert ReportComment.objects.get().text == "Nu"


def test_a_key_replays_nothing_for_someone_else(client, event, published, participant):
    login_participant(client, participant)
    post_comment(client, event, published)
    client.cookies.clear()
    login_participant(client, ParticipantFactory(event=event))
    post_comment(client, event, published)
    assert ReportComment.objects.count() == 2


def test_the_record_commits_with_the_write_or_not_at_all(
    participant_client, event, published, monkeypatch
):
    def broken(**kwargs):
        ReportComment.objects.create(report=published.report, text="half")
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(report_services, "add_comment", broken)
    with pytest.raises(RuntimeError):
        post_comment(participant_client, event, published)
    assert not ReportComment.objects.exists()
    assert not IdempotentRequest.objects.exists()


def test_old_records_are_deleted(participant_client, event, published, monkeypatch):
    old = IdempotentRequest.objects.create(scope="x", key="y" * 20, status=302)
    IdempotentRequest.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    monkeypatch.setattr(idempotency, "PURGE_ONE_IN", 1)
    post_comment(participant_client, event, published)
    assert not IdempotentRequest.objects.filter(pk=old.pk).exists()
    assert IdempotentRequest.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_retries_at_the_same_moment_make_one(event, participant):
    """Six requests with one key, each on its own connection, race: one comment."""
    topic = TopicFactory(event=event, convener=participant)
    report = report_services.report_for(topic)
    report_services.save_report(report=report, base_version=1, fields={}, publish=True)
    statuses, errors = [], []
    barrier = threading.Barrier(6)

    def send():
        try:
            client = login_participant(Client(), participant)
            barrier.wait()
            statuses.append(post_comment(client, event, topic).status_code)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert statuses == [302] * 6
    assert ReportComment.objects.count() == 1


# -- each keyed view ------------------------------------------------------------------------


def twice(client, url, data, **extra):
    data = {**data, idempotency.FIELD: KEY}
    first = client.post(url, data, **extra)
    second = client.post(url, data, **extra)
    assert first.status_code < 400, first.content[:500]
    assert second["Idempotent-Replay"] == "true"
    assert second.status_code == first.status_code
    assert second.get("Location") == first.get("Location")
    return first, second


def test_joining_twice_after_a_lost_answer_is_one_participant_with_the_cookie(client, event):
    url = reverse("events:join-event", kwargs={"slug": event.slug})
    data = {"name": "Anna", idempotency.FIELD: KEY}
    client.post(url, data)
    client.cookies.clear()  # the answer, and its cookie, never arrived
    second = client.post(url, data)
    participant = Participant.objects.get(event=event)
    assert second["Idempotent-Replay"] == "true"
    assert client.get(reverse("events:me", kwargs={"slug": event.slug})).status_code == 200
    assert (
        participant.name
        in client.get(reverse("events:me", kwargs={"slug": event.slug})).content.decode()
    )


def test_event_creation(facilitator_client):
    data = {
        "title": "Träff",
        "date": "2027-02-01",
        "start_time": "09:00",
        "end_time": "12:00",
        "language": "sv",
        "participant_visibility": "names",
    }
    twice(facilitator_client, reverse("events:event-new"), data)
    assert Event.objects.filter(title="Träff").count() == 1


@pytest.mark.parametrize("htmx", [False, True])
@pytest.mark.parametrize(
    ("name", "data", "model"),
    [
        ("room-add", {"room-name": "Biblioteket"}, Room),
        (
            "slot-add",
            {"slot-label": "Pass 9", "slot-starts_at": "20:00", "slot-ends_at": "21:00"},
            TimeSlot,
        ),
        (
            "run-sheet-add",
            {"item-phase": "opening", "item-starts_at": "09:00", "item-ends_at": "09:30"},
            RunSheetItem,
        ),
        ("invite-create", {}, FacilitatorInvite),
    ],
)
def test_setup_additions(facilitator_client, event, name, data, model, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    url = reverse(f"events:{name}", kwargs={"slug": event.slug})
    first, second = twice(facilitator_client, url, data, headers=headers)
    assert model.objects.filter(event=event).count() == 1
    if htmx:
        assert second.content == first.content
        assert second["Content-Type"] == first["Content-Type"]


def test_next_meeting_of_a_series(facilitator_client, event):
    url = reverse("events:event-duplicate", kwargs={"slug": event.slug})
    twice(facilitator_client, url, {"title": "Nästa", "date": "2027-03-01"})
    assert Event.objects.filter(title="Nästa").count() == 1


def test_topics_keep_their_own_key_and_the_generic_one(participant_client, event):
    url = reverse("agenda:topic-new", kwargs={"slug": event.slug})
    twice(participant_client, url, {"title": "Ett ämne"})
    assert Topic.objects.filter(title="Ett ämne").count() == 1
    assert Topic.objects.get(title="Ett ämne").idempotency_key == KEY


def test_comments(participant_client, event, published):
    url = reverse("reports:comment-add", kwargs={"slug": event.slug, "pk": published.pk})
    twice(participant_client, url, {"text": "Bra!"})
    assert ReportComment.objects.count() == 1


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.mark.parametrize("script", [False, True])
def test_photos(participant_client, event, participant, script):
    topic = TopicFactory(event=event, convener=participant)
    url = reverse("reports:photo-upload", kwargs={"slug": event.slug, "pk": topic.pk})
    headers = {"X-Requested-With": "fetch"} if script else {}
    data = {idempotency.FIELD: KEY, "caption": "Blädderblock"}
    first = participant_client.post(
        url, {**data, "photo": SimpleUploadedFile("a.jpg", jpeg())}, headers=headers
    )
    second = participant_client.post(
        url, {**data, "photo": SimpleUploadedFile("a.jpg", jpeg())}, headers=headers
    )
    assert first.status_code in (200, 302)
    assert second["Idempotent-Replay"] == "true"
    assert ReportPhoto.objects.count() == 1
    if script:
        assert second.content == first.content


def test_each_photo_of_one_form_has_its_own_key_in_the_script():
    with open("static/js/report-form.js", encoding="utf-8") as script:
        source = script.read()
    assert 'keyInput.value + "-" + filesSent' in source
    assert "send(file, row, key, caption)" in source


def test_initiatives(participant_client, event):
    event.phase = Phase.ACTION_PLANNING
    event.save()
    url = reverse("reports:action-new", kwargs={"slug": event.slug})
    twice(participant_client, url, {"what": "Ett nätverk", "levels": ["F"], "who": "Anna"})
    assert Initiative.objects.count() == 1


def test_a_replay_tells_the_browser_it_wrote_so_the_next_page_shows_the_write(
    participant_client, event
):
    """A double tap cancels the first answer, and with it the `wrote` cookie that keeps
    the next page from being a shared render of a moment before the write."""
    event.phase = Phase.ACTION_PLANNING
    event.save()
    url = reverse("reports:action-new", kwargs={"slug": event.slug})
    data = {"what": "Ett nätverk", "levels": ["F"], "who": "Anna", idempotency.FIELD: KEY}
    participant_client.post(url, data)
    participant_client.cookies.pop(f"wrote_{event.pk}", None)  # the dropped first answer
    second = participant_client.post(url, data)
    assert second["Idempotent-Replay"] == "true"
    event.refresh_from_db()
    assert second.cookies[f"wrote_{event.pk}"].value == str(event.version)


def test_imports(facilitator_client, event):
    raw = json.dumps(event_io.export_event(event)).encode()
    url = reverse("reports:event-import")
    data = {idempotency.FIELD: KEY, "slug": "kopia"}
    facilitator_client.post(url, {**data, "file": SimpleUploadedFile("e.json", raw)})
    second = facilitator_client.post(url, {**data, "file": SimpleUploadedFile("e.json", raw)})
    assert second["Idempotent-Replay"] == "true"
    assert Event.objects.filter(title=event.title).count() == 2  # the original and one copy


# -- the forms carry a key -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "who", "section"),
    [
        ("events:join-event", "anonymous", ""),
        ("events:event-new", "facilitator", ""),
        ("events:event-duplicate", "facilitator", ""),
        ("events:facilitate", "facilitator", "room-add"),
        ("events:facilitate", "facilitator", "slot-add"),
        ("events:facilitate", "facilitator", "run-sheet-add"),
        ("events:facilitate", "facilitator", "invite-create"),
        ("agenda:topic-new", "participant", ""),
        ("reports:action-new", "participant", ""),
        ("reports:event-import", "facilitator", ""),
    ],
)
def test_every_create_form_carries_a_fresh_key(
    client, event, participant, facilitator, name, who, section
):
    if who == "participant":
        login_participant(client, participant)
    elif who == "facilitator":
        client.force_login(facilitator)
    kwargs = {} if name in ("events:event-new", "reports:event-import") else {"slug": event.slug}
    url = reverse(name, kwargs=kwargs)
    page = client.get(url).content.decode()
    if section:
        action = reverse(f"events:{section}", kwargs={"slug": event.slug})
        page = page.split(f'action="{action}"', 1)[1].split("</form>", 1)[0]
    assert f'name="{idempotency.FIELD}"' in page


def test_comment_and_photo_forms_carry_a_key(participant_client, event, published):
    page = participant_client.get(
        reverse("reports:report", kwargs={"slug": event.slug, "pk": published.pk})
    ).content.decode()
    assert f'name="{idempotency.FIELD}"' in page.split('class="comment-form"', 1)[1]
    page = participant_client.get(
        reverse("reports:report-edit", kwargs={"slug": event.slug, "pk": published.pk})
    ).content.decode()
    assert f'name="{idempotency.FIELD}"' in page.split('id="photo-upload"', 1)[1]
