"""gunicorn settings. Override any of them on the command line or with GUNICORN_CMD_ARGS.

Processes rather than threads: the requests are CPU-bound (template rendering,
the ORM), so threads of one process only queue for the GIL, and a thread that
holds SQLite's write lock while it waits for the GIL makes every other writer
wait too. 2 x cores + 1 single-threaded gthread workers (5 on 2 cores, about
90 MB each) gave a lower median latency in the marketplace burst than 2 workers
x 4 threads, at the same throughput (docs/performance.md, docs/deploy.md).
gthread rather than sync keeps idle keep-alive connections out of the way.
"""

import multiprocessing
import os

workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread"
timeout = 60
graceful_timeout = 20
keepalive = 5
# Recycle a worker now and then (a guard against slow leaks), but not every few
# seconds: at 1,000 requests/s a limit of 5,000 restarted a worker every 5-10 s,
# each restart costing about a second of CPU for loading Django again.
max_requests = 100_000
max_requests_jitter = 10_000
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", None)
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
