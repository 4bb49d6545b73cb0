"""Inputs of the form-logic vectors (forms/form_vectors.json): inline test forms and cases.

A case is {name, form (an id from forms/ or of an inline form below), facts, answers}; the generator adds
`expected`. Inline forms cover what the real forms do not use (date, text defaults, required rules, …).
A case may carry a `context` (the survey round's year and settings, forms.rules.rule_context); the 2025
cases (forms/tools/form_vector_cases_2025.py) all do.
"""
from forms.tools.form_vector_cases_2025 import CASES_2025


def photo(n):
    return f"{n:064x}"


def graded(first_when, first, default):
    return [{"when": first_when, "value": first}, {"value": default}]


def answer(qid):
    return {"answer": qid}


EVERY_TYPE = {
    "id": "test-every-type", "version": 1, "system": "2024", "indicator": 1, "title": "测试：全部题型",
    "counts_if": {"any": [{"defect": "yn"}, {"all": [{"defect": "int"}, {"defect": "dec"}]}]},
    "sections": [{"id": "main", "title": "全部题型", "questions": [
        {"id": "yn", "type": "yes_no", "label": "是否", "required": True, "defect": {
            "when": {"==": [answer("yn"), True]}, "check_item": "是否缺陷",
            "severity": [{"when": {">=": [answer("int"), 5]}, "value": "非常严重"},
                         {"when": {"contains": [answer("multi"), "x"]}, "value": "严重"}, {"value": "一般"}],
            "class": graded({"answered": "txt"}, "尽力解决", "限时解决"),
            "responsible_unit": "住建局", "suggestion": "整改",
            "difficulty": graded({"==": [{"fact": "has_property_management"}, False]}, "难", "一般"),
            "location": "where", "photos": "pics"}},
        {"id": "choice", "type": "single_choice", "label": "单选", "required": {"!=": [answer("int"), 0]},
         "choices": [{"value": "a", "label": "甲"}, {"value": "b", "label": "乙"}, {"value": "c", "label": "丙"}],
         "defect": {"when": {"in": [answer("choice"), ["b", "c"]]}, "check_item": "单选缺陷", "severity": "严重",
                    "class": "限时解决", "responsible_unit": "物业公司", "suggestion": "整改"}},
        {"id": "multi", "type": "multiple_choice", "label": "多选",
         "choices": [{"value": "x", "label": "X"}, {"value": "y", "label": "Y"}, {"value": "z", "label": "Z"}],
         "defect": {"when": {">=": [{"count": answer("multi")}, 2]}, "check_item": "多选缺陷", "severity": "一般",
                    "class": "尽力解决", "responsible_unit": "物业公司", "suggestion": "整改"}},
        {"id": "int", "type": "integer", "label": "整数", "min": -5, "max": 10,
         "defect": {"when": {">": [answer("int"), 3]}, "check_item": "整数缺陷", "severity": "一般",
                    "class": "尽力解决", "responsible_unit": "物业公司", "suggestion": "整改"}},
        {"id": "dec", "type": "decimal", "label": "小数", "min": 0.00005, "max": 2.5,
         "defect": {"when": {"between": [answer("dec"), 1, 2]}, "check_item": "小数缺陷", "severity": "一般",
                    "class": "尽力解决", "responsible_unit": "物业公司", "suggestion": "整改"}},
        {"id": "txt", "type": "text", "label": "文字", "required": {"==": [answer("yn"), True]}},
        {"id": "short", "type": "text", "label": "短文字", "max_length": 3, "required": {"defect": "yn"},
         "constraint": {"!=": [answer("short"), "bad"]}, "constraint_message": "不能填bad"},
        {"id": "day", "type": "date", "label": "日期",
         "constraint": {"!=": [answer("day"), "2024-01-01"]}, "constraint_message": "不能是元旦"},
        {"id": "pics", "type": "photos", "label": "照片"},
        {"id": "pics2", "type": "photos", "label": "照片2", "min_count": 2, "max_count": 3},
        {"id": "where", "type": "location", "label": "位置"},
    ]}],
}

CHAIN = {
    "id": "test-relevance-chain", "version": 1, "system": "2024", "indicator": 1, "title": "测试：相关性链",
    "applies_if": {">=": [{"fact": "floors_above"}, 2]},
    "prescreen": {"==": [{"fact": "structure_type"}, "masonry"]},
    "counts_if": {"any_defect": True},
    "sections": [
        {"id": "gate_section", "title": "入口", "questions": [
            {"id": "gate", "type": "yes_no", "label": "是否继续", "required": True}]},
        {"id": "level_section", "title": "等级", "relevant": {"==": [answer("gate"), True]}, "questions": [
            {"id": "level", "type": "integer", "label": "等级", "required": True, "min": 0, "max": 10,
             "defect": {"when": {">=": [answer("level"), 5]}, "check_item": "等级过高",
                        "severity": graded({">=": [answer("level"), 8]}, "非常严重", "严重"),
                        "class": "限时解决", "responsible_unit": "住建局", "suggestion": "整改"}},
            {"id": "detail", "type": "text", "label": "说明", "required": True, "relevant": {"defect": "level"}}]},
        {"id": "follow_section", "title": "跟进", "relevant": {"defect": "level"}, "questions": [
            {"id": "follow", "type": "yes_no", "label": "是否跟进", "required": True,
             "relevant": {"answered": "detail"}},
            {"id": "follow_kind", "type": "single_choice", "label": "跟进方式", "required": True,
             "relevant": {"==": [answer("follow"), True]},
             "choices": [{"value": "visit", "label": "上门"}, {"value": "call", "label": "电话"}]}]},
    ],
}

INLINE_FORMS = [EVERY_TYPE, CHAIN]

STRUCTURAL_CLEAR = {q: False for q in ("through_cracks", "load_bearing_removed", "deformation_tilt",
                                       "masonry_crumbling", "precast_slab_damage", "unauthorized_additions",
                                       "window_wall_removed")} | {"appraisal_grade": "none"}
GAS_CLEAR = {q: False for q in ("rubber_hose", "hose_faulty", "no_flame_failure", "water_heater_flue",
                                "facility_tampering", "gas_in_bedroom", "no_leak_alarm", "no_safety_valve",
                                "cylinder_faulty", "riser_corroded", "shutoff_valve_faulty")} | {
    "households_checked": 20, "riser_install_year": 2010}
STAIRWELL_CLEAR = {q: False for q in ("stair_steps_damaged", "handrail_damaged", "lighting_broken",
                                      "guardrail_damaged", "vent_shaft_blocked", "flue_blocked", "fire_door_faulty",
                                      "hydrant_no_water", "exit_signs_broken", "stairs_cluttered", "shaft_cluttered",
                                      "ebike_in_corridor")} | {"stairwell_count": 2, "stairwells_lacking_extinguishers": 0}
ENVELOPE_CLEAR = {q: False for q in ("insulation_damaged", "cladding_damaged", "hanging_fixtures_unsafe",
                                     "window_glass_damaged", "roof_leaking", "wall_leaking", "basement_leaking")}
EVIDENCE = {"location": {"unit": "2单元", "floor": 3, "detail": None}, "photos": [photo(1), photo(2)]}
HIGH_RISE = {"floors_above": 12, "floors_below": 1, "households": 40, "has_property_management": True}


def evidence(qid):
    return {f"{qid}_location": EVIDENCE["location"], f"{qid}_photos": EVIDENCE["photos"]}


def case(name, form, answers, facts=None):
    return {"name": name, "form": form, "facts": {} if facts is None else facts, "answers": answers}


def every(**answers):
    """Answers to the every-type form: the two required questions answered, plus `answers`."""
    return {"yn": False, "choice": "a", **answers}


E, C = "test-every-type", "test-relevance-chain"
S, G, W = "2024-structural-safety", "2024-gas-safety", "2024-stairwell-safety"
V, I, P = "2024-envelope-safety", "2024-incomplete-dwellings", "2024-pipeline-damage"
A, Q, R, D = "2024-aging-friendly", "2024-water-quality-pressure", "2024-energy-retrofit", "2024-digital-home"

CASES = [
    # Every question type, its value checks and messages (inline form).
    case("every type: minimal valid answers", E, every()),
    case("every type: nothing answered reports the fixed and rule-based required questions", E, {}),
    case("every type: required rule naming a later question (int 0 makes choice optional)", E, {"yn": False, "int": 0}),
    case("every type: null and empty answers count as unanswered", E, {"yn": None, "choice": "", "multi": [], "txt": ""}),
    case("every type: yes_no refuses strings and numbers", E, every(yn="否")),
    case("every type: yes_no refuses 1", E, every(yn=1)),
    case("every type: single choice outside the list", E, every(choice="d")),
    case("every type: single choice refuses a list", E, every(choice=["a"])),
    case("every type: multiple choice valid", E, every(multi=["x", "z"])),
    case("every type: multiple choice with an unknown value", E, every(multi=["x", "w"])),
    case("every type: multiple choice with duplicates", E, every(multi=["x", "x"])),
    case("every type: multiple choice refuses a string", E, every(multi="x")),
    case("every type: integer accepts an integral float", E, every(int=3.0)),
    case("every type: integer refuses a fraction", E, every(int=2.5)),
    case("every type: integer refuses true", E, every(int=True)),
    case("every type: integer refuses a numeric string", E, every(int="3")),
    case("every type: integer below min", E, every(int=-6)),
    case("every type: integer above max", E, every(int=11)),
    case("every type: integer at both bounds", E, every(int=-5, dec=2.5)),
    case("every type: decimal below a tiny min shows it as Python does", E, every(dec=0.00001)),
    case("every type: decimal above max", E, every(dec=2.5000001)),
    case("every type: decimal refuses a boolean", E, every(dec=False)),
    case("every type: text counts code points, not UTF-16 units", E, every(yn=True, txt="😀" * 500, short="楼检")),
    case("every type: text over the default 500", E, every(yn=True, txt="字" * 501, short="ab")),
    case("every type: text over its max_length", E, every(yn=True, txt="x", short="abcd")),
    case("every type: text refuses a number", E, every(yn=True, txt=5, short="ok")),
    case("every type: text constraint", E, every(yn=True, txt="x", short="bad")),
    case("every type: valid leap day", E, every(day="2024-02-29")),
    case("every type: date constraint", E, every(day="2024-01-01")),
    *[case(f"every type: invalid date {text!r}", E, every(day=text)) for text in
      ("2023-02-29", "2024-13-01", "2024-04-31", "0000-01-01", "2024-1-01", "2024-01-01T00:00", "٢٠٢٤-٠١-٠١",
       20240101)],
    case("every type: photos valid and at the default limit", E, every(pics=[photo(n) for n in range(9)])),
    case("every type: photos over the default limit", E, every(pics=[photo(n) for n in range(10)])),
    case("every type: photos with an upper-case hash", E, every(pics=[photo(10).upper()])),
    case("every type: photos with a short hash", E, every(pics=["abc"])),
    case("every type: photos duplicated", E, every(pics=[photo(1), photo(1)])),
    case("every type: photos fewer than min_count", E, every(pics2=[photo(1)])),
    case("every type: photos more than max_count", E, every(pics2=[photo(n) for n in range(4)])),
    case("every type: photos refuses a string", E, every(pics=photo(1))),
    case("every type: location with floor only", E, every(where={"floor": -1})),
    case("every type: location with empty fields", E, every(where={"unit": "", "floor": None, "detail": ""})),
    case("every type: location with no field", E, every(where={})),
    case("every type: location with an unknown key", E, every(where={"room": "101"})),
    case("every type: location refuses a string", E, every(where="2单元")),
    case("every type: location floor zero and unit too long", E, every(where={"unit": "单" * 21, "floor": 0})),
    case("every type: location unit of 20 code points", E, every(where={"unit": "😀" * 20})),
    case("every type: location detail not text", E, every(where={"detail": 12})),
    case("every type: location floor not an integer", E, every(where={"floor": 2.5})),
    case("every type: location floor as boolean", E, every(where={"floor": True})),
    case("every type: location floor above the building", E, every(where={"floor": 7}), {"floors_above": 6}),
    case("every type: location floor below the basement", E, every(where={"floor": -2}), {"floors_below": 1}),
    case("every type: location floor within the building", E, every(where={"floor": -1}), {"floors_above": 6, "floors_below": 1}),
    # Defects, graded values and counting (inline form).
    case("every type: defect graded by a later integer answer", E,
         every(yn=True, int=7, txt="x", short="ok", where={"detail": "屋面"}, pics=[photo(3)])),
    case("every type: defect graded by contains and answered", E, every(yn=True, multi=["x", "y"], txt="x", short="ok")),
    case("every type: defect default grades and difficulty from facts", E,
         every(yn=True, txt="x", short="ok"), {"has_property_management": False}),
    case("every type: defects of choice, count, integer and between", E,
         every(choice="c", multi=["y", "z"], int=4, dec=1.5)),
    case("every type: integer and decimal defects together count", E, every(int=4, dec=2)),
    case("every type: unknown ids are refused, prototype names included", E,
         every(colour="red", constructor=1, toString="x", __proto__={"yn": True})),
    case("every type: answers that are not an object", E, ["yn"]),
    case("every type: facts that are not an object", E, every(where={"floor": 99}), ["floors_above"]),
    # Relevance chains across sections (inline form).
    case("chain: gate closed drops every later answer", C,
         {"gate": False, "level": 9, "detail": "x", "follow": True, "follow_kind": "visit"}, {"floors_above": 3}),
    case("chain: whole chain open", C,
         {"gate": True, "level": 9, "detail": "x", "follow": True, "follow_kind": "call"}, {"floors_above": 3}),
    case("chain: level below the defect closes the last section", C,
         {"gate": True, "level": 4, "detail": "x", "follow": True}, {"floors_above": 3}),
    case("chain: unanswered detail keeps follow unasked", C, {"gate": True, "level": 6}, {"floors_above": 3}),
    case("chain: invalid level still opens later questions", C, {"gate": True, "level": 12, "detail": "x"}, {"floors_above": 3}),
    case("chain: masonry prescreen within scope", C, {"gate": False}, {"floors_above": 3, "structure_type": "masonry"}),
    case("chain: out of scope is never prescreened and never counts", C,
         {"gate": True, "level": 9, "detail": "x", "follow": False}, {"floors_above": 1, "structure_type": "masonry"}),
    case("chain: unknown floors is out of scope", C, {"gate": True, "level": 9}, {}),
    # 1 Structural safety.
    case("structural: all clear", S, {**STRUCTURAL_CLEAR, "remarks": "无"}, {"year_built": 1995}),
    case("structural: nothing answered", S, {}, {"year_built": 1995}),
    case("structural: grade D is very serious", S, {**STRUCTURAL_CLEAR, "appraisal_grade": "D",
                                                     "appraisal_grade_photos": [photo(4)]}, {"year_built": 1975}),
    case("structural: grade C is serious and needs photos", S, {**STRUCTURAL_CLEAR, "appraisal_grade": "C"}),
    case("structural: through cracks with evidence", S, {**STRUCTURAL_CLEAR, "through_cracks": True, **evidence("through_cracks")},
         {"floors_above": 6, "floors_below": 0}),
    case("structural: evidence floor outside the building", S,
         {**STRUCTURAL_CLEAR, "through_cracks": True, **evidence("through_cracks")}, {"floors_above": 2}),
    case("structural: no precast slabs drops the slab question", S, {**STRUCTURAL_CLEAR, "precast_slab_damage": True},
         {"precast_slabs": False}),
    case("structural: prescreen pre-1981 unreinforced", S, STRUCTURAL_CLEAR, {"year_built": 1975, "seismic_reinforced": False}),
    case("structural: prescreen pre-1981 reinforced", S, STRUCTURAL_CLEAR, {"year_built": 1975, "seismic_reinforced": True}),
    case("structural: prescreen 1980s masonry with precast slabs", S, STRUCTURAL_CLEAR,
         {"year_built": 1985, "structure_type": "masonry", "precast_slabs": True}),
    case("structural: prescreen from build era", S, STRUCTURAL_CLEAR, {"build_era": 1}),
    case("structural: prescreen on cracks seen by the census", S, STRUCTURAL_CLEAR,
         {"year_built": 2005, "visible_damage": True}),
    case("structural: prescreen on appraisal grade C", S, STRUCTURAL_CLEAR, {"year_built": 1995, "appraisal_grade": "C"}),
    case("structural: 1980s masonry with unknown slabs is to be checked", S, STRUCTURAL_CLEAR,
         {"build_era": 2, "structure_type": "masonry"}),
    case("structural: flagged building is not also to be checked", S, STRUCTURAL_CLEAR,
         {"build_era": 2, "structure_type": "masonry", "visible_damage": True}),
    case("structural: era and year disagree is to be checked", S, STRUCTURAL_CLEAR, {"build_era": 1, "year_built": 1982}),
    case("structural: remarks too long", S, {**STRUCTURAL_CLEAR, "remarks": "长" * 501}),
    # 2 Gas safety.
    case("gas: out of scope without gas", G, {**GAS_CLEAR, "rubber_hose": True}, {"gas_supply": "none"}),
    case("gas: pipeline all clear", G, GAS_CLEAR, {"gas_supply": "pipeline", "households": 40}),
    case("gas: bottled drops the building section and the valve", G, GAS_CLEAR, {"gas_supply": "bottled"}),
    case("gas: unknown supply asks everything", G, {}, {}),
    case("gas: households checked over the building total", G, {**GAS_CLEAR, "households_checked": 41},
         {"gas_supply": "pipeline", "households": 40}),
    case("gas: rubber hose follow-ups and their constraint", G,
         {**GAS_CLEAR, "rubber_hose": True, "rubber_hose_households": 25, **evidence("rubber_hose")},
         {"gas_supply": "pipeline", "floors_above": 6}),
    case("gas: old riser by year", G, {**GAS_CLEAR, "riser_install_year": 2004.0, **evidence("riser_install_year")},
         {"gas_supply": "pipeline"}),
    case("gas: riser year out of range", G, {**GAS_CLEAR, "riser_install_year": 1949}, {"gas_supply": "pipeline"}),
    # 3 Stairwell safety.
    case("stairwell: high-rise asks fire doors and hydrants", W, STAIRWELL_CLEAR, HIGH_RISE),
    case("stairwell: nine floors asks hydrants only", W, STAIRWELL_CLEAR, {"floors_above": 9}),
    case("stairwell: low-rise drops both fire questions", W, STAIRWELL_CLEAR, {"floors_above": 5}),
    case("stairwell: missing extinguishers without property management", W,
         {**STAIRWELL_CLEAR, "stairwells_lacking_extinguishers": 1, **evidence("stairwells_lacking_extinguishers")},
         {"floors_above": 5, "has_property_management": False}),
    case("stairwell: more lacking stairwells than stairwells", W,
         {**STAIRWELL_CLEAR, "stairwells_lacking_extinguishers": 3}, {"floors_above": 5}),
    # 4 Envelope safety: facade damage graded by area.
    *[case(f"envelope: insulation damage of {area} m²", V,
           {**ENVELOPE_CLEAR, "insulation_damaged": True, "insulation_damaged_area": area, **evidence("insulation_damaged")},
           {"floors_below": 0, "has_property_management": management})
      for area, management in ((5, True), (10, False), (30, None), (30.5, False))],
    case("envelope: area below the decimal min", V, {**ENVELOPE_CLEAR, "cladding_damaged": True,
                                                      "cladding_damaged_area": 0.05}, {"floors_below": 0}),
    case("envelope: fixture kinds valid and duplicated", V,
         {**ENVELOPE_CLEAR, "hanging_fixtures_unsafe": True, "hanging_fixture_kinds": ["canopy", "canopy"]}, {"floors_below": 1}),
    # 5 Incomplete dwellings: only two defects count.
    case("incomplete: poor daylight does not count", I,
         {"no_own_kitchen": False, "no_own_toilet": False, "performance_surveyed": True, "poor_daylight": True,
          "poor_ventilation": False}),
    case("incomplete: shared toilet counts and is limited by households", I,
         {"no_own_kitchen": False, "no_own_toilet": True, "no_own_toilet_households": 12, "performance_surveyed": False},
         {"households": 10}),
    # 6 Pipeline damage.
    case("pipeline: heating chain with optional evidence left out", P,
         {q: False for q in ("water_pipes_aged", "water_pipes_leaking", "water_supply_short", "drain_pipes_aged",
                             "drain_pipes_leaking", "drain_blocked", "heating_pipes_leaking", "heating_insufficient",
                             "power_lines_aged", "power_capacity_short", "telecom_lines_aged")}
         | {"central_heating": True, "heating_pipes_aged": True}),
    case("pipeline: no central heating drops the heating answers", P,
         {"central_heating": False, "heating_pipes_aged": True, "drain_blocked": True}, {"has_property_management": False}),
    # 7 Aging-friendly.
    case("aging: feasible elevator", A, {"elevator_feasible": "yes", "elevator_units": 3, "entrance_no_ramp": False,
                                         "entrance_no_handrail": True, "lobby_barriers": False, "elderly_households": 0},
         {"floors_above": 6, "has_elevator": False, "units": 2}),
    case("aging: infeasible elevator asks obstacles", A,
         {"elevator_feasible": "no", "elevator_obstacles": ["space", "other"], "elderly_households": 2}, {"floors_above": 5}),
    case("aging: elevator section skipped with an elevator", A,
         {"elevator_feasible": "maybe", "elderly_households": 3, "home_no_grab_bars": True}, {"has_elevator": True}),
    case("aging: elevator section skipped below four floors", A, {"elevator_feasible": "yes"}, {"floors_above": 3}),
    # 8 Water quality and pressure.
    case("water: tank defect does not count", Q, {"water_quality_poor": False, "secondary_supply": True,
                                                  "tank_not_cleaned": True, "water_pressure_low": False}),
    case("water: low pressure counts, reading over max", Q, {"water_quality_poor": True, "water_quality_symptoms": ["odor"],
                                                             "secondary_supply": False, "water_pressure_low": True,
                                                             "measured_pressure_mpa": 1.7}),
    # 9 Energy retrofit: applies_if on year and era.
    case("energy: not retrofitted and worthwhile", R, {"energy_retrofitted": False, "energy_shortfalls": ["wall", "roof"],
                                                       "retrofit_worthwhile": "yes"}, {"year_built": 1990}),
    case("energy: retrofitted asks the year", R, {"energy_retrofitted": True, "retrofit_year": 1979,
                                                  "retrofit_worthwhile": "yes"}, {"year_built": None, "build_era": 3}),
    case("energy: newer era is out of scope", R, {"energy_retrofitted": False, "retrofit_worthwhile": "yes"}, {"build_era": 4}),
    case("energy: built 2000 is out of scope", R, {"energy_retrofitted": False}, {"year_built": 2000}),
    # 10 Digital home.
    case("digital: smoke alarms asked at ten floors", D, {"network_lacking": False, "security_lacking": True,
                                                          "no_smoke_alarms": True, "needy_households": 0},
         {"floors_above": 10, "has_property_management": False}),
    case("digital: care chain and its constraint", D, {"network_lacking": False, "security_lacking": False,
                                                       "needy_households": 2, "no_health_devices": False,
                                                       "no_emergency_call": True, "lacking_households": 3},
         {"floors_above": 6, "households": 30}),
    case("digital: needy households over the total", D, {"network_lacking": False, "security_lacking": False,
                                                          "needy_households": 31}, {"floors_above": 6, "households": 30}),
    *CASES_2025,
]
