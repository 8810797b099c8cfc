"""Preview fixtures: the app over a workspace, in process (Starlette's test client)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from render.preview.app import create_app
from tests.conftest import TODAY


@pytest.fixture
def client(workspace: Path) -> Iterator[TestClient]:
    """The preview of ``workspace/notes``, its watcher running, as a loopback browser sees it."""
    app = create_app(workspace / "notes", today=TODAY)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        yield client
