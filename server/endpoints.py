"""The one way an API endpoint is written: parse → authorise → operation → dump → commit.

`@endpoint(...)` declares whether the handler writes (on SQLite a writing transaction takes the
write lock up front), loads the query string and JSON body through marshmallow schemas, checks the
caller's role, calls the handler with the loaded data, dumps its result with the response schema,
and commits once. Errors roll back in the error handlers. The same metadata feeds the OpenAPI
document, so the documentation cannot drift from what the code accepts.
"""
import functools
import json
import re
from dataclasses import dataclass, field
from datetime import timezone

from flask import g, request
from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validates_schema
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from server.accounts.auth import user_from_bearer_token
from server.db_sqlite import declare_writes
from server.db_types import DATABASE_INTEGERS
from server.errors import ApiError
from server.extensions import db


class ApiSchema(Schema):
    """Base of every payload schema: unknown fields refused, surrounding whitespace stripped,
    integers within what the database stores."""

    class Meta:
        unknown = RAISE
        ordered = True

    @pre_load
    def strip_whitespace(self, data, **kwargs):
        if isinstance(data, dict):
            return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
        return data

    @validates_schema(skip_on_field_errors=True)
    def integers_fit_the_database(self, data, **kwargs):
        for name, value in data.items():
            if isinstance(value, int) and not isinstance(value, bool) \
                    and value not in DATABASE_INTEGERS:
                raise ValidationError("数值超出范围", name)


# The years a survey, a photo or a deadline can be in. Bounds keep every computation on a date
# (a zone change, a day added) inside the calendar: 9999-12-31T23:59:59-12:00 is no moment.
YEARS = range(2000, 2100)
YEARS_MESSAGE = f"应在 {YEARS.start} 年至 {YEARS.stop - 1} 年之间"


class Moment(fields.AwareDateTime):
    """A moment with its zone (ISO 8601), kept and echoed in UTC, so equal moments compare
    equal; within YEARS."""

    def _deserialize(self, value, attr, data, **kwargs):
        moment = super()._deserialize(value, attr, data, **kwargs)
        if moment.year not in YEARS:
            raise ValidationError(YEARS_MESSAGE)
        return moment.astimezone(timezone.utc)


class Day(fields.Date):
    """A calendar day (YYYY-MM-DD) within YEARS."""

    def _deserialize(self, value, attr, data, **kwargs):
        day = super()._deserialize(value, attr, data, **kwargs)
        if day.year not in YEARS:
            raise ValidationError(YEARS_MESSAGE)
        return day


_SURROGATE = re.compile("[\ud800-\udfff]")
MAX_NESTING = 32  # deeper than any payload of ours; deeper JSON is an attack or a bug


def check_shape(data, code: str = "request.invalid") -> None:
    """What no schema can be trusted to catch, checked without recursion: nesting deeper than
    MAX_NESTING (a recursive parser or validator would overflow the stack), the NUL character,
    which PostgreSQL cannot store in text (SQLite can: the databases must agree), and a lone
    surrogate (JSON's "\udcff" parses to one; it is no character, and PostgreSQL's JSON refuses it)."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_NESTING:
            raise ApiError("request.malformed", f"请求内容嵌套超过 {MAX_NESTING} 层")
        if isinstance(value, str):
            if "\x00" in value:
                raise ApiError(code, "内容不能包含空字符（NUL）")
            if not value.isascii() and _SURROGATE.search(value):
                raise ApiError(code, "内容含有无效的 Unicode 字符（孤立代理项）")
        elif isinstance(value, dict):
            pending.extend((item, depth + 1) for pair in value.items() for item in pair)
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)


def refuse_nul_in_path() -> None:
    """An id with a NUL in it names nothing (and PostgreSQL would refuse to compare it)."""
    if "\x00" in request.path:
        raise ApiError("resource.not_found")


class DatabaseIntegerConverter(IntegerConverter):
    """`<int:…>` in a URL: a number the database cannot hold names nothing, so it is a 404 like
    any other id that names nothing, whatever the method (not matching the rule would leave a
    GET-only rule of the same shape to answer 405)."""

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number not in DATABASE_INTEGERS:
            raise NotFound()
        return number


class QuerySchema(ApiSchema):
    class Meta:
        unknown = RAISE


class PageQuery(QuerySchema):
    page = fields.Integer(load_default=1, validate=lambda n: n >= 1)
    per_page = fields.Integer(load_default=50, validate=lambda n: 1 <= n <= 500)


def page_of(item_schema: type[Schema]) -> type[Schema]:
    """A response schema for one page of items."""
    return type(
        f"{item_schema.__name__.removesuffix('Schema')}PageSchema",
        (Schema,),
        {
            "items": fields.List(fields.Nested(item_schema)),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
            "total": fields.Integer(),
        },
    )


def paginate(select_stmt, page_query: dict) -> dict:
    page = db.paginate(select_stmt, page=page_query["page"], per_page=page_query["per_page"],
                       error_out=False)
    return {"items": page.items, "page": page.page, "per_page": page.per_page, "total": page.total}


@dataclass
class EndpointDoc:
    summary: str
    tags: list[str]
    roles: frozenset | None
    writes: bool
    query: type[Schema] | None = None
    body: type[Schema] | None = None
    response: type[Schema] | None = None
    status: int = 200
    errors: list[str] = field(default_factory=list)
    raw_body: tuple[str, ...] = ()  # content types of a body the handler reads itself (bytes)
    form: type[Schema] | None = None  # a multipart/form-data body: its fields and files


PUBLIC = None


def endpoint(*, summary: str, tags: list[str], roles, writes: bool, query=None, body=None,
             response=None, status: int = 200, many: bool = False,
             errors: list[str] | None = None, raw_body: tuple[str, ...] = (), form=None):
    """`roles=PUBLIC` for open endpoints, else a collection of accounts.Role values.
    `writes`: whether the handler's transaction writes. Bookkeeping does not count: a token's
    last use or a device's last pull is written after the request (server/touches.py).
    `form` loads a multipart/form-data body (fields and files together) through one schema."""
    doc = EndpointDoc(summary, tags, frozenset(roles) if roles is not None else None, writes,
                      query, body, response, status, errors or [], tuple(raw_body), form)
    # One instance of each schema per endpoint: making one deep-copies its fields, which costs
    # more than most loads and dumps; loading and dumping keep no state on the instance.
    query_schema = query() if query is not None else None
    body_schema = body() if body is not None else None
    form_schema = form() if form is not None else None
    response_schema = response(many=many) if response is not None else None

    def decorate(handler):
        @functools.wraps(handler)
        def view(**path_args):
            declare_writes(writes)
            if doc.roles is not None:
                g.user = _authorised_user(doc.roles)
            kwargs = dict(path_args)
            if query_schema is not None:
                kwargs["query"] = _load_query(query_schema)
            if body_schema is not None:
                kwargs["body"] = _load_body(body_schema)
            if form_schema is not None:
                kwargs["form"] = _load_form(form_schema)
            result, status = handler(**kwargs), doc.status
            if isinstance(result, tuple):  # a handler may pick the status, e.g. 200 on replay
                result, status = result
            payload = response_schema.dump(result) if response_schema is not None else result
            db.session.commit()
            return payload, status

        view.endpoint_doc = doc
        return view

    return decorate


def _authorised_user(roles: frozenset):
    user = user_from_bearer_token(request.headers.get("Authorization"))
    if user.role not in roles:
        raise ApiError("auth.forbidden")
    return user


def _load_query(schema):
    data = request.args.to_dict(flat=True)
    check_shape(data, "request.bad_parameter")
    try:
        return schema.load(data)
    except ValidationError as error:
        raise ApiError("request.bad_parameter", details={"fields": error.messages}) from None


def _load_body(schema):
    if not request.is_json:
        raise ApiError("request.unsupported_media_type")
    try:
        data = json.loads(request.get_data())
    except RecursionError:
        raise ApiError("request.malformed", f"请求内容嵌套超过 {MAX_NESTING} 层") from None
    except ValueError:
        raise ApiError("request.malformed", "请求体不是合法的 JSON") from None
    if not isinstance(data, dict):
        raise ApiError("request.malformed", "请求体应为 JSON 对象")
    check_shape(data)
    try:
        return schema.load(data)
    except ValidationError as error:
        raise ApiError("request.invalid", details={"fields": error.messages}) from None


def _load_form(schema):
    if request.mimetype != "multipart/form-data":
        raise ApiError("request.unsupported_media_type", "请以 multipart/form-data 提交（字段与文件）")
    data = {**request.form.to_dict(flat=True), **request.files.to_dict(flat=True)}
    check_shape(request.form.to_dict(flat=True))
    try:
        return schema.load(data)
    except ValidationError as error:
        raise ApiError("request.invalid", details={"fields": error.messages}) from None


__all__ = ["ApiSchema", "QuerySchema", "PageQuery", "Moment", "Day", "page_of", "paginate",
           "endpoint", "PUBLIC", "check_shape"]
