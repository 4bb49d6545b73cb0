"""A seeded fuzzer that walks the OpenAPI document (`GET /api/openapi.json`): for every operation,
a fixed number of requests built from its schemas with hostile values in the path, the query and
the body (deep nesting, extreme dates, NUL and bidi characters, huge numbers, 10 KB strings,
wrong types, other callers' ids), each sent as every role and anonymously. The answer is never a
5xx, and a 4xx has the one error shape with a code of `GET /api/errors` and its status.

The seed is printed; `LOUJIAN_FUZZ_SEED=<n>` replays a run (any other seed explores further).
The push envelope is open (`additionalProperties`), so its operations are drawn from the
operation types' own schemas (server/syncing/schemas.py), converted as the document converts its.
"""
import io
import json
import os
import random
import re
import uuid

import pytest
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from server.syncing.schemas import OPERATION_SCHEMAS
from tests.unit.test_photo_samples import plain_jpeg

SEED = int(os.environ.get("LOUJIAN_FUZZ_SEED", "20240701"))
CASES_PER_OPERATION = 12
NUL, BIDI = "楼\x00检", "\u202e楼检\u202c"
LONG = "楼" * 10240
TIMES = ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "0001-01-01",
         "2024-02-30T25:61:61+08:00", "1969-12-31T23:59:59Z", "2024-07-01T09:30:00"]
DAYS = ["9999-12-31", "0001-01-01", "2024-02-30", "20240701", "-2024-01-01"]
NUMBERS = [2 ** 63, -2 ** 63, 2 ** 64, 1e308, -1e308, float("inf"), float("nan"), -1, 0, 1.5]
TEXTS = [NUL, BIDI, LONG, "", " ", "\U0001F3E0" * 50, "' OR 1=1 --", "<script>x</script>",
         "../../etc/passwd", "\udcff lone surrogate"]


def nested(depth: int):
    value = "深"
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


# Plausible text by field name, so that a request gets past its first check.
PLAUSIBLE_TEXT = {"round": "2024", "form_id": "2024-gas-safety", "check_item": "楼梯踏步损坏",
                  "question_id": "stair_steps_damaged", "size": "thumb", "cursor": "0"}
WRONG_TYPES = [None, True, [], {}, "7", 7, [1, [2]], nested(40), nested(33)]


@pytest.fixture
def catalogue(client) -> dict:
    return {entry["code"]: entry["status"] for entry in client.get("/api/errors").json}


def test_no_operation_fails_on_hostile_values(app, client, world, openapi, catalogue,
                                              auth_headers):
    print(f"fuzz seed {SEED} (replay: LOUJIAN_FUZZ_SEED={SEED})")
    fuzz = Fuzzer(random.Random(SEED), openapi, world)
    callers = [None, *world.callers.values()]
    problems, sent = [], 0
    for path, method, operation in fuzz.operations():
        for case in range(CASES_PER_OPERATION):
            url, request = fuzz.request(path, method, operation)
            for caller in callers:
                headers = caller.headers if caller else {}
                response = client.open(url, method=method.upper(), headers=headers,
                                       **fresh(request))
                response.get_data()  # a streamed answer runs to its end (or fails) here
                response.close()
                sent += 1
                problem = answer_problem(response, catalogue)
                if problem:
                    who = caller.name if caller else "anonymous"
                    problems.append(f"{method.upper()} {url[:300]} as {who}, case {case}: "
                                    f"{problem}\n  request: {str(request)[:600]}")
                if (method, path) == ("delete", "/api/auth/token") and response.status_code < 300:
                    caller.headers = auth_headers(caller.user)  # it revoked its own token
    seed_note = f"(seed {SEED}; replay with LOUJIAN_FUZZ_SEED={SEED})"
    assert not problems, f"{len(problems)} bad answers {seed_note}:\n" + "\n".join(problems[:40])
    print(f"{sent} hostile requests, {len(list(fuzz.operations()))} operations, no bad answer")


def answer_problem(response, catalogue: dict) -> str | None:
    status = response.status_code
    if status >= 500:
        return f"answered {status}: {response.get_data()[:300]!r}"
    if status < 400:
        return None if status < 300 else f"answered {status} (an API does not redirect)"
    body = response.get_json(silent=True)
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or set(error) != {"code", "message", "details"}:
        return f"a {status} without the error shape: {response.get_data()[:300]!r}"
    if error["code"] not in catalogue:
        return f"a {status} with a code not in the catalogue: {error['code']!r}"
    if catalogue[error["code"]] != status:
        return f"{error['code']} answered with {status}, the catalogue says " \
               f"{catalogue[error['code']]}"
    if not isinstance(error["message"], str) or not isinstance(error["details"], dict):
        return f"a {status} whose message or details have the wrong type: {error!r}"
    return None


def fresh(request: dict) -> dict:
    """The request's keyword arguments, with file fields as new streams (each send reads them)."""
    copy = dict(request)
    if isinstance(copy.get("data"), dict):
        copy["data"] = {k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v
                        for k, v in copy["data"].items()}
    return copy


class Fuzzer:
    """Values built from a schema: plausible ones (so a request gets past the first check) with
    hostile ones mixed in."""

    def __init__(self, rng: random.Random, document: dict, world):
        self.rng = rng
        self.document = document
        self.schemas = {**document["components"]["schemas"], **operation_type_schemas()}
        self.ids = [side.ids for side in world.sides.values()]
        self.photos = [side.secrets[0] for side in world.sides.values()]

    def operations(self):
        for path, operations in sorted(self.document["paths"].items()):
            for method, operation in sorted(operations.items()):
                yield path, method, operation

    # the request

    def request(self, path: str, method: str, operation: dict) -> tuple[str, dict]:
        self.hostility = self.rng.choice([0.05, 0.2, 0.5])  # some cases nearly valid
        url, query = path, {}
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                url = url.replace(f"{{{parameter['name']}}}", self.path_value(parameter))
            elif self.rng.random() < 0.7 or parameter.get("required"):
                query[parameter["name"]] = self.as_text(self.value(parameter["schema"],
                                                                   parameter["name"]))
        request = {"query_string": query}
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            body = self.value(content["application/json"]["schema"], "body")
            text = json.dumps(body, ensure_ascii=self.rng.random() < 0.5)
            request.update(data=text.encode("utf-8", "surrogatepass"),
                           content_type=self.rng.choice(["application/json"] * 5 + [
                               "text/plain", "application/json; charset=gbk"]))
        elif "multipart/form-data" in content:
            request.update(data=self.form(content["multipart/form-data"]["schema"]),
                           content_type="multipart/form-data")
        elif content:
            request.update(data=self.raw_bytes(),
                           content_type=self.rng.choice([*content, "text/html", "image/gif"]))
        return url, request

    def path_value(self, parameter: dict) -> str:
        name = parameter["name"]
        known = [ids[name] for ids in self.ids if name in ids]
        if parameter["schema"].get("type") == "integer":
            return str(self.rng.choice([*known, *known, 2 ** 63, 2 ** 31, 0, -1, 10 ** 30]))
        hostile = ["%00", "%E2%80%AE" + "a" * 63, "a" * 10240, "..%2F..%2Fetc", "楼",
                   str(uuid.uuid4()), "f" * 64, "F" * 64, "2024-gas-safety"]
        return str(self.rng.choice([*known, *known, *hostile]))

    def form(self, schema: dict) -> dict:
        fields = {}
        for name, prop in self.resolve(schema).get("properties", {}).items():
            if prop.get("readOnly") or self.rng.random() < 0.1:
                continue
            if prop.get("format") == "binary":
                fields[name] = (self.rng.choice([b"%PDF-1.4\n%%EOF\n", b"", LONG.encode(),
                                                 plain_jpeg((80, 60)), b"%PDF-" + b"\x00" * 64]),
                                self.rng.choice(["报告.pdf", "../../x.pdf", "", NUL + ".pdf"]))
            else:
                fields[name] = self.as_text(self.value(prop, name))
        return fields

    def raw_bytes(self) -> bytes:
        return self.rng.choice([b"", b"\x00" * 64, LONG.encode(), plain_jpeg((90, 60)),
                                *self.photos, bytes(self.rng.getrandbits(8) for _ in range(512))])

    def as_text(self, value) -> str:
        """A value as a query string or form field carries it (lone surrogates cannot travel)."""
        if not isinstance(value, str):
            value = json.dumps(value, ensure_ascii=False) if isinstance(value, list | dict) \
                else str(value)
        return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")

    # values from a schema

    def value(self, schema: dict, name: str, depth: int = 0):
        """Plausible or, as often as this case's hostility says, hostile (at every level)."""
        if depth < 6 and self.rng.random() < self.hostility:
            return self.hostile(schema, name)
        return self.plausible(schema, name, depth)

    def plausible(self, schema: dict, name: str, depth: int):
        schema = self.resolve(schema)
        if "enum" in schema:
            return self.rng.choice(schema["enum"])
        kind, form = schema.get("type"), schema.get("format")
        if kind == "object" or "properties" in schema:
            return self.plausible_object(schema, name, depth)
        if kind == "array":
            items = schema.get("items", {})
            return [self.value(items, name, depth + 1) for _ in range(self.rng.randint(1, 3))]
        if kind == "integer" and name == "indicator":
            return 3
        if kind == "integer":
            known = [ids[name] for ids in self.ids if name in ids]
            return self.rng.choice(known or [schema.get("minimum", 1)])
        if kind == "number":
            return schema.get("minimum", 0) + 1.0
        if kind == "boolean":
            return self.rng.random() < 0.5
        if form == "uuid":
            return self.rng.choice([str(uuid.uuid4()), *(ids["finding_uuid"] for ids in self.ids)])
        if form == "date-time":
            return "2024-07-01T09:30:00+08:00"
        if form == "date":
            return "2024-06-20"
        if name in ("hashes", "photos", "add_photos"):
            return self.rng.choice([ids["sha"] for ids in self.ids])
        return PLAUSIBLE_TEXT.get(name, "楼检")

    def plausible_object(self, schema: dict, name: str, depth: int) -> dict:
        if name == "operations":  # the push envelope: one of the operation types
            op = self.rng.choice(sorted(OPERATION_SCHEMAS))
            schema = self.schemas[type(OPERATION_SCHEMAS[op]).__name__.removesuffix("Schema")]
            body = self.plausible_object(schema, op, depth)
            return {**body, "op": op, "id": str(uuid.uuid4())}
        body = {}
        for field, prop in schema.get("properties", {}).items():
            if prop.get("readOnly"):
                continue
            if field in schema.get("required", []) or self.rng.random() < 0.6:
                body[field] = self.value(prop, field, depth + 1)
        if self.rng.random() < 0.1:
            body["unknown_field"] = self.hostile({}, "unknown_field")
        return body

    def hostile(self, schema: dict, name: str):
        schema = self.resolve(schema)
        kind, form = schema.get("type"), schema.get("format")
        pool = list(WRONG_TYPES)
        if kind in ("integer", "number"):
            pool += NUMBERS * 2 + [ids[key] for ids in self.ids for key in ids
                                   if key.endswith("_id")]
        elif form in ("date-time", "date"):
            pool += (TIMES + DAYS) * 2
        elif kind == "string" or not kind:
            pool += TEXTS * 2 + [ids["finding_uuid"] for ids in self.ids] + \
                [ids["sha"] for ids in self.ids]
        elif kind == "array":
            pool += [[LONG] * 3, [nested(40)], list(range(1000)), [None]]
        if "enum" in schema:
            pool += ["not-in-the-enum", str(schema["enum"][0]).upper()]
        return self.rng.choice(pool)

    def resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            schema = self.schemas[schema["$ref"].rsplit("/", 1)[-1]]
        if "allOf" in schema:
            return self.resolve(schema["allOf"][0])
        return schema


def operation_type_schemas() -> dict:
    """The push's operation types as OpenAPI schemas, as apispec converts the document's."""
    spec = APISpec(title="operations", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()])
    for schema in OPERATION_SCHEMAS.values():
        spec.components.schema(type(schema).__name__, schema=type(schema))
    return spec.to_dict()["components"]["schemas"]


def test_a_number_too_large_for_the_database_is_a_404_whatever_the_method(app, client, world):
    """Found by the fuzzer. Every rule with an integer path parameter, with every method."""
    caller = world.callers["admin"]
    wrong = []
    for rule in app.url_map.iter_rules():
        if "<int:" not in rule.rule:
            continue
        path = re.sub(r"<int:[^>]+>", str(2 ** 63), re.sub(r"<(?!int:)[^>]+>", "x", rule.rule))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, headers=caller.headers, json={})
            if response.status_code != 404:
                wrong.append(f"{method} {path}: {response.status_code} {response.get_data()[:120]!r}")
    assert not wrong, "\n".join(wrong)
