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


# -- where render's own data comes from -----------------------------------------------------------


def test_package_data_in_a_checkout_is_the_top_level_folders() -> None:
    from render.settings import package_data
    from tests.conftest import ROOT

    assert package_data("templates") == ROOT / "templates"
    assert package_data("houses") == ROOT / "examples" / "houses"
    assert package_data("locale") == ROOT / "render" / "locale"
    settings = Settings()
    assert (settings.templates / "base.html").is_file()
    assert (settings.shipped_houses / "example" / "house.yaml").is_file()
    assert (settings.catalogs / "zh_CN" / "LC_MESSAGES" / "messages.po").is_file()


def test_the_renderer_reads_templates_catalogs_and_shipped_houses_from_its_settings(
    tmp_path: Path,
) -> None:
    import datetime as dt
    import shutil

    from render.renderer import Renderer
    from tests.conftest import EXAMPLE_HOUSE, EXAMPLE_NOTE, edit

    defaults = Settings()
    templates, catalogs, shipped = tmp_path / "t", tmp_path / "c", tmp_path / "h"
    shutil.copytree(defaults.templates, templates)
    shutil.copytree(defaults.catalogs, catalogs, ignore=shutil.ignore_patterns("*.mo"))
    shutil.copytree(EXAMPLE_HOUSE, shipped / "other")
    edit(templates / "style.css", "", "/* private templates */\n")
    edit(catalogs / "zh_CN/LC_MESSAGES/messages.po", 'msgstr "分析师"', 'msgstr "研究员们"')
    note = tmp_path / "note.md"
    note.write_text(
        EXAMPLE_NOTE.read_text(encoding="utf-8").replace("house: example", "house: other"),
        encoding="utf-8",
    )
    today = dt.date(2026, 11, 1)
    settings = Settings(templates=templates, catalogs=catalogs, shipped_houses=shipped)
    checked = Renderer(today=today, settings=settings).check(note)
    assert checked.errors == [] and checked.html is not None
    assert checked.profile is not None and checked.profile.folder == (shipped / "other").resolve()
    assert "/* private templates */" in checked.html
    assert "研究员们" in checked.html  # the "Analysts" label, from the private catalog
    # The default settings know no shipped house "other".
    [problem] = Renderer(today=today).check(note).errors
    assert problem.code == "house.not_found"
