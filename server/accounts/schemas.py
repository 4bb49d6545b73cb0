from marshmallow import fields, validate

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
