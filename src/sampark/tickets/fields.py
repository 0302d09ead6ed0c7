"""Validation of ticket custom fields against the admin-defined FieldDefinitions."""

import datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from sampark.core.errors import InvalidInput
from sampark.db import configuration

from .models import FieldDefinition


def _has_surrogate(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _coerce(definition: FieldDefinition, value):
    kind = definition.kind
    if value is None:
        return None
    if kind == FieldDefinition.Kind.TEXT:
        if not isinstance(value, str):
            raise ValueError(_("must be text"))
        if "\x00" in value or _has_surrogate(value):
            raise ValueError(_("must be valid text"))
        if len(value) > definition.max_length:
            raise ValueError(_("is longer than %(n)d characters") % {"n": definition.max_length})
        return value
    if kind == FieldDefinition.Kind.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValueError(_("must be a number"))
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(_("must be a number")) from None
        if not number.is_finite():
            raise ValueError(_("must be a finite number"))
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == FieldDefinition.Kind.BOOLEAN:
        if not isinstance(value, bool):
            raise ValueError(_("must be true or false"))
        return value
    if kind == FieldDefinition.Kind.CHOICE:
        if value not in definition.choices:
            raise ValueError(
                _("must be one of: %(c)s") % {"c": ", ".join(map(str, definition.choices))}
            )
        return value
    if kind == FieldDefinition.Kind.DATE:
        if not isinstance(value, str):
            raise ValueError(_("must be a date (YYYY-MM-DD)"))
        try:
            return datetime.date.fromisoformat(value).isoformat()
        except ValueError:
            raise ValueError(_("must be a date (YYYY-MM-DD)")) from None
    raise ValueError(_("has an unknown kind"))


@configuration.cached
def _active_definitions() -> dict[str, FieldDefinition]:
    return {d.key: d for d in FieldDefinition.objects.filter(active=True)}


def validate_custom_fields(values: dict, *, current: dict | None = None) -> dict:
    """The merged custom-field values after applying ``values`` on top of ``current``.

    Unknown keys and wrong types raise InvalidInput naming the field, and so do missing
    required fields when a ticket is opened (``current`` is None); a definition made required
    later does not block edits to older tickets. A value of None removes the field.
    """
    if not isinstance(values, dict):
        raise InvalidInput(_("Custom fields must be an object."), field="custom_fields")
    definitions = _active_definitions()
    merged = dict(current or {})
    for key, value in values.items():
        definition = definitions.get(key)
        if definition is None:
            raise InvalidInput(
                _("Unknown custom field “%(key)s”.") % {"key": str(key)[:50]},
                field="custom_fields",
            )
        try:
            coerced = _coerce(definition, value)
        except ValueError as error:
            raise InvalidInput(
                _("Custom field “%(key)s” %(problem)s.") % {"key": key, "problem": error},
                field="custom_fields",
            ) from None
        if coerced is None:
            merged.pop(key, None)
        else:
            merged[key] = coerced
    for key, definition in definitions.items():
        if current is None and definition.required and merged.get(key) in (None, ""):
            raise InvalidInput(
                _("Custom field “%(key)s” is required.") % {"key": key}, field="custom_fields"
            )
    return merged
