"""Write outputs atomically (a reader sees the old file or the new one), dated reproducibly."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from render.errors import UsageError


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def source_date_epoch(environ: Mapping[str, str] = os.environ) -> dt.datetime | None:
    """The reproducible-builds creation time, ``SOURCE_DATE_EPOCH`` (seconds since 1970), if set.

    >>> source_date_epoch({"SOURCE_DATE_EPOCH": "1767225600"}).isoformat()
    '2026-01-01T00:00:00+00:00'
    >>> source_date_epoch({}) is None
    True
    """
    value = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    try:
        return dt.datetime.fromtimestamp(int(value), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise UsageError(
            f"SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01, not '{value}'"
        ) from None
