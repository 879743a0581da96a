"""Errors of the map layer, worded in French for the person looking at the page."""

from __future__ import annotations

from data_access.errors import UserError


class BoundariesUnavailable(UserError):
    """No commune boundaries could be found or fetched: ``str(error)`` says why and what to do.

    Callers show the message in place of every map; the rest of the app keeps working.
    """


class InvalidLayer(UserError):
    """A boundary file exists but cannot be used (unreadable, no CRS, no commune code column)."""
