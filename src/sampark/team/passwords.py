"""Django's password checks, saying why a password was refused in Sampark's own words.

The rules are Django's; only the messages differ. Django's Hindi catalogue leaves most of these
untranslated (and calls a password "शब्दकूट"), and agents choose passwords on the workspace's
reset page, in whichever language they work in."""

from django.contrib.auth import password_validation as django_checks
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MinimumLengthValidator(django_checks.MinimumLengthValidator):
    def get_error_message(self):
        return ngettext(
            "This password is too short: use at least %(min_length)d character.",
            "This password is too short: use at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def get_help_text(self):
        return ngettext(
            "At least %(min_length)d character.",
            "At least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}


class UserAttributeSimilarityValidator(django_checks.UserAttributeSimilarityValidator):
    def get_error_message(self):
        return _("This password is too much like your name or email address.")

    def get_help_text(self):
        return _("Not like your name or email address.")


class CommonPasswordValidator(django_checks.CommonPasswordValidator):
    def get_error_message(self):
        return _("This password is one of the most common ones: choose another.")

    def get_help_text(self):
        return _("Not a commonly used password.")


class NumericPasswordValidator(django_checks.NumericPasswordValidator):
    def get_error_message(self):
        return _("This password is only digits: add letters.")

    def get_help_text(self):
        return _("Not only digits.")
