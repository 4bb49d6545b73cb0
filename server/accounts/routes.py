from flask import Blueprint, current_app, g, request

from server.accounts.auth import active_token_from_header
from server.accounts.models import Role
from server.accounts.operations import (LoginPolicy, attempt_login, change_password,
                                       issue_token, revoke_token)
from server.accounts.schemas import PasswordChangeSchema, TokenExchangeSchema, UserSchema
from server.endpoints import PUBLIC, endpoint
from server.extensions import db

blueprint = Blueprint("accounts_api", __name__, url_prefix="/api")
ALL_ROLES = tuple(Role)


def login_policy() -> LoginPolicy:
    return LoginPolicy(current_app.config["LOGIN_MAX_FAILURES"], current_app.config["LOGIN_LOCKOUT"])


@blueprint.post("/auth/token")
@endpoint(summary="用户名和密码换取访问令牌", tags=["accounts"], roles=PUBLIC, writes=True,
          body=TokenExchangeSchema, response=TokenExchangeSchema, status=201,
          errors=["auth.invalid_credentials", "auth.locked", "auth.inactive",
                  "auth.password_change_required", "auth.password_expired"])
def exchange_token(body):
    outcome = attempt_login(body["username"], body["password"], login_policy())
    if outcome.error is not None:
        db.session.commit()  # keep the failure count: the error handler rolls back otherwise
        raise outcome.error
    token, row = issue_token(outcome.user, current_app.config["API_TOKEN_LIFETIME"],
                             body.get("label"))
    return {"token": token, "expires_at": row.expires_at, "user": outcome.user}


@blueprint.post("/auth/password")
@endpoint(summary="设置新密码（临时密码登录后须先设置），换取访问令牌", tags=["accounts"],
          roles=PUBLIC, writes=True, body=PasswordChangeSchema, response=PasswordChangeSchema,
          status=201, errors=["auth.invalid_credentials", "auth.locked", "auth.inactive",
                              "auth.password_expired", "request.invalid"])
def set_new_password(body):
    user = signed_in_for_password_change(body)
    token, row = issue_token(user, current_app.config["API_TOKEN_LIFETIME"], body.get("label"))
    return {"token": token, "expires_at": row.expires_at, "user": user}


def signed_in_for_password_change(form: dict):
    """The account whose current password (a one-time one, say) `form` gives, now with the new
    one. A wrong password counts as a failed sign-in, kept even though the request fails."""
    outcome = attempt_login(form["username"], form["password"], login_policy(),
                            changing_password=True)
    if outcome.error is not None:
        db.session.commit()  # keep the failure count: the error handler rolls back otherwise
        raise outcome.error
    change_password(outcome.user, form["password"], form["new_password"])
    return outcome.user


@blueprint.delete("/auth/token")
@endpoint(summary="吊销当前访问令牌（退出登录）", tags=["accounts"], roles=ALL_ROLES, writes=True,
          status=204)
def revoke_current_token():
    revoke_token(active_token_from_header(request.headers.get("Authorization")))
    return ""


@blueprint.get("/me")
@endpoint(summary="当前用户及其负责范围", tags=["accounts"], roles=ALL_ROLES, writes=False,
          response=UserSchema)
def who_am_i():
    return g.user
