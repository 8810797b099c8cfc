"""The watchfiles task: notes folder, house folders, built-in templates and the notes'
render.toml files; a change pokes a pass."""

from __future__ import annotations

import logging
from pathlib import Path

import anyio
from watchfiles import awatch

from render.load.config import find_config
from render.preview.service import PreviewService

log = logging.getLogger("render.preview")

#: watchfiles yields once no new change came for STEP ms (or after DEBOUNCE ms of steady changes):
#: an editor's save (temporary file, rename, touch) arrives as one batch, and rapid saves coalesce.
STEP_MS = 50
DEBOUNCE_MS = 400
#: The watcher starts listening a moment after it is created; a pass after that catches anything
#: that changed while it was being (re-)armed.
SETTLE_SECONDS = 0.5


def watch_paths(service: PreviewService) -> list[Path]:
    """The folders whose files a render reads, each once (a folder inside another is covered),
    then the notes' ``render.toml`` files outside them (one is often above the notes folder,
    and watching the whole folder it is in would hear every build written there)."""
    templates = service.notes.settings.templates.resolve()
    folders = sorted({service.root, templates, *service.notes.house_folders()})
    kept: list[Path] = []
    for folder in folders:
        if folder.is_dir() and not any(folder.is_relative_to(k) for k in kept):
            kept.append(folder)
    return kept + sorted(config for config in config_files(service) if not _inside(config, kept))


def config_files(service: PreviewService) -> set[Path]:
    """The ``render.toml`` each note reads (the nearest in its folder or above), resolved."""
    folders = {view.path.parent for view in service.notes.views.values()}
    return {found for folder in folders if (found := find_config(folder)) is not None}


def _inside(path: Path, folders: list[Path]) -> bool:
    return any(path.is_relative_to(folder) for folder in folders)


async def watch(service: PreviewService) -> None:
    """Watch until the service closes; re-arm when a note starts using a house elsewhere."""
    # After the first pass the notes' houses are known, so the first arming is usually the last.
    await service.swept.wait()
    while not service.closing:
        stop = anyio.Event()
        service.rewatch = stop.set
        paths = watch_paths(service)
        service.watched = set(service.notes.house_folders())
        # A file watched alone is lost when an editor saves it by replacing it: arm again.
        alone = {path for path in paths if not path.is_dir()}
        log.debug("watching %s", ", ".join(map(str, paths)))
        try:
            async with anyio.create_task_group() as group:
                group.start_soon(_settle, service)
                async for changes in awatch(
                    *paths, stop_event=stop, step=STEP_MS, debounce=DEBOUNCE_MS
                ):
                    log.debug("changed: %s", sorted(path for _, path in changes))
                    service.poke()
                    if any(Path(path) in alone for _, path in changes):
                        stop.set()
        except Exception:
            # A watched folder deleted or unreadable: keep serving, and try again shortly.
            log.exception("watching files failed; retrying")
            await anyio.sleep(1)


async def _settle(service: PreviewService) -> None:
    await anyio.sleep(SETTLE_SECONDS)
    service.poke()
