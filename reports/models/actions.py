"""The action plan (initiatives and who joins), the collaboration ladder, closing reflections.

An initiative is one row of the paper action plan: Who · What · Level · When · Who joins.
Its level is one or more of F (prepare), G (carry out) and U (explore), stored as the
letters in that fixed order ("FU" is shown "F/U"), so a database constraint can list
every valid value.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agenda.models import Topic
from events.models import Event, Participant

__all__ = [
    "LADDER_NEXT_STEP_MAX",
    "LEVEL_ORDER",
    "VALID_LEVELS",
    "ClosingSummary",
    "Initiative",
    "InitiativeMember",
    "InitiativeState",
    "LadderStep",
    "Level",
    "Reflection",
]


class Level(models.TextChoices):
    PREPARE = "F", _("Prepare")
    CARRY_OUT = "G", _("Carry out")
    EXPLORE = "U", _("Explore")


LEVEL_ORDER = "FGU"
# Every non-empty subset of F, G, U, letters in LEVEL_ORDER.
VALID_LEVELS = ("F", "G", "U", "FG", "FU", "GU", "FGU")


class LadderStep(models.IntegerChoices):
    CONVERSATION = 1, _("Conversation")
    SHARED_VIEW = 2, _("Shared view")
    COLLABORATION = 3, _("Collaboration")
    COOPERATION = 4, _("Cooperation")


LADDER_NEXT_STEP_MAX = 1000


class InitiativeState(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class InitiativeQuerySet(models.QuerySet):
    def active(self):
        """Not withdrawn, not merged into another initiative, not hidden by a facilitator."""
        return self.filter(
            withdrawn_at__isnull=True, merged_into__isnull=True, hidden_at__isnull=True
        )


class Initiative(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="initiatives")
    # The participant who raised it (the "initiator"); they may edit it.
    created_by = models.ForeignKey(
        Participant,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="initiatives",
    )
    who = models.CharField(_("who takes it"), max_length=200)
    what = models.TextField(_("what"), max_length=2000)
    levels = models.CharField(
        _("level"), max_length=3, choices=[(v, "/".join(v)) for v in VALID_LEVELS]
    )
    when = models.CharField(_("when"), max_length=100, blank=True)
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("grew from the session"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="initiatives",
    )
    # People who join but are not in the app, one name per line, as the initiator typed them.
    guests = models.TextField(_("others who join"), max_length=1000, blank=True)
    ladder_step = models.PositiveSmallIntegerField(
        _("step on the collaboration ladder"), choices=LadderStep, null=True, blank=True
    )
    ladder_position = models.PositiveIntegerField(default=0)
    next_step = models.TextField(
        _("what it takes to climb one step"), max_length=LADDER_NEXT_STEP_MAX, blank=True
    )
    state = models.CharField(
        _("state"), max_length=12, choices=InitiativeState, default=InitiativeState.OPEN
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Hidden by a facilitator (reports/moderation.py): gone from every page and export
    # until shown again.
    hidden_at = models.DateTimeField(null=True, blank=True, editable=False)
    # From the create form: a double tap posts the same key twice and makes one initiative.
    idempotency_key = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InitiativeQuerySet.as_manager()

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(levels__in=VALID_LEVELS), name="initiative_levels"),
            models.CheckConstraint(
                condition=Q(ladder_step__isnull=True) | Q(ladder_step__gte=1, ladder_step__lte=4),
                name="initiative_ladder_step",
            ),
            models.UniqueConstraint(
                fields=["event", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="initiative_idempotency_key",
            ),
        ]
        indexes = [models.Index(fields=["event", "ladder_step", "ladder_position"])]

    def __str__(self) -> str:
        return self.what[:60]

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None and self.merged_into_id is None and self.hidden_at is None

    @property
    def level_list(self) -> list[str]:
        return [letter for letter in LEVEL_ORDER if letter in self.levels]

    @property
    def level_display(self) -> str:
        """As on the paper: "F/U"."""
        return "/".join(self.level_list)

    @property
    def level_labels(self) -> str:
        """Spelled out for screen readers and the document: "Prepare, Explore"."""
        return ", ".join(str(Level(letter).label) for letter in self.level_list)

    @property
    def guest_list(self) -> list[str]:
        return [line.strip() for line in self.guests.splitlines() if line.strip()]


class InitiativeMember(models.Model):
    """A participant who joins an initiative ("Vem är med?")."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="members")
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="initiative_memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("member of an initiative")
        verbose_name_plural = _("members of initiatives")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "participant"], name="one_membership_per_participant"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} → {self.initiative}"


class ReflectionQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(hidden_at__isnull=True)


class Reflection(models.Model):
    """A word or a sentence from the closing circle, one per participant."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="reflections")
    # Kept even when the reflection is anonymous, so the author can change it;
    # an anonymous reflection never shows the name anywhere.
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="reflections"
    )
    text = models.TextField(_("reflection"), max_length=500)
    anonymous = models.BooleanField(_("without my name"), default=False)
    hidden_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReflectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("closing reflection")
        verbose_name_plural = _("closing reflections")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "participant"], name="one_reflection_per_participant"
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def author(self) -> str:
        """The name shown with the reflection ("" when anonymous)."""
        if self.anonymous or self.participant is None:
            return ""
        return self.participant.display_name


class ClosingSummary(models.Model):
    """The organisers' summary of the day, written at or after the closing circle."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="closing_summary")
    text = models.TextField(_("summary"), max_length=10000, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("closing summary")
        verbose_name_plural = _("closing summaries")

    def __str__(self) -> str:
        return str(self.event)
