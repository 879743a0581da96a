"""The one network fallback: the Etalab « contours administratifs » commune file.

It is tried only when no local boundary file holds the département (see ``geo.boundaries``).
Offline, it fails within ``TIMEOUT_S``; a failure is remembered for ``RETRY_AFTER_S`` so that
pages do not wait on the network again at every rerun (``python -m geo build`` always retries).
"""

from __future__ import annotations

import gzip
import os
import time
import urllib.request
from pathlib import Path

# Etalab's 100 m generalisation: fine enough for commune maps of a département, about 30 MB
# uncompressed for all of France. Licence Ouverte; attribution « IGN – Admin Express COG ; Etalab ».
ETALAB_COMMUNES_URL = "https://etalab-datasets.geo.data.gouv.fr/contours-administratifs/2025/geojson/communes-100m.geojson.gz"
TIMEOUT_S = 5.0  # per connection attempt and per read, not for the whole transfer
MAX_DURATION_S = 180.0
RETRY_AFTER_S = 3600.0
_CHUNK = 1 << 20


class DownloadFailed(Exception):
    """The download did not succeed; ``str(error)`` is a short French reason."""


def downloaded_path(geo_cache: Path) -> Path:
    """Where the downloaded commune file is kept: ``<geo cache>/sources/communes-etalab-100m.geojson``."""
    return geo_cache / "sources" / "communes-etalab-100m.geojson"


def _failure_marker(geo_cache: Path) -> Path:
    # kept outside sources/ so that a failed attempt never looks like a boundary source
    return geo_cache / "etalab-download-failed"


def download_communes(geo_cache: Path, *, retry_after: float | None = None) -> Path:
    """Download the Etalab commune file into the geo cache and return its path.

    The file is written under a temporary name and renamed once complete: a partial download is
    never left where :func:`downloaded_path` points.

    Parameters
    ----------
    geo_cache
        The geo cache folder (``Settings.geo_cache``).
    retry_after
        Seconds during which a previous failure is not retried (default ``RETRY_AFTER_S``; 0 forces a try).

    Raises
    ------
    DownloadFailed
        Offline, timed out, HTTP error, corrupt archive, or a recent failure not yet worth retrying.
    """
    retry_after = RETRY_AFTER_S if retry_after is None else retry_after
    marker = _failure_marker(geo_cache)
    if marker.exists() and time.time() - marker.stat().st_mtime < retry_after:
        raise DownloadFailed(
            f"le dernier essai a échoué ({marker.read_text(encoding='utf-8')}) ; nouvel essai dans moins d'une heure ou avec « python -m geo build »"
        )
    target = downloaded_path(geo_cache)
    partial = target.with_suffix(".part")
    url = ETALAB_COMMUNES_URL
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        started = time.monotonic()
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as response, partial.open("wb") as out:
            stream = gzip.GzipFile(fileobj=response) if url.endswith(".gz") else response
            while chunk := stream.read(_CHUNK):
                out.write(chunk)
                if time.monotonic() - started > MAX_DURATION_S:
                    raise TimeoutError(f"transfert interrompu après {MAX_DURATION_S:.0f} s")
        os.replace(partial, target)
    except (OSError, EOFError, ValueError) as error:  # URLError, HTTPError, timeouts and BadGzipFile are OSError
        partial.unlink(missing_ok=True)
        reason = f"{url} injoignable ou invalide ({getattr(error, 'reason', error)})"
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.write_text(reason, encoding="utf-8")
        except OSError:
            pass  # a read-only cache only costs a retry next time
        raise DownloadFailed(reason) from error
    marker.unlink(missing_ok=True)
    return target


def forget_failure(geo_cache: Path) -> None:
    """Allow the next :func:`download_communes` to try at once (the CLI calls it: a person is waiting)."""
    _failure_marker(geo_cache).unlink(missing_ok=True)
