"""Background tasks of the SLA app, run by ``sampark worker`` (Django Tasks, database queue).

Tasks call the SLA services; the services never enqueue tasks themselves. They publish what
changed (``sla_policy_changed``, ``calendar_changed``), and :mod:`sampark.sla.subscribers`
enqueues the work here after commit."""

from django_tasks import task

from .services import recompute_active_now


@task()
def recompute_active(reason: str = "") -> int:
    return recompute_active_now()


def recompute_active_later(*, reason: str) -> None:
    """Recompute every active ticket in the background (a policy or calendar changed)."""
    recompute_active.enqueue(reason=reason)
