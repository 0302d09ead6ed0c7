"""Each group's assignment strategy: configuration that admins change."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from sampark.core.errors import InvalidInput
from sampark.team.models import Group

from ..models import Strategy

# A week: a longer wait is no longer a wait.
MAX_SPOC_WAIT_MINUTES = 7 * 24 * 60
FIELDS = ("method", "spoc_wait_minutes", "match_skills", "match_language")


def strategy_for(group: Group) -> Strategy:
    """The group's stored strategy, or the default one (queue, no wait) unsaved."""
    stored = Strategy.objects.filter(group=group).first()
    return stored or Strategy(group=group)


@transaction.atomic
def save_strategy(group: Group, **fields) -> Strategy:
    """Set how ``group``'s new tickets find an owner (see
    :mod:`sampark.assignment.services.intake`). Fields not given keep their value."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise InvalidInput(_("Unknown strategy fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if "method" in fields and fields["method"] not in Strategy.Method.values:
        raise InvalidInput(_("Unknown assignment method."), field="method")
    wait = fields.get("spoc_wait_minutes", 0)
    if (
        not isinstance(wait, int)
        or isinstance(wait, bool)
        or not 0 <= wait <= MAX_SPOC_WAIT_MINUTES
    ):
        raise InvalidInput(
            _("The wait for a busy SPOC is between 0 and %(n)d minutes.")
            % {"n": MAX_SPOC_WAIT_MINUTES},
            field="spoc_wait_minutes",
        )
    strategy = Strategy.objects.select_for_update().filter(group=group).first()
    if strategy is None:
        return Strategy.objects.create(group=group, **fields)
    for name, value in fields.items():
        setattr(strategy, name, value)
    if fields:
        strategy.save(update_fields=list(fields))
    return strategy
