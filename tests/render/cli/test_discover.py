"""Which files on a command line are notes: folders searched, house folders and hidden ones skipped."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from render.batch.manifest import Manifest
from render.cli.discover import find_notes
from render.errors import UsageError


def _touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")


def _found(root: Path, *paths: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in find_notes(list(paths or [root]))]


def test_every_note_suffix_in_a_stable_order(tmp_path: Path) -> None:
    _touch(tmp_path, "b.md", "a.yaml", "sub/c.JSON", "d.yml", "e.markdown", "f.txt", "g.pdf")
    assert _found(tmp_path) == ["a.yaml", "b.md", "d.yml", "e.markdown", "sub/c.JSON"]


def test_house_folders_and_everything_under_them_are_skipped(tmp_path: Path) -> None:
    _touch(tmp_path, "n.md", "houses/acme/house.yaml", "houses/acme/notes.md")
    _touch(tmp_path, "houses/acme/templates/x.yaml", "houses/readme-less/n2.md")
    assert _found(tmp_path) == ["houses/readme-less/n2.md", "n.md"]


def test_hidden_and_underscore_folders_and_files_are_skipped(tmp_path: Path) -> None:
    _touch(tmp_path, ".git/x.md", "_drafts/y.md", "a/.cache/z.yaml", ".hidden.md", "_tmp.md")
    _touch(tmp_path, "ok/n.md")
    assert _found(tmp_path) == ["ok/n.md"]


def test_readmes_and_house_files_are_not_notes(tmp_path: Path) -> None:
    _touch(tmp_path, "README.md", "readme.markdown", "Readme-notes.md", "sub/house.yaml", "n.md")
    # A folder holding house.yaml is a house folder: nothing under it is taken.
    assert _found(tmp_path) == ["n.md"]


def test_a_file_named_explicitly_is_taken_whatever_its_name(tmp_path: Path) -> None:
    _touch(tmp_path, "README.md", "_draft.md", "notes.txt")
    readme, draft, text = tmp_path / "README.md", tmp_path / "_draft.md", tmp_path / "notes.txt"
    assert find_notes([readme, draft, text]) == [readme, draft, text]


def test_a_note_named_twice_is_listed_once(tmp_path: Path) -> None:
    _touch(tmp_path, "n.md", "m.md")
    note = tmp_path / "n.md"
    assert find_notes([note, tmp_path, note]) == [note, tmp_path / "m.md"]


def test_the_searched_folder_itself_may_be_hidden(tmp_path: Path) -> None:
    _touch(tmp_path, ".notes/n.md")
    assert find_notes([tmp_path / ".notes"]) == [tmp_path / ".notes" / "n.md"]


def test_a_missing_path_is_misuse(tmp_path: Path) -> None:
    _touch(tmp_path, "n.md")
    with pytest.raises(UsageError, match=r"nothing\.md: no such file or folder"):
        find_notes([tmp_path / "n.md", tmp_path / "nothing.md"])


def test_an_empty_folder_finds_nothing(tmp_path: Path) -> None:
    assert find_notes([tmp_path]) == []


def test_output_folders_among_the_notes_are_skipped(tmp_path: Path) -> None:
    _touch(tmp_path, "n.md", "out/copy.md", "dist/n.pdf", "dist/sub/copied.yaml", "site/old.yaml")
    _touch(tmp_path, "data/manifest.json")
    Manifest(tmp_path / "dist").save()  # a build's output folder: its manifest.json is no note
    (tmp_path / "data" / "manifest.json").write_text('{"format": 1, "notes": {}}')  # not ours
    assert _found(tmp_path) == ["data/manifest.json", "n.md", "out/copy.md", "site/old.yaml"]
    # The folder a build writes to is left out before it has a manifest too.
    found = find_notes([tmp_path], exclude=[tmp_path / "site" / ".." / "out"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "data/manifest.json",
        "n.md",
        "site/old.yaml",
    ]
    # A folder named on the command line is searched even if it is the output folder (-o .).
    Manifest(tmp_path).save()
    assert "n.md" in _found(tmp_path) and "manifest.json" not in _found(tmp_path)
    assert _found(tmp_path, tmp_path / "dist") == ["dist/sub/copied.yaml"]


def test_a_pipe_named_explicitly_is_taken_for_loading_to_refuse(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.md")
    os.mkfifo(tmp_path / "in-folder.md")
    assert find_notes([tmp_path / "pipe.md"]) == [tmp_path / "pipe.md"]
    assert find_notes([tmp_path]) == []  # in a folder, only files are notes


def test_the_data_files_notes_name_are_not_notes(tmp_path: Path) -> None:
    _touch(tmp_path, "data/forecast.yaml", "data/block.json", "data/other.yaml", "c.yaml")
    (tmp_path / "a.md").write_text("---\nforecast: data/forecast.yaml\n---\n", encoding="utf-8")
    (tmp_path / "b.json").write_text('{"data": "data/block.json"}', encoding="utf-8")
    assert _found(tmp_path) == ["a.md", "b.json", "c.yaml", "data/other.yaml"]
    # Named on the command line, a data file is taken as given (and its check says what it is).
    assert _found(tmp_path, tmp_path / "data" / "forecast.yaml") == ["data/forecast.yaml"]


def test_a_note_a_body_mentions_is_still_a_note(tmp_path: Path) -> None:
    # Only a Markdown note's front matter names data files: its prose may cite another note.
    (tmp_path / "a.md").write_text(
        "---\ntitle: A\n---\n\nEarlier note: b.json\n\nSee: c.yaml\n", encoding="utf-8"
    )
    (tmp_path / "b.json").write_text('{"title": "B"}', encoding="utf-8")
    (tmp_path / "c.yaml").write_text("title: C\n", encoding="utf-8")
    assert _found(tmp_path) == ["a.md", "b.json", "c.yaml"]


def test_data_files_named_in_quotes_with_spaces_or_capitals_are_not_notes(tmp_path: Path) -> None:
    _touch(tmp_path, "data/my forecast.yaml", "data/Results.JSON", "data/x.yml", "d.md")
    (tmp_path / "a.md").write_text(
        "\ufeff---\r\nforecast: 'data/my forecast.yaml'\r\nresults: data/Results.JSON  # Q1\r\n"
        "---\r\n",
        encoding="utf-8",
    )
    (tmp_path / "b.json").write_text('{"data": "data/x.yml"}', encoding="utf-8")
    assert _found(tmp_path) == ["a.md", "b.json", "d.md"]
