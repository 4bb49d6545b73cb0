"""Health, the OpenAPI document, and the migrations matching the models."""
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server.errors import CATALOGUE
from server.extensions import db


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_openapi_documents_every_api_endpoint(app, client):
    document = client.get("/api/openapi.json").json
    assert document["openapi"].startswith("3.")
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/") or rule.rule == "/api/openapi.json":
            continue
        path = rule.rule.replace("<int:", "{").replace("<uuid:", "{").replace("<", "{") \
            .replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, (path, method)


# Endpoints that answer a POST without writing: on SQLite they need not wait for the write lock.
KNOWN_READERS = {("POST", "/api/photos/check")}


def test_an_endpoint_writes_unless_it_answers_a_get_or_is_a_known_reader(app):
    """What @endpoint declares (`writes`) decides on SQLite whether its transaction takes the
    write lock up front. A GET never writes (its bookkeeping is written after it); any other
    method does, but for the few listed."""
    for rule in app.url_map.iter_rules():
        doc = getattr(app.view_functions[rule.endpoint], "endpoint_doc", None)
        if doc is None:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            expected = method != "GET" and (method, rule.rule) not in KNOWN_READERS
            assert doc.writes is expected, (method, rule.rule)


def test_openapi_schemas_come_from_the_marshmallow_schemas(client):
    document = client.get("/api/openapi.json").json
    schemas = document["components"]["schemas"]
    assert {"Building", "Submission", "TokenExchange", "Error"} <= set(schemas)
    token = schemas["TokenExchange"]["properties"]
    assert token["password"].get("writeOnly") is True
    assert token["token"].get("readOnly") is True


def test_openapi_lists_the_error_catalogue(client):
    document = client.get("/api/openapi.json").json
    assert "resource.not_found" in document["info"]["description"]


def test_migrations_produce_exactly_the_models(app_context):
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []


def test_readme_documents_every_error_code():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for code, (status, _) in CATALOGUE.items():
        assert f"| `{code}` | {status} |" in readme, code
