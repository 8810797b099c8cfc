"""A company note carries the register's disclosures that apply on its date, in its language."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from render.context.i18n import translator
from render.registers.disclosures import applicable, blackouts
from render.registers.load import load_registers
from render.renderer import Renderer
from schemas.problems import Severity
from tests.conftest import EXAMPLE_HOUSE, TODAY, edit
from tests.pdftools import page_texts, squash

REGISTER = load_registers(EXAMPLE_HOUSE)[0].disclosures
assert REGISTER is not None


def test_the_holding_and_the_sponsor_role_are_in_the_pdf(company_note: Path) -> None:
    rendered = Renderer(today=TODAY).render(company_note, ("pdf",))
    text = squash("".join(page_texts(rendered.pdf or b"", layout=False)))
    assert "重要关系披露" in text
    assert (
        squash("本公司另类投资子公司持有衡通微电子（300999.SZ）1,260万股，占其总股本的1.2%") in text
    )
    assert "上述股份限售期至2027-01-15" in text
    assert "本公司自2025-11-01起担任衡通微电子（300999.SZ）的保荐机构" in text
    assert "不存在须予披露" not in text


def test_a_company_without_entries_gets_the_none_sentence(company_note: Path) -> None:
    for old, new in (("衡通微电子", "澄川精工"), ("300999.SZ", "300888.SZ")):
        edit(company_note, old, new)
    rendered = Renderer(today=TODAY).render(company_note, ("pdf",))
    text = squash("".join(page_texts(rendered.pdf or b"", layout=False)))
    assert "重要关系披露" in text
    assert squash("本公司与本报告所涉公司不存在须予披露的持股、投资银行业务或其他关联关系") in text
    assert "300888.SZ）1" not in text


def test_an_industry_note_prints_no_register(renderer: Renderer, note_file: Path) -> None:
    checked = Renderer(today=TODAY).check(note_file)
    assert checked.verdict is not None and checked.verdict.disclosures is None
    assert "重要关系披露" not in (checked.html or "")


def test_entries_apply_by_date_and_read_in_english() -> None:
    def sentences(day: dt.date, locale: str = "zh_CN") -> tuple[str, ...]:
        return applicable(REGISTER, "300999.sz", "Hengtong", day, locale, "zh_CN").sentences

    assert len(sentences(dt.date(2026, 4, 15))) == 2
    # Before the holding's date and the role's start, nothing applies.
    assert sentences(dt.date(2025, 10, 1)) == (
        "截至本报告发布之日，本公司与本报告所涉公司不存在须予披露的持股、投资银行业务或其他关联关系。",
    )
    # The role ended on 2026-06-30 and is disclosed for twelve months more; the holding stays.
    assert len(sentences(dt.date(2027, 6, 30))) == 2
    assert len(sentences(dt.date(2027, 7, 1))) == 1
    english = sentences(dt.date(2026, 4, 15), "en_US")
    assert english[1] == "Since 2025-11-01 the firm has acted as sponsor for Hengtong (300999.sz)."
    assert "locked up until 2027-01-15" in english[0]


def test_quiet_periods_and_the_restricted_list_name_their_entry() -> None:
    quiet = blackouts(REGISTER, "688777.SH", dt.date(2026, 4, 1), False, "zh_CN")
    assert [(p.code, p.severity) for p in quiet] == [("registers.quiet_period", Severity.WARNING)]
    chinese = quiet[0].message_in(translator("zh_CN"))
    assert "quiet_periods[0]" in quiet[0].message and "quiet_periods[0]" in chinese
    # The register's reason, in the reader's language: the house gives both.
    assert "initial public offering; the firm is lead underwriter" in quiet[0].message
    assert "首次公开发行，本公司任主承销商" in chinese
    assert blackouts(REGISTER, "688777.SH", dt.date(2026, 5, 11), True, "zh_CN") == []
    restricted = blackouts(REGISTER, "601888.SH", dt.date(2030, 1, 1), True, "zh_CN")
    assert [(p.code, p.severity) for p in restricted] == [("registers.restricted", Severity.ERROR)]
    assert blackouts(REGISTER, "601888.SH", dt.date(2026, 1, 31), True, "zh_CN") == []
