"""Every route that names an object, as every caller, against every object it must not reach.

The matrix is generated from `app.url_map`: each `/api/…` and `/desk/…` rule with a path parameter
naming an object, with every method it takes. A route added tomorrow is attacked without editing
this file; a rule whose parameter the matrix cannot fill fails `test_the_matrix_knows_every_path_
parameter` until it is taught here (OBJECT_PARAMS, or NOT_OBJECTS for a parameter naming nothing
anyone owns).

For each route × caller × foreign object (conftest.py's world): never a 5xx, never a success, no
name or byte of the foreign object in the answer, nothing written, and the very answer a
non-existent id of the same kind gets ("not found or not yours"). For each caller's own objects,
a GET is answered, or refused only in a way its route documents: the matrix does not pass by
refusing everything.

Concurrent readers and writers on SQLite are tests/sync/test_concurrent_sync.py's concern.
"""
import json
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from werkzeug.routing import Rule

from sync.china_time import china_today
from tests.unit.test_photo_samples import plain_jpeg, sha256_of

# Parameter → an id of that kind that names nothing.
OBJECT_PARAMS = {
    "building_id": 987654321,
    "estate_id": 987654321,
    "community_id": 987654321,
    "finding_uuid": "0badf00d-0000-4000-8000-00000000beef",
    "submission_uuid": "0badf00d-0000-4000-8000-00000000cafe",
    "appraisal_uuid": "0badf00d-0000-4000-8000-00000000d0c5",
    "follow_up_id": 987654321,
    "sha": sha256_of(b"no photo has these bytes"),
    "user_id": 987654321,  # an account: administrators reach only their own county's
}
# Path parameters that name no object in anyone's scope (so no row of the matrix), and the value
# a rule mixing one with an object parameter gets.
NOT_OBJECTS = {
    "kind": "problems",            # an export's kind; the rows are scoped by the export itself
    "file_format": "csv",          # xlsx or csv
    "form_id": "2024-gas-safety",  # a survey form: the same for every caller
    "relative": "js/app.js",       # a file of the app shell
    "indicator": 3,                # an indicator number, 1–10
}
# Routes whose answer about a hash is by design the same for everyone (sync/PROTOCOL.md §2): a
# success is fine there as long as it is exactly the answer an unknown hash gets.
ANSWERED_ALIKE = {
    "photos_api.upload_state",  # an upload's progress: "0 received" for a hash held by others
}
IGNORED_METHODS = {"HEAD", "OPTIONS"}
CALLERS = ["worker_a", "worker_b", "property", "agency", "reviewer", "admin"]
ANOTHER_JPEG = plain_jpeg((700, 500))  # bytes that are no object's: a wrong upload


@dataclass(frozen=True)
class Route:
    rule: Rule
    method: str
    param: str

    @property
    def desk(self) -> bool:
        return self.rule.rule.startswith("/desk/")

    def path(self, value) -> str:
        values = {**NOT_OBJECTS, self.param: value}
        return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: str(values[m.group(1)]),
                      self.rule.rule)

    def __str__(self):
        return f"{self.method} {self.rule.rule}"


class UntaughtParameter(Exception):
    pass


def matrix(app) -> list[Route]:
    routes = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith(("/api/", "/desk/")):
            continue
        untaught = sorted(set(rule.arguments) - set(OBJECT_PARAMS) - set(NOT_OBJECTS))
        if untaught:
            raise UntaughtParameter(
                f"{rule.rule}: the scope matrix does not know the path parameter(s) {untaught}. "
                "Teach tests/adversarial/test_scope_matrix.py about it: an object parameter goes "
                "in OBJECT_PARAMS (with a missing id) and the world (conftest.py) needs one such "
                "object on each side; a parameter naming nothing anyone owns goes in NOT_OBJECTS, "
                "with a comment saying why.")
        objects = sorted(set(rule.arguments) & set(OBJECT_PARAMS))
        if len(objects) > 1:
            raise UntaughtParameter(f"{rule.rule} names several objects {objects}: teach the "
                                    "matrix which combinations to try")
        for method in sorted(rule.methods - IGNORED_METHODS) if objects else ():
            routes.append(Route(rule, method, objects[0]))
    return routes


def body_for(route: Route, version: str) -> dict:
    """What a client would send with this request: enough that only the scope can refuse it."""
    deadline = (china_today() + timedelta(days=30)).isoformat()
    bodies = {
        "buildings_api.correct_building": {"json": {"has_elevator": True, "floors_above": 9}},
        "review_api.decide": {"json": {"decision": "accept", "version": version}},
        "photos_api.upload_photo": {"data": ANOTHER_JPEG, "content_type": "image/jpeg"},
        "photos_api.upload_chunk": {"data": ANOTHER_JPEG,  # one piece: the whole of it
                                    "content_type": "application/octet-stream",
                                    "query_string": {"offset": 0, "total": len(ANOTHER_JPEG)}},
        "review_pages.decide": {"data": {"decision": "accept", "version": version}},
        "review_pages.accept_and_rectify": {"data": {"version": version, "deadline": deadline}},
        "review_pages.change_class": {"data": {"problem_class": "尽力解决", "reason": "对抗测试",
                                               "version": version}},
        "account_admin_api.update_account": {"json": {"display_name": "对抗测试"}},
        "account_admin_api.revoke_device": {"json": {"device": "0badf00d"}},
        "account_admin_pages.update": {"data": {"display_name": "对抗测试"}},
        "account_admin_pages.revoke_device": {"data": {"device": "0badf00d"}},
    }
    if route.method == "GET":
        return {}
    return bodies.get(route.rule.endpoint, {"data": {}} if route.desk else {"json": {}})


def send(client, route: Route, value, caller, version: str, csrf: str | None):
    request = body_for(route, version)
    if route.desk and csrf and isinstance(request.get("data"), dict):
        request["data"] = {**request["data"], "csrf_token": csrf}
    headers = {} if route.desk else caller.headers
    response = client.open(route.path(value), method=route.method, headers=headers, **request)
    response.get_data()  # a streamed answer runs to its end (or fails) here
    response.close()
    return response


def as_if_asked_for(response, asked, instead) -> str:
    """The answer's text with the id asked for written as `instead` (a missing id is distinctive,
    so this replaces nothing else), and the desk's per-request CSRF token blanked."""
    text = response.get_data(as_text=True).replace(str(asked), str(instead))
    return re.sub(r'(name="csrf_token" value=|csrf-token" content=)"[^"]+"', r"\1<CSRF>", text)


def test_the_matrix_knows_every_path_parameter(app):
    try:
        routes = matrix(app)
    except UntaughtParameter as error:
        pytest.fail(str(error))
    params = {route.param for route in routes}
    assert params == set(OBJECT_PARAMS), f"an object parameter no route uses: " \
                                          f"{set(OBJECT_PARAMS) - params}"


@pytest.mark.parametrize("caller_name", CALLERS)
def test_a_foreign_object_is_refused_exactly_as_a_missing_one(
        caller_name, app, client, world, digest, sign_in, csrf_from):
    caller = world.callers[caller_name]
    problems, tried = [], 0
    for desk in (False, True):
        csrf = None
        if desk:
            sign_in(caller.user)
            csrf = csrf_from("/desk/")
        for route in (r for r in matrix(app) if r.desk == desk):
            for side_name in caller.foreign:
                side = world.sides[side_name]
                where = f"{caller_name} → {route} with {side_name}'s {route.param}"
                value, missing = side.ids[route.param], OBJECT_PARAMS[route.param]
                before = digest()
                foreign = send(client, route, value, caller, side.finding_version, csrf)
                changed = digest() != before
                absent = send(client, route, missing, caller, side.finding_version, csrf)
                tried += 1
                problems += [f"{where}: {p}" for p in refusal_problems(
                    route, side, foreign, absent, value, missing, changed)]
    assert not problems, "\n".join(problems)
    print(f"{caller_name}: {tried} foreign requests, each against a missing id")


def refusal_problems(route, side, foreign, absent, value, missing, changed) -> list[str]:
    problems = []
    body = foreign.get_data()
    text = readable(foreign)
    if foreign.status_code >= 500:
        problems.append(f"answered {foreign.status_code}: {text[:300]}")
    elif foreign.status_code < 400 and route.rule.endpoint not in ANSWERED_ALIKE:
        problems.append(f"answered {foreign.status_code} (not refused): {text[:300]}")
    problems += [f"the answer names {name!r}" for name in side.names if name in text]
    problems += ["the answer carries the object's bytes" for secret in side.secrets
                 if secret in body]
    if changed:
        problems.append("the refused request changed the database")
    if foreign.status_code != absent.status_code:
        problems.append(f"answered {foreign.status_code}, a missing id {absent.status_code}")
    elif (one := as_if_asked_for(foreign, value, value)) != (
            other := as_if_asked_for(absent, missing, value)):
        problems.append(f"answered otherwise than for a missing id:\n{difference(one, other)}")
    return problems


def readable(response) -> str:
    """The answer as a person reads it: JSON with its \\u escapes decoded."""
    text = response.get_data().decode("utf-8", "replace")
    parsed = response.get_json(silent=True)
    return text if parsed is None else f"{text}\n{json.dumps(parsed, ensure_ascii=False)}"


def difference(one: str, other: str) -> str:
    """Where two answers part, with some context."""
    start = next((i for i, (a, b) in enumerate(zip(one, other)) if a != b),
                 min(len(one), len(other)))
    return f"  foreign: …{one[max(0, start - 80):start + 200]!r}\n" \
           f"  missing: …{other[max(0, start - 80):start + 200]!r}"


@pytest.mark.parametrize("caller_name", CALLERS)
def test_own_objects_are_answered_or_refused_as_documented(
        caller_name, app, client, world, sign_in, openapi):
    caller = world.callers[caller_name]
    problems, answered, tried = [], 0, 0
    for desk in (False, True):
        if desk:
            sign_in(caller.user)
        for route in (r for r in matrix(app) if r.desk == desk and r.method == "GET"):
            for side_name in caller.own:
                value = world.sides[side_name].ids[route.param]
                response = send(client, route, value, caller, "", None)
                tried += 1
                if 200 <= response.status_code < 300:
                    answered += 1
                elif not documented_refusal(route, response, openapi):
                    problems.append(f"{caller_name} → {route} with its own ({side_name}) "
                                    f"{route.param}: {response.status_code} "
                                    f"{response.get_data(as_text=True)[:300]}")
    assert not problems, "\n".join(problems)
    assert answered >= tried // 2, f"{caller_name} was answered only {answered} of {tried}"
    print(f"{caller_name}: {answered} of {tried} own-object GETs answered")


def documented_refusal(route: Route, response, openapi: dict) -> bool:
    """A refusal the route declares for a caller in scope: a role it does not serve (403), or an
    error code its OpenAPI operation lists. Never 'not found': the object is the caller's."""
    if response.status_code == 403:
        return True
    if route.desk or response.status_code == 404:
        return False
    path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", route.rule.rule)
    declared = openapi["paths"][path][route.method.lower()]["responses"]
    code = (response.get_json(silent=True) or {}).get("error", {}).get("code", "")
    return code in declared.get(str(response.status_code), {}).get("description", "")
