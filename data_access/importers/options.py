"""How a file is to be read: its format and, for a wide table, which column holds what."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

FORMATS = ("long", "wide", "histologe")
FORMAT_NAMES = {"long": "table longue", "wide": "table large", "histologe": "export Histologe"}
STATUSES = ("provisoire", "définitif")


@dataclass(frozen=True)
class ImportOptions:
    """Reading options, as given on the command line or in the import page.

    ``format`` None means detected from the header (long and Histologe are recognised; a wide table
    needs its options). ``indicator``/``indicator_column`` and ``territory``/``territory_column``
    describe a wide table: one fixed value or the column that holds it. ``status`` applies to
    values whose row has none (wide tables, Histologe counts). ``source`` is recorded on the batch
    and on values whose row names none. ``blank_is_secret``: the source leaves its small values
    blank (secret statistique), so an empty value cell is a secret cell, not a missing value.
    ``complete``: a Histologe export of every commune of its départements (not filtered by commune,
    EPCI or territory), so that the communes without any signalement get zeros too; a long or wide
    table that lists every territory of its level for each period it holds, so that a stored value
    it leaves out gets zero (:mod:`data_access.importers.snapshot`).
    """

    format: str | None = None
    sheet: str | None = None
    source: str | None = None
    status: str | None = None
    indicator: str | None = None
    indicator_column: str | None = None
    territory: str | None = None
    territory_column: str | None = None
    blank_is_secret: bool = False
    complete: bool = False

    def fingerprint(self, format_used: str) -> str:
        """The options that change what is stored, as stable JSON (same file + same fingerprint = same import)."""
        data = {k: v for k, v in asdict(self).items() if v is not None and v != "" and v is not False}
        data["format"] = format_used
        return json.dumps(data, sort_keys=True, ensure_ascii=False)
