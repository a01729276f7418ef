"""Django's PostgreSQL backend with a health check that asks the server only when needed.

With CONN_HEALTH_CHECKS, Django checks a kept connection at the start of each request
that uses it, by running SELECT 1: a round trip on every request, some 70 µs of the
worker's CPU and 35 µs of PostgreSQL's (docs/performance.md, "Eighth pass"), a fifth
of what a 304 poll costs. Between requests a healthy connection is quiet: the server
writes to it unasked only when it ends it (a restart, pg_terminate_backend, an idle
timeout), saying why before it closes the socket, or to send a notice. So the socket is
looked at first, without waiting: nothing to read, the connection is as it was after
the last request; anything to read (or a socket gone), Django's own check runs and
closes the connection if it fails, so the request opens a new one instead of failing.

Like Django's check, this cannot see a server that vanished without a word (a power
cut, a cable pulled): that request waits for the operating system's TCP timeout.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        try:
            poller = select.poll()
            poller.register(connection.fileno(), select.POLLIN)
            quiet = not poller.poll(0)
        except (OSError, ValueError):
            return False
        return quiet or super().is_usable()
