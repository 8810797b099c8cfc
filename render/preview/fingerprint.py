"""Content fingerprints of everything a render reads, memoized by each file's stat signature."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from pathlib import Path

#: A file changed this recently is always re-read: timestamps advance in coarse ticks, so two
#: saves of the same size within one tick leave the same stat signature (git's "racy clean").
RACY_NS = 2_000_000_000


class Fingerprints:
    """Digests of files and folders; a file is re-read only when its stat signature changes.

    A render reads the note, anything in the note's folder (images), the house folder (house.yaml,
    templates, style.css, logo) and the built-in templates; a fingerprint over all of them names
    one exact set of inputs, so a cache keyed by it is never stale.
    """

    def __init__(self) -> None:
        self._files: dict[str, tuple[tuple[int, ...], bytes]] = {}

    def file(self, path: Path) -> bytes:
        """The SHA-256 of a file's bytes; raises :class:`OSError` if it cannot be read."""
        st = os.stat(path)
        # ctime too: a tool can set mtime back (cp -p, touch -d), never ctime.
        signature = (st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, st.st_dev)
        key = str(path)
        cached = self._files.get(key)
        if cached and cached[0] == signature:
            return cached[1]
        digest = hashlib.sha256(path.read_bytes()).digest()
        if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) > RACY_NS:
            self._files[key] = (signature, digest)
        else:
            self._files.pop(key, None)
        return digest

    def tree(self, folder: Path) -> bytes:
        """A digest of every file under a folder (names and contents), hidden folders skipped."""
        total = hashlib.sha256()
        # Hidden folders (.git, editor caches) are never read by a render and can be huge.
        for current, folders, files in os.walk(folder):
            folders[:] = sorted(name for name in folders if not name.startswith("."))
            for name in sorted(files):
                path = Path(current, name)
                try:
                    digest = self.file(path)
                except OSError:
                    # Vanished mid-walk, a dangling editor lock link, unreadable: not an input.
                    continue
                total.update(str(path.relative_to(folder)).encode("utf-8", "surrogateescape"))
                total.update(b"\0" + digest)
        return total.digest()

    def note(self, path: Path, house: Path | None, today: dt.date | None, templates: Path) -> str:
        """The fingerprint of one note's render: note folder, house folder, built-in templates
        (``templates``, the renderer's ``Settings.templates``)."""
        total = hashlib.sha256()
        for part in (str(path), str(house), str(today)):
            total.update(part.encode("utf-8", "surrogateescape") + b"\0")
        total.update(self.tree(path.parent))
        if house is not None:
            total.update(self.tree(house))
        total.update(self.tree(templates))
        return total.hexdigest()[:32]
