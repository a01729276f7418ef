"""Load test of the production server: framework ratio, marketplace burst, poll load, last seat.

    .venv/bin/python bench/load.py                        # SQLite in a temporary folder
    .venv/bin/python bench/load.py --database-url postgres://app@127.0.0.1:5433/app
    .venv/bin/python bench/load.py --database-url postgres://app@%2Frun%2Fpostgresql/app
    .venv/bin/python bench/load.py --quick                # smaller N, shorter runs

Starts gunicorn with openspace/gunicorn.conf.py (the deploy configuration; the
WEB_CONCURRENCY and GUNICORN_THREADS variables override it as in production) on
a free port of 127.0.0.1, against a fresh database: a temporary SQLite file, or
the (empty, throwaway) PostgreSQL database given with --database-url (bench/run_all
starts one with scripts/lib.sh pg_start). A set-up step builds the events in that
database, then an asyncio client (bench/http_client.py: its own cookies and connection
per phone, like a browser: CSRF cookie from a GET, X-CSRFToken header and Origin on
every POST) measures:

  a) framework ratio: requests/s of /livez (a trivial view, no query), the wall
     and agenda polls answered 304 (If-None-Match) and the large agenda page
     (2,000 participants, 20 x 6, 10,000 sign-ups), each closed-loop with the
     same concurrency against the same server; the ratios to /livez and the
     server's own CPU time per request (from /proc, so the client's share of the
     two cores does not count);
  b) marketplace burst: N phones arrive, at random moments spread over the first
     --arrivals seconds (default: the window less 22 s, so that the last phone,
     with its 10 pauses of up to 2 s, is done within the window), and each joins
     (GET /join/ for the CSRF cookie, POST the code, POST the name), opens the
     agenda, posts a topic (GET the form, POST it) and signs up for 5 sessions, with
     0.5-2 s between taps; like a browser, it follows every redirect at once (the
     name form, the agenda, the new session's page, then back to the agenda);
     throughput, latency percentiles and errors per step, then a check in the
     database that every successful response left exactly its row and no failed
     one left a row;
  c) poll load: the same burst again on a fresh event, while as many phones as
     --pollers poll its agenda every 10 s with If-None-Match and 3 walls poll the
     wall every 2 s;
  d) last seat: 200 phones on a session with one free seat (room capacity) tap
     "sign up" at the same moment: exactly one gets the seat, the rest wait.

Only 127.0.0.1 is ever contacted; every loop is bounded in requests and time
(--window plus a 90 s grace, 30 s per request) and the server is stopped at the end.
The client runs on the same 2 cores as the server: every figure includes that.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from http_client import Client, Response

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"  # the only address this script ever sends to
REQUEST_TIMEOUT = 30
GRACE = 90
SECRET = "bench-load-" + "k" * 50
SIGNUPS_PER_PHONE = 5
AGENDA_POLL_SECONDS = 10.0  # as static/js/agenda.js polls a phone's agenda
WALL_POLL_SECONDS = 2.0  # and a projector wall

# -- the server side: set-up and verification run in a child process with Django -----------


def django_env(workdir: Path, database_url: str, port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "openspace.settings",
            "SECRET_KEY": SECRET,
            "DEBUG": "false",
            "ALLOWED_HOSTS": HOST,
            "SITE_URL": f"http://{HOST}:{port}",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
            "SECURE_HSTS_SECONDS": "0",
            "STATIC_ROOT": str(workdir / "static"),
            "MEDIA_ROOT": str(workdir / "media"),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            # Every phone here posts a topic, all from 127.0.0.1: up to 2,000 topics from
            # one address in a minute, twice the default per-address limit (1,000 in 10
            # minutes, set for real events of 50-150 topics behind one venue NAT). The
            # operator's setting for such an event; the limits are tested in the suite.
            "RATELIMIT_TOPIC_PER_IP": "5000/10m",
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    else:
        env["SQLITE_PATH"] = str(workdir / "db.sqlite3")
    return env


def _django():
    import django

    django.setup()


def _cookie(participant) -> tuple[str, str]:
    from django.http import HttpRequest, HttpResponse

    from events.identity import remember_participant

    response = HttpResponse()
    remember_participant(HttpRequest(), response, participant)
    ((name, morsel),) = response.cookies.items()
    return name, morsel.value


def _event(slug: str, rooms: int, rounds: int, capacity):
    from grid import marketplace_event

    return marketplace_event(slug, f"Load {slug}", rooms, rounds, capacity)


def _participants(event, prefix: str, count: int):
    from events.models import Participant

    return Participant.objects.bulk_create(
        Participant(event=event, name=f"{prefix} {i}", organisation="Kommunen")
        for i in range(count)
    )


def _placed_topics(event, rooms, slots, conveners):
    from agenda.models import Topic

    return Topic.objects.bulk_create(
        Topic(
            event=event,
            title=f"Ämne {r.code}{s.number}: hur gör vi det enklare?",
            convener=conveners[(s.number * len(rooms) + r.position) % len(conveners)],
            room=r,
            time_slot=s,
        )
        for s in slots
        for r in rooms
    )


def setup(workdir: Path, pollers: int, racers: int) -> None:
    """Build the events in the fresh database and write what the client needs."""
    _django()
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from agenda.models import SignUp

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    rng = random.Random(7)
    user = get_user_model().objects.create_user("bench-facilitator", password=uuid.uuid4().hex)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    out: dict = {"facilitator_session": session.session_key}

    # a) the large event, as bench/agenda_page.py builds it, for the framework ratio.
    event, rooms, slots = _event("ratio", 20, 6, 40)
    event.facilitators.add(user)
    people = _participants(event, "Deltagare", 2000)
    topics = _placed_topics(event, rooms, slots, people)
    pairs = set()
    while len(pairs) < 10_000:
        pairs.add((rng.choice(topics).pk, rng.choice(people).pk))
    from grid import sign_up

    sign_up(pairs, 40)
    out["ratio"] = {"slug": event.slug, "cookie": _cookie(people[0])}

    # b, c) two fresh marketplaces: rooms, rounds, one seeded topic per cell, no sign-ups.
    for slug in ("burst", "polled"):
        event, rooms, slots = _event(slug, 20, 6, lambda i: 60 + (i % 5) * 20)
        event.facilitators.add(user)
        conveners = _participants(event, "Sammankallande", 120)
        topics = _placed_topics(event, rooms, slots, conveners)
        pollers_ = _participants(event, "Läsare", pollers if slug == "polled" else 0)
        out[slug] = {
            "slug": slug,
            "pk": event.pk,
            "join_code": event.join_code,
            "topics": [t.pk for t in topics],
            "pollers": [_cookie(p) for p in pollers_],
        }

    # d) the last seat: a room for 3, two seats taken, `racers` people ready to tap.
    event, rooms, slots = _event("seat", 1, 1, 3)
    (topic,) = _placed_topics(event, rooms, slots, _participants(event, "Sammankallande", 1))
    early = _participants(event, "Tidig", 2)
    SignUp.objects.bulk_create(SignUp(topic=topic, participant=p) for p in early)
    racers_ = _participants(event, "Sist", racers)
    out["seat"] = {
        "slug": "seat",
        "topic": topic.pk,
        "racers": [[p.pk, *_cookie(p)] for p in racers_],
    }
    out["durability"] = _durability()
    (workdir / "setup.json").write_text(json.dumps(out))


def _durability() -> str:
    """How the database flushes a commit to disk: it changes what a write costs."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW fsync")
            fsync = cursor.fetchone()[0]
            cursor.execute("SHOW synchronous_commit")
            return f"fsync {fsync}, synchronous_commit {cursor.fetchone()[0]}"
        cursor.execute("PRAGMA synchronous")
        level = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(cursor.fetchone()[0], "?")
        cursor.execute("PRAGMA journal_mode")
        return f"journal_mode {cursor.fetchone()[0]}, synchronous {level}"


def verify(workdir: Path, name: str) -> None:
    """Every successful response left exactly its row; no failed one left a row."""
    _django()
    from django.db.models import Count

    from agenda.models import SignUp, Topic
    from events.models import Participant

    expect = json.loads((workdir / f"{name}-expect.json").read_text())
    slug = expect["slug"]
    result = {
        "joins_ok": 0,
        "topics_ok": 0,
        "signups_ok": 0,
        "lost": [],
        "duplicated": [],
        "unconfirmed": [],  # a row written although the response was an error (not lost data)
    }
    names = dict(
        Participant.objects.filter(event__slug=slug, name__startswith="Phone ")
        .values_list("name")
        .annotate(n=Count("pk"))
    )
    ids = dict(
        Participant.objects.filter(event__slug=slug, name__startswith="Phone ").values_list(
            "name", "pk"
        )
    )
    topics = dict(
        Topic.objects.filter(event__slug=slug)
        .exclude(idempotency_key="")
        .values_list("idempotency_key")
        .annotate(n=Count("pk"))
    )
    signups: dict[int, list[int]] = {}
    for participant_id, topic_id in SignUp.objects.filter(
        participant__event__slug=slug, participant__name__startswith="Phone "
    ).values_list("participant_id", "topic_id"):
        signups.setdefault(participant_id, []).append(topic_id)

    def check(ok: bool, found: int, what: str) -> None:
        if ok and found == 0:
            result["lost"].append(what)
        elif found > 1:
            result["duplicated"].append(what)
        elif not ok and found:
            result["unconfirmed"].append(what)

    for phone in expect["phones"]:
        result["joins_ok"] += phone["joined"]
        check(phone["joined"], names.get(phone["name"], 0), f"participant {phone['name']}")
        if phone["topic_key"]:
            result["topics_ok"] += phone["topic_ok"]
            check(phone["topic_ok"], topics.get(phone["topic_key"], 0), f"topic {phone['name']}")
        mine = signups.get(ids.get(phone["name"]), [])
        for topic_id, ok in phone["signups"]:
            result["signups_ok"] += ok
            check(ok, mine.count(topic_id), f"sign-up {phone['name']} -> {topic_id}")
        tried = {topic_id for topic_id, _ok in phone["signups"]}
        for topic_id in set(mine) - tried:
            result["duplicated"].append(f"sign-up never asked for {phone['name']} -> {topic_id}")
    print(json.dumps(result))


def reset_limits() -> None:
    """Forget the rate-limit counts: each part starts as a fresh window would.

    Every phone here comes from 127.0.0.1, like a whole venue behind one NAT address;
    without this the topics of part b) count against the per-address limit in c).
    """
    _django()
    from openspace.models import RateLimitCounter

    RateLimitCounter.objects.all().delete()


def verify_seat(workdir: Path) -> None:
    _django()
    from agenda.models import SignUp

    info = json.loads((workdir / "setup.json").read_text())["seat"]
    racers = {pk for pk, _name, _value in info["racers"]}
    rows = list(
        SignUp.objects.filter(topic_id=info["topic"]).values_list("participant_id", "waiting")
    )
    seated = [pk for pk, waiting in rows if not waiting and pk in racers]
    print(
        json.dumps(
            {
                "racer_rows": sum(1 for pk, _w in rows if pk in racers),
                "racers_seated": len(seated),
                "seated_total": sum(1 for _pk, waiting in rows if not waiting),
                "waiting_total": sum(1 for _pk, waiting in rows if waiting),
            }
        )
    )


# -- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with the deploy configuration, and its CPU time read from /proc."""

    def __init__(self, env: dict, port: int, log: Path):
        self.env, self.port, self.log = env, port, log
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "openspace.wsgi",
                "--config",
                str(ROOT / "openspace/gunicorn.conf.py"),
                "--bind",
                f"{HOST}:{self.port}",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((HOST, self.port), timeout=1) as sock:
                    sock.sendall(b"GET /livez HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                    if b" 200 " in sock.recv(200):
                        return
            except OSError:
                pass
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited: see {self.log}")
            time.sleep(0.3)
        raise SystemExit(f"gunicorn did not answer in 60 s: see {self.log}")

    def workers(self) -> list[int]:
        return [pid for pid, (_name, f) in processes().items() if int(f[1]) == self.process.pid]

    def cpu_seconds(self) -> float:
        """User + system time of the master, its live workers and the workers it reaped."""
        found = processes()
        master = found.get(self.process.pid)
        ours = [f for _name, f in found.values() if int(f[1]) == self.process.pid]
        return (
            process_cpu_seconds(master[1], reaped=True) + sum(map(process_cpu_seconds, ours))
            if master
            else 0.0
        )

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def processes() -> dict[int, tuple[str, list[str]]]:
    """Every process on this machine: pid -> (name, the fields of /proc/<pid>/stat after
    the name; [1] is the parent's pid)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, tail = stat.read_text().rsplit(")", 1)
        except OSError:
            continue
        found[int(stat.parent.name)] = (head.partition("(")[2], tail.split())
    return found


def process_cpu_seconds(fields: list[str], reaped: bool = False) -> float:
    """A process's user + system time; with `reaped`, also its children that ended."""
    return sum(int(x) for x in fields[11 : 15 if reaped else 13]) / os.sysconf("SC_CLK_TCK")


def database_cpu_seconds() -> float | None:
    """User + system time of this machine's PostgreSQL processes (None if none run):
    on one machine the database's CPU is part of what a request costs. The
    postmaster's count includes the backends it reaped, as gunicorn's includes its
    workers'."""
    found = {pid: f for pid, (name, f) in processes().items() if name == "postgres"}
    if not found:
        return None
    return sum(process_cpu_seconds(f, reaped=int(f[1]) not in found) for f in found.values())


# -- the client ------------------------------------------------------------------------------


@dataclass
class Stats:
    latencies: list = field(default_factory=list)
    statuses: dict = field(default_factory=dict)
    errors: int = 0
    error_kinds: dict = field(default_factory=dict)

    def add(self, seconds: float, status, ok: bool) -> None:
        self.latencies.append(seconds)
        self.statuses[str(status)] = self.statuses.get(str(status), 0) + 1
        if not ok:
            self.errors += 1
            self.error_kinds[str(status)] = self.error_kinds.get(str(status), 0) + 1

    def summary(self, seconds: float | None = None) -> dict:
        data = sorted(self.latencies)

        def pct(p):
            return (
                round(data[min(len(data) - 1, int(p / 100 * len(data)))] * 1000, 1) if data else 0
            )

        out = {
            "n": len(data),
            "errors": self.errors,
            "p50": pct(50),
            "p95": pct(95),
            "p99": pct(99),
            "max": round(data[-1] * 1000, 1) if data else 0,
            "statuses": self.statuses,
        }
        if seconds:
            out["rps"] = round(len(data) / seconds, 1)
        return out


# A phone's idle connection is dropped before gunicorn's keep-alive (5 s) would drop it.
# A poll every 10 s on a connection the server is closing would reach no server.
CLIENT_KEEPALIVE_SECONDS = 4


def _client(cookies: dict | None = None, close: bool = False) -> Client:
    return Client(
        HOST,
        PORT,
        cookies,
        keepalive=CLIENT_KEEPALIVE_SECONDS,
        close=close,
        timeout=REQUEST_TIMEOUT,
    )


PORT = 0


def csrf_headers(client: Client) -> dict:
    return {"X-CSRFToken": client.cookies.get("csrftoken", ""), "Origin": f"http://{HOST}:{PORT}"}


async def timed(stats: Stats, call, check) -> tuple[bool, Response | None]:
    """Run one request; record its latency, status and whether it is what a browser expects."""
    started = time.perf_counter()
    try:
        response = await call()
        ok = check(response)
    except Exception as exc:  # timeouts, refused or reset connections count as errors
        stats.add(time.perf_counter() - started, type(exc).__name__, False)
        return False, None
    stats.add(time.perf_counter() - started, response.status, ok)
    return ok, response


# a) framework ratio --------------------------------------------------------------------------


async def closed_loop(
    server: Server,
    path: str,
    headers: dict,
    expected: int,
    seconds: float,
    concurrency: int,
    cookies: dict | None = None,
) -> dict:
    """`concurrency` clients GET `path` one request after another for `seconds`: the
    latency summary (Stats.summary), with the server's own CPU per request in ms."""
    stats = Stats()
    stop_at = time.monotonic() + seconds

    async def loop(client):
        while time.monotonic() < stop_at:
            await timed(
                stats,
                lambda: client.get(path, headers=headers),
                lambda response: response.status == expected,
            )

    clients = [_client(cookies) for _ in range(concurrency)]
    cpu0, t0 = server.cpu_seconds(), time.monotonic()
    await asyncio.gather(*(loop(client) for client in clients))
    elapsed, cpu = time.monotonic() - t0, server.cpu_seconds() - cpu0
    for client in clients:
        client.close()
    summary = stats.summary(elapsed)
    summary["server_cpu_ms"] = round(cpu / max(1, summary["n"]) * 1000, 3)
    return summary


async def ratio(server: Server, info: dict, seconds: float, concurrency: int, runs: int) -> dict:
    slug, (cookie_name, cookie_value) = info["slug"], info["cookie"]
    probe = _client({cookie_name: cookie_value})
    etags = {}
    for path in (f"/e/{slug}/wall/", f"/e/{slug}/"):
        etags[path] = (await probe.get(path, headers={"HX-Request": "true"})).headers["etag"]
    probe.close()
    kinds = {
        "livez (trivial view)": ("/livez", {}, 200),
        "wall poll 304": (
            f"/e/{slug}/wall/",
            {"HX-Request": "true", "If-None-Match": etags[f"/e/{slug}/wall/"]},
            304,
        ),
        "agenda poll 304": (
            f"/e/{slug}/",
            {"HX-Request": "true", "If-None-Match": etags[f"/e/{slug}/"]},
            304,
        ),
        "large agenda page": (f"/e/{slug}/", {}, 200),
    }
    results: dict = {}
    for run in range(runs):
        for label, (path, headers, expected) in kinds.items():
            summary = await closed_loop(
                server, path, headers, expected, seconds, concurrency, {cookie_name: cookie_value}
            )
            results.setdefault(label, []).append(summary)
            print(
                f"  run {run + 1} {label:22} {summary['rps']:8.1f} req/s  "
                f"p95 {summary['p95']:7.1f} ms  server CPU {summary['server_cpu_ms']:6.2f} ms/req  "
                f"errors {summary['errors']}",
                flush=True,
            )
    best = {}
    for label, runs_ in results.items():
        middle = sorted(runs_, key=lambda s: s["rps"])[len(runs_) // 2]  # the median run
        best[label] = middle
    base = best["livez (trivial view)"]
    for summary in best.values():
        summary["ratio"] = round(summary["rps"] / base["rps"], 3)
        summary["cpu_ratio"] = round(base["server_cpu_ms"] / summary["server_cpu_ms"], 3)
    return best


# b, c) the marketplace burst, with or without pollers ---------------------------------------


async def phone(index: int, info: dict, steps: dict, record: dict, start_at: float, rng) -> None:
    slug = info["slug"]
    name = f"Phone {index:05d}"
    record.update({"name": name, "joined": False, "topic_key": "", "topic_ok": False})
    record["signups"] = []
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    client = _client()
    try:
        await _phone(client, slug, name, info, steps, record, rng)
    finally:
        client.close()


async def _phone(client: Client, slug: str, name: str, info, steps, record, rng) -> None:
    async def think():
        await asyncio.sleep(rng.uniform(0.5, 2.0))

    ok, _ = await timed(
        steps["1 GET join page"],
        lambda: client.get("/join/"),
        lambda r: r.status == 200 and "csrftoken" in client.cookies,
    )
    if not ok:
        return
    await think()
    ok, _ = await timed(
        steps["2 POST join code"],
        lambda: client.post(
            "/join/", {"code": info["join_code"].lower()}, headers=csrf_headers(client)
        ),
        lambda r: r.status == 302 and r.headers.get("location", "").endswith(f"/e/{slug}/join/"),
    )
    if not ok:
        return
    # Every redirect is followed at once, as a browser does.
    key = await drawn_key(steps["2b GET name form"], client, f"/e/{slug}/join/")
    if key is None:
        return
    await think()
    cookie = f"participant_{info['pk']}"
    ok, _ = await timed(
        steps["3 POST name"],
        lambda: client.post(
            f"/e/{slug}/join/",
            {"name": name, "organisation": "Region Bench", "idempotency_key": key},
            headers=csrf_headers(client),
        ),
        lambda r: (
            r.status == 302 and cookie in r.cookies and r.headers["location"] == f"/e/{slug}/"
        ),
    )
    record["joined"] = ok
    if not ok:
        return
    await timed(steps["3b GET agenda"], lambda: client.get(f"/e/{slug}/"), _is_page)
    await think()
    key = await drawn_key(steps["4a GET topic form"], client, f"/e/{slug}/sessions/new/")
    if key is None:
        return
    record["topic_key"] = key
    await think()
    ok, answer = await timed(
        steps["4 POST topic"],
        lambda: client.post(
            f"/e/{slug}/sessions/new/",
            {
                "title": f"{name}: hur delar vi data mellan förvaltningar?",
                "description": "Kort beskrivning.",
                "co_convener": "",
                "idempotency_key": key,
                "cell": "",
            },
            headers=csrf_headers(client),
        ),
        lambda r: r.status == 302 and f"/e/{slug}/sessions/" in r.headers.get("location", ""),
    )
    record["topic_ok"] = ok
    if ok:  # the new session's page; a look at it, then back to the agenda to sign up
        location = answer.headers["location"]
        await timed(steps["4b GET session page"], lambda: client.get(location), _is_page)
        await think()
        await timed(steps["4c GET agenda"], lambda: client.get(f"/e/{slug}/"), _is_page)
    for topic in rng.sample(info["topics"], SIGNUPS_PER_PHONE):
        await think()
        attempt = [topic, False]  # recorded before sending: a request cut off is still known
        record["signups"].append(attempt)
        ok, _ = await timed(
            steps["5 POST sign-up"],
            lambda topic=topic: client.post(
                f"/e/{slug}/sessions/{topic}/signup/",
                {},
                headers={**csrf_headers(client), "HX-Request": "true"},
            ),
            lambda r: r.status == 200 and b"signup" in r.body,
        )
        attempt[1] = ok
    record["done"] = time.monotonic()


_KEY = re.compile(rb'name="idempotency_key" value="([A-Za-z0-9_-]{16,64})"')


def _key_in(body: bytes) -> str | None:
    """The idempotency key of the form in `body` (openspace/idempotency.py)."""
    match = _KEY.search(body)
    return match[1].decode() if match else None


async def drawn_key(stats: Stats, client: Client, path: str) -> str | None:
    """GET the form at `path`: the idempotency key it carries, or None if it failed."""
    ok, answer = await timed(
        stats, lambda: client.get(path), lambda r: r.status == 200 and _key_in(r.body) is not None
    )
    return _key_in(answer.body) if ok else None


def _is_page(response: Response) -> bool:
    return response.status == 200 and response.body.rstrip().endswith(b"</html>")


async def poller(info_cookie, slug: str, interval: float, stats: Stats, start_at, stop_at, headers):
    """Poll like static/js/agenda.js: every `interval`, If-None-Match with the last ETag."""
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    etag = None
    client = _client(info_cookie)
    next_at = time.monotonic()
    while next_at < stop_at:
        send = {**headers, "HX-Request": "true"}
        if etag:
            send["If-None-Match"] = etag
        ok, result = await timed(
            stats,
            lambda send=send: client.get(slug, headers=send),
            lambda r: r.status in (200, 304),
        )
        if ok and result.status == 200:
            etag = result.headers.get("etag")
        next_at += interval
        while next_at < time.monotonic():  # a tick missed while busy is skipped, as in JS
            next_at += interval
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
    client.close()


async def trivial_cost(server: Server, seconds: float = 3.0, concurrency: int = 16) -> float:
    """The server's CPU in ms per request of /livez (the trivial view), closed loop for
    `seconds`: how fast the machine is right now. The machine here is shared, and its
    speed drifted by up to a half within an hour (docs/performance.md, "Ninth pass"), so
    each burst reports its CPU per request also in units of this."""
    return (await closed_loop(server, "/livez", {}, 200, seconds, concurrency))["server_cpu_ms"]


async def burst(
    server: Server,
    setup_info: dict,
    name: str,
    phones: int,
    window: float,
    arrivals: float,
    pollers: int,
    walls: int,
) -> dict:
    info = setup_info[name]
    trivial_ms = await trivial_cost(server)
    rng = random.Random(11)
    steps = {
        label: Stats()
        for label in (
            "1 GET join page",
            "2 POST join code",
            "2b GET name form",
            "3 POST name",
            "3b GET agenda",
            "4a GET topic form",
            "4 POST topic",
            "4b GET session page",
            "4c GET agenda",
            "5 POST sign-up",
        )
    }
    records = [{} for _ in range(phones)]
    t0 = time.monotonic()
    hard_stop = t0 + window + GRACE
    tasks = [
        asyncio.create_task(
            phone(i, info, steps, records[i], t0 + rng.uniform(0, arrivals), random.Random(i))
        )
        for i in range(phones)
    ]
    poll_stats = {"agenda poll (phones)": Stats(), "wall poll": Stats()}
    poll_stop = t0 + window
    agenda_pollers = info["pollers"][:pollers]
    wall_pollers = walls if pollers else 0
    poll_tasks = [
        asyncio.create_task(
            poller(
                dict([cookie]),
                f"/e/{info['slug']}/",
                AGENDA_POLL_SECONDS,
                poll_stats["agenda poll (phones)"],
                t0 + rng.uniform(0, AGENDA_POLL_SECONDS),
                poll_stop,
                {},
            )
        )
        for cookie in agenda_pollers
    ]
    poll_tasks += [
        asyncio.create_task(
            poller(
                {"sessionid": setup_info["facilitator_session"]},
                f"/e/{info['slug']}/wall/",
                WALL_POLL_SECONDS,
                poll_stats["wall poll"],
                t0 + rng.uniform(0, WALL_POLL_SECONDS),
                poll_stop,
                {},
            )
        )
        for _ in range(wall_pollers)
    ]
    database_cpu = database_cpu_seconds if server.env.get("DATABASE_URL") else lambda: None
    cpu0, client0, database0 = server.cpu_seconds(), time.process_time(), database_cpu()
    done, pending = await asyncio.wait(tasks, timeout=max(1.0, hard_stop - time.monotonic()))
    for task in pending:
        task.cancel()
    finished = time.monotonic()
    await asyncio.gather(*poll_tasks, return_exceptions=True)
    elapsed = time.monotonic() - t0
    cpu = server.cpu_seconds() - cpu0
    client_cpu = time.process_time() - client0
    database1 = database_cpu()
    burst_seconds = finished - t0
    out = {
        "loadavg": Path("/proc/loadavg").read_text().split()[0],
        "trivial_view_cpu_ms": trivial_ms,
        "phones": phones,
        "window_s": window,
        "arrivals_s": arrivals,
        "elapsed_s": round(burst_seconds, 1),
        "server_cpu_s": round(cpu, 1),
        "client_cpu_s": round(client_cpu, 1),
        "database_cpu_s": (
            round(database1 - database0, 1) if None not in (database0, database1) else None
        ),
        "cut_at_hard_stop": len(pending),
        "completed": sum(1 for r in records if "done" in r),
        "completed_in_window": sum(1 for r in records if r.get("done", 1e18) - t0 <= window),
        "steps": {label: s.summary(burst_seconds) for label, s in steps.items()},
        "polls": {label: s.summary(elapsed) for label, s in poll_stats.items() if s.latencies},
    }
    all_burst = Stats()
    for s in steps.values():
        all_burst.latencies += s.latencies
        all_burst.errors += s.errors
    out["all_steps"] = all_burst.summary(burst_seconds)
    out["poll_rate"] = len(agenda_pollers) / AGENDA_POLL_SECONDS + wall_pollers / WALL_POLL_SECONDS
    out["demand"] = demand(out)
    out["records"] = records
    return out


def demand(result: dict) -> dict:
    """CPU per request (gunicorn, the client, PostgreSQL), and the cores that the burst's
    steady arrival rate asks for at that cost: phones arriving per second times their
    requests, plus the polls. Over the machine's cores, requests queue and latency
    grows for as long as the arrivals last; that, not any one slow request, is what the
    p95 of a burst measures."""
    requests = result["all_steps"]["n"] + sum(s["n"] for s in result["polls"].values())
    cpu = {
        "server": result["server_cpu_s"],
        "client": result["client_cpu_s"],
        "database": result["database_cpu_s"] or 0.0,
    }
    per_request = {k: round(v * 1000 / max(requests, 1), 2) for k, v in cpu.items()}
    per_phone = result["all_steps"]["n"] / result["phones"]
    rate = result["phones"] / result["arrivals_s"] * per_phone + result["poll_rate"]
    return {
        "cpu_ms_per_request": per_request,
        # gunicorn's CPU per request in units of the trivial view's, measured just before.
        "server_per_trivial_view": round(per_request["server"] / result["trivial_view_cpu_ms"], 2),
        "steady_rate_rps": round(rate),
        "cores_asked": round(rate * sum(per_request.values()) / 1000, 2),
        "cores": os.cpu_count(),
    }


# d) the last seat ----------------------------------------------------------------------------


async def last_seat(info: dict) -> dict:
    slug, topic = info["slug"], info["topic"]
    # A new connection per request: all 200 taps start at once, as 200 phones would.
    racers = [_client({name: value}, close=True) for _pk, name, value in info["racers"]]
    ready = Stats()
    await asyncio.gather(
        *(
            timed(
                ready, lambda c=c: c.get(f"/e/{slug}/sessions/{topic}/"), lambda r: r.status == 200
            )
            for c in racers
        )
    )
    stats = Stats()
    go = asyncio.Event()

    async def tap(client):
        await go.wait()
        await timed(
            stats,
            lambda: client.post(
                f"/e/{slug}/sessions/{topic}/signup/",
                {},
                headers={**csrf_headers(client), "HX-Request": "true"},
            ),
            lambda r: r.status == 200,
        )

    tasks = [asyncio.create_task(tap(c)) for c in racers]
    await asyncio.sleep(0.2)
    t0 = time.monotonic()
    go.set()
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - t0
    return {
        "page_loads": ready.summary(),
        "taps": stats.summary(elapsed),
        "elapsed_s": round(elapsed, 2),
    }


# -- running it all --------------------------------------------------------------------------


def child(env: dict, *args: str) -> str:
    result = subprocess.run(  # noqa: S603
        [sys.executable, __file__, *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if result.returncode:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"{args[0]} failed")
    return result.stdout


def print_burst(title: str, result: dict) -> None:
    print(
        f"\n{title} (load average {result.get('loadavg', '?')}): {result['phones']} phones, "
        f"window {result['window_s']} s, arriving within {result['arrivals_s']} s, "
        f"finished in {result['elapsed_s']} s, completed {result['completed']} "
        f"({result['completed_in_window']} within the window), cut {result['cut_at_hard_stop']}, "
        f"server CPU {result['server_cpu_s']} s, client CPU {result['client_cpu_s']} s"
        + (
            f", PostgreSQL CPU {result['database_cpu_s']} s"
            if result.get("database_cpu_s") is not None
            else ""
        )
    )
    print(
        f"  {'step':22} {'n':>6} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7} "
        f"{'err':>5}"
    )
    rows = [*result["steps"].items(), ("all burst requests", result["all_steps"])]
    rows += list(result["polls"].items())
    for label, s in rows:
        print(
            f"  {label:22} {s['n']:6} {s.get('rps', 0):7.1f} {s['p50']:7.1f} {s['p95']:7.1f} "
            f"{s['p99']:7.1f} {s['max']:7.1f} {s['errors']:5}"
            + (f"  {s['statuses']}" if s["errors"] else "")
        )
    d = result["demand"]
    per = d["cpu_ms_per_request"]
    print(
        f"  CPU per request: gunicorn {per['server']} ms ({d['server_per_trivial_view']} times "
        f"the trivial view's {result['trivial_view_cpu_ms']} ms just before), "
        f"client {per['client']} ms"
        + (f", PostgreSQL {per['database']} ms" if result.get("database_cpu_s") else "")
        + f"; at the steady arrival rate ({d['steady_rate_rps']} requests/s) that asks for "
        f"{d['cores_asked']} of the machine's {d['cores']} cores"
    )
    if "verify" in result:
        v = result["verify"]
        print(
            f"  database check: joins {v['joins_ok']}, topics {v['topics_ok']}, sign-ups "
            f"{v['signups_ok']} confirmed; lost {len(v['lost'])}, duplicated "
            f"{len(v['duplicated'])}, written despite an error response {len(v['unconfirmed'])}"
        )
        for kind in ("lost", "duplicated", "unconfirmed"):
            for line in v[kind][:5]:
                print(f"    {kind}: {line}")


def log_problems(log: Path) -> dict:
    text = log.read_text(errors="replace") if log.exists() else ""
    return {
        "tracebacks": text.count("Traceback (most recent call last)"),
        "database_locked": text.count("database is locked"),
        "worker_timeouts": text.count("WORKER TIMEOUT"),
        "worker_restarts": text.count("Autorestarting worker"),
    }


def main() -> int:
    global PORT
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default="", help="an empty PostgreSQL database; default SQLite"
    )
    parser.add_argument("--quick", action="store_true", help="300 phones, 5 s ratio runs")
    parser.add_argument("--phones", type=int)
    parser.add_argument("--pollers", type=int, help="agenda pollers in c) (default: = phones)")
    parser.add_argument("--walls", type=int, default=3)
    parser.add_argument("--window", type=float, default=60.0)
    parser.add_argument(
        "--arrivals",
        type=float,
        help="phones arrive within this many seconds (default: the window less 22 s)",
    )
    parser.add_argument("--racers", type=int, default=200)
    parser.add_argument("--ratio-seconds", type=float)
    parser.add_argument("--ratio-runs", type=int)
    parser.add_argument("--concurrency", type=int, default=16, help="connections in a)")
    parser.add_argument("--skip", default="", help="comma-separated parts to leave out: a,b,c,d")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--keep", help="work in this folder and keep it (database, server log)")
    parser.add_argument("--setup", help=argparse.SUPPRESS)
    parser.add_argument("--verify", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--verify-seat", help=argparse.SUPPRESS)
    parser.add_argument("--reset-limits", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup(Path(args.setup), args.pollers or 0, args.racers)
        return 0
    if args.verify:
        verify(Path(args.verify[0]), args.verify[1])
        return 0
    if args.reset_limits:
        reset_limits()
        return 0
    if args.verify_seat:
        verify_seat(Path(args.verify_seat))
        return 0

    phones = args.phones or (300 if args.quick else 2000)
    pollers = phones if args.pollers is None else args.pollers
    ratio_seconds = args.ratio_seconds or (5 if args.quick else 15)
    ratio_runs = args.ratio_runs or (1 if args.quick else 3)
    skip = set(args.skip.split(","))
    arrivals = args.window - 22 if args.arrivals is None else args.arrivals
    workdir = Path(args.keep or tempfile.mkdtemp(prefix="openspace-load-"))
    workdir.mkdir(parents=True, exist_ok=True)
    PORT = free_port()
    env = django_env(workdir, args.database_url, PORT)
    database = "PostgreSQL" if args.database_url else "SQLite"
    # A host that is a folder (percent-encoded: postgres://app@%2Frun%2Fpostgresql/app)
    # is the server's Unix socket; the eleventh pass in docs/performance.md compares the two.
    host = urllib.parse.unquote(urllib.parse.urlsplit(args.database_url).hostname or "")
    reached = ("over its Unix socket" if host.startswith("/") else "over TCP") if host else ""
    started = time.monotonic()
    child(env, "--setup", str(workdir), "--pollers", str(pollers), "--racers", str(args.racers))
    setup_info = json.loads((workdir / "setup.json").read_text())
    log = workdir / "gunicorn.log"
    server = Server(env, PORT, log)
    server.start()
    workers = len(server.workers())
    threads = env.get("GUNICORN_THREADS", "1 (config default)")
    print(
        f"{' '.join(filter(None, [database, reached]))} ({setup_info['durability']}), "
        f"gunicorn {workers} workers x {threads} threads on {HOST}:{PORT}; "
        f"set-up {time.monotonic() - started:.0f} s in {workdir}; 2 cores shared with the client; "
        f"load average {Path('/proc/loadavg').read_text().split()[0]}",
        flush=True,
    )
    results: dict = {"database": database, "reached": reached, "workers": workers}
    results["durability"] = setup_info["durability"]
    results["threads"] = threads
    try:
        if "a" not in skip:
            print(f"\na) framework ratio: {args.concurrency} connections, {ratio_seconds} s each")
            results["ratio"] = asyncio.run(
                ratio(server, setup_info["ratio"], ratio_seconds, args.concurrency, ratio_runs)
            )
            print(f"  {'':22} {'req/s':>8} {'ratio':>6} {'CPU ms/req':>10} {'CPU ratio':>9}")
            for label, s in results["ratio"].items():
                print(
                    f"  {label:22} {s['rps']:8.1f} {s['ratio']:6.2f} {s['server_cpu_ms']:10.2f} "
                    f"{s['cpu_ratio']:9.2f}"
                )
        for part, name, poll in (("b", "burst", 0), ("c", "polled", pollers)):
            if part in skip:
                continue
            child(env, "--reset-limits")
            result = asyncio.run(
                burst(server, setup_info, name, phones, args.window, arrivals, poll, args.walls)
            )
            records = result.pop("records")
            (workdir / f"{name}-expect.json").write_text(
                json.dumps({"slug": name, "phones": records})
            )
            result["verify"] = json.loads(child(env, "--verify", str(workdir), name))
            result["log"] = log_problems(log)
            results[name] = result
            title = (
                "b) marketplace burst"
                if not poll
                else (
                    f"c) burst with {poll} phones polling the agenda every 10 s and "
                    f"{args.walls} walls every 2 s"
                )
            )
            print_burst(title, result)
            print(f"  server log so far: {result['log']}", flush=True)
        if "d" not in skip:
            result = asyncio.run(last_seat(setup_info["seat"]))
            result["verify"] = json.loads(child(env, "--verify-seat", str(workdir)))
            results["seat"] = result
            v, taps = result["verify"], result["taps"]
            answered = taps["statuses"].get("200", 0)
            verdict = "OK" if v["racers_seated"] == 1 and v["racer_rows"] == answered else "FAIL"
            print(
                f"\nd) last seat: {args.racers} taps in {result['elapsed_s']} s, "
                f"p50 {taps['p50']} ms, p95 {taps['p95']} ms, errors {taps['errors']}; "
                f"seated {v['racers_seated']} of {args.racers}, waiting rows "
                f"{v['racer_rows'] - v['racers_seated']}, room seats taken {v['seated_total']}/3: "
                f"{verdict}"
            )
    finally:
        server.stop()
    results["log"] = log_problems(log)
    print(f"\nserver log: {results['log']} ({log})")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
