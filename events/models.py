import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from openspace import live

# Letters and digits that cannot be confused when read off a projector
# (no 0/O, 1/I/L, 5/S, 2/Z, 8/B).
JOIN_CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
JOIN_CODE_LENGTH = 6


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Language(models.TextChoices):
    SWEDISH = "sv", _("Swedish")
    DANISH = "da", _("Danish")
    NORWEGIAN = "nb", _("Norwegian Bokmål")
    ENGLISH = "en", _("English")


class Phase(models.TextChoices):
    """The phases of the day, in order. The current phase decides what participants can do."""

    PREPARATION = "preparation", _("Preparation")
    OPENING = "opening", _("Opening circle")
    MARKETPLACE = "marketplace", _("Marketplace")
    ROUNDS = "rounds", _("Dialogue rounds")
    VERNISSAGE = "vernissage", _("News wall")
    ACTION_PLANNING = "action_planning", _("Action planning")
    CLOSING = "closing", _("Closing circle")
    CLOSED = "closed", _("Closed")


class ParticipantVisibility(models.TextChoices):
    NAMES = "names", _("Show participants' names")
    ORGANISATIONS = "organisations", _("Show organisations only")
    COUNT = "count", _("Show a count only")


class Series(models.Model):
    """A run of meetings, such as a network that meets four times a year."""

    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")

    def __str__(self) -> str:
        return self.name


class EventQuerySet(models.QuerySet):
    def for_facilitator(self, user):
        if user.is_superuser:
            return self
        return self.filter(facilitators=user)

    def upcoming(self):
        return self.filter(date__gte=timezone.localdate()).order_by("date", "start_time")

    def past(self):
        return self.filter(date__lt=timezone.localdate()).order_by("-date", "-start_time")


class Event(models.Model):
    slug = models.SlugField(_("short address"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    theme_question = models.TextField(_("theme question"), max_length=1000, blank=True)
    purpose = models.TextField(_("purpose"), max_length=5000, blank=True)
    description = models.TextField(_("description"), max_length=10000, blank=True)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("starts"))
    end_time = models.TimeField(_("ends"))
    venue = models.CharField(_("venue"), max_length=300, blank=True)
    language = models.CharField(
        _("main language"), max_length=5, choices=Language, default=Language.SWEDISH
    )
    principles = models.TextField(
        _("principles and the law"),
        max_length=5000,
        blank=True,
        help_text=_("One per line. Shown at the opening and in the documentation."),
    )
    series = models.ForeignKey(
        Series,
        verbose_name=_("series"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase, default=Phase.PREPARATION)
    # Moderation: while locked, participants can read but not post anything (whatever
    # the phase); facilitators still can. Set and cleared on the setup page.
    locked_at = models.DateTimeField(_("locked since"), null=True, blank=True, editable=False)
    participant_visibility = models.CharField(
        _("who signed up is shown as"),
        max_length=20,
        choices=ParticipantVisibility,
        default=ParticipantVisibility.NAMES,
    )
    # Privacy (events/privacy.py): who answers for the personal data, the notice
    # participants read (empty: the default text in the event's language), and how
    # long names are kept (empty: until a facilitator anonymises or deletes the event).
    privacy_controller = models.CharField(
        _("who is responsible for the personal data"),
        max_length=300,
        blank=True,
        help_text=_(
            "The organiser and how to reach them, "
            "for example “Region Exempel, dataskydd@region.se”."
        ),
    )
    privacy_notice = models.TextField(
        _("privacy notice"),
        max_length=10000,
        blank=True,
        help_text=_("Left empty, a standard text in the event's language is shown."),
    )
    retention_days = models.PositiveIntegerField(
        _("anonymise names after (days)"),
        null=True,
        blank=True,
        help_text=_(
            "Days after the event date. Then participants' names are replaced automatically. "
            "Empty: names are kept until you anonymise them or delete the event."
        ),
    )
    accessibility_statement_url = models.URLField(
        _("accessibility statement"),
        max_length=500,
        blank=True,
        help_text=_("Address of the accessibility statement, if not the site's own."),
    )
    join_code = models.CharField(
        _("join code"), max_length=12, unique=True, default=new_join_code, editable=False
    )
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("facilitators"),
        related_name="facilitated_events",
        blank=True,
    )
    # Bumped on every change participants or the wall can see: the cheap
    # "has anything changed?" check behind live updates (see docs/live-updates.md).
    version = models.PositiveBigIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-date", "-start_time"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_time__gt=F("start_time")),
                name="event_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agenda:home", kwargs={"slug": self.slug})

    @property
    def is_closed(self) -> bool:
        return self.phase == Phase.CLOSED

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def accepts_participants(self) -> bool:
        return self.phase != Phase.CLOSED

    @property
    def marketplace_open(self) -> bool:
        return self.phase == Phase.MARKETPLACE

    @property
    def signups_open(self) -> bool:
        return self.phase in {Phase.MARKETPLACE, Phase.ROUNDS}

    @property
    def reports_open(self) -> bool:
        return self.phase in {
            Phase.ROUNDS,
            Phase.VERNISSAGE,
            Phase.ACTION_PLANNING,
            Phase.CLOSING,
        }

    @property
    def action_planning_open(self) -> bool:
        return self.phase in {Phase.ACTION_PLANNING, Phase.CLOSING}

    def principle_lines(self) -> list[str]:
        return [line.strip() for line in self.principles.splitlines() if line.strip()]

    def is_facilitator(self, user) -> bool:
        if not user.is_authenticated:
            return False
        if user.is_superuser:
            return True
        return self.facilitators.filter(pk=user.pk).exists()

    def touch(self) -> None:
        """Mark the event as changed for everyone polling it.

        Plain SQL: every write a participant makes runs it, and the ORM took ten
        times longer to build this UPDATE than the database took to run it."""
        table = connection.ops.quote_name(Event._meta.db_table)
        sql = f"UPDATE {table} SET version = version + 1 WHERE id = %s RETURNING version"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.pk])
            row = cursor.fetchone()
        self.touched(row[0] if row else None)

    def touched(self, version: int | None) -> None:
        """What follows a bump of the version: touch()'s, or one a statement made with
        its own write (a sign-up on PostgreSQL, agenda/services.py)."""
        if version is not None:  # for the writer's next page load (live.coalesce_since)
            live.note_write(self.pk, version)
        # The version this process knows for quick 304s: now, for the rest of this
        # transaction, and at the commit, for a poll that read it in between.
        live.forget_version(self.pk)
        transaction.on_commit(lambda: live.forget_version(self.pk))


class RunSheetItem(models.Model):
    """One line of the day's run sheet: what happens when, and in which phase.

    A break ("Lunch 12:00–12:45") is in no phase: it has a label instead. Every item
    has a phase, a label or both."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="run_sheet")
    phase = models.CharField(_("phase"), max_length=20, choices=Phase, blank=True)
    label = models.CharField(pgettext_lazy("run sheet item", "label"), max_length=200, blank=True)
    starts_at = models.TimeField(_("starts"))
    ends_at = models.TimeField(_("ends"))
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("run sheet item")
        verbose_name_plural = _("run sheet")
        ordering = ["starts_at", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=F("starts_at")),
                name="run_sheet_item_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=~models.Q(phase="") | ~models.Q(label=""),
                name="run_sheet_item_has_a_phase_or_a_label",
                violation_error_message=_("Give the item a label, or choose its phase."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_label

    def clean(self):
        super().clean()
        if not self.phase and not self.label.strip():
            raise ValidationError({"label": _("Give the item a label, or choose its phase.")})

    @property
    def display_label(self) -> str:
        return self.label or self.get_phase_display()


def participant_display_name(name: str, organisation: str) -> str:
    """How a participant is named wherever they are shown: "Anna (Kommunen)"."""
    return f"{name} ({organisation})" if organisation else name


class ParticipantQuerySet(models.QuerySet):
    def active(self):
        return self.filter(removed_at__isnull=True)


class Participant(models.Model):
    """A person at an event, known by a display name. No account, no email."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    name = models.CharField(_("name"), max_length=80)
    organisation = models.CharField(_("organisation"), max_length=120, blank=True)
    # The secret in the signed cookie and in the personal resume link.
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when the name was replaced (events/privacy.py): never anonymised twice.
    anonymised_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["event", "name"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return participant_display_name(self.name, self.organisation)

    @property
    def is_active(self) -> bool:
        return self.removed_at is None

    def get_resume_url(self) -> str:
        return reverse("events:resume", kwargs={"slug": self.event.slug, "token": self.token})


class FacilitatorInvite(models.Model):
    """A link a facilitator shares with a colleague to make them co-facilitator."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invites")
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("facilitator invitation")
        verbose_name_plural = _("facilitator invitations")

    def __str__(self) -> str:
        return f"{self.event} ({self.created_at:%Y-%m-%d})"
