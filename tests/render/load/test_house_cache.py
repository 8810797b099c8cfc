"""The house kept between processes: the same profile and problems as a fresh load, always."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from render.errors import UserError
from render.load import house_cache
from render.load.house_cache import kept_house
from render.load.houses import HouseProfile, load_house
from render.load.kept import cache_folder
from tests.conftest import edit


@pytest.fixture
def house(workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example house, with a cache folder of the test's own; the loads counted."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    monkeypatch.chdir(workspace)
    return (workspace / "houses" / "example").resolve()


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The folders read afresh (not taken from the cache)."""
    folders: list[Path] = []

    def counted(folder: Path) -> HouseProfile:
        folders.append(folder)
        return load_house(folder)

    monkeypatch.setattr(house_cache, "load_house", counted)
    return folders


def _files() -> list[Path]:
    """The kept houses (the YAML read on the way is kept too, beside them)."""
    folder = cache_folder()
    assert folder is not None
    return sorted(folder.glob("house-*"))


def test_a_house_is_read_once_then_kept(house: Path, loads: list[Path]) -> None:
    first = kept_house(house)
    assert loads == [house]
    [kept] = _files()
    assert kept.name.startswith("house-")
    assert oct(cache_folder().stat().st_mode & 0o777) == "0o700"  # type: ignore[union-attr]
    again = kept_house(house)
    assert loads == [house], "taken from the cache"
    assert again == first == load_house(house)
    assert again.registers.roster is not None and again.registers.disclosures is not None


def test_a_changed_file_is_read_again(house: Path, loads: list[Path]) -> None:
    kept_house(house)
    edit(house / "house.yaml", "澄川证券研究院", "澄川证券研究所")
    changed = kept_house(house)
    assert len(loads) == 2
    assert "澄川证券研究所" in changed.house.model_dump_json()
    assert kept_house(house) == changed and len(loads) == 2  # the new one kept in its place
    # A register's change, and a register gone, are changes of the house too.
    edit(house / "analysts.yaml", "name:", "name: ")
    kept_house(house)
    (house / "disclosures.yaml").unlink()
    assert kept_house(house).registers.disclosures is None
    assert len(loads) == 4


def test_a_file_changed_during_the_load_is_not_kept(
    house: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What was read might not be what the key names: nothing is kept, the next load reads."""

    def racing(folder: Path) -> HouseProfile:
        profile = load_house(folder)
        edit(folder / "house.yaml", "澄川证券研究院", "澄川证券研究所")
        return profile

    monkeypatch.setattr(house_cache, "load_house", racing)
    kept_house(house)
    assert _files() == []


def test_a_broken_house_is_never_kept(house: Path, loads: list[Path]) -> None:
    kept_house(house)
    edit(house / "house.yaml", "default_locale: zh_CN", "default_locale: fr_FR")
    with pytest.raises(UserError) as fresh:
        load_house(house)
    for _ in range(2):
        with pytest.raises(UserError) as cached:
            kept_house(house)
        assert cached.value.problems == fresh.value.problems
    assert len(loads) == 3
    [_] = _files()  # the good house's file, not replaced by the broken one


def test_a_logo_gone_is_reported_as_a_fresh_load_does(house: Path, loads: list[Path]) -> None:
    kept_house(house)
    (house / "logo.svg").unlink()
    with pytest.raises(UserError) as fresh:
        load_house(house)
    with pytest.raises(UserError) as cached:
        kept_house(house)
    assert cached.value.problems == fresh.value.problems
    assert [p.code for p in cached.value.problems] == ["render.resource"]


def test_warnings_are_placed_as_from_the_working_folder(
    house: Path, loads: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    edit(house / "house.yaml", "en_US: Chengchuan Securities\n", "en_US: Chengchuan\u202e Sec\n")
    here = kept_house(house)
    [warning] = here.warnings
    assert (warning.code, warning.path) == ("schema.bidi", "houses/example/house.yaml")
    assert kept_house(house) == here and len(loads) == 1
    monkeypatch.chdir(house)
    there = kept_house(house)
    assert len(loads) == 2, "the paths in messages depend on the working folder"
    assert there.warnings[0].path == "house.yaml"
    assert there == load_house(house)


def test_a_damaged_cache_file_is_read_afresh(house: Path, loads: list[Path]) -> None:
    first = kept_house(house)
    [kept] = _files()
    whole = kept.read_bytes()
    for damaged in (whole[: len(whole) // 2], b"not a pickle", b""):
        kept.write_bytes(damaged)
        assert kept_house(house) == first
        assert kept.read_bytes() == whole, "rewritten"
    assert len(loads) == 4


def test_a_cache_file_of_another_house_is_not_taken(
    house: Path, loads: list[Path], workspace: Path
) -> None:
    kept_house(house)
    other = workspace / "houses" / "other"
    shutil.copytree(house, other)
    edit(other / "house.yaml", "澄川证券研究院", "另一家研究院")
    [kept] = _files()
    name = kept.name
    # The other house's own file holds this house: it names the wrong key, so it is not taken.
    kept_house(other)
    other_file = next(f for f in _files() if f.name != name)
    other_file.write_bytes(kept.read_bytes())
    assert "另一家研究院" in kept_house(other).house.model_dump_json()
    assert len(loads) == 3


def test_no_cache_where_none_can_be_written(
    house: Path, loads: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(tempfile, "mkstemp", full)
        assert kept_house(house) == kept_house(house)
    assert _files() == [] and len(loads) == 2

    # No folder can be made (the temporary folder is a file), or one is not the user's alone.
    blocked = tmp_path / "blocked"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(blocked))
    assert cache_folder() is None
    assert kept_house(house) == kept_house(house)
    shared = tmp_path / "shared"
    (shared / f"render-cache-{os.getuid()}").mkdir(parents=True)
    (shared / f"render-cache-{os.getuid()}").chmod(0o777)
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    assert cache_folder() is None
    assert kept_house(house) == kept_house(house)
    assert len(loads) == 6


def test_the_kept_file_holds_a_digest_of_the_texts(house: Path, loads: list[Path]) -> None:
    kept_house(house)
    [file] = _files()
    assert file.stat().st_size < 20_000, "the texts are not stored, only their digest"
