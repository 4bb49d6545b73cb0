"""What the app knows of its survey: the forms registry, the indicator systems and their
indicators' names, and the round that is current. Every package consults it."""
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from forms import load_all
from server.errors import ApiError
from server.extensions import db
from server.surveys.models import SurveyRound

STRUCTURAL_SAFETY = 1
_KEY = "loujian.forms"


def configure_forms(app) -> None:
    """Load and validate every form file; a broken one stops the app with file and field named."""
    app.extensions[_KEY] = load_all(app.config["LOUJIAN_FORMS_DIR"])


def form_registry():
    return current_app.extensions[_KEY]


def current_round() -> SurveyRound | None:
    return db.session.scalar(select(SurveyRound).where(SurveyRound.is_current.is_(True)))


def round_by_code(code: str | None) -> SurveyRound:
    if code is None:
        found = current_round()
    else:
        found = db.session.scalar(select(SurveyRound).where(SurveyRound.code == code))
    if found is None:
        raise ApiError("round.unknown", f"找不到体检轮次 {code}" if code else "尚未开启体检轮次")
    return found


def current_system_code() -> str:
    """The indicator system in force: the current round's, else the newest one on disk."""
    found = current_round()
    return found.system if found else max(form_registry().systems)


def current_structure_form():
    """Indicator 1's form in force: its pre-screen rule marks the buildings to visit first."""
    forms = form_registry().forms(current_system_code())
    return next((form for form in forms if form.indicator == STRUCTURAL_SAFETY), None)


def round_context(survey_round: SurveyRound) -> dict:
    """What the rules of the round's forms read beyond answers and facts: the round's year and its
    indicator system's settings (forms.rules.rule_context). Every evaluation of a round's answers
    passes it, on the server as in the app."""
    return form_registry().system(survey_round.system).rule_context(survey_round.year)


def indicator_system(code: str | None = None):
    return form_registry().system(code or current_system_code())


def indicator_list(code: str | None = None) -> list[dict]:
    """[{number, name, short_name, responsible_unit, …}] in number order."""
    return sorted(indicator_system(code).indicators, key=lambda i: i["number"])


def appraised_indicators(code: str | None = None) -> dict[int, dict]:
    """{number: its declaration} of the indicators professional agencies appraise in the system
    (system.json's `appraisal`: check item, grades and the words of the two conclusions)."""
    return indicator_system(code).appraised


def short_names(code: str | None = None) -> dict[int, str]:
    return {i["number"]: i["short_name"] for i in indicator_list(code)}


@dataclass(frozen=True)
class IndicatorShown:
    """How a finding's indicator is named in a round's view: by the viewed round's system when
    the finding came from the round before under another system (2024's 节能改造, 9, is 2025's
    8), with a note saying where it came from."""

    number: int | None
    short_name: str
    note: str | None = None


def indicator_shown(finding_system: str, number: int, viewed_system: str) -> IndicatorShown:
    own = form_registry().system(finding_system)
    own_name = _short_name(own, number)
    if finding_system == viewed_system:
        return IndicatorShown(number, own_name)
    viewed = form_registry().system(viewed_system)
    came_from = f"{finding_system}年指标{number}（{own_name}）"
    if viewed.previous != finding_system:
        return IndicatorShown(number, own_name, f"{finding_system}年指标体系")
    successor, reason = viewed.continuing(number)
    if successor is None:
        return IndicatorShown(None, own_name, f"{came_from}，{viewed_system}年指标体系不再设此指标"
                              + (f"：{reason}" if reason else ""))
    return IndicatorShown(successor["number"], successor["short_name"], f"原{came_from}")


def _short_name(system, number: int) -> str:
    try:
        return system.indicator(number)["short_name"]
    except KeyError:
        return f"指标{number}"
