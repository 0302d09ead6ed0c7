"""State that every server process must see the same: ``sampark serve`` runs one process per
core, so a count kept in one process's memory would let N processes allow N times a limit."""

from django.db import models


class RateWindow(models.Model):
    """How many hits one key (a token's agent, a client address) made in one fixed window of a
    rate limit. Written only by ``sampark.api.ratelimit``, one atomic upsert per hit; rows
    whose window has ended are deleted by the worker's sweep. On PostgreSQL the table is
    UNLOGGED: a count lost in a crash costs nothing, and a commit that wrote only this table
    waits for no WAL flush."""

    pk = models.CompositePrimaryKey("scope", "key", "window_ends")
    scope = models.CharField(max_length=32)
    key = models.CharField(max_length=200)
    # Seconds since the epoch: the hot path compares integers, never time zones.
    window_ends = models.BigIntegerField()
    hits = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.scope} {self.key} until {self.window_ends}: {self.hits}"
