"""The serving stack: the ASGI application, the thread bridge to Django's WSGI handler, the
uvicorn server, edge middleware and the background worker."""
