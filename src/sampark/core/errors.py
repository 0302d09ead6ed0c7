"""Domain errors raised by services. The API and the UI map each class to one HTTP status and
show its message as it is, so messages are written for the person who made the request."""

from django.utils.translation import gettext as _


class DomainError(Exception):
    status = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    status = 422


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    """The request is valid but clashes with the current state (a stale version, a closed
    ticket, a duplicate identity)."""

    status = 409


class StaleVersion(Conflict):
    def __init__(self, current_version: int):
        super().__init__(
            _(
                "The ticket was changed by someone else (now version %(version)s). "
                "Reload it and apply your change again."
            )
            % {"version": current_version}
        )
        self.current_version = current_version


class InvalidTransition(Conflict):
    pass


def check_unique_name(model, fields: dict, instance=None, *, missing: str, taken: str) -> None:
    """For services that create or rename a row with a unique ``name``: when ``fields`` has a
    name, strip it in place, refuse it empty (``missing``, 422 on ``name``) or held by another
    row of ``model`` (``taken``, 409). ``instance`` is the row being changed, None for a new one."""
    if "name" not in fields:
        return
    fields["name"] = (fields["name"] or "").strip()
    if not fields["name"]:
        raise InvalidInput(missing, field="name")
    clash = model._default_manager.filter(name=fields["name"])
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if clash.exists():
        raise Conflict(taken)
