"""Privacy (GDPR): the privacy notice, a participant's own data, and forgetting people.

What is stored about a participant is kept small on purpose: a display name, an
optional organisation, no e-mail and no account. This module holds the writes
that take it away again, and the reads that show a person what there is.

- delete_participant_data: a participant deletes their data. Their topics, reports,
  initiatives and the photos they added stay (others built on them), credited to
  "Deleted participant"; their sign-ups, initiative memberships, comments and closing
  reflection are deleted (their own words and choices, which nobody else depends on).
- anonymise_event: a facilitator, or the retention period (anonymise_expired),
  replaces every participant's name. Contributions stay, credited to "Anonymous
  participant"; sign-ups and memberships stay too (counts still add up), and the
  free-text fields that hold other people's names are emptied.
- delete_event: the whole event, its uploaded files included.

When a participant deletes their data, their name is also taken out of the lists
of names that others typed (NAME_LISTS: a topic's co-convener, who took part in a
report, who takes an initiative and others who join it), entry by entry; their own
data (participant_data) says where it stood. Other free text (a report's
notes, a comment that mentions someone) is not searched for names: only the fields
made for names are changed.
See docs/deploy.md (Privacy) for the cron job.
"""

import copy
import datetime
import json
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from agenda import services as agenda_services
from agenda.models import SignUp, Topic
from openspace.middleware import event_language_cache_key
from reports.documentation import Export
from reports.models import (
    REPORT_SECTIONS,
    DocumentationRender,
    Initiative,
    InitiativeMember,
    Reflection,
    Report,
    ReportComment,
    ReportPhoto,
)

from .models import Event, Participant, new_token

EXPORT_FORMAT = "openspace-participant-data"
EXPORT_VERSION = 1


class PrivacyError(Exception):
    """A rule stopped the change; the message is for the person."""


# -- labels and the notice ----------------------------------------------------------


def deleted_label(event: Event) -> str:
    """The name left in place of a participant who deleted their data."""
    with translation.override(event.language):
        return _("Deleted participant")


def anonymous_label(event: Event) -> str:
    """The name left in place of a participant after an anonymisation."""
    with translation.override(event.language):
        return _("Anonymous participant")


def names_kept_until(event: Event) -> datetime.date | None:
    """The last day names are kept (anonymise_expired replaces them after it), or None
    without a retention period."""
    if event.retention_days is None:
        return None
    return event.date + datetime.timedelta(days=event.retention_days)


def default_privacy_notice(event: Event, language: str | None = None) -> str:
    """The standard privacy notice of `event`, in its language (or `language`).

    Plain text: a blank line between paragraphs.
    """
    language = language or event.language
    with translation.override(language):
        controller = event.privacy_controller.strip() or _("the organiser of this event")
        until = names_kept_until(event)
        if until is not None:
            retention = _(
                "For how long: your name and organisation are kept until %(date)s (%(days)s "
                "days after the event) and then replaced by “%(label)s”. Topics, reports and "
                "the action plan stay, without names, as the documentation of the event."
            ) % {
                "label": _("Anonymous participant"),
                "days": event.retention_days,
                "date": formats.date_format(until, "DATE_FORMAT"),
            }
        else:
            retention = _(
                "For how long: your name and organisation are kept as part of the "
                "documentation of the event until the organiser anonymises the participants "
                "or deletes the event."
            )
        paragraphs = [
            _(
                "This notice explains what this Open Space app stores about you for "
                "“%(title)s”, why, and for how long."
            )
            % {"title": event.title},
            _(
                "What is stored: the name you give when you join and, if you give it, your "
                "organisation. No e-mail address, no password, no account. Also what you write "
                "and choose here: topics, sign-ups, reports, comments, initiatives and your "
                "closing reflection. Your browser keeps a cookie with a random key so that you "
                "stay yourself at this event; it holds nothing else."
            ),
            _(
                "Why: to run the event and to document it. Others at the event see your name "
                "and organisation next to your topics, sign-ups, comments and initiatives, and "
                "the documentation sent to the participants afterwards contains them."
            ),
            retention,
            _(
                "Your rights: on your own page at the event, “%(me)s”, you can see your data, "
                "download it as a file and delete it at any time. Deleting keeps your topics "
                "and reports, without your name. You can also ask the organiser to correct or "
                "delete your data, and complain to the data protection authority (IMY in "
                "Sweden, Datatilsynet in Denmark and in Norway)."
            )
            % {"me": _("Me")},
            _("Responsible for your data (controller): %(controller)s.")
            % {"controller": controller},
        ]
    return "\n\n".join(paragraphs)


def privacy_notice_text(event: Event) -> str:
    """The notice participants read: the organiser's own text, or the standard one."""
    return event.privacy_notice.strip() or default_privacy_notice(event)


def _normalised(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").strip().splitlines())


def is_default_notice(text: str, events: list[Event]) -> bool:
    """Whether `text` is, untouched, the standard notice of one of `events` in any language."""
    normalised = _normalised(text)
    languages = [code for code, _name in Event._meta.get_field("language").choices]
    return any(
        normalised == _normalised(default_privacy_notice(event, language))
        for event in events
        for language in languages
    )


@transaction.atomic
def update_privacy_settings(
    *,
    event: Event,
    privacy_controller: str,
    privacy_notice: str,
    retention_days: int | None,
    accessibility_statement_url: str,
) -> Event:
    """Save the event's privacy settings.

    An untouched standard notice is stored empty, so it keeps following the event's
    language, controller and retention period.
    """
    before = copy.copy(event)
    event.privacy_controller = privacy_controller.strip()
    event.retention_days = retention_days
    event.accessibility_statement_url = accessibility_statement_url.strip()
    notice = privacy_notice.replace("\r\n", "\n").strip()
    if not notice or is_default_notice(notice, [before, event]):
        notice = ""
    event.privacy_notice = notice
    event.save(
        update_fields=[
            "privacy_controller",
            "privacy_notice",
            "retention_days",
            "accessibility_statement_url",
            "updated_at",
        ]
    )
    event.touch()
    return event


# -- a participant's own data (reads) -------------------------------------------------


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _session(topic: Topic) -> dict:
    return {
        "session": topic.code,
        "room": topic.room.name if topic.room_id else "",
        "time": (
            f"{topic.time_slot.starts_at:%H:%M}–{topic.time_slot.ends_at:%H:%M}"
            if topic.time_slot_id
            else ""
        ),
    }


def _sections(report: Report) -> dict:
    return {name: getattr(report, name) for name, _heading in REPORT_SECTIONS}


def _named_in(participant: Participant) -> list[dict]:
    """Where others typed this participant's name into a list of names (NAME_LISTS):
    which topic, report or initiative, and as what; not the rest of the list, which
    names other people."""
    names = _names(participant)
    found = []
    for model, field, _required in NAME_LISTS:
        mentions = Q()
        for name in names:
            mentions |= Q(**{f"{field}__icontains": name})
        rows = model.objects.filter(mentions, event_id=participant.event_id).order_by("pk")
        if model is Report:
            rows = rows.select_related("topic")
        elif model is Initiative:  # their own are in their data with all they typed
            rows = rows.exclude(created_by=participant)
        else:
            rows = rows.exclude(convener=participant)
        for row in rows:
            if without_names(getattr(row, field), names) == getattr(row, field):
                continue  # only inside a longer name ("Anna" in "Annika")
            if model is Report:
                where = row.topic.title
            elif model is Initiative:
                where = row.what
            else:
                where = row.title
            found.append({"as": str(model._meta.get_field(field).verbose_name), "in": where})
    return found


def participant_data(participant: Participant) -> dict:
    """Everything stored about `participant`, and only what is theirs.

    Fields made for other people's names (a topic's co-convener, who took part in a
    session, the guests of an initiative, who else joined) are someone else's data:
    only where they name this participant is said (`named_by_others`), not the rest.
    """
    event = participant.event
    topics = list(
        Topic.objects.filter(convener=participant)
        .select_related("room", "time_slot", "report")
        .order_by("created_at", "pk")
    )
    signups = list(
        SignUp.objects.filter(participant=participant)
        .select_related("topic__room", "topic__time_slot")
        .order_by("created_at", "pk")
    )
    comments = list(
        ReportComment.objects.filter(participant=participant)
        .select_related("report__topic")
        .order_by("created_at", "pk")
    )
    initiatives = list(Initiative.objects.filter(created_by=participant).order_by("created_at"))
    memberships = list(
        InitiativeMember.objects.filter(participant=participant)
        .select_related("initiative")
        .order_by("created_at", "pk")
    )
    reflection = Reflection.objects.filter(participant=participant).first()
    edited = list(
        Report.objects.filter(last_editor=participant)
        .select_related("topic__room", "topic__time_slot")
        .order_by("updated_at", "pk")
    )
    photos = list(
        ReportPhoto.objects.filter(uploaded_by=participant)
        .select_related("report__topic")
        .order_by("created_at", "pk")
    )

    def report_of(topic: Topic) -> dict | None:
        try:
            report = topic.report
        except Report.DoesNotExist:
            return None
        return {
            "published_at": _iso(report.published_at),
            "participant_count": report.participant_count,
            **_sections(report),
        }

    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "event": {
            "title": event.title,
            "date": event.date.isoformat(),
            "address": event.slug,
            "controller": event.privacy_controller,
        },
        "you": {
            "name": participant.name,
            "organisation": participant.organisation,
            "joined_at": _iso(participant.created_at),
        },
        "stored_in_your_browser": _(
            "A signed cookie with a random key that makes this browser you at this event."
        ),
        "topics": [
            {
                "title": topic.title,
                "description": topic.description,
                **_session(topic),
                "withdrawn": topic.withdrawn_at is not None,
                "posted_at": _iso(topic.created_at),
                "report": report_of(topic),
            }
            for topic in topics
        ],
        "sign_ups": [
            {
                "topic": signup.topic.title,
                **_session(signup.topic),
                "waiting": signup.waiting,
                "signed_up_at": _iso(signup.created_at),
            }
            for signup in signups
        ],
        "comments": [
            {
                "report": comment.report.topic.title,
                "text": comment.text,
                "hidden": comment.hidden,
                "written_at": _iso(comment.created_at),
            }
            for comment in comments
        ],
        "initiatives": [
            {
                "what": initiative.what,
                "who": initiative.who,
                "level": initiative.level_display,
                "when": initiative.when,
                "withdrawn": initiative.withdrawn_at is not None,
                "raised_at": _iso(initiative.created_at),
            }
            for initiative in initiatives
        ],
        "initiatives_joined": [
            {"initiative": member.initiative.what, "joined_at": _iso(member.created_at)}
            for member in memberships
        ],
        "closing_reflection": (
            {
                "text": reflection.text,
                "without_my_name": reflection.anonymous,
                "written_at": _iso(reflection.created_at),
            }
            if reflection is not None
            else None
        ),
        # Saved last by this participant: their name is shown as "Last edited by".
        "reports_edited_last": [
            {
                "topic": report.topic.title,
                **_session(report.topic),
                "published": report.published_at is not None,
                "edited_at": _iso(report.updated_at),
                **_sections(report),
            }
            for report in edited
        ],
        "photos_added": [
            {
                "report": photo.report.topic.title,
                "caption": photo.caption,
                "file": photo.image.url if photo.image else "",
                "added_at": _iso(photo.created_at),
            }
            for photo in photos
        ],
        "named_by_others": _named_in(participant),
    }


def export_participant_data(participant: Participant) -> Export:
    """The participant's data as a JSON file to download."""
    content = json.dumps(participant_data(participant), ensure_ascii=False, indent=2)
    return Export(
        content=content.encode("utf-8"),
        content_type="application/json; charset=utf-8",
        filename=f"{participant.event.slug}-my-data.json",
    )


# -- forgetting a participant ---------------------------------------------------------


def _names(participant: Participant) -> set[str]:
    """The forms a participant's name was saved in by other parts of the app."""
    return {name for name in (participant.name, participant.display_name) if name}


def _drop_rendered_documentation(event: Event) -> None:
    """Rendered documentation PDFs carry the old names: delete them (they are made anew)."""
    renders = list(DocumentationRender.objects.filter(event=event))
    files = [render.file for render in renders if render.file]
    DocumentationRender.objects.filter(pk__in=[render.pk for render in renders]).delete()
    _delete_files_on_commit(files)


def _delete_files_on_commit(files) -> None:
    def delete():
        for file in files:
            file.storage.delete(file.name)

    if files:
        transaction.on_commit(delete)


def _replace_names(event: Event, names: set[str], label: str, initiators: list[int]) -> int:
    """Put `label` where a name-field holds one of `names`; the number of rows changed."""
    changed = Initiative.objects.filter(created_by__in=initiators, who__in=names).update(who=label)
    # By name, and by who edited last: a name saved before a rename reached it, too.
    changed += Report.objects.filter(
        Q(last_edited_by__in=names) | Q(last_editor__in=initiators), event=event
    ).update(last_edited_by=label)
    return changed


# The fields where people type other people's names, one per line or separated by commas,
# and whether the field may be left empty (else the label takes the name's place).
NAME_LISTS = (
    (Topic, "co_convener", False),
    (Report, "participant_names", False),
    (Initiative, "who", True),
    (Initiative, "guests", False),
)


def without_names(text: str, names: set[str]) -> str:
    """`text`, a list of names (one per line, or separated by commas), without the
    entries that are one of `names` (whole entries, any case): "Anna" leaves "Annika"
    and "Anna-Karin" alone. Lines without such an entry stay exactly as typed."""
    wanted = {name.strip().casefold() for name in names if name.strip()}
    lines = []
    for line in text.splitlines():
        entries = line.split(",")
        kept = [entry for entry in entries if entry.strip().casefold() not in wanted]
        if len(kept) < len(entries):
            line = ",".join(kept).strip(" ,")
            if not line:
                continue
        lines.append(line)
    return "\n".join(lines)


def _strike_from_name_lists(event: Event, names: set[str], label: str) -> int:
    """Take `names` out of the typed lists of names (NAME_LISTS); the rows changed. A
    list that may not be empty (who takes an initiative) and had only them says `label`."""
    changed = 0
    for model, field, required in NAME_LISTS:
        mentions = Q()
        for name in names:
            mentions |= Q(**{f"{field}__icontains": name})
        for pk, text in model.objects.filter(mentions, event=event).values_list("pk", field):
            if (shorter := without_names(text, names)) != text:
                if required and not shorter.strip():
                    shorter = label
                changed += model.objects.filter(pk=pk).update(**{field: shorter}, **_bumped(model))
    return changed


def _bumped(model) -> dict:
    """A report open in someone's form must not be saved over this change unseen: its
    version goes up, so that save is a conflict (reports/services.py)."""
    return {"version": F("version") + 1} if model is Report else {}


@transaction.atomic
def delete_participant_data(*, participant: Participant) -> None:
    """A participant deletes their data; see the module's docstring for what stays.

    Their cookie and personal link stop working: the token changes and they are removed.
    """
    participant = (
        Participant.objects.select_for_update().select_related("event").get(pk=participant.pk)
    )
    event = participant.event
    if participant.anonymised_at is not None and participant.removed_at is not None:
        return
    label = deleted_label(event)
    for signup in SignUp.objects.filter(participant=participant).select_related("topic__event"):
        agenda_services.leave(topic=signup.topic, participant=participant)  # seats move on
    InitiativeMember.objects.filter(participant=participant).delete()
    ReportComment.objects.filter(participant=participant).delete()
    Reflection.objects.filter(participant=participant).delete()
    _replace_names(event, _names(participant), label, [participant.pk])
    _strike_from_name_lists(event, _names(participant), label)
    now = timezone.now()
    participant.name, participant.organisation = label, ""
    participant.token = new_token()
    participant.anonymised_at = now
    participant.removed_at = participant.removed_at or now
    participant.save(update_fields=["name", "organisation", "token", "anonymised_at", "removed_at"])
    _drop_rendered_documentation(event)
    event.touch()


@dataclass(frozen=True)
class AnonymiseResult:
    participants: int
    texts: int

    def __bool__(self) -> bool:
        return bool(self.participants or self.texts)


@transaction.atomic
def anonymise_event(*, event: Event) -> AnonymiseResult:
    """Replace the name of every participant of `event` not anonymised yet.

    Idempotent: a second run changes nothing and says so (an empty result).
    """
    label = anonymous_label(event)
    people = list(
        Participant.objects.select_for_update().filter(event=event, anonymised_at__isnull=True)
    )
    names = set().union(*(_names(p) for p in people)) if people else set()
    ids = [p.pk for p in people]
    texts = 0
    if people:
        # Who takes an initiative may list several people ("Anna, Bertil"): each name
        # goes, entry by entry; an initiative left with nobody is the label's.
        initiatives = Initiative.objects.filter(event=event).exclude(who=label)
        for pk, who in initiatives.values_list("pk", "who"):
            if (shorter := without_names(who, names)) != who:
                texts += Initiative.objects.filter(pk=pk).update(who=shorter.strip() or label)
        texts += ReportComment.objects.filter(participant__in=ids).update(author_name=label)
        Participant.objects.filter(pk__in=ids).update(
            name=label, organisation="", anonymised_at=timezone.now()
        )
        # One by one: each needs a new secret (the old cookies and links stop working).
        for participant in people:
            Participant.objects.filter(pk=participant.pk).update(token=new_token())
    # The fields made for other people's names, filled in by hand.
    texts += (
        ReportComment.objects.filter(report__event=event, participant__isnull=True)
        .exclude(author_name__in=["", label])
        .update(author_name=label)
    )
    texts += (
        Report.objects.filter(event=event)
        .filter(~Q(participant_names="") | ~Q(last_edited_by=""))
        .update(participant_names="", last_edited_by="", **_bumped(Report))
    )
    texts += Initiative.objects.filter(event=event).exclude(guests="").update(guests="")
    texts += Topic.objects.filter(event=event).exclude(co_convener="").update(co_convener="")
    result = AnonymiseResult(participants=len(people), texts=texts)
    if result:
        _drop_rendered_documentation(event)
        event.touch()
    return result


def events_past_retention(today: datetime.date | None = None) -> list[Event]:
    """Events whose retention period is over, with names still to anonymise."""
    today = today or timezone.localdate()
    candidates = Event.objects.filter(retention_days__isnull=False, date__lt=today).order_by(
        "date", "pk"
    )
    return [event for event in candidates if names_kept_until(event) < today]


# -- deleting an event --------------------------------------------------------------


@transaction.atomic
def delete_event(*, event: Event, confirmation: str) -> None:
    """Delete the event and everything in it, once its short address is typed to confirm."""
    if confirmation.strip().lower() != event.slug.lower():
        raise PrivacyError(
            _("Type the event's short address, %(slug)s, to confirm.") % {"slug": event.slug}
        )
    files = []
    for photo in ReportPhoto.objects.filter(report__event=event):
        files += [f for f in (photo.image, photo.thumbnail) if f]
    files += [r.file for r in DocumentationRender.objects.filter(event=event) if r.file]
    slug = event.slug
    # Topics first: deleting the rooms would unplace placed topics one field at a time,
    # which the "room and time slot, or neither" constraint refuses.
    Topic.objects.filter(event=event).delete()
    event.delete()
    _delete_files_on_commit(files)
    transaction.on_commit(lambda: cache.delete(event_language_cache_key(slug)))
