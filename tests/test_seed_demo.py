import io

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command

from agenda.models import SignUp
from events.models import Event


def counts():
    """Rows of every model of the project's apps, so later features are covered too."""
    return {
        model.__name__: model.objects.count()
        for label in ("events", "agenda", "reports")
        for model in apps.get_app_config(label).get_models()
    }


@pytest.fixture
def demo_dirs(settings, tmp_path):
    settings.BASE_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path


def seed(**options):
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_demo_creates_a_realistic_swedish_event(demo_dirs):
    seed(quiet=True)
    event = Event.objects.get(slug="demo")
    assert event.language == "sv"
    assert event.title.startswith("Nätverksträff 4")
    assert list(event.rooms.values_list("code", flat=True)) == ["A", "B", "C", "D"]
    assert event.time_slots.count() == 3
    assert event.run_sheet.count() >= 5
    assert event.participants.count() == 30
    assert event.facilitators.filter(username="facilitator").exists()
    assert event.topics.filter(room__isnull=False).count() >= 9
    assert SignUp.objects.filter(topic__event=event).count() > 30
    assert "Lagen om två fötter" in event.principles


@pytest.mark.django_db
def test_seed_demo_is_idempotent(demo_dirs):
    seed(quiet=True)
    first = counts()
    join_code = Event.objects.get(slug="demo").join_code
    seed(quiet=True)
    assert counts() == first
    assert Event.objects.get(slug="demo").join_code == join_code


@pytest.mark.django_db
def test_seed_demo_runs_the_report_and_action_plan_hooks(demo_dirs):
    seed(quiet=True)
    rows = counts()
    assert rows["Report"] > 0
    assert rows["Initiative"] > 0


@pytest.mark.django_db
def test_seed_demo_keeps_the_facilitator_password(demo_dirs):
    seed(quiet=True)
    password = (demo_dirs / "var" / "demo_facilitator_password").read_text().strip()
    seed(quiet=True)
    assert authenticate(username="facilitator", password=password) is not None


@pytest.mark.django_db
def test_seed_demo_prints_the_login_and_a_join_link_that_works(demo_dirs, client, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    output = seed()
    event = Event.objects.get(slug="demo")
    password = (demo_dirs / "var" / "demo_facilitator_password").read_text().strip()
    assert "http://127.0.0.1:8000/accounts/login/" in output
    assert "facilitator" in output and password in output
    assert event.join_code in output
    join_line = next(line for line in output.splitlines() if "Participant join" in line)
    join_url = join_line.split()[-1].removeprefix("http://127.0.0.1:8000")
    assert client.get(join_url).status_code == 200
    assert client.login(username="facilitator", password=password)
