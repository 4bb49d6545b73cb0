"""The one error shape of the API and its catalogue of stable codes.

Every error leaves the server as
    {"error": {"code": "<stable code>", "message": "<Chinese, actionable>", "details": {...}}}
Domain code raises ApiError (or a domain exception mapped here); one set of handlers renders it.
"""
from flask import jsonify, request
from werkzeug.exceptions import HTTPException

from server.extensions import db

# code -> (HTTP status, default message). Codes are stable: clients switch on them.
CATALOGUE: dict[str, tuple[int, str]] = {
    "request.malformed": (400, "请求格式有误，请检查后重试"),
    "request.invalid": (422, "提交的数据未通过校验，请按提示修改"),
    "request.bad_parameter": (400, "查询参数有误"),
    "request.too_large": (413, "请求内容超过大小上限"),
    "request.unsupported_media_type": (415, "请求内容类型不受支持，请以 JSON 提交"),
    "auth.required": (401, "请先登录"),
    "auth.invalid_credentials": (401, "用户名或密码错误"),
    "auth.token_invalid": (401, "登录凭证无效或已过期，请重新登录"),
    "auth.locked": (429, "登录失败次数过多，账号已临时锁定，请稍后再试"),
    "auth.inactive": (403, "账号已停用，请联系管理员"),
    "auth.forbidden": (403, "您的角色无权执行此操作"),
    "auth.password_change_required": (403, "请先设置新密码：临时密码只能用来设置新密码"),
    "auth.password_expired": (401, "临时密码已过期，请联系管理员重新设置"),
    "account.last_admin": (409, "至少要保留一个启用的系统管理员，不能停用或改变最后一个"),
    "follow_up.closed": (409, "该评估事项已办结（已评估或已撤销），不能再指派"),
    "resource.not_found": (404, "找不到请求的对象"),
    "route.not_found": (404, "接口不存在"),
    "method.not_allowed": (405, "该接口不支持此请求方法"),
    "form.unknown": (404, "找不到该表单或表单版本"),
    "form.retired": (422, "该表单版本已停用，请更新应用后重新填写"),
    "round.unknown": (404, "找不到该体检轮次"),
    "sync.conflict": (409, "该操作编号已提交过不同内容"),
    "sync.batch_too_large": (422, "一次最多同步 100 条操作，请分批提交"),
    "finding.not_editable": (409, "该问题已审核，不能再修改"),
    "review.stale": (409, "该问题在您打开页面后已被修改，请刷新后重新审核"),
    "review.not_decidable": (409, "该问题当前状态不能作此审核"),
    "basics.stale": (409, "基本情况在您打开页面后已被修改，请刷新页面后重新填写"),
    "photo.hash_mismatch": (422, "照片内容与其 SHA-256 不符，可能传输损坏，请重新上传"),
    "photo.unsupported_type": (415, "只接受 JPEG、PNG 或 WebP 格式的照片"),
    "photo.too_large": (413, "照片超过大小上限"),
    "photo.too_many_pixels": (422, "照片像素过多或疑似解压炸弹，已拒收"),
    "photo.corrupt": (422, "照片文件已损坏或不完整，无法解码"),
    "photo.offset_mismatch": (409, "分片位置与服务器已收到的字节数不符，请从服务器告知的位置续传"),
    "appraisal.conflict": (409, "同一编号的鉴定报告已提交过不同内容"),
    "document.not_pdf": (415, "鉴定报告须为 PDF 文件"),
    "document.too_large": (413, "鉴定报告超过大小上限"),
    "document.empty": (400, "鉴定报告文件是空的，请重新选择文件"),
    "unit.in_use": (409, "仍有未销项的问题由该责任单位负责，不能删除"),
    "server.internal": (500, "服务器内部错误，请稍后重试"),
}


class ApiError(Exception):
    def __init__(self, code: str, message: str | None = None, details: dict | None = None):
        if code not in CATALOGUE:
            raise KeyError(f"error code {code!r} is not in the catalogue")
        self.code = code
        self.status = CATALOGUE[code][0]
        self.message = message or CATALOGUE[code][1]
        self.details = details or {}
        super().__init__(f"{code}: {self.message}")


def error_response(error: ApiError):
    body = {"error": {"code": error.code, "message": error.message, "details": error.details}}
    response = jsonify(body)
    response.status_code = error.status
    return response


_HTTP_CODES = {
    400: "request.malformed",
    404: "route.not_found",
    405: "method.not_allowed",
    413: "request.too_large",
    415: "request.unsupported_media_type",
}


def register_error_handlers(app) -> None:
    @app.errorhandler(ApiError)
    def handle_api_error(error: ApiError):
        db.session.rollback()
        return error_response(error)

    @app.errorhandler(HTTPException)
    def handle_http_exception(error: HTTPException):
        db.session.rollback()
        if not _wants_json():
            return error
        code = _HTTP_CODES.get(error.code or 500, "request.malformed")
        if error.code == 401:
            code = "auth.required"
        elif error.code == 403:
            code = "auth.forbidden"
        return error_response(ApiError(code))

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception):
        db.session.rollback()
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if not _wants_json():
            return "服务器内部错误", 500
        return error_response(ApiError("server.internal"))


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"
