"""Factory fixtures: each returns a callable that makes one object with sensible defaults."""
import csv
import itertools
import uuid
from datetime import timedelta

import openpyxl
import pytest

from server.accounts.models import Agency, Role
from server.accounts.operations import create_user, issue_token
from server.buildings.models import Building, Community, County, Estate, PropertyCompany, Town
from server.extensions import db
from server.surveys.models import SurveyRound

_sequence = itertools.count(1)
DEFAULT_PASSWORD = "correct-horse-9"


@pytest.fixture
def make_county(app_context):
    def make(name="夏县", code="140828"):
        county = db.session.scalar(db.select(County).where(County.code == code))
        if county is None:
            county = County(name=name, code=code)
            db.session.add(county)
            db.session.flush()
        return county
    return make


@pytest.fixture
def make_community(make_county):
    def make(name=None, town_name="瑶峰镇", county=None):
        county = county or make_county()
        town = db.session.scalar(db.select(Town).where(Town.county_id == county.id,
                                                       Town.name == town_name))
        if town is None:
            town = Town(county=county, name=town_name, kind="镇")
            db.session.add(town)
        community = Community(town=town, name=name or f"社区{next(_sequence)}")
        db.session.add(community)
        db.session.flush()
        return community
    return make


@pytest.fixture
def make_property_company(make_county):
    def make(name=None):
        company = PropertyCompany(county=make_county(), name=name or f"物业公司{next(_sequence)}")
        db.session.add(company)
        db.session.flush()
        return company
    return make


@pytest.fixture
def make_estate(make_community):
    def make(name=None, community=None, property_company=None, is_temporary=False):
        estate = Estate(community=community or make_community(),
                        name=name or f"小区{next(_sequence)}",
                        property_company=property_company, is_temporary=is_temporary)
        db.session.add(estate)
        db.session.flush()
        return estate
    return make


@pytest.fixture
def make_building(make_estate):
    def make(estate=None, number=None, **facts):
        defaults = {"year_built": 1995, "structure_type": "masonry", "floors_above": 6,
                    "has_elevator": False, "gas_supply": "pipeline", "units": 3,
                    "households": 36}
        building = Building(estate=estate or make_estate(),
                            number=number or f"{next(_sequence)}#", **{**defaults, **facts})
        db.session.add(building)
        db.session.flush()
        return building
    return make


@pytest.fixture
def make_round(app_context):
    def make(code="2024", system="2024", is_current=True, previous=None):
        survey_round = SurveyRound(code=code, system=system, title=f"{code}年城市体检",
                                   is_current=is_current, previous_round=previous)
        db.session.add(survey_round)
        db.session.flush()
        return survey_round
    return make


@pytest.fixture
def make_user(make_county, make_property_company):
    def make(role=Role.WORKER, communities=(), property_company=None, agency=None,
             username=None, password=DEFAULT_PASSWORD, display_name="测试用户"):
        county = make_county()
        if role == Role.PROPERTY and property_company is None:
            property_company = make_property_company()
        if role == Role.AGENCY and agency is None:
            agency = Agency(county_id=county.id, name=f"检测机构{next(_sequence)}")
            db.session.add(agency)
        user = create_user(username=username or f"user{next(_sequence)}", password=password,
                           display_name=display_name, role=role, county=county,
                           communities=communities, property_company=property_company,
                           agency=agency)
        db.session.commit()
        return user
    return make


@pytest.fixture
def auth_headers(app):
    """Authorization headers carrying a fresh bearer token for the given user."""
    def make(user):
        token, _ = issue_token(user, timedelta(hours=1))
        db.session.commit()
        return {"Authorization": f"Bearer {token}"}
    return make


GAS_FORM = "2024-gas-safety"


def submission_op(building, answers, **overrides) -> dict:
    """A submission.create operation as a device would push it."""
    operation = {"op": "submission.create", "id": str(uuid.uuid4()), "building_id": building.id,
                 "form_id": GAS_FORM, "form_version": 1, "answers": answers,
                 "captured_at": "2024-07-01T09:30:00+08:00"}
    operation.update(overrides)
    return operation


@pytest.fixture
def clear_answers(app):
    """Answers to a form of forms/ (by id): every yes/no question 否, plus the answers given."""
    def make(form_id, **answers):
        form = app.extensions["loujian.forms"].get(form_id)
        return {**{q["id"]: False for q in form.questions if q["type"] == "yes_no"}, **answers}
    return make


@pytest.fixture
def gas_answers(clear_answers):
    """Answers to the gas-safety form: everything clear, unless overridden."""
    def make(**overrides):
        return clear_answers(GAS_FORM, **{"households_checked": 12, "riser_install_year": 2012,
                                          **overrides})
    return make


@pytest.fixture
def push(client):
    """POST /api/sync/push with the given operations; returns the response."""
    def send(headers, *operations, device_id=None):
        body = {"operations": list(operations)}
        if device_id is not None:
            body["device_id"] = device_id
        return client.post("/api/sync/push", headers=headers, json=body)
    return send


@pytest.fixture
def write_csv(tmp_path):
    """Writes rows to a CSV file in the given encoding (as offices save them) and returns its path."""
    def write(rows, encoding="utf-8", name="table.csv"):
        path = tmp_path / name
        with open(path, "w", encoding=encoding, newline="") as out:
            csv.writer(out).writerows(rows)
        return path
    return write


@pytest.fixture
def write_xlsx(tmp_path):
    """Writes rows to an XLSX file (one sheet, optionally named) and returns its path."""
    def write(rows, name="table.xlsx", sheet=None):
        book = openpyxl.Workbook()
        if sheet is not None:
            book.active.title = sheet
        for row in rows:
            book.active.append(row)
        path = tmp_path / name
        book.save(path)
        return path
    return write
