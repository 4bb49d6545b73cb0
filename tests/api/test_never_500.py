"""Whatever arrives, the answer is never a 500: every route of the app, as every kind of caller,
with path parameters, query strings and bodies that make no sense. A seeded sweep, so a failure
names the request that caused it and replays the same way."""
import io
import json
import random
import re

import pytest

from server.accounts.models import Role
from server.extensions import db
from server.followups.models import FollowUp

JUNK = ["", "abc", "-1", "0", "99999999999999999999999", "1.5", "<script>alert(1)</script>",
        "../../etc/passwd", "%00", "楼", "true", "2024-02-30", "null", "[]", "a" * 300]
QUERY_NAMES = ["page", "level", "round", "community", "estate", "indicator", "submitter",
               "date_from", "date_to", "status", "state", "id", "problem_class", "disagreeing",
               "responsible_unit", "include_pending", "cursor", "limit", "size", "offset", "q",
               "building", "offset_bytes", "captured_at", "latitude", "longitude", "device_id",
               "actor", "action", "target", "scope", "app_version"]
JSON_BODIES = [{}, [], "text", 7, {"operations": "x"}, {"operations": [{"op": "??"}]},
               {"decision": "accept"}, {"decision": "rectify", "version": "x", "deadline": "soon"},
               {"username": ["a"], "password": {"b": 1}}, {"hashes": ["zz"] * 3},
               {"a": {"b": {"c": {"d": [1, 2, {"e": None}]}}}},
               {"operations": [{"op": "submission.create", "id": "5f0c6f4e-1111-4a4a-9c9c-2b2b2b2b2b2b",
                                "building_id": 2 ** 40, "form_id": "2024-gas-safety",
                                "form_version": 2 ** 40, "answers": {}}]},
               {"operations": [{"op": "finding.report", "id": "5f0c6f4e-2222-4a4a-9c9c-2b2b2b2b2b2b",
                                "building_id": -2 ** 40, "indicator": 2, "floor": 10 ** 30,
                                "check_item": "楼梯踏步损坏", "photos": ["zz"]}]},
               {"operations": [{"op": "rectification.report",
                                "id": "5f0c6f4e-3333-4a4a-9c9c-2b2b2b2b2b2b", "finding": "x",
                                "photos": [], "rectified_on": "2024-13-45"}]},
               {"hashes": ["a" * 64] * 1000}, {"building_id": 2 ** 63, "indicator": 1.5},
               {"community_ids": [2 ** 40, "x"], "role": "admin", "active": "maybe"},
               {"username": "a", "display_name": "", "role": "worker", "community_ids": [-1],
                "property_company_id": 2 ** 63, "agency_id": "x"},
               {"username": "x", "password": "y", "new_password": "z" * 300}, {"device": ["x"]},
               {"agency_id": 2 ** 63}, {"agency_id": "楼"}, {"agency_id": 999999}]
FORM_FIELDS = ["decision", "reason", "version", "deadline", "finding", "problem_class",
               "username", "password", "building", "indicator", "conclusion", "grade",
               "appraised_on", "summary", "uuid", "round", "display_name", "role",
               "community_ids", "property_company_id", "agency_id", "active", "device",
               "new_password", "new_password_again"]


@pytest.fixture
def world(make_estate, make_building, make_finding, make_user, make_photo, auth_headers,
          sign_in, csrf_from, survey_round):
    """One of everything a path can name, and a caller of each kind."""
    estate = make_estate(name="达明新村")
    building = make_building(estate=estate, number="1#")
    photo = make_photo()
    finding = make_finding(building, photos=[photo.sha256])
    worker = make_user(Role.WORKER, communities=[estate.community])
    agency = make_user(Role.AGENCY)
    reviewer = make_user(Role.REVIEWER)
    admin = make_user(Role.ADMIN)  # the account administration routes answer only to them
    follow_up = FollowUp(submission=finding.submission, round_id=survey_round.id,
                         building_id=building.id, indicator=2, question_id="riser_assessment",
                         reason="需专业机构评估")
    db.session.add(follow_up)
    db.session.commit()
    return {
        "ids": {"building_id": building.id, "community_id": estate.community_id,
                "estate_id": estate.id, "indicator": 3, "finding_uuid": finding.uuid,
                "sha": photo.sha256, "submission_uuid": finding.submission.uuid,
                "appraisal_uuid": "00000000-0000-0000-0000-000000000000",
                "form_id": "2024-gas-safety", "kind": "problems", "file_format": "xlsx",
                "relative": "js/app.js", "user_id": worker.id, "follow_up_id": follow_up.id},
        "bearers": [None, auth_headers(worker), auth_headers(agency), auth_headers(reviewer),
                    auth_headers(admin)],
        "desk": [reviewer, agency, admin],
    }


def routes(app):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def path_for(rule, values: dict) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(values[m.group(1)]), rule.rule)


def path_values(rng, rule, real: dict) -> dict:
    """Real ids half the time, otherwise what each converter lets through: any text for
    strings, numbers that name nothing for ints."""
    values = {}
    for name, converter in rule._converters.items():
        if rng.random() < 0.5:
            values[name] = real[name]
        elif type(converter).__name__ == "IntegerConverter":
            values[name] = rng.choice([0, 999999, 2 ** 62])
        elif type(converter).__name__ == "UUIDConverter":
            values[name] = "12345678-1234-5678-1234-567812345678"
        else:
            values[name] = rng.choice(["x", "a" * 64, "..%2F..%2Fetc", "楼栋", "%3Cscript%3E"])
    return values


def junk_query(rng) -> dict:
    return {name: rng.choice(JUNK) for name in rng.sample(QUERY_NAMES, rng.randint(1, 6))}


def junk_request(rng, csrf_token: str | None) -> dict:
    kind = rng.choice(["json", "form", "raw", "multipart", "none"])
    if kind == "json":
        return {"data": json.dumps(rng.choice(JSON_BODIES)), "content_type": "application/json"}
    fields = {name: rng.choice(JUNK) for name in rng.sample(FORM_FIELDS, rng.randint(1, 6))}
    if csrf_token:
        fields["csrf_token"] = csrf_token
    if kind == "form":
        return {"data": fields}
    if kind == "multipart":
        payload = rng.choice([b"%PDF-1.4 not really", b"\xff\xd8\xff\xe0junk", b"", b"GIF89a"])
        fields["document"] = (io.BytesIO(payload), rng.choice(["../../x.pdf", "报告.pdf", ""]))
        return {"data": fields, "content_type": "multipart/form-data"}
    if kind == "raw":
        return {"data": bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 64))),
                "content_type": rng.choice(["image/jpeg", "application/octet-stream",
                                            "text/plain"])}
    return {}


@pytest.mark.parametrize("seed", range(8))
def test_no_route_answers_500_to_nonsense(seed, app, client, world, sign_in, csrf_from):
    rng = random.Random(seed)
    tried = 0
    for rule, method in routes(app):
        for caller in range(len(world["bearers"]) + len(world["desk"])):
            headers, token = {}, None
            if caller < len(world["bearers"]):
                headers = world["bearers"][caller] or {}
                with client.session_transaction() as session:
                    session.clear()
            else:
                user = world["desk"][caller - len(world["bearers"])]
                sign_in(user)
                token = csrf_from("/desk/exports/")
            for _ in range(2):
                path = path_for(rule, path_values(rng, rule, world["ids"]))
                request = {"query_string": junk_query(rng), "headers": headers}
                if method in ("POST", "PUT", "PATCH", "DELETE"):
                    request.update(junk_request(rng, token))
                response = client.open(path, method=method, **request)
                body = response.get_data()  # a streamed body runs to its end, or fails here
                response.close()
                tried += 1
                assert response.status_code < 500, (method, path, request, body[:500])
    assert tried > 300
