"""gunicorn settings. Override any of them on the command line or with GUNICORN_CMD_ARGS.

One single-threaded process per core. The requests are CPU work (templates, the
ORM), so threads of one process only queue for the GIL, and a thread that holds
SQLite's write lock while it waits for the GIL makes every other writer wait too.
And each process keeps its own shared renders (openspace/live.py: the agenda grid,
page frames, session cards), so each further process renders every change once more:
in the 2,000-phone marketplace burst on 2 cores, 2 processes used 100 s of CPU where
3 used 130 s and 5 used 139 s, with a p95 of 2.8 s against 4.4 s and 5.6 s
(docs/performance.md, "Fifth pass"). gthread rather than sync keeps idle keep-alive
connections out of the way.
"""

import multiprocessing
import os

workers = int(os.environ.get("WEB_CONCURRENCY", max(2, multiprocessing.cpu_count())))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread"
timeout = 60
graceful_timeout = 20
keepalive = 5
# Open connections per process (gunicorn's default is 1,000). With one process per
# core, 2,000 phones polling while 2,000 more joined were more than 2 × 1,000: the rest
# waited in the listen queue until a keep-alive connection closed, and 181 phones
# (PostgreSQL) gave up after 30 s. Behind nginx, which opens a connection per request,
# this limit is rarely reached.
worker_connections = 5_000
# Recycle a worker now and then (a guard against slow leaks), but not every few
# minutes: at 1,000 requests/s a limit of 5,000 restarted a worker every 5-10 s, each
# restart costing about a second of CPU for loading Django again and closing its
# keep-alive connections. With one process per core each takes all of its share of
# 2,000 phones' polls (about 100 a second on 2 cores): a restart every 40 minutes.
max_requests = 250_000
max_requests_jitter = 25_000
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", None)
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn 25.1+ opens a control socket for `gunicornc` in $XDG_RUNTIME_DIR or
# ~/.gunicorn. Nothing here uses it, and every gunicorn of one user takes over the same
# path and removes it when it stops (the service's, the demo's, the load test's).
control_socket_disable = True
