"""The project's own lint rules (tools/lint.py): each rule catches its bad example and leaves
its good one alone, the tree keeps them, and an exception says why on its line."""

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("sampark_lint", ROOT / "tools" / "lint.py")
lint = sys.modules[_spec.name] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lint)

RULES = {rule.name: rule for rule in lint.RULES}
WRITES = RULES["model-writes-in-services"]
LAZY = RULES["no-lazy-import-of-another-apps-services"]


def test_every_rule_catches_its_bad_examples_and_passes_its_good_one():
    assert lint.check_examples() == []


def test_a_rule_whose_example_no_longer_matches_fails_loudly():
    broken = lint.Rule(
        name="broken",
        description="a typo in the pattern",
        pattern=re.compile(r"\.svae\("),
        good="x = 1",
        bad="ticket.save()",
    )

    assert lint.check_examples([broken]) == ["broken: a bad example is missed: 'ticket.save()'"]


def test_the_source_tree_keeps_every_rule():
    assert lint.scan([lint.SOURCE]) == []


@pytest.mark.parametrize(
    "line",
    [
        "    ticket.save(update_fields=['status'])",
        "    Tag.objects.create(name='printer')",
        "    Ticket.objects.filter(pk=1).update(status='closed')",
        "    contact.identities.all().delete()",
        "    TicketEvent.objects.bulk_create(rows)",
        "        .update(version=F('version') + 1)",
    ],
)
def test_model_writes_outside_services_are_caught(line):
    assert WRITES.violations(line, "sampark/tickets/api.py")


@pytest.mark.parametrize(
    "relative",
    [
        "sampark/tickets/services/opening.py",
        "sampark/customers/services.py",
        "sampark/tickets/migrations/0007_ticket_number_sequence.py",
        "sampark/defaults.py",
    ],
)
def test_services_migrations_and_the_defaults_may_write_models(relative):
    assert not WRITES.applies_to(relative)


@pytest.mark.parametrize(
    "line",
    [
        "    values.update(extra)",
        "    query.__dict__.update(entry.query.__dict__)",
        "@router.delete('/tickets/{ticket_id}/collaborators/{agent_id}')",
        '    """Falls back to ``bulk_create(update_conflicts=True)`` when it must."""',
        "    model_admin.save_model(request, obj, form, change)",
    ],
)
def test_dicts_decorators_and_docstrings_are_not_model_writes(line):
    assert not WRITES.violations(line, "sampark/tickets/api.py")


def test_a_write_with_a_reason_on_its_line_is_allowed_and_one_without_is_not():
    line = "    return manager.bulk_create(objs)"

    assert not WRITES.violations(f"{line}  # lint: allow the insert path", "sampark/db/inserts.py")
    assert WRITES.violations(f"{line}  # lint: allow", "sampark/db/inserts.py")


@pytest.mark.parametrize(
    "line",
    [
        "    from sampark.tickets.services import transfer_requester",
        "        from sampark.sla import services as sla",
        "    import sampark.tickets.services",
    ],
)
def test_another_apps_services_imported_inside_a_function_are_caught(line):
    assert LAZY.violations(line, "sampark/customers/services.py")


def test_imports_at_the_top_and_of_the_apps_own_services_are_not():
    assert not LAZY.violations(
        "from sampark.tickets.services import transfer_requester", "sampark/customers/api.py"
    )
    assert not LAZY.violations(
        "    from sampark.sla.services import recompute", "sampark/sla/subscribers.py"
    )
