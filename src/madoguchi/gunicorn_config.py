"""gunicorn's configuration: `madoguchi serve` and `madoguchi demo` start gunicorn with it
(`gunicorn --config python:madoguchi.gunicorn_config`), and so do the tests and benchmarks that
start a real server.

Threads, not only processes (gthread): each worker process serves WEB_THREADS requests at once.
The calling display's event stream holds its request while it runs; it may take at most
DISPLAY_STREAMS_PER_PROCESS of a process's threads (reservations.views.hall), so the other
threads always serve pages, however many displays (or attackers) open streams.
"""

from __future__ import annotations

from madoguchi.cli import default_threads, default_workers

wsgi_app = "madoguchi.wsgi:application"
# Load the application once in the master and fork: workers share its memory and start at once.
# (Code changes need a restart, not a HUP, which an upgrade does anyway.)
preload_app = True
worker_class = "gthread"
threads = default_threads()
workers = default_workers()
# The access log: method, path with secrets redacted, status, size, duration (core.access_log).
accesslog = "-"
logger_class = "madoguchi.core.access_log.AccessLogger"
# No runtime control socket (gunicorn ≥ 25): its default path is per user, so two servers on one
# host would fight over it; the service manager starts and stops the server.
control_socket_disable = True
