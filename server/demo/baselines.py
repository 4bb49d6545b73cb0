"""What a surveyor answers on each indicator system's forms when nothing is wrong, and what reveals
each defect: one small table per system. answers.py does the rest from the forms themselves
(yes/no questions are answered 否, follow-ups and relevance come from the form's rules)."""
import math
import random
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Filling:
    # facts, rng -> clear answers to the questions that are not a plain yes/no
    baseline: Callable[[dict, random.Random], dict]
    # question id, answers so far, facts, the round's rule context, rng -> the answers that
    # reveal that question's defect (they may change the questions it depends on); None when it
    # cannot here
    trigger: Callable[[str, dict, dict, dict, random.Random], dict | None]


def _baseline_2024(facts: dict, rng: random.Random) -> dict:
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


def _trigger_2024(question_id: str, answers: dict, facts: dict, context: dict,
                  rng: random.Random) -> dict | None:
    special = {  # built whole on every call, as the demo always has: the seed's data depends on it
        "riser_install_year": facts["year_built"] if facts["year_built"] <= 2004 else None,
        "stairwells_lacking_extinguishers": rng.randint(1, facts["units"]),
        "elevator_feasible": "yes",
        "retrofit_worthwhile": "yes",
        "appraisal_grade": None,
    }
    value = special.get(question_id, True)
    return None if value is None else {question_id: value}


def _baseline_2025(facts: dict, rng: random.Random) -> dict:
    households, units = facts["households"], facts["units"]
    year = facts["year_built"]
    elderly = rng.randint(1, max(1, households // 4))
    return {
        # 1 structural safety: the census grade, if any
        "appraisal_grade": facts["appraisal_grade"] or "none",
        "concrete_cracks": "no",
        # 2 gas: the riser entered service with the building, or when pipeline gas came
        "riser_service_year": max(year, rng.randint(1992, 2012)),
        "riser_assessment": "sound",
        "hazardous_segments": [rng.choice(("service", "header", "riser"))],
        # 3 stairwells: one stairwell per unit, enclosed in high-rise buildings
        "enclosed_stair": facts["floors_above"] >= 10,
        "stairwell_count": units,
        "stairwells_lacking_extinguishers": 0,
        "corridor_vehicles": ["none"],
        # 4 envelope
        "insulation_damaged_area": round(rng.uniform(2, 28), 1),
        "cladding_damaged_area": round(rng.uniform(1, 12), 1),
        # 5 non-self-contained units (套): none
        "no_kitchen_households": 0,
        "no_toilet_households": 0,
        "lacking_both_households": 0,
        # 6 pipes: central heating in the newer half of the town
        "central_heating": year >= 1995 or rng.random() < 0.3,
        # 7 aging-friendly: fewer homes needing work than the county's share
        "households_total": households,
        "elderly_households": elderly,
        "elevator_feasible": "no",
        "elevator_units": min(units, rng.randint(1, 2)),
        "home_retrofit_households": rng.randint(0, elderly // 2),
        "hardship_households": rng.randint(0, min(elderly, 3)),
        "hardship_not_retrofitted": 0,
        # 8 energy: not worth it
        "energy_retrofitted": False,
        "needs_retrofit": "no",
        "demolition_planned": False,
        "lasts_20_years": "yes",
        # 9 digital
        "needy_households": rng.randint(1, max(1, households // 8)),
    }


def _trigger_2025(question_id: str, answers: dict, facts: dict, context: dict,
                  rng: random.Random) -> dict | None:
    households = answers.get("households_total", facts["households"])
    if question_id == "riser_assessment":  # in service 20 years or more, and hazardous
        latest = context["round_year"] - 20
        if facts["year_built"] > latest:
            return None
        return {"riser_service_year": rng.randint(facts["year_built"], latest),
                "riser_assessment": "hazardous"}
    if question_id == "stairwells_lacking_extinguishers":
        return {question_id: rng.randint(1, answers["stairwell_count"])}
    if question_id == "corridor_vehicles":
        return {question_id: rng.choice((["ebike"], ["ebike", "charging"], ["bicycle", "ebike"]))}
    if question_id in ("no_kitchen_households", "no_toilet_households"):
        # a 筒子楼's shared kitchens or toilets: a good part of its homes, some lacking both
        fewest = min(households, 4)
        lacking = rng.randint(fewest, max(fewest, households // 2))
        changes = {question_id: lacking}
        other = ({"no_kitchen_households", "no_toilet_households"} - {question_id}).pop()
        if answers.get(other):
            changes["lacking_both_households"] = rng.randint(0, min(lacking, answers[other]))
        return changes
    if question_id == "home_retrofit_households":  # the county's share reached
        share = context["settings"]["aging_home_share_percent"]
        needing = min(households, math.ceil(households * share / 100) + rng.randint(0, 3))
        return {"elderly_households": max(answers["elderly_households"], needing),
                question_id: needing}
    if question_id == "hardship_not_retrofitted":
        return {question_id: rng.randint(1, answers["hardship_households"])}
    if question_id == "elevator_feasible":
        return {question_id: "yes"}
    if question_id == "concrete_cracks":
        return {question_id: "yes"}
    if question_id == "lasts_20_years":
        return {"needs_retrofit": "yes", question_id: "yes"}
    if question_id == "appraisal_grade":
        return None  # from the census facts, never the surveyor's choice
    return {question_id: True}


FILLINGS = {"2024": Filling(_baseline_2024, _trigger_2024),
            "2025": Filling(_baseline_2025, _trigger_2025)}
