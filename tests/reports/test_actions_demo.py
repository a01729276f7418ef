from reports.action_demo import seed_actions
from reports.models import ClosingSummary, Initiative, InitiativeMember, Reflection
from tests.factories import ParticipantFactory, TopicFactory


def test_seed_actions_is_idempotent_and_realistic(event):
    people = [ParticipantFactory(event=event) for _ in range(8)]
    topics = [TopicFactory(event=event, convener=people[0]) for _ in range(3)]
    seed_actions(event, people, topics)
    counts = (
        Initiative.objects.count(),
        InitiativeMember.objects.count(),
        Reflection.objects.count(),
        ClosingSummary.objects.count(),
    )
    seed_actions(event, people, topics)
    again = (
        Initiative.objects.count(),
        InitiativeMember.objects.count(),
        Reflection.objects.count(),
        ClosingSummary.objects.count(),
    )
    assert counts == again
    assert counts[0] == 6 and counts[1] >= 12 and counts[2] == 5
    levels = {i.level_display for i in Initiative.objects.all()}
    assert {"F", "G", "U", "F/U"} <= levels
    assert Reflection.objects.filter(anonymous=True).exists()


def test_seed_actions_without_participants(event):
    seed_actions(event, [], [])
    assert Initiative.objects.filter(who="Nätverket").count() == 6
