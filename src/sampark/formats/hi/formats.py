"""Dates and times in Hindi as the support team writes them: "7 दिसंबर 2026, 14:30", on a
24-hour clock like the rest of a contact centre's shift rota. Whatever is not set here comes
from Django's own Hindi formats."""

from django.utils.translation import gettext_noop

DATE_FORMAT = "j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "d-m-Y H:i"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "d-m-Y"

# Django's own Hindi catalogue spells these three month names without the virama (सितमबर,
# नवमबर, दिसमबर); Sampark's catalogue, which Django reads first, has them right. Named here so
# that `make messages` keeps them in it.
CORRECTED_MONTH_NAMES = (
    gettext_noop("September"),
    gettext_noop("November"),
    gettext_noop("December"),
)
