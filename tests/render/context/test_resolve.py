"""build_context and resolve: house entries looked up and every label given in the note's locale."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from render.context.i18n import translations
from render.context.resolve import FALLBACK_FONTS, build_context, resolve
from render.renderer import Renderer
from schemas.house import Action
from tests.conftest import EXAMPLES, edit

ENGLISH = EXAMPLES / "2026-03-09-chiplet-interconnect-en.md"
COMPANY = EXAMPLES / "2026-04-15-hengtong-upgrade.md"


def _context(renderer: Renderer, path: Path, created: dt.datetime | None = None) -> dict:
    checked = renderer.check(path)
    assert checked.note is not None and checked.profile is not None, checked.problems
    locale = checked.note.locale or checked.profile.house.default_locale
    # The company note's previous rating is its record's (its earlier approved notes).
    return build_context(
        checked.note,
        checked.profile,
        path.parent,
        translations(locale),
        created,
        history=checked.history,
    )


def test_an_english_note_gets_english_labels_and_derived_action(renderer: Renderer) -> None:
    context = _context(renderer, ENGLISH)
    assert (context["locale"], context["lang"]) == ("en_US", "en-US")
    # The note writes its previous rating in Chinese (超配): the same level, so maintained.
    assert context["rating"] == {
        "label": "Overweight",
        "text": "Overweight (Maintained)",
        "action": "maintain",
        "caption": "Industry rating",
        "definition": "The industry index is expected to beat the benchmark index by more than "
        "10% over the next 6 months",
    }
    assert context["report_type"] == "Electronics — Industry Event Commentary"
    assert context["market"] == {"name": "China A-shares", "benchmark": "CSI 300 Index"}
    assert context["risk"] == {
        "code": "R3",
        "name": "Medium risk",
        "sentence": "This report is classified as Medium risk.",
    }


def test_an_upgraded_company_note_in_chinese(renderer: Renderer) -> None:
    context = _context(renderer, COMPANY)
    assert context["rating"]["text"] == "买入（上调）" and context["rating"]["action"] == "upgrade"
    assert context["rating"]["caption"] == "公司评级"
    assert context["risk"]["sentence"] == "本报告的风险等级为中高风险。"


def test_latin_fonts_come_first_in_english_only(renderer: Renderer) -> None:
    english = _context(renderer, ENGLISH)["fonts"]
    chinese = _context(renderer, COMPANY)["fonts"]
    assert english["serif"] == '"Noto Serif", "Noto Serif CJK SC", "Noto Sans CJK SC", sans-serif'
    assert english["sans"] == '"Noto Sans", "Noto Sans CJK SC", sans-serif'
    assert chinese["serif"] == '"Noto Serif CJK SC", "Noto Sans CJK SC", sans-serif'
    # The fallbacks end every list, each once.
    for fonts in (english, chinese):
        for families in fonts.values():
            assert families.endswith(", ".join(f'"{f}"' if " " in f else f for f in FALLBACK_FONTS))
            assert families.count("Noto Sans CJK SC") == 1


def test_the_house_is_localized_throughout_and_its_logo_inlined(renderer: Renderer) -> None:
    house = _context(renderer, ENGLISH)["house"]
    assert house["name"] == "Chengchuan Securities Co., Ltd."
    assert house["logo"].startswith("data:image/svg+xml;base64,")

    def texts(value: object) -> list[str]:
        if isinstance(value, dict):
            assert not (value and all(len(str(k)) == 5 and str(k)[2] == "_" for k in value))
            return [t for v in value.values() for t in texts(v)]
        if isinstance(value, list):
            return [t for v in value for t in texts(v)]
        return [value] if isinstance(value, str) else []

    assert texts(house)  # no mapping of per-locale texts is left in the whole house


def test_tables_of_the_compliance_page_in_the_notes_locale(renderer: Renderer) -> None:
    context = _context(renderer, ENGLISH)
    assert [s["title"] for s in context["scales"]] == ["Company ratings", "Industry ratings"]
    assert context["investor_types"][0] == {
        "name": "Conservative",
        "max_order": 1,
        "max_name": "Low risk",
    }
    orders = [level["order"] for level in context["risk_levels"]]
    assert orders == sorted(orders)


def test_created_is_the_notes_date_unless_given(renderer: Renderer) -> None:
    assert _context(renderer, ENGLISH)["created"] == "2026-03-09T00:00:00Z"
    given = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert _context(renderer, ENGLISH, given)["created"] == "2026-01-02T03:04:05Z"


@pytest.mark.parametrize(
    ("previous", "action", "text"),
    [
        (None, Action.INITIATE, "超配（首次）"),
        ("标配", Action.UPGRADE, "超配（上调）"),
    ],
)
def test_resolve_derives_the_action_from_the_previous_rating(
    renderer: Renderer, note_file: Path, previous: str | None, action: Action, text: str
) -> None:
    edit(note_file, "  previous: 超配\n", f"  previous: {previous}\n" if previous else "")
    checked = renderer.check(note_file)
    assert checked.note is not None and checked.profile is not None, checked.problems
    found = resolve(checked.note, checked.profile.house)
    assert found.action is action and found.locale == "zh_CN"
    assert found.risk.code == "R3"
    context = build_context(checked.note, checked.profile, note_file.parent, translations("zh_CN"))
    assert context["rating"]["text"] == text
