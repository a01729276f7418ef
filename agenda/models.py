from functools import cached_property

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from events.models import Event, Participant


class Room(models.Model):
    """A room or space (A, B, C, "the sofa corner"): a column of the agenda grid."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=80)
    # The letter in session codes ("A" in "A1"). Assigned once, so codes stay
    # stable when rooms are reordered; the facilitator can renumber explicitly.
    code = models.CharField(_("code"), max_length=4)
    location_hint = models.CharField(_("where it is"), max_length=200, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "event", name="room_name_unique_per_event"),
            models.UniqueConstraint(fields=["event", "code"], name="room_code_unique_per_event"),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gt=0),
                name="room_capacity_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TimeSlot(models.Model):
    """A round of dialogue ("Pass 1, 13.45–14.10"): a row of the agenda grid."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="time_slots")
    label = models.CharField(pgettext_lazy("time slot", "label"), max_length=80)
    starts_at = models.TimeField(_("starts"))
    ends_at = models.TimeField(_("ends"))
    # The round number in session codes ("1" in "A1"); stable like Room.code.
    number = models.PositiveSmallIntegerField(_("round number"))

    class Meta:
        verbose_name = _("time slot")
        verbose_name_plural = _("time slots")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="time_slot_ends_after_it_starts"
            ),
            models.UniqueConstraint(fields=["event", "number"], name="time_slot_number_unique"),
        ]

    def __str__(self) -> str:
        return self.label


class TopicQuerySet(models.QuerySet):
    def active(self):
        return self.filter(withdrawn_at__isnull=True)


class Topic(models.Model):
    """A topic posted at the marketplace; once placed in a cell it is a session."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="topics")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    convener = models.ForeignKey(
        Participant,
        verbose_name=_("convener"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="topics",
    )
    co_convener = models.CharField(_("co-convener"), max_length=120, blank=True)
    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.SET_NULL, related_name="topics"
    )
    time_slot = models.ForeignKey(
        TimeSlot, null=True, blank=True, on_delete=models.SET_NULL, related_name="topics"
    )
    # A facilitator's lock: the scheduler never proposes moving a locked topic.
    locked = models.BooleanField(_("locked in place"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Hidden by a facilitator (reports/moderation.py). withdrawn_at is set too, so the
    # topic leaves every page and frees its cell; unlike a withdrawal its cell and
    # sign-ups are kept, and showing it again brings it back (unplaced if the cell
    # was taken meanwhile).
    hidden_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The key of the form that posted it: a double-tapped submit makes one topic.
    idempotency_key = models.CharField(max_length=64, blank=True, editable=False)

    objects = TopicQuerySet.as_manager()

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["created_at", "pk"]
        constraints = [
            # One session per cell: the database, not a read-then-write, settles
            # two people taking the last free cell at the same moment.
            models.UniqueConstraint(
                fields=["room", "time_slot"],
                condition=Q(room__isnull=False, time_slot__isnull=False, withdrawn_at__isnull=True),
                name="one_topic_per_cell",
            ),
            models.CheckConstraint(
                condition=Q(room__isnull=True, time_slot__isnull=True)
                | Q(room__isnull=False, time_slot__isnull=False),
                name="topic_placed_in_both_room_and_slot_or_neither",
            ),
            models.UniqueConstraint(
                fields=["event", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="topic_idempotency_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agenda:topic", kwargs={"slug": self.event.slug, "pk": self.pk})

    @property
    def is_placed(self) -> bool:
        return self.room_id is not None and self.time_slot_id is not None

    @cached_property
    def capacity(self) -> int | None:
        """The places in its room: None for no limit, or while it has no room. A sign-up
        sets it from the statement that counts the seats (agenda/services.py), which
        then need not read the room."""
        return self.room.capacity if self.room_id else None

    @property
    def code(self) -> str:
        """The session code from its cell ("A1"), or "" while unplaced."""
        if not self.is_placed:
            return ""
        return f"{self.room.code}{self.time_slot.number}"


class SignUp(models.Model):
    """A participant's wish to join a session (DA: at melde sig på)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="signups")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="signups")
    # Past the room's capacity a sign-up waits for a seat instead of being refused.
    waiting = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "participant"], name="one_signup_per_person")
        ]

    def __str__(self) -> str:
        return f"{self.participant} → {self.topic}"
