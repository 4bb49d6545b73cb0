"""The OpenAPI 3 document, built from the @endpoint metadata and the marshmallow schemas."""
import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

from server.errors import CATALOGUE

_CONVERTER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


class ErrorBodySchema(Schema):
    code = fields.String(metadata={"enum": sorted(CATALOGUE)})
    message = fields.String(metadata={"description": "可直接展示给用户的中文说明"})
    details = fields.Dict()


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema)


def build_spec(app) -> dict:
    spec = APISpec(title="楼检 Loujian API", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()], info={"description": _catalogue_table()})
    spec.components.schema("Error", schema=ErrorSchema)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        doc = getattr(app.view_functions[rule.endpoint], "endpoint_doc", None)
        if doc is None:
            continue
        path = _CONVERTER.sub(r"{\1}", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, doc)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _operation(rule, doc) -> dict:
    operation = {"summary": doc.summary, "tags": doc.tags, "parameters": [],
                 "responses": {str(doc.status): _success(doc)}}
    for name in rule.arguments:
        kind = "integer" if f"<int:{name}>" in rule.rule else "string"
        operation["parameters"].append({"in": "path", "name": name, "required": True,
                                        "schema": {"type": kind}})
    if doc.query is not None:
        operation["parameters"].append({"in": "query", "schema": doc.query})
    if doc.body is not None:
        operation["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": doc.body}}}
    if doc.raw_body:
        binary = {"schema": {"type": "string", "format": "binary"}}
        operation["requestBody"] = {"required": True,
                                    "content": {kind: binary for kind in doc.raw_body}}
    if doc.form is not None:
        operation["requestBody"] = {"required": True,
                                    "content": {"multipart/form-data": {"schema": doc.form}}}
    if doc.roles is not None:
        operation["security"] = [{"bearer": []}]
        operation["x-roles"] = sorted(doc.roles)
    error_codes = sorted(set(doc.errors) | _always_possible(doc))
    for status in sorted({CATALOGUE[code][0] for code in error_codes}):
        codes = [c for c in error_codes if CATALOGUE[c][0] == status]
        operation["responses"][str(status)] = {
            "description": "、".join(codes),
            "content": {"application/json": {"schema": "Error"}}}
    return operation


def _success(doc) -> dict:
    if doc.response is None:
        return {"description": "成功"}
    return {"description": "成功", "content": {"application/json": {"schema": doc.response}}}


def _always_possible(doc) -> set[str]:
    codes = set()
    if doc.roles is not None:
        codes |= {"auth.required", "auth.token_invalid", "auth.forbidden"}
    if doc.query is not None:
        codes.add("request.bad_parameter")
    if doc.body is not None:
        codes |= {"request.malformed", "request.invalid", "request.unsupported_media_type"}
    if doc.form is not None:
        codes |= {"request.invalid", "request.unsupported_media_type", "request.too_large"}
    return codes


def _catalogue_table() -> str:
    rows = "\n".join(f"| `{code}` | {status} | {message} |"
                     for code, (status, message) in CATALOGUE.items())
    return ("所有错误的统一格式：`{\"error\": {\"code\", \"message\", \"details\"}}`。\n\n"
            "| code | HTTP | message |\n|---|---|---|\n" + rows)
