"""Form-logic vector cases for the 2025 forms (forms/2025/): the rules that read the survey round's year,
the system's settings, arithmetic (the measure of 5) and the follow-ups. Each case carries its `context`
explicitly (the round's year and the settings as they were when the vectors were made), so the vectors do
not change when a bureau sets another value in system.json."""

CONTEXT = {"round_year": 2025, "settings": {"aging_home_share_percent": 30}}
PLACE = {"unit": "1单元", "floor": 2, "detail": None}
PHOTOS = [f"{n:064x}" for n in (7, 8)]

S, G, W = "2025-structural-safety", "2025-gas-safety", "2025-stairwell-safety"
V, I, P = "2025-envelope-safety", "2025-incomplete-dwellings", "2025-pipeline-damage"
A, R, D = "2025-aging-friendly", "2025-energy-retrofit", "2025-digital-home"


def evidence(qid):
    return {f"{qid}_location": PLACE, f"{qid}_photos": PHOTOS}


def case(name, form, answers, facts=None, context=CONTEXT):
    return {"name": f"2025 {name}", "form": form, "facts": {} if facts is None else facts, "answers": answers,
            "context": context}


STRUCTURAL_CLEAR = {"appraisal_grade": "none", "concrete_cracks": "no", "load_bearing_removed": False,
                    "masonry_decay": False, "sill_wall_removed": False, "cantilever_bay": False}
STAIRWELL_CLEAR = {q: False for q in ("stair_steps_damaged", "handrail_loose", "lighting_broken", "guardrail_damaged",
                                      "vent_shaft_blocked", "flue_blocked", "enclosed_stair", "hydrant_faulty",
                                      "extinguisher_unprotected", "exit_signs_faulty", "stairs_cluttered",
                                      "shaft_cluttered")} | {
    "stairwell_count": 2, "stairwells_lacking_extinguishers": 0, "corridor_vehicles": ["none"]}
ENVELOPE_CLEAR = {q: False for q in ("insulation_damaged", "cladding_damaged", "hanging_fixtures_unsafe",
                                     "window_glass_damaged", "roof_leaking", "wall_leaking", "basement_leaking")}
PIPELINE_CLEAR = {q: False for q in ("water_pipes_leaking", "water_pipes_aged", "water_supply_short", "drain_pipes_aged",
                                     "drain_pipes_leaking", "drain_blocked", "central_heating", "power_lines_aged",
                                     "power_capacity_short", "telecom_lines_aged")}
AGING_BASE = {"households_total": 20, "elderly_households": 8, "entrance_not_accessible": False,
              "stair_wall_handrail_missing": False, "home_retrofit_households": 0, "hardship_households": 0}
LOW_RISE = {"floors_above": 3, "has_elevator": False, "households": 24}
WALK_UP = {"floors_above": 6, "has_elevator": False, "households": 36}
PIPED = {"gas_supply": "pipeline"}
AGED_RISER = {"riser_service_year": 2005, "riser_assessment": "hazardous", "hazardous_segments": ["riser", "service"],
              **evidence("riser_assessment")}

CASES_2025 = [
    # 1 Structural: the manual's three tiers; 需专业机构评估 marks, never counts.
    case("structural: all clear", S, STRUCTURAL_CLEAR, {"year_built": 1995}),
    case("structural: cracks need an agency", S, STRUCTURAL_CLEAR | {"concrete_cracks": "assess"},
         {"year_built": 1975, "seismic_reinforced": False}),
    case("structural: concrete cracks are very serious", S, STRUCTURAL_CLEAR | {"concrete_cracks": "yes", **evidence("concrete_cracks")}),
    case("structural: no masonry check for steel", S, STRUCTURAL_CLEAR | {"masonry_decay": True}, {"structure_type": "steel"}),
    # 2 Gas: in service 20 years by the round's year AND assessed hazardous.
    case("gas: riser in service 20 years and hazardous", G, AGED_RISER, PIPED),
    case("gas: riser in service 19 years is not asked", G, AGED_RISER | {"riser_service_year": 2006}, PIPED),
    case("gas: the same riser in a 2026 round", G, AGED_RISER | {"riser_service_year": 2006}, PIPED,
         CONTEXT | {"round_year": 2026}),
    case("gas: aged riser assessed sound", G, {"riser_service_year": 1998, "riser_assessment": "sound"}, PIPED),
    case("gas: aged riser needs an agency", G, {"riser_service_year": 1998, "riser_assessment": "assess"}, PIPED),
    case("gas: a year after the round's is refused", G, {"riser_service_year": 2030}, PIPED),
    case("gas: round year unknown asks no assessment", G, AGED_RISER, PIPED, {"round_year": None, "settings": {}}),
    case("gas: bottled gas is out of scope", G, AGED_RISER, {"gas_supply": "bottled"}),
    # 3 Stairwell: fire doors wherever the stair is enclosed; exit signs and hydrants where required.
    case("stairwell: all clear in a walk-up", W, STAIRWELL_CLEAR, WALK_UP),
    case("stairwell: fire door of an enclosed stair in a six-storey building", W,
         STAIRWELL_CLEAR | {"enclosed_stair": True, "fire_door_faulty": True, **evidence("fire_door_faulty")}, WALK_UP),
    case("stairwell: exit signs not asked below ten floors", W, STAIRWELL_CLEAR | {"exit_signs_faulty": True}, WALK_UP),
    case("stairwell: high-rise hydrant and exit signs", W,
         STAIRWELL_CLEAR | {"hydrant_faulty": True, "exit_signs_faulty": True, "fire_door_faulty": False,
                            "enclosed_stair": True, **evidence("hydrant_faulty"), **evidence("exit_signs_faulty")},
         {"floors_above": 18, "has_property_management": True}),
    case("stairwell: e-bike charging is very serious", W,
         STAIRWELL_CLEAR | {"corridor_vehicles": ["ebike", "charging"], "extinguisher_unprotected": True,
                            **evidence("corridor_vehicles"), **evidence("extinguisher_unprotected")}, WALK_UP),
    case("stairwell: bicycles only are a general problem", W,
         STAIRWELL_CLEAR | {"corridor_vehicles": ["bicycle"], **evidence("corridor_vehicles")},
         WALK_UP | {"has_property_management": False}),
    case("stairwell: none with another choice is refused", W, STAIRWELL_CLEAR | {"corridor_vehicles": ["none", "bicycle"]}),
    case("stairwell: more stairwells lacking extinguishers than stairwells", W,
         STAIRWELL_CLEAR | {"stairwells_lacking_extinguishers": 3, **evidence("stairwells_lacking_extinguishers")}),
    # 4 Envelope: graded by area.
    case("envelope: cladding over 30 m2", V, ENVELOPE_CLEAR | {"cladding_damaged": True, "cladding_damaged_area": 35,
                                                              **evidence("cladding_damaged")}, {"floors_below": 1}),
    # 5 Incomplete dwellings: counted in 套, each household once.
    case("incomplete: 12 without kitchen, 30 without toilet, 10 both", I,
         {"no_kitchen_households": 12, "no_toilet_households": 30, "lacking_both_households": 10,
          **evidence("no_kitchen_households"), **evidence("no_toilet_households")}, {"households": 60}),
    case("incomplete: none", I, {"no_kitchen_households": 0, "no_toilet_households": 0, "lacking_both_households": 0}),
    case("incomplete: not answered has no measure", I, {}),
    case("incomplete: both over either is refused", I,
         {"no_kitchen_households": 2, "no_toilet_households": 5, "lacking_both_households": 3,
          **evidence("no_kitchen_households"), **evidence("no_toilet_households")}),
    # 6 Pipelines.
    case("pipeline: heating not asked without central heating", P, PIPELINE_CLEAR | {"heating_insufficient": True}),
    case("pipeline: heating below standard", P, PIPELINE_CLEAR | {"central_heating": True, "heating_pipes_leaking": False,
                                                                  "heating_insufficient": True,
                                                                  **evidence("heating_insufficient")}),
    # 7 Aging-friendly: eligibility (no lift, 4+ storeys, conditions) and demand (share at the set percentage).
    case("aging: walk-up with conditions for a lift", A, AGING_BASE | {"elevator_feasible": "yes", "elevator_units": 3,
                                                                      **evidence("elevator_feasible")}, WALK_UP),
    case("aging: lift conditions need an agency", A, AGING_BASE | {"elevator_feasible": "assess"}, WALK_UP),
    case("aging: three storeys are not asked about a lift", A, AGING_BASE | {"elevator_feasible": "yes"}, LOW_RISE),
    case("aging: 6 of 20 households need home retrofit (30%)", A, AGING_BASE | {"home_retrofit_households": 6}, LOW_RISE),
    case("aging: 5 of 20 households stay below 30%", A, AGING_BASE | {"home_retrofit_households": 5}, LOW_RISE),
    case("aging: the bureau sets 25%", A, AGING_BASE | {"home_retrofit_households": 5}, LOW_RISE,
         {"round_year": 2025, "settings": {"aging_home_share_percent": 25}}),
    case("aging: no setting never counts the share", A, AGING_BASE | {"home_retrofit_households": 5}, LOW_RISE,
         {"round_year": 2025, "settings": {}}),
    case("aging: special hardship families not retrofitted", A,
         AGING_BASE | {"hardship_households": 2, "hardship_not_retrofitted": 1}, LOW_RISE),
    case("aging: no elderly residents skips public areas and homes", A,
         {"households_total": 20, "elderly_households": 0, "entrance_not_accessible": True}, LOW_RISE),
    case("aging: stair handrail along the wall", A, AGING_BASE | {"stair_wall_handrail_missing": True,
                                                                 **evidence("stair_wall_handrail_missing")}, LOW_RISE),
    # 8 Energy: built before 2000, needs retrofit, lasts 20 years, not to be demolished.
    case("energy: worth retrofitting", R, {"energy_retrofitted": False, "needs_retrofit": "yes",
                                           "demolition_planned": False, "lasts_20_years": "yes"}, {"year_built": 1992}),
    case("energy: to be demolished has no value", R, {"energy_retrofitted": False, "needs_retrofit": "yes",
                                                      "demolition_planned": True, "lasts_20_years": "yes"}, {"year_built": 1992}),
    case("energy: diagnosis needs an agency", R, {"energy_retrofitted": False, "needs_retrofit": "assess",
                                                  "demolition_planned": False, "lasts_20_years": "assess"}, {"year_built": 1985}),
    case("energy: built 2000 is out of scope", R, {"energy_retrofitted": False}, {"year_built": 2000}),
    # 9 Digital: fibre, not gigabit; smoke alarms in high-rise public areas; emergency call where needed.
    case("digital: no fibre to the home", D, {"fibre_unavailable": True, "security_lacking": False, "needy_households": 0,
                                              **evidence("fibre_unavailable")}, WALK_UP),
    case("digital: high-rise without smoke alarms", D, {"fibre_unavailable": False, "security_lacking": False,
                                                        "no_smoke_alarms": True, "needy_households": 1,
                                                        "no_emergency_call": True, **evidence("no_smoke_alarms")},
         {"floors_above": 11, "has_property_management": False}),
]
