"""What every desk page shares: query strings checked by a schema, errors shown as pages."""
from flask import render_template
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError

from server.errors import ApiError
from server.extensions import db

FIELD_LABELS = {"community": "社区", "estate": "小区", "indicator": "指标", "submitter": "提交人",
                "date_from": "开始日期", "date_to": "结束日期", "status": "状态", "page": "页码",
                "level": "汇总层级", "id": "编号", "format": "格式", "round": "轮次",
                "counts": "是否计入", "include_pending": "含待审核",
                "disagreeing": "与鉴定结论不一致",
                "problem_class": "问题分类", "state": "类别", "responsible_unit": "责任单位"}


def load_query(schema_class, args) -> dict:
    """The query string through its schema; nonsense becomes a 400 that names each field."""
    try:
        return schema_class().load(args.to_dict(flat=True))
    except ValidationError as error:
        problems = "；".join(f"{FIELD_LABELS.get(name, name)}：{_first(messages)}"
                             for name, messages in error.messages.items())
        raise ApiError("request.bad_parameter", f"查询条件有误——{problems}",
                       details={"fields": error.messages}) from None


def register_page_errors(blueprint) -> None:
    """Errors raised in the blueprint's pages render as a desk page, not as API JSON."""
    @blueprint.errorhandler(ApiError)
    def show_error(error: ApiError):
        db.session.rollback()
        return render_template("desk/error.html", error=error), error.status

    @blueprint.errorhandler(CSRFError)
    def show_csrf_error(_error):
        db.session.rollback()
        error = ApiError("request.malformed", "页面已过期（安全令牌无效），请刷新页面后重试")
        return render_template("desk/error.html", error=error), error.status


def _first(messages) -> str:
    if isinstance(messages, dict):
        return _first(next(iter(messages.values())))
    if isinstance(messages, list):
        return _first(messages[0]) if messages else ""
    text = str(messages)
    return {"Not a valid integer.": "应为整数", "Not a valid date.": "应为日期（年-月-日）",
            "Unknown field.": "不认识的参数", "Must be one of": "取值无效"}.get(
        text, "取值无效" if text.startswith("Must be one of") else
        "数值超出范围" if text.startswith("Must be greater") else text)
