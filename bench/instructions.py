"""Instructions per phone: the burst's flow through Django's test client, counted by
valgrind's callgrind, to compare two versions of the code without the machine's noise.

    .venv/bin/python bench/instructions.py                  # this working tree
    .venv/bin/python bench/instructions.py --rev c486281    # that commit too, then this tree

A phone here does what bench/load.py's phones do (the join page, the code, the name,
the agenda, the topic form and the topic, the new session's page, the agenda again, 5
sign-ups, htmx's headers where a browser sends them), one phone after another, against
a copy of one SQLite database built once by load.py's set-up. Each count is two runs
under callgrind, 5 and 25 phones, and the difference divided by 20: Django's start and
the first phones' warming up (templates compiled, caches filled) fall out. Shared
renders are kept for the whole run (POLL_COALESCE_SECONDS), as in a busy burst, where
nearly every page is filled in from one; with the default 2 s the count would depend on
how fast valgrind runs, that is, on the machine.

The same code, data and Python give the same count within a few hundredths of a
percent, whatever else the machine does, where timings here drift by up to half within
an hour (docs/performance.md). Instructions are not time: a cache miss or a system call
costs more than its count says, and the server's HTTP handling (gunicorn) is not in
it. Needs valgrind (`apt install valgrind`); each version takes about 4 minutes. The
other version is checked out with `git worktree` into a temporary folder and removed
afterwards; its messages are compiled there, so both render the same language.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PHONES = (5, 25)
GIT = shutil.which("git") or "git"
KEY = re.compile(rb'name="idempotency_key" value="([A-Za-z0-9_-]{16,64})"')


def _env(workdir: Path, static_root: Path, database_url: str = "") -> dict:
    sys.path.insert(0, str(HERE))
    from load import django_env

    env = django_env(workdir, database_url, 8000)
    env.update(
        {
            "ALLOWED_HOSTS": "testserver",
            "STATIC_ROOT": str(static_root),
            "POLL_COALESCE_SECONDS": "1000000",
            "PYTHONHASHSEED": "0",
        }
    )
    return env


def prepare(workdir: Path, database_url: str = "", quiet: bool = False) -> dict:
    """The database and static files every count starts from (load.py's set-up), in
    `workdir` (SQLite) or at `database_url`; the environment the phones then run in."""
    env = _env(workdir, workdir / "static", database_url)
    setup = [sys.executable, str(HERE / "load.py"), "--setup", str(workdir), "--racers", "0"]
    subprocess.run(setup, env=env, cwd=ROOT, check=True, capture_output=quiet)  # noqa: S603
    return env


def phone_steps(client, info: dict, index: int, rng):
    """A burst phone's requests (bench/load.py's) through Django's test client, as
    (step, request) pairs: the caller makes each request and sends its response back
    into the generator, which checks it and reads from it what the next step needs."""
    slug = info["slug"]

    def body(response):
        if response.get("Content-Encoding") == "gzip":
            return gzip.decompress(response.content)
        return response.content

    def post(path, data, **headers):
        token = client.cookies["csrftoken"].value
        return lambda: client.post(
            path,
            urllib.parse.urlencode(data),
            content_type="application/x-www-form-urlencoded",
            headers={"X-CSRFToken": token, "Origin": "http://testserver", **headers},
        )

    def get(path):
        return lambda: client.get(path)

    answer = yield "1 GET join page", get("/join/")
    assert answer.status_code == 200
    answer = yield "2 POST join code", post("/join/", {"code": info["join_code"].lower()})
    assert answer.status_code == 302
    answer = yield "2b GET name form", get(f"/e/{slug}/join/")
    key = KEY.search(body(answer))[1].decode()
    name = {"name": f"Phone {index}", "organisation": "Region Bench", "idempotency_key": key}
    answer = yield "3 POST name", post(f"/e/{slug}/join/", name)
    assert answer.status_code == 302
    answer = yield "3b GET agenda", get(f"/e/{slug}/")
    assert answer.status_code == 200
    answer = yield "4a GET topic form", get(f"/e/{slug}/sessions/new/")
    key = KEY.search(body(answer))[1].decode()
    topic = {
        "title": f"Phone {index}: hur delar vi data mellan förvaltningar?",
        "description": "Kort beskrivning.",
        "co_convener": "",
        "idempotency_key": key,
        "cell": "",
    }
    answer = yield "4 POST topic", post(f"/e/{slug}/sessions/new/", topic)
    assert answer.status_code == 302
    answer = yield "4b GET session page", get(answer["Location"])
    assert answer.status_code == 200
    answer = yield "4c GET agenda", get(f"/e/{slug}/")
    assert answer.status_code == 200
    for pk in rng.sample(info["topics"], 5):
        signup = post(f"/e/{slug}/sessions/{pk}/signup/", {}, **{"HX-Request": "true"})
        answer = yield "5 POST sign-up", signup
        assert answer.status_code == 200


def phones(tree: Path, prepared: Path, count: int, each_step=None) -> None:
    """Run `count` phones against the prepared event (in the child). `each_step(step,
    request)`, if given, makes each request, to measure it; it returns the response."""
    sys.path.insert(0, str(tree))
    import django

    django.setup()
    from http.cookies import SimpleCookie

    from django.test import Client

    info = json.loads((prepared / "setup.json").read_text())["burst"]
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_ENCODING="gzip")
    rng = random.Random(1)
    for i in range(count):
        client.cookies = SimpleCookie()
        steps = phone_steps(client, info, i, rng)
        answer = None
        while True:
            try:
                step, request = steps.send(answer)
            except StopIteration:
                break
            answer = each_step(step, request) if each_step else request()


def count(tree: Path, prepared: Path, phones_: int, valgrind=True) -> int:
    """Instructions of one run of `phones_` phones under callgrind (0 without it)."""
    work = Path(tempfile.mkdtemp(prefix="instructions-"))
    command = [sys.executable, __file__, "--run", str(tree), str(prepared), str(phones_)]
    if valgrind:
        command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command]
    try:
        shutil.copy(prepared / "db.sqlite3", work / "db.sqlite3")
        run = subprocess.run(  # noqa: S603
            command,
            env=_env(work, prepared / "static"),
            cwd=tree,
            capture_output=True,
            text=True,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    found = re.search(r"Collected : (\d+)", run.stderr)
    if run.returncode or (valgrind and not found):
        sys.exit(f"the run failed:\n{run.stderr[-3000:]}")
    return int(found[1]) if found else 0


def per_phone(tree: Path, prepared: Path, label: str) -> int:
    count(tree, prepared, 1, valgrind=False)  # Python's compiled files written, not counted
    few, many = (count(tree, prepared, n) for n in PHONES)
    result = (many - few) // (PHONES[1] - PHONES[0])
    print(f"{label}: {result / 1e6:.1f} million instructions per phone", flush=True)
    return result


def worktree(rev: str, into: Path) -> Path:
    tree = into / "tree"
    add = [GIT, "worktree", "add", "-q", "--detach", str(tree), rev]
    subprocess.run(add, cwd=ROOT, check=True)  # noqa: S603
    env = {**os.environ, "DEBUG": "true"}
    subprocess.run(
        [sys.executable, "manage.py", "compilemessages", "--ignore=.venv", "-v", "0"],
        cwd=tree,
        env=env,
        check=True,
    )
    return tree


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rev", action="append", default=[], help="a git revision to count too")
    parser.add_argument("--run", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        tree, prepared, n = args.run
        phones(Path(tree), Path(prepared), int(n))
        return 0
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed (apt install valgrind)")
    scratch = Path(tempfile.mkdtemp(prefix="instructions-"))
    try:
        prepared = scratch / "prepared"
        prepared.mkdir()
        prepare(prepared)
        for rev in args.rev:
            into = scratch / rev.replace("/", "_")
            into.mkdir()
            try:
                per_phone(worktree(rev, into), prepared, rev)
            finally:
                subprocess.run(  # noqa: S603
                    [GIT, "worktree", "remove", "--force", str(into / "tree")],
                    cwd=ROOT,
                    check=False,
                )
        per_phone(ROOT, prepared, "this working tree")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
