"""Privacy (GDPR): the notice, a participant's own data (see, download, delete), the
facilitators' anonymisation and deletion, the retention command, and who may do what."""

import datetime
import io
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from agenda.models import SignUp, Topic
from events import privacy
from events.models import Event, Participant
from reports import services as report_services
from reports.models import (
    DocumentationRender,
    Initiative,
    InitiativeMember,
    Reflection,
    Report,
    ReportComment,
    ReportPhoto,
)
from tests.conftest import login_participant
from tests.factories import (
    EventFactory,
    ParticipantFactory,
    RoomFactory,
    SignUpFactory,
    TimeSlotFactory,
    TopicFactory,
    UserFactory,
)
from tests.test_settings import load_settings

pytestmark = pytest.mark.django_db

# What belongs to someone else and must never show in Anna's data.
OTHERS = ["Bertil Berg", "Byggkontoret", "Cecilia Co", "Gustav Gäst", "Bertils egen kommentar"]


@pytest.fixture
def world(event, participant, other_event):
    """Anna (participant) convenes a session Bertil signs up for; both comment; Anna
    raises an initiative Bertil joins, and the other way round; both reflect."""
    bertil = ParticipantFactory(event=event, name="Bertil Berg", organisation="Byggkontoret")
    room = RoomFactory(event=event, code="A", capacity=1)
    slot = TimeSlotFactory(event=event, number=1)
    topic = TopicFactory(
        event=event,
        convener=participant,
        title="Klarspråk i beslut",
        description="Hur skriver vi så att alla förstår?",
        co_convener="Cecilia Co",
        room=room,
        time_slot=slot,
    )
    bertils_topic = TopicFactory(event=event, convener=bertil, title="Bygglov på en dag")
    report = Report.objects.create(
        topic=topic,
        event=event,
        participant_names="Anna Andersson, Bertil Berg, Gustav Gäst",
        discussion="Vi pratade om klarspråk.",
        last_edited_by=participant.display_name,
        published_at=timezone.now(),
    )
    seat = SignUpFactory(topic=topic, participant=participant)
    waiting = SignUpFactory(topic=topic, participant=bertil, waiting=True)
    SignUpFactory(topic=bertils_topic, participant=participant)
    mine = ReportComment.objects.create(
        report=report, participant=participant, author_name=participant.display_name, text="Bra!"
    )
    theirs = ReportComment.objects.create(
        report=report, participant=bertil, author_name=bertil.display_name, text=OTHERS[-1]
    )
    initiative = Initiative.objects.create(
        event=event,
        created_by=participant,
        who=participant.display_name,
        what="Klarspråksverkstad",
        levels="G",
        guests="Gustav Gäst",
    )
    bertils_initiative = Initiative.objects.create(
        event=event, created_by=bertil, who=bertil.display_name, what="Bygglovsguide", levels="U"
    )
    InitiativeMember.objects.create(initiative=initiative, participant=bertil)
    InitiativeMember.objects.create(initiative=bertils_initiative, participant=participant)
    Reflection.objects.create(event=event, participant=participant, text="Energi!")
    Reflection.objects.create(event=event, participant=bertil, text="Trött men glad.")
    stranger = ParticipantFactory(event=other_event, name="Sara Annan")
    return {
        "bertil": bertil,
        "topic": topic,
        "report": report,
        "seat": seat,
        "waiting": waiting,
        "mine": mine,
        "theirs": theirs,
        "initiative": initiative,
        "stranger": stranger,
    }


def _url(name, event, **kwargs):
    return reverse(f"events:{name}", kwargs={"slug": event.slug, **kwargs})


# -- the notice ---------------------------------------------------------------------------


def test_default_notice_is_in_the_events_language_and_says_who_and_how_long(event):
    event.language = "sv"
    event.date = datetime.date(2027, 3, 1)
    event.retention_days = 30
    event.privacy_controller = "Region Exempel, dataskydd@region.se"
    text = privacy.default_privacy_notice(event)
    assert "Region Exempel, dataskydd@region.se" in text
    assert "31 mars 2027" in text  # the date in Swedish: the event's language
    event.language = "da"
    assert "31. marts 2027" in privacy.default_privacy_notice(event)
    assert "e-mail" in privacy.default_privacy_notice(event, "en")


def test_notice_without_retention_or_controller_still_says_both(event):
    text = privacy.default_privacy_notice(event)
    assert "until the organiser anonymises the participants" in text
    assert "the organiser of this event" in text


def test_untouched_default_notice_is_stored_empty_and_follows_later_changes(event):
    untouched = privacy.default_privacy_notice(event)
    privacy.update_privacy_settings(
        event=event,
        privacy_controller="Kommunen",
        privacy_notice=untouched.replace("\n", "\r\n"),
        retention_days=90,
        accessibility_statement_url="",
    )
    event.refresh_from_db()
    assert event.privacy_notice == ""
    assert "Kommunen" in privacy.privacy_notice_text(event)
    assert "90" in privacy.privacy_notice_text(event)


def test_an_edited_notice_is_kept(event):
    privacy.update_privacy_settings(
        event=event,
        privacy_controller="",
        privacy_notice="Vår egen text.\n\nAndra stycket.",
        retention_days=None,
        accessibility_statement_url="",
    )
    event.refresh_from_db()
    assert privacy.privacy_notice_text(event) == "Vår egen text.\n\nAndra stycket."


def test_the_next_meeting_of_a_series_keeps_the_privacy_settings(event, facilitator):
    from events.services import duplicate_event

    event.privacy_controller, event.retention_days = "Region Exempel", 60
    event.privacy_notice = "Vår egen text."
    event.accessibility_statement_url = "https://region.se/a11y"
    event.save()
    copy = duplicate_event(
        event=event, user=facilitator, slug="nasta", title="Nästa", date=datetime.date(2027, 5, 1)
    )
    assert (copy.privacy_controller, copy.retention_days) == ("Region Exempel", 60)
    assert copy.privacy_notice == "Vår egen text."
    assert copy.accessibility_statement_url == "https://region.se/a11y"


def test_notice_page_is_public_and_linked_from_the_join_page_and_footer(client, event, world):
    event.privacy_controller = "Region Exempel"
    event.language = "en"  # the pages follow the event's language
    event.save()
    response = client.get(_url("privacy", event))
    assert response.status_code == 200
    assert "Region Exempel" in response.content.decode()
    join = client.get(_url("join-event", event)).content.decode()
    assert _url("privacy", event) in join
    assert "no e-mail" in join.lower()
    login_participant(client, world["bertil"])
    assert _url("privacy", event) in client.get(_url("me", event)).content.decode()
    assert client.get(reverse("events:privacy", kwargs={"slug": "nope"})).status_code == 404
    assert client.post(_url("privacy", event)).status_code == 405


def test_join_form_asks_only_for_a_name_and_an_optional_organisation(client, event):
    form = client.get(_url("join-event", event)).context["form"]
    assert list(form.fields) == ["name", "organisation"]
    assert not form.fields["organisation"].required
    assert not any(f.name == "email" for f in Participant._meta.get_fields())


def test_accessibility_statement_from_the_setting_or_the_event(client, event, settings):
    settings.ACCESSIBILITY_STATEMENT_URL = "https://example.se/tillganglighet"
    assert (
        "https://example.se/tillganglighet" in client.get(_url("privacy", event)).content.decode()
    )
    assert (
        "https://example.se/tillganglighet" in client.get(reverse("events:join")).content.decode()
    )
    event.accessibility_statement_url = "https://kommun.se/a11y"
    event.save()
    page = client.get(_url("privacy", event)).content.decode()
    assert "https://kommun.se/a11y" in page and "example.se/tillganglighet" not in page
    assert "https://kommun.se/a11y" in client.get(_url("join-event", event)).content.decode()


def test_accessibility_statement_setting_must_be_an_address():
    result = load_settings("s.ACCESSIBILITY_STATEMENT_URL", DEBUG="true")
    assert result.returncode == 0 and result.stdout.strip() == ""
    result = load_settings(
        "s.ACCESSIBILITY_STATEMENT_URL", DEBUG="true", ACCESSIBILITY_STATEMENT_URL="https://a.se/x"
    )
    assert result.stdout.strip() == "https://a.se/x"
    result = load_settings(DEBUG="true", ACCESSIBILITY_STATEMENT_URL="javascript:alert(1)")
    assert result.returncode != 0
    assert "ACCESSIBILITY_STATEMENT_URL must start with https://" in result.stderr


# -- a participant's own data ----------------------------------------------------------------


def test_participant_data_holds_their_things_and_nobody_elses(participant, world):
    data = privacy.participant_data(participant)
    assert data["you"] == {
        "name": "Anna Andersson",
        "organisation": "Kommunen",
        "joined_at": participant.created_at.isoformat(),
    }
    assert [t["title"] for t in data["topics"]] == ["Klarspråk i beslut"]
    assert data["topics"][0]["session"] == "A1"
    assert data["topics"][0]["report"]["discussion"] == "Vi pratade om klarspråk."
    assert {s["topic"] for s in data["sign_ups"]} == {"Klarspråk i beslut", "Bygglov på en dag"}
    assert [c["text"] for c in data["comments"]] == ["Bra!"]
    assert [i["what"] for i in data["initiatives"]] == ["Klarspråksverkstad"]
    assert [m["initiative"] for m in data["initiatives_joined"]] == ["Bygglovsguide"]
    assert data["closing_reflection"]["text"] == "Energi!"
    dumped = json.dumps(data, ensure_ascii=False)
    for other in [*OTHERS, "Trött men glad.", "Sara Annan"]:
        assert other not in dumped


def test_download_is_a_json_attachment_of_only_their_data(client, event, participant, world):
    login_participant(client, participant)
    response = client.get(_url("my-data-download", event))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{event.slug}-my-data.json"'
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["format"] == "openspace-participant-data"
    assert data["you"]["name"] == "Anna Andersson"
    assert data["event"]["title"] == event.title
    text = response.content.decode()
    for other in [*OTHERS, "Trött men glad.", "Sara Annan"]:
        assert other not in text


def test_my_data_page_lists_everything(client, event, participant, world):
    login_participant(client, participant)
    page = client.get(_url("my-data", event)).content.decode()
    for mine in ["Anna Andersson", "Kommunen", "Klarspråk i beslut", "Bra!", "Energi!"]:
        assert mine in page
    assert "Bertils egen kommentar" not in page
    assert _url("my-data-download", event) in page and _url("my-data-delete", event) in page


def test_my_data_page_query_count_does_not_grow(
    client, event, participant, django_assert_num_queries
):
    login_participant(client, participant)

    def add(count):
        for _ in range(count):
            topic = TopicFactory(event=event, convener=participant)
            SignUpFactory(topic=topic, participant=participant)

    add(1)
    client.get(_url("my-data", event))
    with django_assert_num_queries(13) as one:
        client.get(_url("my-data", event))
    add(4)
    with django_assert_num_queries(len(one.captured_queries)):
        client.get(_url("my-data", event))


@pytest.mark.parametrize("name", ["my-data", "my-data-download", "my-data-delete"])
def test_own_data_pages_permission_matrix(
    client, event, other_event, participant, facilitator, name
):
    url = _url(name, event)
    response = client.get(url)  # anonymous: asked to join
    assert response.status_code == 302 and "/join/" in response["Location"]
    login_participant(client, ParticipantFactory(event=other_event))  # another event's
    assert client.get(url).status_code == 302
    assert client.post(url, {"confirm": "yes"}).status_code in (403, 405)
    client.cookies.clear()
    client.force_login(facilitator)  # facilitates, but has no data as a participant
    assert client.get(url).status_code == 302
    assert client.post(url, {"confirm": "yes"}).status_code in (302, 405)
    client.logout()
    login_participant(client, participant)
    assert client.get(url).status_code == 200
    assert client.put(url).status_code == 405
    assert client.get(reverse(f"events:{name}", kwargs={"slug": "nope"})).status_code == 404
    participant.refresh_from_db()
    assert participant.name == "Anna Andersson" and participant.is_active


def test_deleting_needs_the_csrf_token(event, participant):
    client = Client(enforce_csrf_checks=True)
    login_participant(client, participant)
    assert client.post(_url("my-data-delete", event), {"confirm": "yes"}).status_code == 403
    participant.refresh_from_db()
    assert participant.name == "Anna Andersson"


def test_a_post_without_the_confirmation_deletes_nothing(client, event, participant, world):
    login_participant(client, participant)
    response = client.post(_url("my-data-delete", event))
    assert response.status_code == 200
    assert 'name="confirm" value="yes"' in response.content.decode()
    participant.refresh_from_db()
    assert participant.name == "Anna Andersson"


def test_deleting_own_data_anonymises_and_logs_out(client, event, participant, world):
    login_participant(client, participant)
    assert client.get(_url("my-data-delete", event)).status_code == 200
    response = client.post(_url("my-data-delete", event), {"confirm": "yes"})
    assert response.status_code == 302 and response["Location"] == _url("privacy", event)
    cookie = response.cookies[f"participant_{event.pk}"]
    assert cookie.value == "" and cookie["max-age"] == 0
    # The old cookie no longer makes anyone anybody.
    login_participant(client, participant)
    assert client.get(_url("my-data", event)).status_code == 302
    participant.refresh_from_db()
    assert participant.name == "Deleted participant"


def test_delete_participant_data_keeps_topics_and_removes_what_is_theirs(event, participant, world):
    token = participant.token
    DocumentationRender.objects.create(event=event, key="1.1")
    privacy.delete_participant_data(participant=participant)
    participant.refresh_from_db()
    assert participant.name == "Deleted participant"
    assert participant.organisation == ""
    assert participant.token != token
    assert participant.removed_at is not None and participant.anonymised_at is not None
    # Kept, credited to "Deleted participant".
    topic = Topic.objects.get(pk=world["topic"].pk)
    assert (
        topic.convener_id == participant.pk and topic.convener.display_name == "Deleted participant"
    )
    assert Report.objects.filter(pk=world["report"].pk).exists()
    initiative = Initiative.objects.get(pk=world["initiative"].pk)
    assert initiative.who == "Deleted participant"
    assert initiative.guests == "Gustav Gäst"  # someone else's name: not theirs to delete
    assert Report.objects.get(pk=world["report"].pk).last_edited_by == "Deleted participant"
    # Deleted: their sign-ups (the person waiting gets the seat), memberships, comments,
    # reflection; and the rendered documentation that printed their name.
    assert not SignUp.objects.filter(participant=participant).exists()
    assert SignUp.objects.get(pk=world["waiting"].pk).waiting is False
    assert not InitiativeMember.objects.filter(participant=participant).exists()
    assert not ReportComment.objects.filter(pk=world["mine"].pk).exists()
    assert not Reflection.objects.filter(participant=participant).exists()
    assert not DocumentationRender.objects.filter(event=event).exists()
    # Everyone else's things stay as they were.
    bertil = world["bertil"]
    bertil.refresh_from_db()
    assert bertil.name == "Bertil Berg" and bertil.organisation == "Byggkontoret"
    assert ReportComment.objects.get(pk=world["theirs"].pk).author_name == bertil.display_name
    assert InitiativeMember.objects.filter(participant=bertil).exists()
    assert Reflection.objects.filter(participant=bertil).exists()
    assert topic.co_convener == "Cecilia Co"
    # Twice is the same as once.
    privacy.delete_participant_data(participant=participant)
    participant.refresh_from_db()
    assert participant.name == "Deleted participant"


def test_a_name_changed_before_deleting_is_gone_too(client, event, participant, world):
    """Anna renames herself on the "Me" page, then deletes her data: the name her
    initiative, comment and report were saved under goes as well as the new one."""
    old = participant.display_name
    login_participant(client, participant)
    client.post(_url("me", event), {"name": "Anna A", "organisation": ""})
    assert Initiative.objects.get(pk=world["initiative"].pk).who == "Anna A"
    assert ReportComment.objects.get(pk=world["mine"].pk).author_name == "Anna A"
    client.post(_url("my-data-delete", event), {"confirm": "yes"})
    assert Initiative.objects.get(pk=world["initiative"].pk).who == "Deleted participant"
    assert Report.objects.get(pk=world["report"].pk).last_edited_by == "Deleted participant"
    for model, field in [(Initiative, "who"), (Report, "last_edited_by")]:
        assert not model.objects.filter(**{f"{field}__contains": "Anna Andersson"}).exists()
    assert (
        old
        not in client.get(reverse("reports:actions", kwargs={"slug": event.slug})).content.decode()
    )


def _write_with_the_link(client, event, report, writer, discussion: str) -> None:
    """`writer` saves `report` through the write link its convener handed them."""
    login_participant(client, writer)
    page = reverse("reports:report-edit", kwargs={"slug": event.slug, "pk": report.topic_id})
    report.refresh_from_db()
    response = client.post(
        f"{page}?key={report.write_token}",
        {"discussion": discussion, "version": report.version, "action": "save"},
    )
    assert response.status_code == 302, response.content.decode()[:500]


def test_a_new_name_reaches_every_report_the_person_edited(client, event, participant, world):
    """Bertil writes Anna's report with the link she gave him, then renames himself:
    "Last edited by" follows his new name, not only on sessions he convened; deleting
    his data then takes that name away too."""
    bertil, report = world["bertil"], world["report"]
    _write_with_the_link(client, event, report, bertil, "Bertils anteckningar")
    report.refresh_from_db()
    assert report.last_edited_by == "Bertil Berg (Byggkontoret)"

    client.post(_url("me", event), {"name": "Bertil B", "organisation": ""})
    report.refresh_from_db()
    assert report.last_edited_by == "Bertil B"

    client.post(_url("my-data-delete", event), {"confirm": "yes"})
    report.refresh_from_db()
    assert report.last_edited_by == "Deleted participant"
    assert not Report.objects.filter(last_edited_by__contains="Bertil").exists()


def test_a_new_name_leaves_the_reports_of_a_namesake_alone(client, event, participant, world):
    """Two people called "Bertil Berg (Byggkontoret)": the one who renames himself
    takes only his own edits along; the other's report still names the other."""
    bertil, report = world["bertil"], world["report"]
    namesake = ParticipantFactory(event=event, name="Bertil Berg", organisation="Byggkontoret")
    _write_with_the_link(client, event, report, namesake, "Namnens anteckningar")
    own = Report.objects.create(
        topic=TopicFactory(event=event, convener=bertil, title="Bertils"), event=event
    )
    _write_with_the_link(client, event, own, bertil, "Mina anteckningar")

    client.post(_url("me", event), {"name": "Bertil B", "organisation": ""})
    report.refresh_from_db()
    own.refresh_from_db()
    assert (own.last_edited_by, report.last_edited_by) == (
        "Bertil B",
        "Bertil Berg (Byggkontoret)",
    )


def test_deleting_takes_the_name_out_of_lists_others_typed(event, participant, world):
    """Anna Andersson's name, typed by others into lists of names, is taken out entry
    by entry; other names, and her name inside other text, stay."""
    report = world["report"]
    version = Report.objects.get(pk=report.pk).version
    Initiative.objects.filter(pk=world["initiative"].pk).update(
        guests="Gustav Gäst\nanna andersson \nAnnika Andersson"
    )
    bertils = TopicFactory(event=event, convener=world["bertil"], co_convener="Anna Andersson")
    elsewhere = TopicFactory(event=EventFactory(), co_convener="Anna Andersson")
    privacy.delete_participant_data(participant=participant)
    report.refresh_from_db()
    assert report.participant_names == "Bertil Berg, Gustav Gäst"
    assert report.version == version + 1  # an open form of the report now sees a conflict
    assert report.discussion == "Vi pratade om klarspråk."
    guests = Initiative.objects.get(pk=world["initiative"].pk).guests
    assert guests == "Gustav Gäst\nAnnika Andersson"
    assert Topic.objects.get(pk=bertils.pk).co_convener == ""
    assert Topic.objects.get(pk=world["topic"].pk).co_convener == "Cecilia Co"
    assert Topic.objects.get(pk=elsewhere.pk).co_convener == "Anna Andersson"  # another event


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Anna Andersson, Bo Berg", "Bo Berg"),
        ("Bo Berg, Anna Andersson, Cecilia Co", "Bo Berg, Cecilia Co"),
        ("Bo Berg\nAnna Andersson\n\nCecilia Co", "Bo Berg\n\nCecilia Co"),
        ("ANNA ANDERSSON", ""),
        ("Anna Andersson-Ek, Annika", "Anna Andersson-Ek, Annika"),
        ("Anna Andersson (Kommunen)", ""),
    ],
)
def test_without_names_takes_out_whole_entries_only(text, expected):
    names = {"Anna Andersson", "Anna Andersson (Kommunen)"}
    assert privacy.without_names(text, names) == expected


def test_deleted_participant_label_is_in_the_events_language(event, participant):
    from django.utils import translation

    with translation.override("sv"):
        expected = translation.gettext("Deleted participant")
    event.language = "sv"
    assert privacy.deleted_label(event) == expected


# -- anonymising an event -------------------------------------------------------------------


def test_anonymise_event_replaces_every_name_and_is_idempotent(event, participant, world):
    result = privacy.anonymise_event(event=event)
    assert result.participants == 2
    names = set(event.participants.values_list("name", flat=True))
    assert names == {"Anonymous participant"}
    assert set(event.participants.values_list("organisation", flat=True)) == {""}
    assert not event.participants.filter(anonymised_at__isnull=True).exists()
    comments = ReportComment.objects.filter(report__event=event)
    assert set(comments.values_list("author_name", flat=True)) == {"Anonymous participant"}
    assert comments.count() == 2  # the texts stay
    report = Report.objects.get(pk=world["report"].pk)
    assert report.participant_names == "" and report.last_edited_by == ""
    assert report.discussion == "Vi pratade om klarspråk."
    assert Topic.objects.get(pk=world["topic"].pk).co_convener == ""
    initiative = Initiative.objects.get(pk=world["initiative"].pk)
    assert initiative.who == "Anonymous participant" and initiative.guests == ""
    assert SignUp.objects.filter(topic__event=event).count() == 3  # counts still add up
    # Another event is untouched.
    stranger = world["stranger"]
    stranger.refresh_from_db()
    assert stranger.name == "Sara Annan"
    # A second run finds nothing.
    again = privacy.anonymise_event(event=event)
    assert not again and again.participants == 0 and again.texts == 0


def test_documentation_counts_anonymised_participants_without_listing_them(event, world):
    from reports.documentation import build_context

    privacy.anonymise_event(event=event)
    people = build_context(event)["people"]
    assert people.count == 2 and people.names == []


def test_anonymised_participants_cookies_stop_working(client, event, participant):
    login_participant(client, participant)
    privacy.anonymise_event(event=event)
    assert client.get(reverse("agenda:home", kwargs={"slug": event.slug})).status_code == 302


def test_anonymise_expired_command_follows_the_retention_period(world, event, participant):
    today = timezone.localdate()
    event.date, event.retention_days = today - datetime.timedelta(days=31), 30
    event.save()
    kept = EventFactory(date=today - datetime.timedelta(days=30), retention_days=30)
    ParticipantFactory(event=kept, name="Karl Kvar")
    forever = EventFactory(date=today - datetime.timedelta(days=3000), retention_days=None)
    ParticipantFactory(event=forever, name="Frida Föralltid")

    out = io.StringIO()
    call_command("anonymise_expired", "--dry-run", stdout=out)
    assert f"{event.slug}: would anonymise 2 participant(s)" in out.getvalue()
    assert Participant.objects.filter(name="Anna Andersson").exists()

    out = io.StringIO()
    call_command("anonymise_expired", stdout=out)
    assert f"{event.slug}: anonymised 2 participant(s)" in out.getvalue()
    assert kept.slug not in out.getvalue() and forever.slug not in out.getvalue()
    assert not event.participants.exclude(name="Anonymous participant").exists()
    assert Participant.objects.filter(name="Karl Kvar").exists()
    assert Participant.objects.filter(name="Frida Föralltid").exists()

    out = io.StringIO()
    call_command("anonymise_expired", stdout=out)
    assert out.getvalue().strip() == "Nothing to anonymise."


# -- deleting an event ----------------------------------------------------------------------


def test_delete_event_needs_the_typed_address_and_removes_files(
    event, participant, world, django_capture_on_commit_callbacks
):
    jpeg = io.BytesIO()
    Image.new("RGB", (8, 6), "white").save(jpeg, "JPEG")
    photo = ReportPhoto(report=world["report"])
    photo.image.save("flip.jpg", ContentFile(jpeg.getvalue()), save=False)
    photo.thumbnail.save("thumb.jpg", ContentFile(jpeg.getvalue()), save=False)
    photo.width, photo.height = 8, 6
    photo.save()
    names = [photo.image.name, photo.thumbnail.name]
    with pytest.raises(privacy.PrivacyError):
        privacy.delete_event(event=event, confirmation="wrong")
    assert Event.objects.filter(pk=event.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        privacy.delete_event(event=event, confirmation=f" {event.slug.upper()} ")
    assert not Event.objects.filter(pk=event.pk).exists()
    assert not Participant.objects.filter(event_id=event.pk).exists()
    assert not any(default_storage.exists(name) for name in names)
    assert Participant.objects.filter(pk=world["stranger"].pk).exists()


# -- facilitators' pages --------------------------------------------------------------------


FACILITATOR_PAGES = ["privacy-settings", "event-anonymise", "event-delete"]


@pytest.mark.parametrize("name", FACILITATOR_PAGES)
def test_facilitator_privacy_pages_permission_matrix(
    client, event, other_event, participant, facilitator, other_facilitator, name
):
    url = _url(name, event)
    data = {"confirm": "yes", "confirmation": event.slug, "privacy_controller": "Hacker"}
    response = client.get(url)  # anonymous
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(url, data).status_code == 302
    login_participant(client, participant)  # a participant of this event has no account
    assert client.get(url).status_code == 302
    assert client.post(url, data).status_code == 302
    client.cookies.clear()
    client.force_login(other_facilitator)  # another event's facilitator
    assert client.get(url).status_code == 403
    assert client.post(url, data).status_code == 403
    assert client.get(reverse(f"events:{name}", kwargs={"slug": "nope"})).status_code == 404
    event.refresh_from_db()
    participant.refresh_from_db()
    assert event.privacy_controller == "" and participant.name == "Anna Andersson"
    client.force_login(facilitator)
    assert client.get(url).status_code == 200
    assert client.put(url).status_code == 405
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    assert client.get(url).status_code == 200


def test_facilitator_saves_the_privacy_settings(facilitator_client, event):
    url = _url("privacy-settings", event)
    form = facilitator_client.get(url).context["form"]
    assert form.initial["privacy_notice"] == privacy.default_privacy_notice(event)
    response = facilitator_client.post(
        url,
        {
            "privacy_controller": "  Region   Exempel  ",
            "retention_days": "180",
            "privacy_notice": form.initial["privacy_notice"],
            "accessibility_statement_url": "https://region.se/a11y",
        },
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.privacy_controller == "Region Exempel"
    assert event.retention_days == 180
    assert event.privacy_notice == ""  # still the standard text
    assert event.accessibility_statement_url == "https://region.se/a11y"
    bad = facilitator_client.post(
        url, {"retention_days": "-1", "accessibility_statement_url": "javascript:alert(1)"}
    )
    assert bad.status_code == 200 and bad.context["form"].errors.keys() == {
        "retention_days",
        "accessibility_statement_url",
    }


def test_facilitator_anonymises_after_confirming(facilitator_client, event, participant):
    url = _url("event-anonymise", event)
    assert "Anna" not in facilitator_client.get(url).content.decode()  # counts, no names
    assert facilitator_client.post(url).status_code == 200  # no confirmation: nothing
    participant.refresh_from_db()
    assert participant.name == "Anna Andersson"
    response = facilitator_client.post(url, {"confirm": "yes"})
    assert response.status_code == 302
    participant.refresh_from_db()
    assert participant.name == "Anonymous participant"


def test_the_setup_page_counts_anonymised_participants_instead_of_listing_them(
    facilitator_client, event, participant
):
    from tests.factories import ParticipantFactory

    ParticipantFactory(event=event, name="Bo Berg")
    facilitator_client.post(_url("event-anonymise", event), {"confirm": "yes"})
    ParticipantFactory(event=event, name="Cecilia Sen")  # joined after the anonymisation
    page = facilitator_client.get(reverse("events:facilitate", kwargs={"slug": event.slug}))
    section = page.content.decode().split('id="participants"', 1)[1].split("</section>", 1)[0]
    assert "Cecilia Sen" in section
    assert "Anonymous participant" not in section and "Anna" not in section
    assert "2 anonymised participants" in section
    assert '<span class="badge">3</span>' in section


def test_facilitator_deletes_the_event_by_typing_its_address(
    facilitator_client, event, other_event, participant
):
    url = _url("event-delete", event)
    response = facilitator_client.post(url, {"confirmation": "natverk-fel"})
    assert response.status_code == 200 and response.context["form"].errors
    assert Event.objects.filter(pk=event.pk).exists()
    response = facilitator_client.post(url, {"confirmation": event.slug})
    assert response.status_code == 302 and response["Location"] == reverse("events:dashboard")
    assert not Event.objects.filter(pk=event.pk).exists()
    assert Event.objects.filter(pk=other_event.pk).exists()


def test_setup_page_links_to_the_privacy_settings(facilitator_client, event):
    page = facilitator_client.get(_url("facilitate", event)).content.decode()
    assert _url("privacy-settings", event) in page


def test_the_migration_links_reports_to_the_one_participant_their_editor_name_names(event):
    """Reports saved before editors were recorded: linked when the name is one
    participant's alone, left unlinked when two share it or it is a facilitator's."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("reports.migrations.0005_report_last_editor")
    bertil = ParticipantFactory(event=event, name="Bertil", organisation="Bygg")
    ParticipantFactory(event=event, name="Anna")
    ParticipantFactory(event=event, name="Anna")
    texts = ["Bertil (Bygg)", "Anna", "a facilitator", ""]
    reports = [
        Report.objects.create(topic=TopicFactory(event=event), event=event, last_edited_by=text)
        for text in texts
    ]
    migration.link_last_editors(apps, None)
    linked = [Report.objects.get(pk=r.pk).last_editor for r in reports]
    assert linked == [bertil, None, None, None]


def test_the_delete_page_speaks_of_sign_ups_only_when_there_are_some(client, event):
    """'Your 0 sign-ups are deleted' read oddly: no sign-ups, no line about them."""
    person = ParticipantFactory(event=event)
    login_participant(client, person)
    with translation.override(event.language):
        said = translation.gettext("Your sign-up is deleted.")
    assert said not in client.get(_url("my-data-delete", event)).content.decode()
    SignUpFactory(participant=person, topic=TopicFactory(event=event))
    assert said in client.get(_url("my-data-delete", event)).content.decode()


# -- what others made with this person's name or hands, in their data and after deleting --


@pytest.fixture
def traces(event, participant, world, settings, tmp_path):
    """Besides her own things, Anna saved Bertil's report last (with his write link),
    added a photo to it, and others typed her name: Bertil's topic names her
    co-convener, his initiative has her among who takes it and who joins, and his
    report among who took part ("Annika Andersson" is someone else)."""
    settings.MEDIA_ROOT = tmp_path
    bertil = world["bertil"]
    topic = TopicFactory(
        event=event,
        convener=bertil,
        title="Bertils pass",
        co_convener="Anna Andersson",
        room=world["topic"].room,
        time_slot=TimeSlotFactory(event=event, number=2),
    )
    report = Report.objects.create(
        topic=topic,
        event=event,
        participant_names="Bertil Berg\nAnna Andersson (Kommunen)\nAnnika Andersson",
        discussion="Anna skrev det här.",
        last_edited_by=participant.display_name,
        last_editor=participant,
        published_at=timezone.now(),
    )
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, "JPEG")
    photo = report_services.add_photo(
        report=report,
        upload=SimpleUploadedFile("p.jpg", buffer.getvalue()),
        caption="Annas blädderblock",
        uploader=participant,
    )
    initiative = Initiative.objects.create(
        event=event,
        created_by=bertil,
        who="Bertil Berg, Anna Andersson",
        what="Gemensam e-tjänst",
        levels="F",
        guests="Anna Andersson",
    )
    alone = Initiative.objects.create(
        event=event, created_by=bertil, who="Anna Andersson", what="Annas uppdrag", levels="G"
    )
    unrelated = TopicFactory(event=event, convener=bertil, co_convener="Annika Andersson")
    return {
        "topic": topic,
        "report": report,
        "photo": photo,
        "initiative": initiative,
        "alone": alone,
        "unrelated": unrelated,
    }


def test_participant_data_holds_reports_saved_last_photos_and_where_others_named_them(
    participant, traces
):
    data = privacy.participant_data(participant)
    [edited] = data["reports_edited_last"]
    assert edited["topic"] == "Bertils pass"
    assert edited["discussion"] == "Anna skrev det här." and edited["published"] is True
    [photo] = data["photos_added"]
    assert photo["report"] == "Bertils pass" and photo["caption"] == "Annas blädderblock"
    assert photo["file"] == traces["photo"].image.url
    named = {(mention["as"], mention["in"]) for mention in data["named_by_others"]}
    assert named == {
        ("co-convener", "Bertils pass"),
        ("who took part", "Bertils pass"),
        ("who took part", "Klarspråk i beslut"),  # her own report, typed by its writer
        ("who takes it", "Gemensam e-tjänst"),
        ("who takes it", "Annas uppdrag"),
        ("others who join", "Gemensam e-tjänst"),
    }
    dumped = json.dumps(data, ensure_ascii=False)
    for other in [*OTHERS, "Annika Andersson"]:
        assert other not in dumped  # where, not the rest of the list


def test_my_data_page_shows_reports_saved_last_photos_and_where_others_named_them(
    client, event, participant, traces
):
    login_participant(client, participant)
    page = client.get(_url("my-data", event)).content.decode()
    assert "Reports you saved last" in page and "Bertils pass" in page
    assert "Annas blädderblock" in page and traces["photo"].image.url in page
    assert "Where others typed your name" in page and "Gemensam e-tjänst" in page
    assert "Annika Andersson" not in page and "Bertil Berg" not in page


def test_a_photo_added_by_a_participant_is_recorded_as_theirs(client, event, participant, world):
    event.phase = "rounds"
    event.save()
    login_participant(client, participant)
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "green").save(buffer, "JPEG")
    url = reverse("reports:photo-upload", kwargs={"slug": event.slug, "pk": world["topic"].pk})
    response = client.post(url, {"photo": SimpleUploadedFile("p.jpg", buffer.getvalue())})
    assert response.status_code == 302
    assert ReportPhoto.objects.get().uploaded_by == participant


def test_deleting_leaves_their_name_nowhere_in_the_documentation_or_the_export(
    client, event, participant, world, traces, facilitator
):
    """After Anna deletes her data, the documentation (the PDF's page) and the event's
    export name her nowhere, by name or organisation; what she made stays, credited to
    "Deleted participant", and others' names stay."""
    login_participant(client, participant)
    assert client.post(_url("my-data-delete", event), {"confirm": "yes"}).status_code == 302
    initiative = Initiative.objects.get(pk=traces["initiative"].pk)
    assert (initiative.who, initiative.guests) == ("Bertil Berg", "")
    assert Initiative.objects.get(pk=traces["alone"].pk).who == "Deleted participant"
    report = Report.objects.get(pk=traces["report"].pk)
    assert report.participant_names == "Bertil Berg\nAnnika Andersson"
    assert report.last_edited_by == "Deleted participant"
    assert Topic.objects.get(pk=traces["topic"].pk).co_convener == ""
    assert Topic.objects.get(pk=traces["unrelated"].pk).co_convener == "Annika Andersson"
    assert ReportPhoto.objects.filter(pk=traces["photo"].pk).exists()  # the group's flipchart

    client.cookies.clear()
    client.force_login(facilitator)
    preview = client.get(reverse("reports:documentation-preview", kwargs={"slug": event.slug}))
    export = client.get(reverse("reports:event-json", kwargs={"slug": event.slug}))
    for response in (preview, export):
        assert response.status_code == 200
        text = response.content.decode()
        if response is export:
            text = json.dumps(json.loads(text), ensure_ascii=False)
        assert "Anna Andersson" not in text and "Kommunen" not in text
        assert "Bertil Berg" in text
    assert "Bertils pass" in preview.content.decode()


def test_anonymising_takes_each_name_out_of_who_takes_an_initiative(event, participant, world):
    """ "Bertil Berg, Anna Andersson" kept both names after an anonymisation: only a
    `who` that was exactly one name was replaced. Now each name goes; what is not a
    participant's name (an organisation typed there) stays."""
    both = Initiative.objects.create(
        event=event,
        created_by=world["bertil"],
        who="Bertil Berg, Anna Andersson",
        what="Tillsammans",
        levels="F",
    )
    with_org = Initiative.objects.create(
        event=event, created_by=None, who="Region Exempel, anna andersson", what="Org", levels="U"
    )
    privacy.anonymise_event(event=event)
    assert Initiative.objects.get(pk=both.pk).who == "Anonymous participant"
    assert Initiative.objects.get(pk=with_org.pk).who == "Region Exempel"
    assert not Initiative.objects.filter(who__icontains="Anna Andersson").exists()
    assert not Initiative.objects.filter(who__icontains="Bertil").exists()
