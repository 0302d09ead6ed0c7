"""The contact and organization pages' input rules: the page links (each list's cursor) and
the contact merge (who else, and which of the two stays)."""

from django import forms
from django.utils.translation import gettext_lazy as _

CURSOR_LENGTH = 500


def _cursor():
    return forms.CharField(required=False, max_length=CURSOR_LENGTH)


class ContactPageForm(forms.Form):
    """``tickets``: the cursor of the ticket list; ``cursor``: that of the interactions."""

    tickets = _cursor()
    cursor = _cursor()


class OrganizationPageForm(forms.Form):
    show = forms.ChoiceField(
        required=False, choices=[("open", _("Open tickets")), ("all", _("All tickets"))]
    )
    tickets = _cursor()
    contacts = _cursor()
    assets = _cursor()


class MergeSearchForm(forms.Form):
    """Find the other contact, as the search box reads its text; or name them by id (the
    "Choose" link of a search result)."""

    q = forms.CharField(
        label=_("Email address, phone number or name"),
        required=False,
        max_length=200,
        error_messages={"max_length": _("Search for at most 200 characters.")},
    )
    other = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class MergeForm(forms.Form):
    """The confirmed merge: the other contact, and which of the two stays."""

    KEEP_THIS, KEEP_OTHER = "this", "other"

    other = forms.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        error_messages={"required": _("Choose the other contact first.")},
    )
    keep = forms.ChoiceField(
        label=_("Which contact stays?"),
        choices=[(KEEP_THIS, _("This contact")), (KEEP_OTHER, _("The other contact"))],
        error_messages={"required": _("Choose which contact stays.")},
    )
