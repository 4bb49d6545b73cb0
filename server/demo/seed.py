"""Writing a demo county plan to the database. Operations only flush; the CLI commits."""
from dataclasses import dataclass

from sqlalchemy import select

from server.accounts.models import Agency, Role
from server.accounts.operations import create_user
from server.buildings.models import Building, Community, County, Estate, PropertyCompany, Town
from server.buildings.operations import refresh_prescreen
from server.demo.county import AccountPlan, CountyPlan, EstatePlan
from server.extensions import db
from server.models import data_tables_children_first
from server.planning.models import ResponsibleUnit
from server.catalog import current_round, current_structure_form
from server.surveys.models import SurveyRound

# The one place the demo passwords live; README's table of demo accounts repeats it.
DEMO_PASSWORD = "loujian2024"
# The demo's round by default: its indicator system, its code and its year (`--system 2025`).
DEMO_SYSTEM = "2024"
# The county's named 责任单位 (invented, like every demo name); 产权单位 differ building by
# building and stay unnamed.
DEMO_UNITS = {"住建局": "夏县住房和城乡建设局", "燃气公司": "夏县天然气有限公司",
              "供水单位": "夏县自来水有限公司", "供热单位": "夏县热力有限公司",
              "供电单位": "国网夏县供电公司", "通信运营商": "中国电信夏县分公司"}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role_label: str
    display_name: str
    password: str


@dataclass(frozen=True)
class SeedSummary:
    county: str
    town: str
    communities: int
    estates: int
    temporary_estates: int
    buildings: int
    prescreened: int
    property_companies: int
    agencies: int
    round_code: str
    accounts: tuple[DemoAccount, ...]


def existing_county_name() -> str | None:
    """The name of a county already in the database, if any: then it is not empty."""
    return db.session.scalar(select(County.name).order_by(County.id).limit(1))


def delete_everything() -> None:
    """Empty every table, children before parents, so no foreign key is left dangling.

    Core DELETEs on purpose: the ORM refuses to delete audit entries, and a reset wipes them too.
    """
    for table in data_tables_children_first():
        db.session.execute(table.delete())
    db.session.flush()


def seed_demo_county(plan: CountyPlan, system: str = DEMO_SYSTEM) -> SeedSummary:
    county, town, communities = _add_places(plan)
    companies = {name: PropertyCompany(county_id=county.id, name=name)
                 for name in plan.property_companies}
    agencies = {name: Agency(county_id=county.id, name=name) for name in plan.agencies}
    db.session.add_all(ResponsibleUnit(county_id=county.id, kind=kind, name=name)
                       for kind, name in DEMO_UNITS.items())
    estates = [(Estate(community=communities[community_plan.name], name=estate_plan.name,
                       is_temporary=estate_plan.is_temporary,
                       property_company=companies.get(estate_plan.property_company),
                       **estate_plan.basics.columns()),
                estate_plan)
               for community_plan in plan.communities for estate_plan in community_plan.estates]
    db.session.add_all([*companies.values(), *agencies.values(), *(e for e, _ in estates)])
    db.session.flush()  # estates get their property_company_id, which a building's facts read
    survey_round = _demo_round(system)
    buildings = _add_buildings(estates)
    accounts = [_add_account(account, county, communities, companies, agencies)
                for account in plan.accounts]
    db.session.flush()
    return SeedSummary(
        county=county.name, town=town.name, communities=len(communities),
        estates=len(estates), temporary_estates=sum(e.is_temporary for e, _ in estates),
        buildings=len(buildings), prescreened=sum(b.prescreened for b in buildings),
        property_companies=len(companies), agencies=len(agencies),
        round_code=survey_round.code, accounts=tuple(accounts))


def _add_places(plan: CountyPlan) -> tuple[County, Town, dict[str, Community]]:
    county = County(code=plan.code, name=plan.name)
    town = Town(county=county, code=plan.town_code, name=plan.town_name, kind=plan.town_kind)
    communities = {c.name: Community(town=town, code=c.code, name=c.name, **c.basics.columns())
                   for c in plan.communities}
    db.session.add(county)
    db.session.flush()  # companies and agencies refer to the county by id only
    return county, town, communities


def _add_buildings(estates: list[tuple[Estate, EstatePlan]]) -> list[Building]:
    """Every planned building, pre-screened by the current round's structural-safety form."""
    structure_form = current_structure_form()
    buildings = []
    for estate, estate_plan in estates:
        for building_plan in estate_plan.buildings:
            building = Building(estate=estate, **building_plan.columns())
            refresh_prescreen(building, structure_form)
            buildings.append(building)
    db.session.add_all(buildings)
    return buildings


def _add_account(account: AccountPlan, county: County, communities: dict[str, Community],
                 companies: dict[str, PropertyCompany], agencies: dict[str, Agency]) -> DemoAccount:
    user = create_user(
        username=account.username, password=DEMO_PASSWORD, display_name=account.display_name,
        role=Role(account.role), county=county,
        communities=[communities[name] for name in account.communities],
        property_company=companies.get(account.property_company),
        agency=agencies.get(account.agency))
    return DemoAccount(user.username, user.role_label, user.display_name, DEMO_PASSWORD)


def _demo_round(system: str) -> SurveyRound:
    """The round of the system's year (code and system alike, "2025"); one opened earlier with
    `flask rounds open` is kept as it is."""
    survey_round = db.session.scalar(select(SurveyRound).where(SurveyRound.code == system))
    if survey_round is None:
        survey_round = SurveyRound(code=system, system=system, title=f"{system}年城市体检",
                                   is_current=current_round() is None)
        db.session.add(survey_round)
        db.session.flush()
    return survey_round

