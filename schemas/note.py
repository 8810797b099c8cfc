"""The research note model and the compliance rules every note must pass before it is published."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal

from markdown_it import MarkdownIt
from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from schemas.house import Action, House, RatingLevel, StrictModel, localize
from schemas.problems import Loc, ProblemLog, Severity, log_for, settle

SAC_PATTERN = re.compile(r"^S(\d{4})\d(\d{2})(\d{2})\d{4}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

#: How an explicit action may be written, in either language.
ACTION_SPELLINGS: dict[str, Action] = {
    "首次": Action.INITIATE,
    "维持": Action.MAINTAIN,
    "上调": Action.UPGRADE,
    "下调": Action.DOWNGRADE,
    **{a.value: a for a in Action},
    "initiated": Action.INITIATE,
    "maintained": Action.MAINTAIN,
    "upgraded": Action.UPGRADE,
    "downgraded": Action.DOWNGRADE,
}

#: A paragraph naming where a table's or figure's data came from starts with one of these.
SOURCE_PREFIXES = ("资料来源", "数据来源", "来源", "source", "sources")

BODY_FIELDS = ("event", "recommendation", "risks")


def _nonblank(value: str, what: str, what_zh: str) -> str:
    if not value.strip():
        raise PydanticCustomError("schema.empty", f"{what} is empty", {"zh": f"{what_zh}为空"})
    return value


class Subject(StrictModel):
    """What the note is about: an industry or a listed company."""

    kind: Literal["industry", "company"]
    name: str = Field(min_length=1)
    ticker: str | None = Field(None, description="A company's stock code, e.g. 600000.SH.")
    market: str = Field(description="A market the house defines, by code or name.")


class Rating(StrictModel):
    """The note's rating; the action is derived from the previous rating, never typed."""

    value: str
    previous: str | None = None
    action: str | None = Field(
        None, description="Optional; when given it must agree with the derived action."
    )

    @field_validator("action")
    @classmethod
    def _known_action(cls, value: str | None) -> str | None:
        if value is not None and value.strip().casefold() not in ACTION_SPELLINGS:
            raise PydanticCustomError(
                "schema.action",
                f"'{value}' is not a rating action (首次/维持/上调/下调 or "
                "initiate/maintain/upgrade/downgrade)",
                {"zh": f"“{value}”不是评级变动（首次/维持/上调/下调）"},
            )
        return value


class Analyst(StrictModel):
    """A signer of the note: a registered analyst, or a research assistant who cannot sign alone."""

    name: str = Field(min_length=1)
    role: Literal["analyst", "assistant"] = "analyst"
    sac: str | None = Field(None, description="SAC 执业证书编号: S followed by 13 digits.")
    phone: str | None = None
    email: str | None = None

    @field_validator("sac")
    @classmethod
    def _sac_format(cls, value: str | None) -> str | None:
        if value is None:
            return value
        match = SAC_PATTERN.match(value)
        if not match or not 1 <= int(match.group(3)) <= 12:
            raise PydanticCustomError(
                "schema.sac",
                f"'{value}' is not a SAC certificate number (S followed by 13 digits)",
                {"zh": f"“{value}”不是有效的执业证书编号（S 加 13 位数字）"},
            )
        return value

    @field_validator("email")
    @classmethod
    def _email_format(cls, value: str | None) -> str | None:
        if value is not None and not EMAIL_PATTERN.match(value):
            raise PydanticCustomError(
                "schema.email",
                f"'{value}' is not an e-mail address",
                {"zh": f"“{value}”不是有效的电子邮箱"},
            )
        return value


class CommentaryPoint(StrictModel):
    """One commentary paragraph: a bold lead sentence and the argument that follows it."""

    lead: str
    body: str

    @field_validator("lead")
    @classmethod
    def _lead(cls, value: str) -> str:
        return _nonblank(value, "the commentary point's lead", "点评要点的首句")

    @field_validator("body")
    @classmethod
    def _body(cls, value: str) -> str:
        return _nonblank(value, "the commentary point's body", "点评要点的正文")


class Note(StrictModel):
    """A research note: front matter and body sections, as an analyst writes them."""

    template: str = Field("event-commentary", description="The template that lays the note out.")
    house: str | None = Field(
        None, description="A house folder (relative to the note) or the name of a shipped house."
    )
    locale: str | None = Field(None, pattern=r"^[a-z]{2}_[A-Z]{2}$")
    date: dt.date
    title: str = Field(min_length=1)
    subject: Subject
    rating: Rating
    risk_level: str = Field(description="A report risk level of the house, by code (R3) or name.")
    analysts: list[Analyst] = Field(min_length=1)
    event: str
    commentary: list[CommentaryPoint] = Field(min_length=1)
    recommendation: str
    risks: str

    @field_validator("event", "recommendation", "risks")
    @classmethod
    def _section(cls, value: str, info: ValidationInfo) -> str:
        return _nonblank(value, f"section '{info.field_name}'", f"“{info.field_name}”章节")

    @field_validator("date", mode="before")
    @classmethod
    def _real_date(cls, value: Any) -> Any:
        if isinstance(value, str) and not re.match(r"^\d{4}-\d{2}-\d{2}$", value.strip()):
            raise PydanticCustomError(
                "schema.date",
                f"'{value}' is not a date written YYYY-MM-DD",
                {"zh": f"“{value}”不是 YYYY-MM-DD 格式的日期"},
            )
        return value

    @model_validator(mode="after")
    def _compliance(self, info: ValidationInfo) -> Note:
        context = info.context or {}
        log = log_for(context)
        today: dt.date = context.get("today") or dt.date.today()
        if self.date > today:
            log.add(
                ("date",),
                "schema.date_future",
                f"{self.date} is after today ({today})",
                f"日期 {self.date} 晚于今天（{today}）",
            )
        self._check_signers(log)
        self._check_sources(log)
        house: House | None = context.get("house")
        if house is not None:
            self._check_against_house(house, log)
        settle(context, log)
        return self

    def _check_signers(self, log: ProblemLog) -> None:
        if not any(a.role == "analyst" and a.sac for a in self.analysts):
            log.add(
                ("analysts",),
                "schema.signer",
                "no registered analyst signs this note: at least one analyst with a SAC number "
                "is required (research assistants cannot sign alone)",
                "没有注册分析师署名：至少需要一位具有执业证书编号的分析师（研究助理不能单独署名）",
            )
        for i, analyst in enumerate(self.analysts):
            if analyst.role == "analyst" and not analyst.sac:
                log.add(
                    ("analysts", i, "sac"),
                    "schema.sac_missing",
                    f"analyst {analyst.name} has no SAC number (list a research assistant "
                    "with role: assistant)",
                    f"分析师{analyst.name}缺少执业证书编号（研究助理请注明 role: assistant）",
                )

    def _check_sources(self, log: ProblemLog) -> None:
        for loc, text in self.texts():
            for offset, what in _unsourced_exhibits(text):
                log.add(
                    loc,
                    "schema.source",
                    f"this {what} does not name its source: follow it with a line starting "
                    "'资料来源：' or 'Source:'",
                    f"该{'表格' if what == 'table' else '图表'}未注明资料来源：请在其后加一行"
                    "“资料来源：”",
                    offset=offset,
                )

    def _check_against_house(self, house: House, log: ProblemLog) -> None:
        locale = self.locale or house.default_locale
        if self.locale and self.locale not in house.locales:
            log.add(
                ("locale",),
                "schema.locale",
                f"'{self.locale}' is not one of the house's locales ({', '.join(house.locales)})",
                f"“{self.locale}”不在本机构支持的语言中（{', '.join(house.locales)}）",
            )
        market = house.find_market(self.subject.market)
        if market is None:
            names = ", ".join(localize(m.name, locale) for m in house.markets)
            log.add(
                ("subject", "market"),
                "schema.market",
                f"'{self.subject.market}' is not a market of the house (known: {names})",
                f"“{self.subject.market}”不是本机构定义的市场（可选：{names}）",
            )
        self._check_rating(house, locale, log)
        risk = house.find_risk_level(self.risk_level)
        if risk is None:
            names = ", ".join(f"{r.code} {localize(r.name, locale)}" for r in house.risk_levels)
            log.add(
                ("risk_level",),
                "schema.risk_level",
                f"'{self.risk_level}' is not a risk level of the house (known: {names})",
                f"“{self.risk_level}”不是本机构定义的风险等级（可选：{names}）",
            )
        elif market and market.min_risk_level:
            floor = house.find_risk_level(market.min_risk_level)
            if floor and risk.order < floor.order:
                floor_name = localize(floor.name, locale)
                market_name = localize(market.name, locale)
                log.add(
                    ("risk_level",),
                    "schema.risk_floor",
                    f"notes on {market_name} must be at least {floor.code} {floor_name}",
                    f"{market_name}相关报告的风险等级不得低于{floor_name}（{floor.code}）",
                )
        self._check_analysts_against_house(house, log)
        self._check_phrases(house, log)

    def _check_rating(self, house: House, locale: str, log: ProblemLog) -> None:
        scale = house.scale(self.subject.kind)
        labels = " / ".join(localize(level.label, locale) for level in scale.levels)
        kind_zh = "公司" if self.subject.kind == "company" else "行业"
        value = scale.find(self.rating.value)
        if value is None:
            log.add(
                ("rating", "value"),
                "schema.rating",
                f"'{self.rating.value}' is not on the house's {self.subject.kind} rating scale "
                f"({labels})",
                f"“{self.rating.value}”不在本机构的{kind_zh}评级体系中（{labels}）",
            )
        previous: RatingLevel | None = None
        if self.rating.previous is not None:
            previous = scale.find(self.rating.previous)
            if previous is None:
                log.add(
                    ("rating", "previous"),
                    "schema.rating",
                    f"'{self.rating.previous}' is not on the house's {self.subject.kind} "
                    f"rating scale ({labels})",
                    f"“{self.rating.previous}”不在本机构的{kind_zh}评级体系中（{labels}）",
                )
                return
        if value is None or self.rating.action is None:
            return
        derived = scale.derive_action(value, previous)
        written = ACTION_SPELLINGS[self.rating.action.strip().casefold()]
        if derived != written:
            log.add(
                ("rating", "action"),
                "schema.action_mismatch",
                f"action '{self.rating.action}' contradicts the ratings: from "
                f"{self.rating.previous or 'no previous rating'} to {self.rating.value} is "
                f"'{derived or 'no action'}' (leave action out: it is derived)",
                f"评级变动“{self.rating.action}”与评级不符：应为“{derived or '无'}”"
                "（可省略 action，系统自动推导）",
            )

    def _check_analysts_against_house(self, house: House, log: ProblemLog) -> None:
        for i, analyst in enumerate(self.analysts):
            if analyst.role == "analyst":
                for key, required in (
                    ("phone", house.requirements.analyst_phone),
                    ("email", house.requirements.analyst_email),
                ):
                    if required and not getattr(analyst, key):
                        log.add(
                            ("analysts", i),
                            "schema.contact",
                            f"analyst {analyst.name} needs a {key} (the house requires it)",
                            f"分析师{analyst.name}缺少{'电话' if key == 'phone' else '邮箱'}"
                            "（本机构要求填写）",
                        )
            match = SAC_PATTERN.match(analyst.sac or "")
            if not match:
                continue
            firm, year, month = match.groups()
            if firm != house.code:
                log.add(
                    ("analysts", i, "sac"),
                    "schema.sac_firm",
                    f"'{analyst.sac}' carries firm code {firm}, not the house's {house.code}",
                    f"“{analyst.sac}”中的机构代码为 {firm}，与本机构代码 {house.code} 不符",
                    Severity.WARNING,
                )
            registered = dt.date(2000 + int(year), int(month), 1)
            if registered > self.date:
                log.add(
                    ("analysts", i, "sac"),
                    "schema.sac_date",
                    f"'{analyst.sac}' was registered in {registered:%Y-%m}, after the note's "
                    f"date {self.date}",
                    f"“{analyst.sac}”的登记年月为 {registered:%Y-%m}，晚于报告日期 {self.date}",
                    Severity.WARNING,
                )

    def _check_phrases(self, house: House, log: ProblemLog) -> None:
        for loc, text in self.texts():
            folded = text.casefold()
            for phrase in house.forbidden_phrases:
                start = folded.find(phrase.casefold())
                while start >= 0:
                    log.add(
                        loc,
                        "schema.promise",
                        f"'{phrase}' is a promissory phrase the house forbids",
                        f"“{phrase}”属于本机构禁止使用的承诺性用语",
                        Severity.WARNING,
                        offset=start,
                    )
                    start = folded.find(phrase.casefold(), start + len(phrase))

    def texts(self) -> list[tuple[Loc, str]]:
        """Every free text of the note with its location, for rules that read prose."""
        found: list[tuple[Loc, str]] = [(("title",), self.title)]
        found.append((("event",), self.event))
        for i, point in enumerate(self.commentary):
            found += [
                (("commentary", i, "lead"), point.lead),
                (("commentary", i, "body"), point.body),
            ]
        found += [((name,), getattr(self, name)) for name in BODY_FIELDS[1:]]
        return found


_PARSER = MarkdownIt("commonmark", {"html": False}).enable("table")


def _unsourced_exhibits(text: str) -> list[tuple[int, str]]:
    """Tables and images in Markdown text that no source line follows, as (offset, kind)."""
    tokens = _PARSER.parse(text)
    line_starts = [0]
    for line in text.splitlines(keepends=True):
        line_starts.append(line_starts[-1] + len(line))
    found = []
    for i, token in enumerate(tokens):
        kind = None
        if token.type == "table_open":
            kind = "table"
        elif token.type == "inline" and any(c.type == "image" for c in token.children or []):
            kind = "figure"
        if kind is None or token.map is None:
            continue
        if not _has_source_after(tokens, i, token, kind):
            found.append((line_starts[min(token.map[0], len(line_starts) - 1)], kind))
    return found


def _has_source_after(tokens: list[Any], index: int, token: Any, kind: str) -> bool:
    """Whether the paragraph after a table (or the text around an image) names a source."""
    if kind == "figure" and starts_with_source(token.content.split("\n")[-1]):
        return True
    closer = "table_close" if kind == "table" else "paragraph_close"
    for j in range(index, len(tokens)):
        if tokens[j].type == closer:
            following = tokens[j + 1 : j + 3]
            return any(t.type == "inline" and starts_with_source(t.content) for t in following)
    return False


def starts_with_source(text: str) -> bool:
    """Whether a paragraph names where a table's or figure's data came from (资料来源：…)."""
    plain = text.lstrip("*_ ").casefold()
    return plain.startswith(SOURCE_PREFIXES)
