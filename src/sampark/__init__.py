"""Sampark: an omnichannel help desk built around a single point of contact."""

__version__ = "0.1.0"
