"""A burst phone's requests one by one: the CPU and the SQL statements of each step, on
SQLite or PostgreSQL, to see which requests a phone's cost is made of.

    .venv/bin/python bench/steps.py                               # SQLite
    .venv/bin/python bench/steps.py --database-url "$PG_SOCKET_URL"   # PostgreSQL

The phones of bench/instructions.py (bench/load.py's flow: the join page, the code,
the name, the agenda, the topic form and the topic, the new session's page, the
agenda again, 5 sign-ups) run one after another through Django's test client,
against the event of load.py's set-up in a new database (for PostgreSQL, an empty
database on a server of your own, e.g. scripts/lib.sh's `pg_start durable`; the
set-up makes its tables). The first phones warm the process up and are not counted.

Per step it prints:
- the app's CPU (the test client, the middleware and the view; no HTTP server);
- on PostgreSQL, the CPU of the server process that answered, from its
  /proc/<pid>/schedstat (so the server must run on this machine);
- the statements sent, BEGIN and COMMIT included (psycopg sends PostgreSQL's BEGIN
  itself, and neither goes through Django's execute wrappers).
Shared renders are kept for the whole run (POLL_COALESCE_SECONDS), as in a busy
burst. Figures are means over the counted phones; CPU drifts with the machine
(docs/performance.md), statement counts do not.
"""

from __future__ import annotations

import argparse
import collections
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))


def _server_cpu_ns(pid: int | None) -> int:
    if pid is None:
        return 0
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])


def run(prepared: Path, phones: int, warm: int) -> None:
    """In the child: the phones, measured step by step."""
    import instructions

    cpu = collections.defaultdict(float)  # step: app CPU seconds
    server = collections.defaultdict(int)  # step: server CPU ns
    statements = collections.Counter()
    seen = collections.Counter()
    state = {"phone": 0, "pid": None}

    def each_step(step, request):
        from django.db import connection

        if step.startswith("1 "):
            state["phone"] += 1
        counted = state["phone"] > warm
        sent = []

        def note(execute, sql, params, many, context):
            sent.append(sql)
            return execute(sql, params, many, context)

        commits = []
        with connection.execute_wrapper(note):
            before_server = _server_cpu_ns(state["pid"])
            before = time.process_time()
            wrapped = connection.commit

            def commit():  # Django's atomic() ends a transaction here
                commits.append(1)
                return wrapped()

            connection.commit = commit
            try:
                answer = request()
            finally:
                del connection.commit
            spent = time.process_time() - before
            after_server = _server_cpu_ns(state["pid"])
        if connection.vendor == "postgresql" and connection.connection is not None:
            state["pid"] = connection.connection.info.backend_pid
        if counted:
            cpu[step] += spent
            server[step] += after_server - before_server if before_server else 0
            # A BEGIN the backend sent as a query (SQLite's BEGIN IMMEDIATE) is among
            # `sent`; psycopg sends PostgreSQL's itself.
            begins = sum(1 for sql in sent if sql.lstrip().upper().startswith("BEGIN"))
            statements[step] += len(sent) + len(commits) + max(0, len(commits) - begins)
            seen[step] += 1
        return answer

    instructions.phones(ROOT, prepared, phones + warm, each_step)
    counted = phones
    postgres = os.environ.get("DATABASE_URL", "").startswith("postgres")
    head = f"{'step':24} {'requests':>8} {'app CPU ms':>10}"
    head += f" {'server CPU ms':>13}" if postgres else ""
    print(head + f" {'statements':>10}")
    total_cpu = total_server = total_statements = 0.0
    for step in seen:
        n = seen[step]
        line = f"{step:24} {n / counted:8.0f} {1000 * cpu[step] / n:10.2f}"
        if postgres:
            line += f" {server[step] / 1e6 / n:13.2f}"
        print(f"{line} {statements[step] / n:10.1f}")
        total_cpu += cpu[step] / counted
        total_server += server[step] / counted
        total_statements += statements[step] / counted
    requests = sum(seen.values()) / counted
    line = f"{'a phone':24} {requests:8.0f} {1000 * total_cpu:10.2f}"
    if postgres:
        line += f" {total_server / 1e6:13.2f}"
    print(f"{line} {total_statements:10.1f}")
    print(f"({counted} phones counted after {warm} warming up)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL; SQLite without it")
    parser.add_argument("--phones", type=int, default=100, help="phones counted (100)")
    parser.add_argument("--warm", type=int, default=5, help="phones not counted (5)")
    parser.add_argument("--run", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        prepared, phones, warm = args.run
        run(Path(prepared), int(phones), int(warm))
        return 0
    import instructions

    with tempfile.TemporaryDirectory(prefix="steps-") as scratch:
        work = Path(scratch)
        env = instructions.prepare(work, args.database_url, quiet=True)
        database = "PostgreSQL" if args.database_url else "SQLite"
        print(f"{database}, {args.phones} phones of bench/load.py's burst, one after another")
        child = [sys.executable, __file__, "--run", str(work), str(args.phones), str(args.warm)]
        return subprocess.run(child, env=env, cwd=ROOT, check=False).returncode  # noqa: S603


if __name__ == "__main__":
    sys.exit(main())
