"""Tests for render.settings: settings travel to build workers, so they pickle and compare."""

import pickle
from pathlib import Path

from render.settings import Limits, Settings


def test_settings_survive_the_trip_to_a_worker() -> None:
    settings = Settings(house_paths=(Path("/srv/houses"),), limits=Limits(render_seconds=5))
    assert pickle.loads(pickle.dumps(settings)) == settings
    assert hash(settings) == hash(pickle.loads(pickle.dumps(settings)))


def test_default_limits_leave_room_for_a_real_note() -> None:
    limits = Limits()
    assert limits.note_bytes >= 1024 * 1024
    assert limits.image_pixels >= 6000 * 4000
    assert limits.image_bytes <= limits.note_image_bytes
    assert limits.image_pixels <= limits.note_image_pixels
