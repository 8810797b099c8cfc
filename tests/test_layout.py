"""The tests mirror the source tree: each module under render/ and schemas/ has its own test file."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import ROOT

PACKAGES = ("render", "schemas")
NOT_MODULES = {"__init__.py", "__main__.py"}


def expected_tests(root: Path = ROOT) -> dict[str, str]:
    """Each module's mirrored test path: ``render/preview/x.py`` → ``tests/render/preview/test_x.py``."""
    expected = {}
    for package in PACKAGES:
        for module in sorted((root / package).rglob("*.py")):
            if module.name in NOT_MODULES or "__pycache__" in module.parts:
                continue
            relative = module.relative_to(root)
            test = Path("tests", *relative.parts[:-1], f"test_{module.name}")
            expected[relative.as_posix()] = test.as_posix()
    return expected


def test_every_module_has_a_test_file_at_the_mirrored_path() -> None:
    missing = [
        f"{module} has no {test}"
        for module, test in expected_tests().items()
        if not (ROOT / test).is_file()
    ]
    assert missing == []


def test_the_layout_check_sees_every_package_and_can_fail(tmp_path: Path) -> None:
    expected = expected_tests()
    assert "render/preview/watch.py" in expected and "schemas/note.py" in expected
    assert expected["render/preview/watch.py"] == "tests/render/preview/test_watch.py"
    assert not any(module.endswith(tuple(NOT_MODULES)) for module in expected)
    (tmp_path / "render" / "sub").mkdir(parents=True)
    (tmp_path / "schemas").mkdir()
    (tmp_path / "render" / "sub" / "new.py").write_text("")
    (tmp_path / "render" / "__main__.py").write_text("")
    assert expected_tests(tmp_path) == {"render/sub/new.py": "tests/render/sub/test_new.py"}
