"""Background tasks of the SLA app, run by ``sampark worker`` (Django Tasks, database queue)."""

from django_tasks import task


@task()
def recompute_active(reason: str = "") -> int:
    from .services import recompute_active_now

    return recompute_active_now()
