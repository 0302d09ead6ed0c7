"""The assignment engine's part of the worker's periodic sweep (``sampark.serving.worker``)."""

from dataclasses import dataclass

from .services import leave, taking


@dataclass(frozen=True)
class Swept:
    leaves_started: int
    leaves_ended: int
    waiting_assigned: int


def sweep() -> Swept:
    """Start and end the leaves due today, then settle the tickets waiting for their SPOC."""
    started, ended = leave.begin_and_end_due()
    return Swept(started, ended, taking.settle_waiting())
