"""Filling the 2024 forms for one demo building the way a surveyor would: everything clear
except the defects chosen, follow-up questions answered consistently with the building's facts.
Plain Python over forms/: no app, no database. The forms' own validator has the last word."""
import random

from forms import derive_defects, relevance, validate_answers

UNIT_FLOOR_FREE = ("entrance_no_ramp", "entrance_no_handrail", "lobby_barriers",
                   "hydrant_no_water", "shutoff_valve_faulty", "network_lacking",
                   "security_lacking", "water_pipes_aged", "drain_blocked", "power_lines_aged")
TOP_FLOOR = ("roof_leaking", "insulation_damaged", "tank_not_cleaned")
BASEMENT = ("basement_leaking",)
# Defects a surveyor does not choose: they follow from the building's facts (a C/D appraisal).
FROM_FACTS = ("appraisal_grade",)


def baseline(facts: dict, rng: random.Random) -> dict:
    """Answers with nothing wrong, for the questions that are not plain yes/no."""
    households, units = facts["households"], facts["units"]
    year = facts["year_built"]
    checked = min(households, rng.randint(8, 30))
    needy = rng.randint(1, max(1, households // 8))
    return {
        # 1 structural safety: the census grade, if any
        "appraisal_grade": facts["appraisal_grade"] or "none",
        # 2 gas: a sample of homes; the riser replaced unless the building is recent
        "households_checked": checked,
        "rubber_hose_households": rng.randint(1, max(1, checked // 3)),
        "riser_install_year": year if year >= 2005 else rng.randint(2006, 2020),
        # 3 stairwells: one stairwell per unit
        "stairwell_count": units,
        "stairwells_lacking_extinguishers": 0,
        # 4 envelope
        "insulation_damaged_area": round(rng.uniform(2, 28), 1),
        "cladding_damaged_area": round(rng.uniform(1, 12), 1),
        "hanging_fixture_kinds": [rng.choice(("ac_bracket", "burglar_bars", "canopy"))],
        # 5 non-self-contained units; the performance part asked so its defects can be found
        "no_own_kitchen_households": rng.randint(1, min(households, 6)),
        "no_own_toilet_households": rng.randint(1, min(households, 6)),
        "performance_surveyed": True,
        # 6 pipes: central heating in the newer half of the town
        "central_heating": year >= 1995 or rng.random() < 0.3,
        # 7 aging-friendly
        "elevator_feasible": rng.choice(("no", "no", "pending")),
        "elevator_obstacles": rng.sample(("space", "pipelines", "fire_access"), 1),
        "elevator_units": min(units, rng.randint(1, 2)),
        "elderly_households": rng.randint(1, max(1, households // 4)),
        # 8 water
        "water_quality_symptoms": ["turbid"],
        "secondary_supply": facts["floors_above"] >= 8,
        "measured_pressure_mpa": round(rng.uniform(0.08, 0.13), 2),
        # 9 energy
        "energy_retrofitted": False,
        "energy_shortfalls": rng.sample(("wall", "windows", "roof", "heating_control"), 2),
        "retrofit_worthwhile": "no",
        # 10 digital
        "needy_households": needy,
        "lacking_households": rng.randint(1, needy),
    }


def triggered(question_id: str, facts: dict, rng: random.Random):
    """The answer that reveals this defect question's defect; None when it cannot here."""
    special = {
        "riser_install_year": facts["year_built"] if facts["year_built"] <= 2004 else None,
        "stairwells_lacking_extinguishers": rng.randint(1, facts["units"]),
        "elevator_feasible": "yes",
        "retrofit_worthwhile": "yes",
        "appraisal_grade": None,
    }
    return special.get(question_id, True)


def clear_answers(form, facts: dict, rng: random.Random) -> dict:
    values = baseline(facts, rng)
    answers = {}
    for question in form.questions:
        qid = question["id"]
        if question["type"] == "yes_no":
            answers[qid] = False
        elif qid in values:
            answers[qid] = values[qid]
    return answers


def defect_candidates(form, answers: dict, facts: dict) -> list[str]:
    """The defect questions asked of this building, given clear answers."""
    asked = relevance(form, answers, facts)
    return [q["id"] for q in form.defect_questions
            if asked.defects[q["id"]] is not False and q["id"] not in FROM_FACTS]


def with_defects(form, answers: dict, chosen: list[str], facts: dict, rng: random.Random) -> dict:
    answers = dict(answers)
    for question_id in chosen:
        value = triggered(question_id, facts, rng)
        if value is not None:
            answers[question_id] = value
    return answers


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


def finish(form, answers: dict, facts: dict) -> dict:
    """Only the questions asked, checked by the form's own validator."""
    kept = relevance(form, answers, facts).answers
    problems = validate_answers(form, kept, facts)
    if problems:
        raise ValueError(f"demo answers to {form.id} do not fit the form: {problems}")
    return kept


def defects_of(form, answers: dict, facts: dict) -> list[dict]:
    return derive_defects(form, answers, facts)
