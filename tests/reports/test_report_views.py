import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from events.models import Phase
from reports import services
from reports.models import Report, ReportComment, ReportPhoto
from tests.conftest import login_participant
from tests.factories import ParticipantFactory, RoomFactory, TimeSlotFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def topic(event, participant):
    event.phase = Phase.ROUNDS
    event.save()
    return TopicFactory(
        event=event,
        convener=participant,
        title="Tillit",
        room=RoomFactory(event=event, code="A"),
        time_slot=TimeSlotFactory(event=event, number=1),
    )


def u(name, event, **kwargs):
    return reverse(f"reports:{name}", kwargs={"slug": event.slug, **kwargs})


def report_data(version, **fields):
    data = {
        "version": version,
        "participant_count": "",
        "participant_names": "",
        "discussion": "",
        "insights": "",
        "proposals": "",
        "other": "",
    }
    data.update(fields)
    return data


def test_the_convener_writes_and_publishes(participant_client, event, topic):
    report = services.report_for(topic)
    response = participant_client.post(
        u("report-edit", event, pk=topic.pk),
        report_data(
            report.version, discussion="<script>alert(1)</script>\n- punkt", action="publish"
        ),
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.is_published
    page = participant_client.get(u("report", event, pk=topic.pk)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "<li>punkt</li>" in page


def test_someone_else_cannot_edit(client, event, topic):
    login_participant(client, ParticipantFactory(event=event))
    assert client.get(u("report-edit", event, pk=topic.pk)).status_code == 403
    assert client.post(u("report-autosave", event, pk=topic.pk), report_data(1)).status_code == 403


def test_the_write_link_lets_the_flipchart_person_write(client, event, topic):
    report = services.report_for(topic)
    login_participant(client, ParticipantFactory(event=event))
    response = client.get(u("report-edit", event, pk=topic.pk) + f"?key={report.write_token}")
    assert response.status_code == 200
    # The key is remembered for the autosave that follows.
    response = client.post(
        u("report-autosave", event, pk=topic.pk), report_data(report.version, discussion="x")
    )
    assert response.status_code == 200


def test_a_wrong_key_does_not_help(client, event, topic):
    login_participant(client, ParticipantFactory(event=event))
    assert client.get(u("report-edit", event, pk=topic.pk) + "?key=nope").status_code == 403


def test_a_session_of_another_event_is_not_found(participant_client, event, other_event):
    foreign = TopicFactory(event=other_event)
    assert participant_client.get(u("report-edit", event, pk=foreign.pk)).status_code == 404
    assert (
        participant_client.post(
            u("report-autosave", event, pk=foreign.pk), report_data(1)
        ).status_code
        == 404
    )


def test_autosave_conflict_returns_the_stored_text(participant_client, event, topic):
    report = services.report_for(topic)
    base = report.version
    services.save_report(report=report, base_version=base, fields={"discussion": "Den andras text"})
    response = participant_client.post(
        u("report-autosave", event, pk=topic.pk), report_data(base, discussion="Min text")
    )
    assert response.status_code == 409
    assert response.json()["fields"]["discussion"] == "Den andras text"
    report.refresh_from_db()
    assert report.discussion == "Den andras text"


def test_form_conflict_shows_both_texts_and_keeps_mine(participant_client, event, topic):
    report = services.report_for(topic)
    base = report.version
    services.save_report(report=report, base_version=base, fields={"discussion": "Den andras text"})
    response = participant_client.post(
        u("report-edit", event, pk=topic.pk),
        report_data(base, discussion="Min text", action="save"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Den andras text" in body and "Min text" in body
    # The focus goes to the conflict when the page loads (static/js/app.js).
    assert re.search(r'<div class="form-errors conflict"[^>]*data-focus-on-load', body)


@pytest.mark.parametrize(
    ("phase", "said"),
    [(Phase.MARKETPLACE, 1), (Phase.ROUNDS, 0), (Phase.CLOSING, 0)],
)
def test_before_the_rounds_the_report_form_says_so_once(
    participant_client, event, topic, phase, said
):
    """It was a message: said twice after a save (before the redirect and after it), and
    after the event was closed it said reports could be written from the first round on."""
    event.phase = phase
    event.save()
    report = services.report_for(topic)
    response = participant_client.post(
        u("report-edit", event, pk=topic.pk),
        report_data(report.version, discussion="Förberett", action="save"),
        follow=True,
    )
    body = response.content.decode()
    assert "Draft saved." in body
    assert body.count("Reports can be written from the first round on.") == said
    report.refresh_from_db()
    assert report.discussion == "Förberett"


def photo_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "green").save(buffer, "JPEG")
    return buffer.getvalue()


def test_photo_upload_and_bad_files(participant_client, event, topic):
    path = u("photo-upload", event, pk=topic.pk)
    participant_client.post(
        path, {"photo": SimpleUploadedFile("a.jpg", photo_bytes()), "caption": "Blädderblock"}
    )
    assert ReportPhoto.objects.get().caption == "Blädderblock"
    response = participant_client.post(
        path,
        {"photo": SimpleUploadedFile("b.jpg", b"text" * 100)},
        headers={"X-Requested-With": "fetch"},
    )
    assert response.status_code == 400
    assert ReportPhoto.objects.count() == 1


def test_a_photo_moved_up_twice_by_one_form_moves_once(participant_client, event, topic):
    """The same form sent twice (a double tap, a retry on a flaky network) moves the
    photo one place, not two; a new form (a new key) moves it again."""
    report = services.report_for(topic)
    photos = [
        services.add_photo(report=report, upload=SimpleUploadedFile(f"{n}.jpg", photo_bytes()))
        for n in range(3)
    ]
    last = photos[2]
    path = u("photo-edit", event, pk=topic.pk, photo_pk=last.pk)

    def order():
        return list(ReportPhoto.objects.order_by("position", "pk").values_list("pk", flat=True))

    form = {"action": "up", "idempotency_key": "u" * 24}
    for _ in range(2):
        assert participant_client.post(path, form).status_code == 302
    assert order() == [photos[0].pk, last.pk, photos[1].pk]
    participant_client.post(path, {**form, "idempotency_key": "v" * 24})
    assert order() == [last.pk, photos[0].pk, photos[1].pk]
    edit = participant_client.get(u("report-edit", event, pk=topic.pk)).content.decode()
    assert edit.count('name="idempotency_key"') >= 4  # each photo's form, and the upload


def test_a_100_mb_upload_is_refused_without_reading_it(participant_client, event, topic):
    response = participant_client.generic(
        "POST",
        u("photo-upload", event, pk=topic.pk),
        b"",
        "multipart/form-data; boundary=x",
        headers={"X-Requested-With": "fetch"},
        CONTENT_LENGTH=str(100 * 1024 * 1024),
    )
    assert response.status_code == 413


def publish(topic, **fields):
    report = services.report_for(topic)
    return services.save_report(
        report=report, base_version=report.version, fields=fields, publish=True
    )


def test_comments_and_moderation(client, event, topic, facilitator):
    report = publish(topic, discussion="Text")
    reader = ParticipantFactory(event=event, name="Bo")
    login_participant(client, reader)
    client.post(u("comment-add", event, pk=topic.pk), {"text": "<b>Bra!</b>"})
    comment = ReportComment.objects.get()
    assert comment.text == "<b>Bra!</b>"
    assert (
        client.post(u("comment-moderate", event, pk=comment.pk), {"action": "hide"}).status_code
        == 403
    )
    client.cookies.clear()
    client.force_login(facilitator)
    client.post(u("comment-moderate", event, pk=comment.pk), {"action": "hide"})
    comment.refresh_from_db()
    assert comment.hidden
    login_participant(client, reader)
    client.logout()
    login_participant(client, reader)
    assert "Bra!" not in client.get(u("report", event, pk=topic.pk)).content.decode()
    assert report.pk


def test_the_shared_news_wall_counts_hidden_comments_only_for_facilitators(
    client, event, topic, participant, facilitator, settings
):
    settings.POLL_COALESCE_SECONDS = 0  # every page load current: another's write shows
    report = publish(topic, discussion="Text")
    ReportComment.objects.create(report=report, text="Synlig", author_name="X")
    ReportComment.objects.create(report=report, text="Dold", author_name="Y", hidden=True)
    event.touch()
    wall = u("wall", event)
    login_participant(client, participant)
    for _ in range(2):  # rendered, then from the shared render
        page = client.get(wall).content.decode()
        assert "1 comment" in page and "2 comments" not in page
    client.cookies.clear()
    client.force_login(facilitator)
    for _ in range(2):
        assert "2 comments" in client.get(wall).content.decode()
    client.logout()
    login_participant(client, participant)
    other = TopicFactory(
        event=event, title="Lärande", room=RoomFactory(event=event), time_slot=topic.time_slot
    )
    publish(other, discussion="Mer text")  # a write: the next request renders afresh
    assert "Lärande" in client.get(wall).content.decode()


def _wall_then_another_report(client, event, topic):
    """The news wall's poll with one report on it; then a second report is published."""
    publish(topic, discussion="Text")
    first = client.get(u("wall", event), headers={"HX-Request": "true"})
    other = TopicFactory(
        event=event, title="Lärande", room=RoomFactory(event=event), time_slot=topic.time_slot
    )
    publish(other, discussion="Mer text")
    return first


def test_news_wall_polls_in_a_burst_share_a_render_of_a_moment_ago(
    participant_client, event, topic, settings
):
    settings.POLL_COALESCE_SECONDS = 60
    poll = {"HX-Request": "true"}
    first = _wall_then_another_report(participant_client, event, topic)

    held = participant_client.get(
        u("wall", event), headers={**poll, "If-None-Match": first["ETag"]}
    )
    assert held.status_code == 304
    # A participant's full page may come from that render too (not from their own write).
    assert "Lärande" not in participant_client.get(u("wall", event)).content.decode()
    settings.POLL_COALESCE_SECONDS = 0
    fresh = participant_client.get(
        u("wall", event), headers={**poll, "If-None-Match": first["ETag"]}
    )
    assert fresh.status_code == 200 and "Lärande" in fresh.content.decode()


def test_a_facilitators_news_wall_is_always_current(facilitator_client, event, topic, settings):
    settings.POLL_COALESCE_SECONDS = 60
    poll = {"HX-Request": "true"}
    first = _wall_then_another_report(facilitator_client, event, topic)

    page = facilitator_client.get(u("wall", event))

    assert "Lärande" in page.content.decode() and page["ETag"] != first["ETag"]
    newer = facilitator_client.get(
        u("wall", event), headers={**poll, "If-None-Match": page["ETag"]}
    )
    assert newer.status_code == 304  # its later version is not sent back in time


@pytest.mark.parametrize("text", ["   ", "\u200b\u200d\ufeff", "\x07\x1b\n\x7f"])
def test_empty_comment_is_refused(participant_client, event, topic, text):
    """Zero-width characters or control characters only: nothing would show."""
    publish(topic, discussion="Text")
    response = participant_client.post(u("comment-add", event, pk=topic.pk), {"text": text})
    assert response.status_code == 200
    assert not ReportComment.objects.exists()


def test_a_comment_as_long_as_the_phone_allows_is_taken_with_its_line_breaks(
    participant_client, event, topic
):
    """The textarea's maxlength counts a line break as one character; the browser sends
    it as two (CRLF). A comment typed right up to the limit is not refused as too long."""
    publish(topic, discussion="Text")
    text = "\r\n".join(["x" * 142] * 7)  # 1,000 characters on the phone, 1,006 sent
    participant_client.post(u("comment-add", event, pk=topic.pk), {"text": text})
    assert ReportComment.objects.get().text == text.replace("\r\n", "\n")


def test_drafts_are_not_on_the_news_wall(client, event, topic):
    report = services.report_for(topic)
    services.save_report(
        report=report, base_version=report.version, fields={"discussion": "Utkast"}
    )
    login_participant(client, ParticipantFactory(event=event))
    assert "Tillit" not in client.get(u("wall", event)).content.decode()
    assert client.get(u("report", event, pk=topic.pk)).status_code == 404


def test_missing_list_is_for_facilitators(client, event, topic, facilitator, other_facilitator):
    login_participant(client, ParticipantFactory(event=event))
    assert client.get(u("missing", event)).status_code == 302
    client.force_login(other_facilitator)
    assert client.get(u("missing", event)).status_code == 403
    client.force_login(facilitator)
    response = client.get(u("missing", event))
    assert response.status_code == 200 and "Tillit" in response.content.decode()


def test_missing_list_shares_write_links_at_the_public_address(
    client, event, topic, facilitator, settings
):
    settings.SITE_URL = "https://openspace.example.org"
    client.force_login(facilitator)
    page = client.get(u("missing", event)).content.decode()
    assert f"https://openspace.example.org/e/{event.slug}/" in page
    assert "http://testserver/" not in page


@pytest.mark.parametrize("name", ["wall", "vernissage"])
def test_news_wall_query_count_does_not_grow(
    client, event, participant, name, django_assert_num_queries, settings
):
    settings.POLL_COALESCE_SECONDS = 0  # every page load current: another's write shows
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def add(n):
        for i in range(n):
            room = RoomFactory(event=event)
            topic = TopicFactory(event=event, room=room, time_slot=TimeSlotFactory(event=event))
            report = publish(topic, discussion=f"Text {i}")
            services.add_photo(report=report, upload=SimpleUploadedFile("p.jpg", photo_bytes()))
            ReportComment.objects.create(report=report, text="Kommentar", author_name="X")

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get(u(name, event)).status_code == 200
        return len(context.captured_queries)

    add(1)
    login_participant(client, participant)
    client.get(u(name, event))  # the event's language is looked up once, then cached
    event.refresh_from_db()
    event.touch()
    afresh, shared = queries(), queries()
    if name == "wall":  # the cards are rendered once per version and shared
        assert shared < afresh
    add(4)
    event.refresh_from_db()
    event.touch()
    with django_assert_num_queries(afresh):
        response = client.get(u(name, event))
    with django_assert_num_queries(shared):
        again = client.get(u(name, event))
    assert Report.objects.count() == 5
    assert response.content.count(b"Kommentar") == again.content.count(b"Kommentar")
    if name == "wall":
        assert again.content.count(b'report-card"') == 5
        assert again.content.count(b"1 comment") + again.content.count(b"1 kommentar") == 5


def test_wrong_methods(participant_client, event, topic):
    assert participant_client.get(u("report-autosave", event, pk=topic.pk)).status_code == 405
    assert participant_client.get(u("photo-upload", event, pk=topic.pk)).status_code == 405
    assert participant_client.post(u("wall", event)).status_code == 405


def test_the_session_page_offers_a_report_to_read_only_once_it_is_published(client, event, topic):
    other = ParticipantFactory(event=event)
    login_participant(client, other)
    page = topic.get_absolute_url()
    read = f'href="{u("report", event, pk=topic.pk)}"'
    assert read not in client.get(page).content.decode()  # no report yet
    report = services.report_for(topic)
    assert read not in client.get(page).content.decode()  # a draft
    Report.objects.filter(pk=report.pk).update(published_at=timezone.now())
    assert read in client.get(page).content.decode()
    Report.objects.filter(pk=report.pk).update(hidden_at=timezone.now())
    assert read not in client.get(page).content.decode()  # hidden by a facilitator


def test_the_convener_is_offered_to_write_the_report_before_there_is_one(
    participant_client, event, topic
):
    body = participant_client.get(topic.get_absolute_url()).content.decode()
    assert f'href="{u("report-edit", event, pk=topic.pk)}"' in body
    assert f'href="{u("report", event, pk=topic.pk)}"' not in body


# -- the comments address: a refused comment leaves the browser there; loading it again
# goes back to the report instead of a blank 405.


@pytest.fixture
def published_topic(topic):
    report = services.report_for(topic)
    services.save_report(
        report=report, base_version=report.version, fields={"discussion": "Text"}, publish=True
    )
    return topic


def test_reloading_the_address_of_a_refused_comment_goes_back_to_the_report(
    participant_client, event, published_topic
):
    comments = u("comment-add", event, pk=published_topic.pk)
    refused = participant_client.post(comments, {"text": "   "})
    assert refused.status_code == 200
    assert not ReportComment.objects.exists()

    reload = participant_client.get(comments)

    assert reload.status_code == 302
    assert reload["Location"] == u("report", event, pk=published_topic.pk)
    assert participant_client.get(reload["Location"]).status_code == 200


def test_a_comment_is_still_added_by_a_post(participant_client, event, published_topic):
    response = participant_client.post(
        u("comment-add", event, pk=published_topic.pk), {"text": "Bra!"}
    )
    assert response.status_code == 302
    assert response["Location"] == u("report", event, pk=published_topic.pk) + "#comments"
    assert ReportComment.objects.get().text == "Bra!"


def test_the_comments_address_sends_someone_not_joined_to_the_join_page(
    client, event, published_topic
):
    comments = u("comment-add", event, pk=published_topic.pk)
    response = client.get(comments)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("events:join-event", kwargs={"slug": event.slug})
    assert parse_qs(location.query)["next"] == [comments]  # then here, then the report


def test_other_methods_on_the_comments_address_are_405(participant_client, event, published_topic):
    assert participant_client.put(u("comment-add", event, pk=published_topic.pk)).status_code == 405


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose a photo to send."),
        ({"photo": SimpleUploadedFile("a.jpg", b"")}, "The file is empty (0 bytes)."),
        (
            {"photo": SimpleUploadedFile("a.jpg", photo_bytes()), "caption": "Å" * 301},
            "at most 300 characters",
        ),
    ],
)
def test_a_refused_photo_says_what_is_wrong(participant_client, event, topic, data, message):
    path = u("photo-upload", event, pk=topic.pk)
    response = participant_client.post(path, data, headers={"X-Requested-With": "fetch"})
    assert response.status_code == 400 and message in response.text
    assert ReportPhoto.objects.count() == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"photo": SimpleUploadedFile("a.jpg", b"text" * 100)}, "not a photo"),
        ({"photo": SimpleUploadedFile("a.jpg", b"")}, "The file is empty (0 bytes)."),
        ({}, "Choose a photo to send."),
    ],
)
def test_a_photo_refused_without_scripts_says_why_at_the_file_field_and_keeps_the_caption(
    participant_client, event, topic, data, message
):
    """Without scripts the refusal was a message at the top of the page, far from the
    field, and the caption was lost."""
    path = u("photo-upload", event, pk=topic.pk)
    response = participant_client.post(path, {**data, "caption": "Blädderblock <b>1</b>"})
    assert response.status_code == 200
    body = response.content.decode()
    field = re.search(r'<div class="field field--error">(.*?)</div>', body, re.S)
    assert field and message in field.group(1) and 'name="photo"' in field.group(1)
    assert 'value="Blädderblock &lt;b&gt;1&lt;/b&gt;"' in body
    assert re.search(r'id="photo-upload"[^>]*>.*?data-focus-on-load', body, re.S)
    assert ReportPhoto.objects.count() == 0


def test_a_photo_too_large_to_read_is_refused_at_the_file_field_without_scripts(
    participant_client, event, topic
):
    response = participant_client.generic(
        "POST",
        u("photo-upload", event, pk=topic.pk),
        b"",
        "multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(100 * 1024 * 1024),
    )
    assert response.status_code == 200
    assert "larger than 20 MB" in response.content.decode()


def test_the_news_wall_projector_before_the_first_report_says_what_it_is_and_how_to_join(
    client, event, facilitator, settings
):
    """Not a black screen with one line: the event, its question and the join code."""
    settings.SITE_URL = "https://openspace.example.org"
    client.force_login(facilitator)
    for headers in ({}, {"HX-Request": "true"}):  # the page, and its poll
        page = client.get(u("vernissage", event), headers=headers).content.decode()
        assert "Reports appear here as they are published." in page
        assert event.title in page
        assert event.join_code in page
        assert "openspace.example.org/join/" in page


# -- after the event: reports may be finished until a facilitator closes the event (the
# documentation is made from them then); once closed only facilitators change them, and
# nobody comments any longer. The pages offer no form that would be refused.


def close(event):
    event.phase = Phase.CLOSED
    event.save()


def test_a_report_may_be_finished_after_the_day_until_the_event_is_closed(
    participant_client, event, topic
):
    event.date = timezone.localdate() - timezone.timedelta(days=3)
    event.phase = Phase.CLOSING
    event.save()
    report = services.report_for(topic)
    response = participant_client.post(
        u("report-edit", event, pk=topic.pk),
        report_data(report.version, discussion="Efteråt", action="publish"),
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.discussion == "Efteråt" and report.is_published


def test_once_closed_the_convener_can_no_longer_save_a_draft_and_keeps_the_text(
    participant_client, event, topic
):
    report = services.report_for(topic)
    close(event)
    response = participant_client.post(
        u("report-edit", event, pk=topic.pk),
        report_data(report.version, discussion="För sent skrivet", action="save"),
    )
    body = response.content.decode()
    assert response.status_code == 403
    assert "The event is closed: its reports can no longer be changed." in body
    assert "För sent skrivet" in body  # nothing typed is lost
    assert 'value="save"' not in body and 'value="publish"' not in body
    assert 'id="photo-upload"' not in body
    report.refresh_from_db()
    assert report.discussion == "" and report.version == 1


def test_once_closed_the_autosave_refuses_and_says_why(participant_client, event, topic):
    report = services.report_for(topic)
    close(event)
    response = participant_client.post(
        u("report-autosave", event, pk=topic.pk), report_data(report.version, discussion="x")
    )
    assert response.status_code == 403
    error = response.json()["errors"]["__all__"][0]
    assert error["code"] == "closed" and "The event is closed" in error["message"]
    report.refresh_from_db()
    assert report.discussion == ""


def test_once_closed_the_write_link_writes_nothing_either(client, event, topic):
    report = services.report_for(topic)
    close(event)
    login_participant(client, ParticipantFactory(event=event))
    response = client.post(
        u("report-edit", event, pk=topic.pk) + f"?key={report.write_token}",
        report_data(report.version, discussion="Via länken", action="publish"),
    )
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.discussion == "" and not report.is_published


def test_once_closed_photos_are_neither_added_nor_changed(participant_client, event, topic):
    report = publish(topic, discussion="Text")
    photo = services.add_photo(
        report=report, upload=SimpleUploadedFile("p.jpg", photo_bytes()), caption="Blädderblock"
    )
    close(event)
    upload = participant_client.post(
        u("photo-upload", event, pk=topic.pk),
        {"photo": SimpleUploadedFile("q.jpg", photo_bytes())},
        headers={"X-Requested-With": "fetch"},
    )
    assert upload.status_code == 403
    assert "The event is closed" in upload.content.decode()
    for action in ("delete", "up", "caption"):
        response = participant_client.post(
            u("photo-edit", event, pk=topic.pk, photo_pk=photo.pk),
            {"action": action, "caption": "Ändrad"},
            follow=True,
        )
        assert "The event is closed" in response.content.decode()
    photo.refresh_from_db()
    assert photo.caption == "Blädderblock"
    assert ReportPhoto.objects.filter(report=report).count() == 1


def test_once_closed_the_pages_offer_no_writing_to_the_convener(participant_client, event, topic):
    publish(topic, discussion="Text")
    close(event)
    edit = u("report-edit", event, pk=topic.pk)
    session = participant_client.get(topic.get_absolute_url()).content.decode()
    assert f'href="{edit}"' not in session
    assert f'href="{u("report", event, pk=topic.pk)}"' in session  # still read
    page = participant_client.get(u("report", event, pk=topic.pk)).content.decode()
    assert f'href="{edit}"' not in page
    assert "The event is closed: its reports can no longer be changed." in page
    # The form's address sends them to the report, which says why.
    assert participant_client.get(edit)["Location"] == u("report", event, pk=topic.pk)


def test_once_closed_a_draft_is_still_shown_to_its_convener_without_a_loop(
    participant_client, event, topic
):
    services.report_for(topic)
    close(event)
    page = participant_client.get(u("report", event, pk=topic.pk))
    assert page.status_code == 200
    assert "Draft: not published yet" in page.content.decode()


def test_once_closed_a_facilitator_still_corrects_a_report(facilitator_client, event, topic):
    report = publish(topic, discussion="Stavfel")
    close(event)
    assert f'href="{u("report-edit", event, pk=topic.pk)}"' in (
        facilitator_client.get(topic.get_absolute_url()).content.decode()
    )
    response = facilitator_client.post(
        u("report-edit", event, pk=topic.pk),
        report_data(report.version, discussion="Rättat", action="publish"),
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.discussion == "Rättat"


def test_once_closed_comments_are_refused_and_the_text_is_shown_back(
    participant_client, event, published_topic
):
    close(event)
    page = participant_client.get(u("report", event, pk=published_topic.pk)).content.decode()
    assert u("comment-add", event, pk=published_topic.pk) not in page
    assert "The event is closed: comments can no longer be added." in page
    response = participant_client.post(
        u("comment-add", event, pk=published_topic.pk), {"text": "Sent tillagt"}
    )
    body = response.content.decode()
    assert response.status_code == 403
    assert "The event is closed: comments can no longer be added." in body
    assert "Sent tillagt" in body
    assert not ReportComment.objects.exists()


def test_the_services_refuse_writing_once_closed(event, topic, participant):
    report = publish(topic, discussion="Text")
    close(event)
    report.event.refresh_from_db()
    with pytest.raises(services.ReportsClosed):
        services.save_report(report=report, base_version=report.version, fields={"other": "x"})
    with pytest.raises(services.ReportsClosed):
        services.add_photo(report=report, upload=SimpleUploadedFile("p.jpg", photo_bytes()))
    with pytest.raises(services.ReportError, match="comments can no longer be added"):
        services.add_comment(report=report, participant=participant, text="Hej")
    saved = services.save_report(
        report=report, base_version=report.version, fields={"other": "x"}, by_facilitator=True
    )
    assert saved.other == "x"
