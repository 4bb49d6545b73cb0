"""Filling a form for one demo building the way a surveyor would: everything clear except the
defects chosen, follow-up questions answered consistently with the building's facts, now and then
an answer that calls in an agency (需专业机构评估). Plain Python over forms/ and the indicator
system's table in baselines.py: no app, no database. Every rule is evaluated in the round's
context, and the forms' own validator has the last word."""
import random

from forms import derive_defects, follow_ups, relevance, validate_answers
from server.demo.baselines import FILLINGS

UNIT_FLOOR_FREE = ("entrance_no_ramp", "entrance_no_handrail", "lobby_barriers",
                   "hydrant_no_water", "shutoff_valve_faulty", "network_lacking",
                   "security_lacking", "water_pipes_aged", "drain_blocked", "power_lines_aged",
                   "entrance_not_accessible", "hydrant_faulty", "fibre_unavailable",
                   "corridor_vehicles")
TOP_FLOOR = ("roof_leaking", "insulation_damaged", "tank_not_cleaned")
BASEMENT = ("basement_leaking",)
# Defects a surveyor does not choose: they follow from the building's facts (a C/D appraisal).
FROM_FACTS = ("appraisal_grade",)
FOLLOW_UP_SHARE = 0.15  # of the questions asked that may call in an agency, answered so


class FormFiller:
    """The answers of one indicator system's forms, in one survey round's rule context."""

    def __init__(self, system: str, context: dict):
        self.filling, self.context = FILLINGS[system], context

    def clear_answers(self, form, facts: dict, rng: random.Random) -> dict:
        values = self.filling.baseline(facts, rng)
        answers = {}
        for question in form.questions:
            qid = question["id"]
            if question["type"] == "yes_no":
                answers[qid] = False
            elif qid in values:
                answers[qid] = values[qid]
        return answers

    def defect_candidates(self, form, answers: dict, facts: dict) -> list[str]:
        """The defect questions asked of this building, given clear answers."""
        asked = relevance(form, answers, facts, self.context)
        return [q["id"] for q in form.defect_questions
                if asked.defects[q["id"]] is not False and q["id"] not in FROM_FACTS]

    def with_defects(self, form, answers: dict, chosen: list[str], facts: dict,
                     rng: random.Random) -> dict:
        answers = dict(answers)
        for question_id in chosen:
            changes = self.filling.trigger(question_id, answers, facts, self.context, rng)
            if changes is not None:
                answers.update(changes)
        return answers

    def with_follow_ups(self, form, answers: dict, chosen: list[str], facts: dict,
                        rng: random.Random) -> dict:
        """Now and then a question that may call in an agency gets the answer that does, where
        that changes no defect: the choice the form's own follow-up rule names."""
        defects = self.defects_of(form, answers, facts)
        for question in form.questions:
            qid = question["id"]
            if "follow_up" not in question or qid in chosen or rng.random() >= FOLLOW_UP_SHARE:
                continue
            for choice in question.get("choices", ()):
                trial = {**answers, qid: choice["value"]}
                asks = any(f["question_id"] == qid
                           for f in follow_ups(form, trial, facts, self.context))
                if asks and self.defects_of(form, trial, facts) == defects:
                    answers = trial
                    break
        return answers

    def finish(self, form, answers: dict, facts: dict) -> dict:
        """Only the questions asked, checked by the form's own validator."""
        kept = relevance(form, answers, facts, self.context).answers
        problems = validate_answers(form, kept, facts, self.context)
        if problems:
            raise ValueError(f"demo answers to {form.id} do not fit the form: {problems}")
        return kept

    def defects_of(self, form, answers: dict, facts: dict) -> list[dict]:
        return derive_defects(form, answers, facts, self.context)


def location(question_id: str, facts: dict, detail: str, rng: random.Random) -> dict:
    """Where a surveyor would put the defect: unit and floor as the building allows."""
    floors = facts["floors_above"]
    if question_id in BASEMENT and facts["floors_below"]:
        floor = -1
    elif question_id in TOP_FLOOR:
        floor = floors
    elif question_id in UNIT_FLOOR_FREE:
        floor = 1
    else:
        floor = rng.randint(1, floors)
    return {"unit": f"{rng.randint(1, facts['units'])}单元", "floor": floor, "detail": detail}
