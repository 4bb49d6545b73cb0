from marshmallow import ValidationError, fields, validate, validates_schema

from server.accounts.administration import scope_names
from server.accounts.devices import devices_of
from server.accounts.models import Role
from server.accounts.passwords import MIN_PASSWORD_LENGTH
from server.db_types import utcnow
from server.endpoints import ApiSchema


class NamedRefSchema(ApiSchema):
    id = fields.Integer(dump_only=True)
    name = fields.String(dump_only=True)


class UserSchema(ApiSchema):
    id = fields.Integer(dump_only=True)
    username = fields.String(dump_only=True)
    display_name = fields.String(dump_only=True)
    role = fields.String(dump_only=True)
    role_label = fields.String(dump_only=True)
    communities = fields.List(fields.Nested(NamedRefSchema), dump_only=True)
    property_company = fields.Nested(NamedRefSchema, dump_only=True, allow_none=True)
    agency = fields.Nested(NamedRefSchema, dump_only=True, allow_none=True)


class TokenExchangeSchema(ApiSchema):
    """POST /api/auth/token: a username and password in, a bearer token out."""

    username = fields.String(required=True, load_only=True, validate=validate.Length(1, 40),
                             error_messages={"required": "请输入用户名"})
    password = fields.String(required=True, load_only=True, validate=validate.Length(1, 200),
                             error_messages={"required": "请输入密码"})
    label = fields.String(load_only=True, validate=validate.Length(max=60),
                          metadata={"description": "设备名称，便于日后吊销"})
    token = fields.String(dump_only=True)
    expires_at = fields.DateTime(dump_only=True)
    user = fields.Nested(UserSchema, dump_only=True)


class PasswordChangeSchema(TokenExchangeSchema):
    """POST /api/auth/password (and the desk's 设置新密码): the account's current password (a
    one-time one, say) and a new one in, a bearer token out, as from /api/auth/token."""

    new_password = fields.String(required=True, load_only=True,
                                 validate=validate.Length(MIN_PASSWORD_LENGTH, 200, error=(
                                     f"新密码至少 {MIN_PASSWORD_LENGTH} 位")),
                                 error_messages={"required": "请输入新密码"})
    new_password_again = fields.String(load_only=True, validate=validate.Length(max=200),
                                       metadata={"description": "再次输入新密码（工作台表单）"})

    @validates_schema
    def typed_twice_alike(self, data, **kwargs):
        again = data.get("new_password_again")
        if again is not None and again != data.get("new_password"):
            raise ValidationError("两次输入的新密码不一致", "new_password_again")


ROLE_CHOICES = validate.OneOf([r.value for r in Role], error="角色取值无效")


class DeviceSchema(ApiSchema):
    id = fields.String(dump_only=True, metadata={"description": "设备编号（用于吊销；页面显示名称）"})
    label = fields.String(dump_only=True, metadata={"description": "设备名称，如“安卓手机 · Chrome 131”"})
    app_version = fields.String(dump_only=True, allow_none=True)
    first_seen_at = fields.DateTime(dump_only=True, allow_none=True)
    last_push_at = fields.DateTime(dump_only=True, allow_none=True)
    last_pull_at = fields.DateTime(dump_only=True, allow_none=True)
    signed_in = fields.Boolean(dump_only=True)


class AccountSchema(UserSchema):
    """An account as its administrator reads and changes it (PATCH: any of the writable fields).
    Scope by id: community_ids for 社区管理员, property_company_id for 物业公司, agency_id for
    专业机构; reviewers and administrators see the county."""

    display_name = fields.String(validate=validate.Length(1, 60, error="姓名为 1—60 个字"))
    role = fields.String(validate=ROLE_CHOICES)
    community_ids = fields.List(fields.Integer(validate=validate.Range(min=1)), load_only=True,
                                validate=validate.Length(max=50))
    property_company_id = fields.Integer(load_only=True, allow_none=True,
                                         validate=validate.Range(min=1))
    agency_id = fields.Integer(load_only=True, allow_none=True, validate=validate.Range(min=1))
    active = fields.Boolean()
    scope = fields.Function(scope_names, dump_only=True)
    locked = fields.Function(lambda u: u.locked_until is not None and u.locked_until > utcnow(),
                             dump_only=True)
    password_must_change = fields.Boolean(dump_only=True)
    password_expires_at = fields.DateTime(dump_only=True, allow_none=True)
    last_login_at = fields.DateTime(dump_only=True, allow_none=True)
    devices = fields.Function(lambda u: DeviceSchema(many=True).dump(devices_of(u)),
                              dump_only=True)


class AccountCreateSchema(AccountSchema):
    """POST /api/accounts: a new account; the server makes its one-time password."""

    username = fields.String(required=True, validate=[
        validate.Length(2, 40, error="用户名为 2—40 个字符"),
        validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
                        error="用户名只用字母、数字和 . _ -，以字母或数字开头")])
    display_name = fields.String(required=True, validate=validate.Length(1, 60, error="姓名为 1—60 个字"))
    role = fields.String(required=True, validate=ROLE_CHOICES)
    active = fields.Boolean(dump_only=True)


class OneTimePasswordSchema(ApiSchema):
    """A one-time password, shown once to the administrator who made it."""

    account = fields.Function(lambda o: AccountSchema().dump(o.user), dump_only=True)
    one_time_password = fields.String(attribute="password", dump_only=True)
    expires_at = fields.DateTime(dump_only=True)


class DeviceRevokeSchema(ApiSchema):
    device = fields.String(required=True, validate=validate.Length(1, 36),
                           error_messages={"required": "请选择设备"})


class NoFieldsSchema(ApiSchema):
    """A desk button's form: nothing but its CSRF token."""
