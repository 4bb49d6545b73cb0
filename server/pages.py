"""The one way a desk page is written, as `@endpoint` is for the API: sign-in → role → query and
form loaded through the API's own schemas → the handler → one commit (or rollback).

    @blueprint.post("/review/findings/<finding_uuid>/decision")
    @page(roles=lifecycle.DECIDING_ROLES, form=DecisionSchema, writes=True, refused=show_again)
    def decide(finding_uuid, form): ...

A refused request (an ApiError from the handler) is rolled back; `refused(error, **path_args)`
(and `query=` when the query string loaded) then answers it (e.g. the same page with the reason
shown), or the error page does.
An empty field of a page's form or query string means "not given", as a browser sends it.
"""
import functools

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from marshmallow import Schema, ValidationError, fields

from server.accounts.auth import user_from_session
from server.audit.operations import describe_details
from server.catalog import indicator_shown
from server.db_sqlite import declare_writes
from server.db_types import utcnow
from server.endpoints import check_shape
from server.errors import ApiError
from server.extensions import db
from sync import counting, lifecycle
from sync.china_time import CHINA_TIME, china_today

SIGNED_IN = None  # roles=SIGNED_IN: any signed-in account
PUBLIC = "public"  # roles=PUBLIC: no sign-in (the sign-in page itself)
NOT_A_FIELD = ("csrf_token",)  # posted by every desk form, checked by CSRFProtect

FIELD_LABELS = {"community": "社区", "estate": "小区", "indicator": "指标", "submitter": "提交人",
                "date_from": "开始日期", "date_to": "结束日期", "status": "状态", "page": "页码",
                "level": "汇总层级", "id": "编号", "format": "格式", "round": "轮次",
                "counts": "是否计入", "include_pending": "含待审核",
                "disagreeing": "与鉴定结论不一致", "problem_class": "问题分类", "state": "类别",
                "responsible_unit": "整改责任单位", "reason": "原因", "deadline": "整改完成时限",
                "decision": "审核结论", "version": "版本", "finding": "问题", "size": "尺寸",
                "username": "用户名", "password": "密码", "document": "鉴定报告",
                "building_id": "楼栋", "appraised_on": "鉴定日期", "conclusion": "鉴定结论",
                "grade": "等级", "uuid": "编号", "kind": "小区类型", "built_from": "建成年代（起）",
                "built_to": "建成年代（止）", "land_area": "占地面积", "floor_area": "建筑面积",
                "households": "户数", "population": "常住人口", "area": "面积",
                "property_company_id": "物业公司", "contact_name": "联系人",
                "contact_phone": "联系电话",
                "display_name": "姓名", "role": "角色", "community_ids": "负责社区",
                "agency_id": "专业机构", "active": "启用", "device": "设备",
                "new_password": "新密码", "new_password_again": "再次输入的新密码",
                "actor": "操作人", "action": "操作", "target": "对象"}
MESSAGES = {"Not a valid integer.": "应为整数", "Not a valid date.": "应为日期（年-月-日）",
            "Unknown field.": "不认识的参数", "Missing data for required field.": "必填",
            "Not a valid string.": "应为文字", "Not a valid boolean.": "应为是或否"}


def page(*, roles, writes: bool, query: type[Schema] | None = None,
         form: type[Schema] | None = None, refused=None):
    """`roles`: SIGNED_IN, PUBLIC or a collection of accounts.Role values. `writes`: whether the
    page's transaction writes (SQLite then takes its write lock up front)."""
    query_schema = query() if query is not None else None
    form_schema = form() if form is not None else None

    def decorate(handler):
        @functools.wraps(handler)
        def view(**path_args):
            declare_writes(writes)
            if roles != PUBLIC:
                g.user = user_from_session()
                if g.user is None:
                    return redirect(url_for("account_pages.login_form", next=request.full_path))
                if roles is not SIGNED_IN and g.user.role not in roles:
                    raise ApiError("auth.forbidden")
            kwargs = dict(path_args)
            try:
                if query_schema is not None:
                    kwargs["query"] = load(query_schema, request.args, "request.bad_parameter",
                                           "查询条件有误")
                if form_schema is not None:
                    kwargs["form"] = load(form_schema, _posted(form_schema), "request.invalid",
                                          "请修改后重新提交")
                response = handler(**kwargs)
            except ApiError as error:
                db.session.rollback()
                if refused is None:
                    raise
                # the refusal sees what the handler saw, but the refused form
                return refused(error, **{k: v for k, v in kwargs.items() if k != "form"})
            if writes:
                db.session.commit()
            # A reading page leaves its transaction open: a streamed download still reads
            # through it (a commit would close its server-side cursor on PostgreSQL); the
            # session's teardown ends it.
            return response

        view.page_writes = writes
        return view

    return decorate


def load(schema: Schema, data, code: str, lead: str) -> dict:
    """A page's query string or form through its schema; every problem named in Chinese."""
    given = {k: v for k, v in data.items() if v not in ("", None, [])}
    check_shape({k: v for k, v in given.items() if isinstance(v, str | list)}, code)
    try:
        return schema.load(given)
    except ValidationError as error:
        problems = "；".join(f"{FIELD_LABELS.get(name, name)}：{_first(messages)}"
                             for name, messages in error.messages.items())
        raise ApiError(code, f"{lead}——{problems}", details={"fields": error.messages}) from None


def _posted(schema: Schema) -> dict:
    """The posted form and files, as the schema's fields take them: a list field gets every
    value of its name, any other field the one value."""
    data = {}
    for name in (*request.form.keys(), *request.files.keys()):
        if name in NOT_A_FIELD:
            continue
        if isinstance(schema.fields.get(name), fields.List):
            data[name] = request.form.getlist(name)
        else:
            data[name] = request.files.get(name) or request.form.get(name)
    return data


def page_blueprint(name: str, import_name: str, **options) -> Blueprint:
    """A blueprint of desk pages: errors raised in them render as a desk page, not as JSON."""
    blueprint = Blueprint(name, import_name, **options)

    @blueprint.errorhandler(ApiError)
    def show_error(error: ApiError):
        db.session.rollback()
        return render_template("desk/error.html", error=error), error.status

    @blueprint.errorhandler(CSRFError)
    def show_csrf_error(_error):
        db.session.rollback()
        error = ApiError("request.malformed", "页面已过期（安全令牌无效），请刷新页面后重试")
        return render_template("desk/error.html", error=error), error.status

    return blueprint


def register_template_helpers(app) -> None:
    """What every desk template may use: the lifecycle (what a status allows), the counting
    rule's words, China's time, a place, a finding's days overdue, the survey page a finding
    came from."""
    app.jinja_env.globals["lifecycle"] = lifecycle
    app.jinja_env.globals["state_labels"] = counting.STATES
    app.jinja_env.globals["overdue_days"] = overdue_days
    app.jinja_env.globals["submission_url"] = submission_url
    app.jinja_env.globals["indicator_of"] = indicator_of
    app.jinja_env.globals["now_utc"] = utcnow
    app.jinja_env.globals["audit_details"] = describe_details
    app.jinja_env.filters["china_time"] = china_time
    app.jinja_env.filters["place"] = place


def overdue_days(finding) -> int:
    """Days the finding is past its deadline, 0 if it is not overdue (China's today)."""
    return lifecycle.days_overdue(finding.status, finding.deadline, china_today())


def indicator_of(finding, viewed_round=None):
    """A finding's indicator as the viewed round names it (catalog.indicator_shown)."""
    viewed = viewed_round or finding.round
    return indicator_shown(finding.round.system, finding.indicator, viewed.system)


def submission_url(finding) -> str | None:
    """The desk page of the survey a finding came from; None for one reported on its own."""
    if finding.submission is None:
        return None
    return url_for("survey_pages.submission", submission_uuid=finding.submission.uuid)


def china_time(moment) -> str:
    return moment.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def place(latitude, longitude) -> str:
    if latitude is None or longitude is None:
        return "—"
    return f"{abs(latitude):.5f}°{'N' if latitude >= 0 else 'S'}, " \
           f"{abs(longitude):.5f}°{'E' if longitude >= 0 else 'W'}"


def _first(messages) -> str:
    if isinstance(messages, dict):
        return _first(next(iter(messages.values())))
    if isinstance(messages, list):
        return _first(messages[0]) if messages else ""
    text = str(messages)
    if text.startswith("Must be one of"):
        return "取值无效"
    if text.startswith(("Must be greater", "Must be less")):
        return "数值超出范围"
    if text.startswith("Longer than maximum length"):
        return "内容过长"
    return MESSAGES.get(text, text)
