"""The ASGI application that ``sampark serve`` runs under uvicorn.

Django's own ASGI handler runs every synchronous view in a new thread per request (each
request gets its own thread-sensitive context), so each request also opened a new database
connection: on SQLite that re-ran the PRAGMAs, re-read the schema and started from a cold page
cache, about a third of a ticket create's CPU. Sampark's views are synchronous, so HTTP goes
to Django's WSGI handler on a fixed pool of threads (``SAMPARK_THREADS``, default 4) whose
connections persist (SQLite) or return to psycopg's pool (PostgreSQL). WebSockets, when they
come, are routed to Django Channels beside this.
"""

import os

from a2wsgi import WSGIMiddleware
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sampark.settings")

application = WSGIMiddleware(
    get_wsgi_application(), workers=int(os.environ.get("SAMPARK_THREADS", "4"))
)
