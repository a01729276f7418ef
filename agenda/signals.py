"""Deleting a room or a time slot by any path (the Django admin, an event deleted with
everything in it, a queryset's delete()) unplaces its topics first.

A topic has a room and a time slot, or neither (a database constraint). Django's
on_delete=SET_NULL empties one field at a time, so a placed topic in a deleted room
would be left with a time slot and no room, which the constraint refuses: the whole
delete failed. The app's own deletes (events/services.py, events/privacy.py) already
unplace or delete the topics first; this covers every other path.
"""

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from .models import Room, TimeSlot, Topic


@receiver(pre_delete, sender=Room, dispatch_uid="agenda.unplace_before_room_delete")
def unplace_topics_of_room(sender, instance: Room, **kwargs) -> None:
    Topic.objects.filter(room=instance).update(room=None, time_slot=None)


@receiver(pre_delete, sender=TimeSlot, dispatch_uid="agenda.unplace_before_slot_delete")
def unplace_topics_of_time_slot(sender, instance: TimeSlot, **kwargs) -> None:
    Topic.objects.filter(time_slot=instance).update(room=None, time_slot=None)
