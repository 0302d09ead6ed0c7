"""The ASGI application that ``sampark serve`` runs under uvicorn.

Django's own ASGI handler runs every synchronous view in a new thread per request (each
request gets its own thread-sensitive context), so each request also opened a new database
connection: on SQLite that re-ran the PRAGMAs, re-read the schema and started from a cold page
cache, about a third of a ticket create's CPU. Sampark's views are synchronous, so HTTP goes
to Django's WSGI handler on a fixed pool of threads (``SAMPARK_THREADS``: 1 on SQLite, 2 on
PostgreSQL) whose connections persist (SQLite) or return to psycopg's pool (PostgreSQL); see
``sampark.serving.threadwsgi``. On SQLite views are CPU-bound under the GIL, so a second thread in a
process only made the two wait for each other, and made a transaction holding the write lock
wait for the GIL: at 1M tickets, 1 thread instead of 2 took ticket creates from 347 to 407/s
and the queue page's p95 from 21.5 to 14.6 ms. A process then runs one view at a time, as
gunicorn's sync workers do: ``sampark serve`` starts one process per core (at least 2), and
slow responses still stream without holding the thread. On PostgreSQL a view waits on the
database's round trips, so a second thread runs another view meanwhile (see settings).
WebSockets, when they come, are routed to Django Channels beside this.
"""

import gc
import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

from sampark.serving.threadwsgi import ThreadedWSGI

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sampark.settings")

_django = get_wsgi_application()
application = ThreadedWSGI(
    _django,
    threads=settings.SAMPARK_THREADS,
    max_body=settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
    max_upload=settings.SAMPARK_UPLOAD_MAX_BYTES,
    spool_dir=settings.FILE_UPLOAD_TEMP_DIR,
)

# What is loaded now (Django, every view, the API and its schemas) lives as long as the process,
# so it is frozen out of the garbage collector's reach: otherwise each full collection walks it
# all again, a pause of about 60 ms every hundred or so list pages at a million tickets (at
# 4 such pauses in 300 requests, 14% of the time), which is the queue's tail latency.
get_resolver().url_patterns  # noqa: B018 - imports every view and the API now, not per request
gc.freeze()
