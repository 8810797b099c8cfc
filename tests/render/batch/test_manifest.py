"""The manifest's parts: input hashes, fontconfig's files, the written form, verification."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from render.batch.manifest import (
    MANIFEST_NAME,
    Manifest,
    ManifestError,
    changed_inputs,
    is_output_folder,
    new_entry,
    output_record,
    outputs_intact,
    untrusted_input,
    verify,
)
from render.context.i18n import translator
from schemas.manifest import Inputs

H = hashlib.sha256(b"x").hexdigest()


def inputs(**changes: object) -> Inputs:
    """A record of inputs as a build writes it, with some parts changed."""
    data: dict[str, object] = {
        "note": {"path": "notes/a.md", "sha256": H},
        "images": {"notes/chart.png": H},
        "house": {"path": "houses/example", "files": {"house.yaml": H}},
        "templates": {"files": {"base.html": H, "style.css": H}},
        "catalogs": {"locale": "zh_CN", "files": {"zh_CN/LC_MESSAGES/messages.mo": H}},
        "fonts": {"Noto Sans": {"NotoSans-Regular.ttf": H}},
        "config": {"path": None, "sha256": None, "house_paths": []},
        "program": {"version": "0.1.0", "source": H, "libraries": {"weasyprint": "68.0"}},
        "settings": {"source_date_epoch": None, "pdf_variant": None},
    }
    return Inputs.model_validate({**data, **changes})


ABOUT = {"title": "A title", "date": "2026-03-02", "template": "event-commentary"}


def test_the_first_changed_input_is_the_reason() -> None:
    recorded = inputs()
    house = {"path": "houses/example", "files": {"house.yaml": None}}
    fonts = {"Noto Sans": {}}
    assert changed_inputs(recorded, inputs()) is None
    assert changed_inputs(recorded, inputs(fonts=fonts)) == "fonts changed"
    assert changed_inputs(recorded, inputs(house=house, fonts=fonts)) == "house changed"
    catalogs = {"locale": "zh_CN", "files": {"zh_CN/LC_MESSAGES/messages.po": H}}
    assert changed_inputs(recorded, inputs(catalogs=catalogs)) == "translations changed"


def test_the_written_manifest_does_not_depend_on_the_order_notes_finished(tmp_path: Path) -> None:
    a = new_entry(inputs(), ABOUT, 3, 0, {"a.pdf": b"a"})
    b = new_entry(inputs(images={}), ABOUT, 1, 2, {"b.pdf": b"b", "b.html": b"<p>"})
    one = Manifest(tmp_path, {"b": b, "a": a})
    two = Manifest(tmp_path, {"a": a, "b": b})
    assert one.dumps() == two.dumps()
    one.save()
    assert Manifest.load(tmp_path).notes == one.notes
    assert list(tmp_path.iterdir()) == [tmp_path / MANIFEST_NAME]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "cannot be read"),
        ('{"format": 1}', "is not a render manifest"),
        ('{"format": 99, "notes": {}}', "has manifest format 99"),
        ('{"format": ' + "9" * 5000 + "}", "cannot be read"),  # past Python's digits
        ("[" * 100_000 + "]" * 100_000, "cannot be read"),  # past Python's recursion
    ],
)
def test_a_manifest_that_is_not_ours_is_refused(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / MANIFEST_NAME).write_text(text)
    with pytest.raises(ManifestError, match=message):
        Manifest.load(tmp_path)


def test_verify_never_reads_outside_its_folder(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"not published")
    (dist / "a.pdf").write_bytes(b"published")
    manifest = Manifest(dist, {"a": new_entry(inputs(), ABOUT, 1, 0, {"a.pdf": b"published"})})
    data = json.loads(manifest.dumps())
    data["notes"]["b"] = json.loads(json.dumps(data["notes"]["a"]))
    data["notes"]["b"]["outputs"] = {"../secret.pdf": output_record(b"x").model_dump()}
    (dist / MANIFEST_NAME).write_text(json.dumps(data))
    found = verify(dist, "dist")
    assert found.checked == 0 and found.failed
    assert [(p.code, p.path) for p in found.problems] == [("verify.manifest", "dist/manifest.json")]
    assert "'../secret.pdf' is not a file name of the output folder" in found.problems[0].message
    assert "\n" not in found.problems[0].message


def test_verify_reports_an_entry_that_is_not_a_table(tmp_path: Path) -> None:
    (tmp_path / MANIFEST_NAME).write_text(json.dumps({"format": 1, "notes": {"a": ["a.pdf"]}}))
    found = verify(tmp_path, "dist")
    assert found.failed
    assert [(p.code, p.message) for p in found.problems] == [
        (
            "verify.manifest",
            f"{tmp_path / MANIFEST_NAME} is not a valid manifest: generator: Field required"
            " (and 1 more)",
        )
    ]
    assert found.problems[0].message_in(translator("zh")) == (
        f"清单无法读取：{tmp_path / MANIFEST_NAME} 不是有效的清单：generator: Field required"
        " (and 1 more)"
    )


def test_a_manifest_that_is_a_pipe_is_refused_not_waited_on(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / MANIFEST_NAME)
    with pytest.raises(ManifestError, match="not a regular file"):
        Manifest.load(tmp_path)
    assert verify(tmp_path).problems[0].code == "verify.no_manifest"


def test_only_a_manifest_render_wrote_marks_an_output_folder(tmp_path: Path) -> None:
    assert not is_output_folder(tmp_path)
    (tmp_path / MANIFEST_NAME).write_text('{"format": 1, "notes": {}}')  # someone else's
    assert not is_output_folder(tmp_path)
    Manifest(tmp_path).save()
    assert is_output_folder(tmp_path)
    (tmp_path / MANIFEST_NAME).unlink()
    os.mkfifo(tmp_path / MANIFEST_NAME)
    assert not is_output_folder(tmp_path)


def test_recorded_inputs_are_trusted_only_inside_the_roots(tmp_path: Path) -> None:
    notes, house, elsewhere = tmp_path / "notes", tmp_path / "house", tmp_path / "elsewhere"
    for folder in (notes, house, elsewhere):
        folder.mkdir()
    (notes / "a.png").write_bytes(b"png")
    (house / "logo.svg").write_bytes(b"svg")
    (elsewhere / "b.png").write_bytes(b"png")
    (notes / "link.png").symlink_to(elsewhere / "b.png")
    (notes / "folder.png").mkdir()
    os.mkfifo(notes / "pipe.png")
    roots = [notes, house]

    def judged(house_path: str = "house", *images: str) -> str | None:
        house = {"path": house_path, "files": {}}
        recorded = inputs(house=house, images=dict.fromkeys(images))
        return untrusted_input(recorded, tmp_path, roots)

    assert judged("house", "notes/a.png", "house/logo.svg", "notes/gone.png") is None
    assert judged("notes/../house", "/" + str(notes / "a.png")) is None  # where they lead counts
    assert judged("house", "elsewhere/b.png") == "elsewhere/b.png"
    assert judged("house", "notes/link.png") == "notes/link.png"  # a link out
    assert judged("house", "notes/pipe.png") == "notes/pipe.png"
    assert judged("house", "notes/folder.png") == "notes/folder.png"
    assert judged("house", "/dev/zero") == "/dev/zero"
    assert judged("house", "../" * 30 + "etc/passwd") == "../" * 30 + "etc/passwd"
    assert judged("elsewhere") == "elsewhere"
    assert judged("house/logo.svg") == "house/logo.svg"  # a house is a folder
    assert judged("/dev") == "/dev"
    assert judged("house", "notes/a\0.png") == "notes/a\0.png"  # no file has that name
    with pytest.raises(ValueError, match=r"house\.path"):
        judged(None)  # type: ignore[arg-type]  # refused when the manifest is read


def test_an_output_of_the_recorded_size_but_other_bytes_is_not_intact(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.7 as built")
    outputs = {"a.pdf": output_record(b"%PDF-1.7 as built")}
    assert outputs_intact(tmp_path, outputs, ["a.pdf"])
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.7 tampered")  # the same size, other bytes
    assert not outputs_intact(tmp_path, outputs, ["a.pdf"])
    (tmp_path / "a.pdf").unlink()
    assert not outputs_intact(tmp_path, outputs, ["a.pdf"])
    assert not outputs_intact(tmp_path, outputs, ["b.pdf"])  # not recorded
