"""Sampark's settings with one middleware more, for the workspace benchmarks: every response
carries ``Server-Timing: app;dur=<ms>, cpu;dur=<ms>``, the wall-clock time Django spent on the
request (every middleware, the view and rendering) and the CPU time of the thread that ran it,
and ``X-Bench-Process``, the server process that answered (uvicorn's workers share one
listening socket, and a few kept-alive connections may all land on one of them).

The time a request waited for its process's view thread (``SAMPARK_THREADS``) before Django
started on it is not in it; the load driver's latency minus ``app`` is that wait plus the
transport. ``bench.workspace_agents.Server`` starts ``sampark serve`` with this module as
``DJANGO_SETTINGS_MODULE`` (and this checkout on ``PYTHONPATH``).
"""

import os
import time

from sampark.settings import *  # noqa: F403
from sampark.settings import MIDDLEWARE as SAMPARK_MIDDLEWARE

MIDDLEWARE = ["bench.timed_settings.ServerTiming", *SAMPARK_MIDDLEWARE]


class ServerTiming:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started, started_cpu = time.perf_counter(), time.thread_time()
        response = self.get_response(request)
        wall = (time.perf_counter() - started) * 1000.0
        cpu = (time.thread_time() - started_cpu) * 1000.0
        response["Server-Timing"] = f"app;dur={wall:.2f}, cpu;dur={cpu:.2f}"
        response["X-Bench-Process"] = str(os.getpid())
        return response
