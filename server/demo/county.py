"""A plan of the demo county: plain data, the same for the same seed, no database involved.

夏县 → 瑶峰镇 → six communities → about forty estates → about six hundred buildings whose facts
fit their era: 1970s brick-and-slab walk-ups, 1990s six-storey masonry, 2000s commercial
estates, post-2011 high-rise towers with elevators.
"""
import itertools
import random
from dataclasses import asdict, dataclass

from forms.facts import build_era
from server.demo.basics import CommunityBasics, EstateBasics, with_basics
from server.demo.names import (ADDRESS_PREFIX, AGENCIES, COMMERCIAL, COMMUNITIES, COUNTY_CODE,
                               COUNTY_NAME, DANWEI, NEW, OLD_ESTATE, PROPERTY_COMPANIES,
                               SCATTERED_STREETS, TOWN_CODE, TOWN_KIND, TOWN_NAME, CommunityName)

DEFAULT_SEED = 2024
LAST_YEAR = 2022
SCATTERED = "scattered"  # the buildings of a temporary estate
BUILDINGS_PER_ESTATE = {DANWEI: (4, 12), OLD_ESTATE: (16, 32), COMMERCIAL: (14, 26),
                        NEW: (8, 16), SCATTERED: (3, 7)}
OLD_ESTATE_MANAGED_SHARE = 0.3  # 老旧小区 that took on a property company after renovation
SHARE_WITH_CENSUS_CODE = 0.7
HIGH_RISE_FLOORS = (11, 12, 15, 17, 18, 18, 24, 26, 28, 30, 32, 33)


@dataclass(frozen=True)
class BuildingPlan:
    number: str
    address: str
    latitude: float
    longitude: float
    code: str | None
    year_built: int
    build_era: int
    structure_type: str
    structure_subtype: str
    precast_slabs: bool
    seismic_reinforced: bool
    reinforced_year: int | None
    appraisal_grade: str | None
    floors_above: int
    floors_below: int
    units: int
    households: int
    has_elevator: bool
    gas_supply: str
    floor_area: float
    height: float
    altered: bool
    visible_damage: bool

    def columns(self) -> dict:
        """The Building columns, by name."""
        return asdict(self)


@dataclass(frozen=True)
class EstatePlan:
    name: str
    kind: str
    is_temporary: bool
    property_company: str | None
    buildings: tuple[BuildingPlan, ...]
    basics: EstateBasics | None = None  # filled in by plan_county (basics.py)


@dataclass(frozen=True)
class CommunityPlan:
    name: str
    code: str
    estates: tuple[EstatePlan, ...]
    basics: CommunityBasics | None = None  # filled in by plan_county (basics.py)


@dataclass(frozen=True)
class AccountPlan:
    username: str
    display_name: str
    role: str  # a server.accounts.models.Role value
    communities: tuple[str, ...] = ()
    property_company: str | None = None
    agency: str | None = None


@dataclass(frozen=True)
class CountyPlan:
    code: str
    name: str
    town_code: str
    town_name: str
    town_kind: str
    communities: tuple[CommunityPlan, ...]
    property_companies: tuple[str, ...]
    agencies: tuple[str, ...]
    accounts: tuple[AccountPlan, ...]

    @property
    def estates(self) -> list[EstatePlan]:
        return [estate for community in self.communities for estate in community.estates]

    @property
    def buildings(self) -> list[BuildingPlan]:
        return [building for estate in self.estates for building in estate.buildings]


def plan_county(seed: int = DEFAULT_SEED) -> CountyPlan:
    planner = _Planner(random.Random(seed))
    communities = with_basics(
        tuple(planner.community(i, name) for i, name in enumerate(COMMUNITIES, 1)), seed)
    return CountyPlan(
        code=COUNTY_CODE, name=COUNTY_NAME, town_code=TOWN_CODE, town_name=TOWN_NAME,
        town_kind=TOWN_KIND, communities=communities,
        property_companies=tuple(company.name for company in PROPERTY_COMPANIES),
        agencies=AGENCIES, accounts=plan_accounts())


def plan_accounts() -> tuple[AccountPlan, ...]:
    """One account per role and scope; one worker covers two communities."""
    accounts = [AccountPlan("admin", "系统管理员", "admin"),
                AccountPlan("shenhe", "县住建局审核员", "reviewer")]
    for community in COMMUNITIES:
        accounts.append(AccountPlan(f"shequ-{community.slug}", f"{community.name}管理员",
                                    "worker", communities=(community.name,)))
    first, second = COMMUNITIES[2], COMMUNITIES[3]
    accounts.append(AccountPlan(f"shequ-{first.slug}-{second.slug}",
                                f"{first.name}、{second.name}网格员", "worker",
                                communities=(first.name, second.name)))
    for company in PROPERTY_COMPANIES:
        accounts.append(AccountPlan(f"wuye-{company.slug}", company.name, "property",
                                    property_company=company.name))
    accounts.append(AccountPlan("jiance", AGENCIES[0], "agency", agency=AGENCIES[0]))
    return tuple(accounts)


class _Planner:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.building_sequence = itertools.count(1)
        self.companies = itertools.cycle(company.name for company in PROPERTY_COMPANIES)

    def community(self, index: int, community: CommunityName) -> CommunityPlan:
        estates = [self.estate(name, kind, street, community.centre)
                   for name, kind, street in community.estates]
        if community.has_scattered_buildings:
            estates.append(self.scattered_estate(community))
        return CommunityPlan(community.name, f"{TOWN_CODE}{index:03d}", tuple(estates))

    def estate(self, name: str, kind: str, street: str, centre) -> EstatePlan:
        rng = self.rng
        managed = kind in (COMMERCIAL, NEW) or (
            kind == OLD_ESTATE and rng.random() < OLD_ESTATE_MANAGED_SHARE)
        gate = f"{street}{rng.randint(1, 199)}号"
        first_year, spread = _estate_years(rng, kind)
        number_style = rng.choice(("{}#", "{}号楼"))
        spot = _near(rng, centre, 0.004)
        buildings = []
        for n in range(1, rng.randint(*BUILDINGS_PER_ESTATE[kind]) + 1):
            number = number_style.format(n)
            year = min(first_year + rng.randint(0, spread), LAST_YEAR)
            buildings.append(self.building(kind, year, number,
                                           f"{ADDRESS_PREFIX}{gate}{name}{number}",
                                           _near(rng, spot, 0.0008)))
        company = next(self.companies) if managed else None
        return EstatePlan(name, kind, False, company, tuple(buildings))

    def scattered_estate(self, community: CommunityName) -> EstatePlan:
        """Scattered buildings with no property company, grouped into a temporary estate."""
        rng = self.rng
        count = rng.randint(*BUILDINGS_PER_ESTATE[SCATTERED])
        buildings = []
        for house_number in sorted(rng.sample(range(3, 160), count)):
            number = f"{rng.choice(SCATTERED_STREETS)}{house_number}号"
            era = rng.choices(((1965, 1980), (1981, 1990), (1991, 2005)), weights=(35, 40, 25))[0]
            buildings.append(self.building(SCATTERED, rng.randint(*era), number,
                                           f"{ADDRESS_PREFIX}{number}",
                                           _near(rng, community.centre, 0.005)))
        return EstatePlan(f"{community.name}零星楼栋", SCATTERED, True, None, tuple(buildings))

    def building(self, kind: str, year: int, number: str, address: str, spot) -> BuildingPlan:
        rng = self.rng
        sequence = next(self.building_sequence)
        structure, subtype, floors, elevator, precast = _structure(rng, kind, year)
        high_rise = floors >= 8
        units = _units(rng, high_rise, year)
        per_floor = rng.choice((2, 2, 2, 3)) if high_rise else 2
        households = units * floors * per_floor
        reinforced = year <= 1980 and rng.random() < 0.3
        grade = (rng.choices("BCD", weights=(50, 40, 10))[0]
                 if year <= 1990 and rng.random() < 0.15 else None)
        return BuildingPlan(
            number=number, address=address, latitude=spot[0], longitude=spot[1],
            code=(_census_code(year, sequence)
                  if rng.random() < SHARE_WITH_CENSUS_CODE else None),
            year_built=year, build_era=build_era(year),
            structure_type=structure, structure_subtype=subtype, precast_slabs=precast,
            seismic_reinforced=reinforced,
            reinforced_year=rng.randint(2009, 2021) if reinforced else None,
            appraisal_grade=grade,
            floors_above=floors, floors_below=_floors_below(rng, kind, high_rise),
            units=units, households=households, has_elevator=elevator,
            gas_supply=_gas_supply(rng, kind, year),
            floor_area=round(households * _flat_size(rng, year) * 1.12, 1),
            height=round(floors * (2.8 if year <= 2000 else 3.0) + 0.6, 1),
            altered=rng.random() < (0.04 if year <= 2000 else 0.01),
            visible_damage=grade in ("C", "D") or rng.random() < (0.08 if year <= 1990 else 0.02),
        )


def _estate_years(rng: random.Random, kind: str) -> tuple[int, int]:
    """The year an estate's first building went up, and over how many years it grew."""
    if kind == DANWEI:
        era = rng.choices(((1965, 1980), (1981, 1990), (1991, 1997)), weights=(35, 40, 25))[0]
        return rng.randint(*era), 8
    if kind == OLD_ESTATE:
        return rng.randint(1982, 1999), 5
    if kind == COMMERCIAL:
        return rng.randint(1998, 2010), 3
    return rng.randint(2011, 2020), 2


def _structure(rng: random.Random, kind: str, year: int):
    """(structure type, sub-type, floors above ground, has elevator, precast slabs)."""
    if kind == NEW or (kind == COMMERCIAL and year >= 2003 and rng.random() < 0.25):
        if kind == NEW and rng.random() < 0.15:  # 洋房: low-rise, often with an elevator
            return "concrete", "框架", rng.choice((6, 7)), rng.random() < 0.6, False
        floors = rng.choice(HIGH_RISE_FLOORS if kind == NEW else HIGH_RISE_FLOORS[:6])
        return "concrete", "剪力墙", floors, True, False
    if year <= 1980:
        if year < 1975 and rng.random() < 0.25:
            return "masonry", "砖木", 2, False, False
        floors = rng.choices((2, 3, 4, 5), weights=(15, 35, 35, 15))[0]
        return "masonry", "砖混", floors, False, rng.random() < (0.65 if year >= 1970 else 0.35)
    if year <= 1990:
        floors = rng.choices((3, 4, 5, 6), weights=(10, 30, 35, 25))[0]
        return "masonry", "砖混", floors, False, rng.random() < 0.6
    floors = rng.choices((5, 6, 7), weights=(25, 55, 20))[0]
    if year <= 2000 and rng.random() < 0.9:
        elevator_added = floors >= 6 and rng.random() < 0.04  # 既有住宅加装电梯
        return "masonry", "砖混", floors, elevator_added, rng.random() < 0.4
    if year <= 2006 and rng.random() < 0.6:
        return "masonry", "砖混", floors, False, False
    return "concrete", "框架", floors, False, False


def _units(rng: random.Random, high_rise: bool, year: int) -> int:
    if high_rise:
        return rng.choices((1, 2, 3), weights=(45, 40, 15))[0]
    if year <= 1980:
        return rng.choices((1, 2, 3, 4), weights=(20, 35, 30, 15))[0]
    return rng.choices((1, 2, 3, 4, 5, 6), weights=(5, 20, 30, 25, 12, 8))[0]


def _floors_below(rng: random.Random, kind: str, high_rise: bool) -> int:
    if high_rise:
        return rng.choice((1, 2))
    return rng.choice((0, 1)) if kind in (COMMERCIAL, NEW) else 0


def _gas_supply(rng: random.Random, kind: str, year: int) -> str:
    if year > 1990:
        return "pipeline"
    weights = (70, 26, 4) if kind in (DANWEI, SCATTERED) else (88, 10, 2)
    return rng.choices(("pipeline", "bottled", "none"), weights=weights)[0]


def _flat_size(rng: random.Random, year: int) -> float:
    """A typical flat's floor area (m²) in a building of that year."""
    for last_year, low, high in ((1980, 45, 60), (1990, 55, 75), (2000, 70, 95),
                                 (2010, 90, 120)):
        if year <= last_year:
            return rng.uniform(low, high)
    return rng.uniform(95, 135)


def _near(rng: random.Random, centre, spread: float) -> tuple[float, float]:
    return (round(centre[0] + rng.uniform(-spread, spread), 6),
            round(centre[1] + rng.uniform(-spread, spread), 6))


def _census_code(year: int, sequence: int) -> str:
    """A code in the shape of JGJ/T 496-2022: 9-digit town code, year of completion, building
    sequence, zeros and a weighted mod-11 check character. A plausible shape, not an issued code.
    """
    body = f"{TOWN_CODE}{year:04d}{sequence:04d}00000"
    total = sum(int(digit) * pow(2, i + 1, 11) for i, digit in enumerate(body))
    return body + "0123456789X"[total % 11]
