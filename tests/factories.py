import datetime

import factory
from django.contrib.auth import get_user_model

from agenda.models import Room, SignUp, TimeSlot, Topic
from events.models import Event, Participant, Phase


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"facilitator{n}")
    password = factory.django.Password("a-long-test-password")


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"event-{n}")
    title = factory.Sequence(lambda n: f"Nätverksträff {n}")
    theme_question = "Hur kan vi tillsammans minska den administrativa bördan?"
    date = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=7))
    start_time = datetime.time(9, 0)
    end_time = datetime.time(16, 0)
    language = "en"  # the tests read the English source strings
    phase = Phase.MARKETPLACE

    @factory.post_generation
    def facilitators(self, create, extracted, **kwargs):
        if create and extracted:
            self.facilitators.add(*extracted)


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Deltagare {n}")
    organisation = "Region Exempel"


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    event = factory.SubFactory(EventFactory)
    name = factory.Sequence(lambda n: f"Rum {n}")
    code = factory.Sequence(lambda n: chr(ord("A") + n % 26) + ("" if n < 26 else str(n // 26)))
    position = factory.Sequence(lambda n: n)


class TimeSlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeSlot

    event = factory.SubFactory(EventFactory)
    number = factory.Sequence(lambda n: n + 1)
    label = factory.LazyAttribute(lambda o: f"Pass {o.number}")
    starts_at = factory.LazyAttribute(lambda o: datetime.time(9 + o.number % 12, 0))
    ends_at = factory.LazyAttribute(lambda o: datetime.time(9 + o.number % 12, 45))


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    event = factory.SubFactory(EventFactory)
    title = factory.Sequence(lambda n: f"Ämne {n}")
    convener = factory.SubFactory(ParticipantFactory, event=factory.SelfAttribute("..event"))


class SignUpFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignUp

    topic = factory.SubFactory(TopicFactory)
    participant = factory.SubFactory(
        ParticipantFactory, event=factory.SelfAttribute("..topic.event")
    )
