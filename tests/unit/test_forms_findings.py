"""derive_defects, counts, prescreen and applies on the 2024 forms."""
import pytest

from forms import applies, counts, derive_defects, prescreen, prescreen_uncertain, rule_context

PHOTO = "cd" * 32


@pytest.fixture
def form(registry):
    def get(name):
        return registry.get(f"2024-{name}")
    return get


def test_defect_carries_check_item_evidence_and_assignment(form, make_facts):
    answers = {"handrail_damaged": True, "handrail_damaged_photos": [PHOTO],
               "handrail_damaged_location": {"unit": "1单元", "floor": 4, "detail": "三至四层之间"}}
    assert derive_defects(form("stairwell-safety"), answers, make_facts()) == [{
        "check_item": "楼梯扶手损坏", "question_id": "handrail_damaged", "severity": "严重", "class": "限时解决",
        "responsible_unit": "物业公司", "suggestion": "修复或更换扶手，加固扶手连接", "difficulty": "一般",
        "location": {"unit": "1单元", "floor": 4, "detail": "三至四层之间"}, "photos": [PHOTO],
    }]


def test_no_defects_when_nothing_is_wrong(form, make_facts):
    answers = {"handrail_damaged": False, "lighting_broken": False}
    assert derive_defects(form("stairwell-safety"), answers, make_facts()) == []


def test_defects_follow_form_order(form, make_facts):
    answers = {"ebike_in_corridor": True, "stair_steps_damaged": True, "stairwells_lacking_extinguishers": 1}
    found = derive_defects(form("stairwell-safety"), answers, make_facts())
    assert [d["question_id"] for d in found] == ["stair_steps_damaged", "stairwells_lacking_extinguishers",
                                                 "ebike_in_corridor"]


def test_defect_without_evidence_answers_has_no_location_and_no_photos(form, make_facts):
    found = derive_defects(form("stairwell-safety"), {"lighting_broken": True}, make_facts())
    assert (found[0]["location"], found[0]["photos"]) == (None, [])


def test_building_without_property_management_is_assigned_to_the_community(form, make_facts):
    facts = make_facts(has_property_management=False)
    found = derive_defects(form("stairwell-safety"), {"lighting_broken": True}, facts)
    assert found[0]["responsible_unit"] == "社区服务中心"


@pytest.mark.parametrize("area, severity", [(5, "一般"), (9.9, "一般"), (10, "严重"), (30, "严重"), (30.5, "非常严重")])
def test_facade_severity_grows_with_damaged_area(form, make_facts, area, severity):
    answers = {"cladding_damaged": True, "cladding_damaged_area": area}
    assert derive_defects(form("envelope-safety"), answers, make_facts())[0]["severity"] == severity


def test_large_facade_damage_goes_to_the_housing_bureau(form, make_facts):
    answers = {"insulation_damaged": True, "insulation_damaged_area": 45}
    found = derive_defects(form("envelope-safety"), answers, make_facts())[0]
    assert (found["responsible_unit"], found["difficulty"]) == ("住建局", "较难")


def test_defect_of_a_question_not_asked_is_ignored(form, make_facts):
    assert derive_defects(form("stairwell-safety"), {"fire_door_faulty": True}, make_facts(floors_above=6)) == []


def test_fire_doors_are_checked_in_high_rise(form, make_facts):
    found = derive_defects(form("stairwell-safety"), {"fire_door_faulty": True}, make_facts(floors_above=18))
    assert [d["check_item"] for d in found] == ["消防门损坏或无法关闭"]


def test_form_out_of_scope_yields_no_defects(form, make_facts):
    assert derive_defects(form("gas-safety"), {"rubber_hose": True}, make_facts(gas_supply="none")) == []


@pytest.mark.parametrize("round_year, year, present", [
    (2024, 1995, True), (2024, 2004, True), (2024, 2005, False), (2025, 2005, True)])
def test_gas_riser_in_service_twenty_years_by_the_rounds_year_is_a_defect(
        form, make_facts, round_year, year, present):
    found = derive_defects(form("gas-safety"), {"riser_install_year": year}, make_facts(),
                           rule_context(round_year, {}))
    assert bool(found) is present


def test_gas_riser_is_not_asked_for_bottled_gas(form, make_facts):
    assert derive_defects(form("gas-safety"), {"riser_install_year": 1990}, make_facts(gas_supply="bottled")) == []


def test_fewer_than_two_extinguishers_is_a_defect(form, make_facts):
    answers = {"stairwell_count": 2, "stairwells_lacking_extinguishers": 1}
    found = derive_defects(form("stairwell-safety"), answers, make_facts())
    assert [d["check_item"] for d in found] == ["灭火器缺失"]


def test_appraisal_grade_d_is_very_serious(form, make_facts):
    found = derive_defects(form("structural-safety"), {"appraisal_grade": "D"}, make_facts())
    assert (found[0]["check_item"], found[0]["severity"]) == ("经鉴定为C级或D级危险房屋", "非常严重")


def test_through_cracks_are_very_serious_and_window_walls_minor(form, make_facts):
    answers = {"through_cracks": True, "window_wall_removed": True}
    found = derive_defects(form("structural-safety"), answers, make_facts())
    assert [(d["check_item"], d["severity"]) for d in found] == [("承重构件贯通裂缝", "非常严重"), ("违规拆改窗间墙", "一般")]


def test_safety_building_counts_with_a_single_defect(form, make_facts):
    assert counts(form("stairwell-safety"), {"handrail_damaged": True, "lighting_broken": False}, make_facts()) is True


def test_safety_building_without_defects_does_not_count(form, make_facts):
    assert counts(form("stairwell-safety"), {"handrail_damaged": False}, make_facts()) is False


def test_building_out_of_scope_never_counts(form, make_facts):
    assert counts(form("gas-safety"), {"rubber_hose": True}, make_facts(gas_supply="none")) is False


def test_shared_toilet_makes_a_non_complete_dwelling(form, make_facts):
    assert counts(form("incomplete-dwellings"), {"no_own_kitchen": False, "no_own_toilet": True}, make_facts()) is True


def test_poor_daylight_alone_is_not_a_non_complete_dwelling(form, make_facts):
    answers = {"no_own_kitchen": False, "no_own_toilet": False, "performance_surveyed": True, "poor_daylight": True}
    assert counts(form("incomplete-dwellings"), answers, make_facts()) is False
    assert [d["check_item"] for d in derive_defects(form("incomplete-dwellings"), answers, make_facts())] == ["采光不足"]


def test_unclean_tank_alone_does_not_fail_water_quality(form, make_facts):
    answers = {"water_quality_poor": False, "secondary_supply": True, "tank_not_cleaned": True,
               "water_pressure_low": False}
    assert counts(form("water-quality-pressure"), answers, make_facts()) is False


def test_low_pressure_fails_water_quality_and_pressure(form, make_facts):
    assert counts(form("water-quality-pressure"), {"water_pressure_low": True}, make_facts()) is True


def test_walk_up_with_room_for_a_lift_needs_aging_retrofit(form, make_facts):
    assert counts(form("aging-friendly"), {"elevator_feasible": "yes"}, make_facts()) is True


def test_building_with_a_lift_is_not_asked_about_adding_one(form, make_facts):
    assert counts(form("aging-friendly"), {"elevator_feasible": "yes"}, make_facts(has_elevator=True)) is False


def test_entrance_without_ramp_needs_aging_retrofit_even_with_a_lift(form, make_facts):
    facts = make_facts(has_elevator=True, floors_above=18)
    assert counts(form("aging-friendly"), {"entrance_no_ramp": True}, facts) is True


def test_worthwhile_unretrofitted_building_needs_energy_retrofit(form, make_facts):
    answers = {"energy_retrofitted": False, "retrofit_worthwhile": "yes"}
    assert counts(form("energy-retrofit"), answers, make_facts(year_built=1995)) is True


def test_retrofitted_building_does_not_need_energy_retrofit(form, make_facts):
    answers = {"energy_retrofitted": True, "retrofit_worthwhile": "yes"}
    assert counts(form("energy-retrofit"), answers, make_facts(year_built=1995)) is False


def test_smoke_alarms_are_only_asked_in_high_rise(form, make_facts):
    assert counts(form("digital-home"), {"no_smoke_alarms": True}, make_facts(floors_above=6)) is False
    assert counts(form("digital-home"), {"no_smoke_alarms": True}, make_facts(floors_above=11)) is True


@pytest.mark.parametrize("facts, flagged", [
    ({"year_built": 1975, "seismic_reinforced": False}, True),
    ({"year_built": 1975, "seismic_reinforced": True}, False),
    ({"year_built": 1975, "seismic_reinforced": None}, True),
    ({"year_built": 1985, "structure_type": "masonry", "precast_slabs": True}, True),
    ({"year_built": 1985, "structure_type": "concrete", "precast_slabs": True}, False),
    ({"year_built": None, "build_era": 1, "seismic_reinforced": False}, True),
    ({"year_built": None, "build_era": 1, "seismic_reinforced": True}, False),
    ({"year_built": None, "build_era": 2, "structure_type": "masonry", "precast_slabs": True}, True),
    ({"year_built": None, "build_era": 3, "structure_type": "masonry", "precast_slabs": True}, False),
    ({"year_built": 2005, "structure_type": "concrete", "visible_damage": True}, True),
    ({"year_built": 1995, "appraisal_grade": "C"}, True),
    ({"year_built": 1995, "appraisal_grade": "D"}, True),
    ({"year_built": 1995, "appraisal_grade": "B"}, False),
    ({"year_built": None, "build_era": 2, "structure_type": "masonry", "precast_slabs": None}, False),
], ids=repr)
def test_structural_prescreen(form, make_facts, facts, flagged):
    assert prescreen(form("structural-safety"), make_facts(**facts)) is flagged


@pytest.mark.parametrize("facts, uncertain", [
    ({"year_built": None, "build_era": 2, "structure_type": "masonry", "precast_slabs": None}, True),
    ({"year_built": 1988, "structure_type": "masonry", "precast_slabs": None}, True),
    ({"year_built": 1988, "structure_type": "masonry", "precast_slabs": False}, False),
    ({"year_built": 1988, "structure_type": "masonry", "precast_slabs": True}, False),  # flagged, firm
    ({"year_built": 1988, "structure_type": "concrete", "precast_slabs": None}, False),
    ({"year_built": 1982, "build_era": 1, "seismic_reinforced": None}, True),
    ({"year_built": 1982, "build_era": 1, "seismic_reinforced": True}, False),
    ({"year_built": 1988, "structure_type": "masonry", "visible_damage": True}, False),  # flagged
], ids=repr)
def test_structural_prescreen_leaves_open_cases_to_be_checked(form, make_facts, facts, uncertain):
    assert prescreen_uncertain(form("structural-safety"), make_facts(**facts)) is uncertain


def test_forms_without_a_prescreen_rule_flag_nothing(form, make_facts):
    assert prescreen(form("gas-safety"), make_facts(year_built=1960)) is False
    assert prescreen_uncertain(form("gas-safety"), make_facts(year_built=1960)) is False


@pytest.mark.parametrize("facts, in_scope", [({"year_built": 1995}, True), ({"year_built": 2005}, False),
                                              ({"year_built": None, "build_era": 3}, True),
                                              ({"year_built": None, "build_era": 4}, False),
                                              ({"year_built": None, "build_era": None}, True)], ids=repr)
def test_energy_retrofit_applies_to_buildings_before_2000(form, make_facts, facts, in_scope):
    assert applies(form("energy-retrofit"), make_facts(**facts)) is in_scope


@pytest.mark.parametrize("supply, in_scope", [("pipeline", True), ("bottled", True), ("none", False), (None, True)])
def test_gas_form_applies_unless_the_building_has_no_gas(form, make_facts, supply, in_scope):
    assert applies(form("gas-safety"), make_facts(gas_supply=supply)) is in_scope


def test_forms_without_applies_if_cover_every_building(form):
    assert applies(form("stairwell-safety"), {}) is True
