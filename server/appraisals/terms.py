"""What an appraisal means in its round's indicator system: which indicators take one, the
problem a hazard conclusion makes, and the words of each conclusion (system.json's `appraisal`)."""
from server.appraisals.models import CONCLUSIONS, Appraisal
from server.catalog import appraised_indicators, short_names
from server.extensions import db
from server.surveys.models import SurveyRound


def declaration(round_id: int, indicator: int) -> dict | None:
    """The indicator's `appraisal` in the round's system, or None when agencies do not appraise it."""
    survey_round = db.session.get(SurveyRound, round_id)
    return appraised_indicators(survey_round.system).get(indicator) if survey_round else None


def conclusion_words(declared: dict | None, conclusion: str) -> str:
    if declared is None:
        return CONCLUSIONS[conclusion]
    return declared["found"] if conclusion == "hazard" else declared["clear"]


def conclusion_label(appraisal: Appraisal) -> str:
    """The conclusion in its indicator's words (存在燃气安全隐患, 需要进行节能改造…)."""
    return conclusion_words(declaration(appraisal.round_id, appraisal.indicator),
                            appraisal.conclusion)


def indicator_label(appraisal: Appraisal) -> str:
    """"指标N · 短名" in the appraisal's round's system."""
    survey_round = db.session.get(SurveyRound, appraisal.round_id)
    name = short_names(survey_round.system).get(appraisal.indicator, "") if survey_round else ""
    return f"{appraisal.indicator}. {name}"
