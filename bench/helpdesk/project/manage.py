#!/usr/bin/env python
"""Django's command line for the django-helpdesk comparison project (run it with the
helpdesk virtualenv's python, never Sampark's)."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hdproject.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
