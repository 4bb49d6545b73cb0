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


def test_openapi_schemas_come_from_the_marshmallow_schemas(client):
    document = client.get("/api/openapi.json").json
    schemas = document["components"]["schemas"]
    assert {"Building", "Submission", "TokenExchange", "Error"} <= set(schemas)
    token = schemas["TokenExchange"]["properties"]
    assert token["password"].get("writeOnly") is True
    assert token["token"].get("readOnly") is True


def test_openapi_lists_the_error_catalogue(client):
    document = client.get("/api/openapi.json").json
    assert "auth.out_of_scope" in document["info"]["description"]


def test_migrations_produce_exactly_the_models(app_context):
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
    assert differences == []


def test_readme_documents_every_error_code():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for code, (status, _) in CATALOGUE.items():
        assert f"| `{code}` | {status} |" in readme, code
