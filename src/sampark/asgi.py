"""The ASGI application that ``sampark serve`` runs under uvicorn.

Django's own ASGI handler runs every synchronous view in a new thread per request (each
request gets its own thread-sensitive context), so each request also opened a new database
connection: on SQLite that re-ran the PRAGMAs, re-read the schema and started from a cold page
cache, about a third of a ticket create's CPU. Sampark's views are synchronous, so HTTP goes
to Django's WSGI handler on a fixed pool of threads (``SAMPARK_THREADS``, default 2) whose
connections persist (SQLite) or return to psycopg's pool (PostgreSQL); see
``sampark.threadwsgi``. Views are CPU-bound under the GIL, so more threads only made them
wait for each other (and made a transaction holding SQLite's write lock wait for the GIL):
at 1M tickets, 2 threads per worker instead of 4 took the queue page's p95 from 25 to 20 ms
and ticket creates from 236 to 270/s. One thread was faster still (16 ms, 285/s), but then
a single slow request stalls its whole worker. Scale with ``--workers`` instead.
WebSockets, when they come, are routed to Django Channels beside this.
"""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from sampark.threadwsgi import ThreadedWSGI

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sampark.settings")

_django = get_wsgi_application()
application = ThreadedWSGI(
    _django,
    threads=int(os.environ.get("SAMPARK_THREADS", "2")),
    max_body=settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
)
