"""The two tables every app's writes share: rate-limit counters and idempotency records.

Both are bookkeeping, not content: rows expire (a counter with its window, a record
after IDEMPOTENCY_TTL) and hold no personal data in the clear.
"""

from django.db import models


class RateLimitCounter(models.Model):
    """How often one client did one action in one fixed window (openspace/ratelimit.py).

    The key names the action, the window and a keyed hash of who (a participant or an
    address): no IP address is stored. Counted with one atomic upsert, shared by every
    worker process and server that uses this database.
    """

    key = models.CharField(max_length=120, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    # Unix seconds at which the window ends; expired rows are deleted now and then.
    expires_at = models.BigIntegerField(db_index=True)

    class Meta:
        verbose_name = "rate-limit counter"

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class IdempotentRequest(models.Model):
    """The first outcome of a create form, kept so a retried POST replays it
    (openspace/idempotency.py). Recorded in the same transaction as the write."""

    # Who sent it to which address (the view's name, the path and the participant or
    # account), so a key copied elsewhere replays nothing.
    scope = models.CharField(max_length=255)
    key = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    # Location, Content-Type and the HX-* headers of the first answer.
    headers = models.JSONField(default=dict)
    body = models.TextField(blank=True)
    # What the request made (a participant, for joining), for a replay hook.
    object_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "idempotent request"
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotent_request_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
