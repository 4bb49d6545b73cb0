"""Signing in, tokens and accounts. No request objects here: callers pass what they know."""
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from server.accounts.models import ApiToken, Role, User
from server.accounts.passwords import (MIN_PASSWORD_LENGTH, hash_password, new_token,
                                       password_matches, token_digest)
from server.audit.operations import record
from server.db_types import utcnow
from server.errors import ApiError
from server.extensions import db


@dataclass
class LoginPolicy:
    max_failures: int
    lockout: timedelta


@dataclass
class LoginOutcome:
    user: User | None
    error: ApiError | None


def attempt_login(username: str, password: str, policy: LoginPolicy,
                  now: datetime | None = None, *, changing_password: bool = False) -> LoginOutcome:
    """Check a password, counting failures; after `max_failures` in a row the account is
    locked for `lockout`, doubling with every further failure. The caller must persist the
    outcome even when it is a failure, or the counter would never rise.

    A one-time password opens nothing but the change of password (`changing_password`), and
    nothing at all once it has expired."""
    now = now or utcnow()
    user = db.session.scalar(select(User).where(User.username == username))
    if user is not None and user.locked_until is not None and user.locked_until > now:
        return LoginOutcome(None, _locked(user, now))
    if not password_matches(user.password_hash if user else None, password):
        if user is not None:
            user.failed_logins += 1
            excess = user.failed_logins - policy.max_failures
            if excess >= 0:
                user.locked_until = now + policy.lockout * (2 ** min(excess, 6))
                record(user, "login.locked", "user", user.id, failures=user.failed_logins)
                return LoginOutcome(None, _locked(user, now))
        return LoginOutcome(None, ApiError("auth.invalid_credentials"))
    if not user.active:
        return LoginOutcome(None, ApiError("auth.inactive"))
    if user.password_must_change:
        if user.password_expires_at is not None and user.password_expires_at <= now:
            return LoginOutcome(None, ApiError("auth.password_expired"))
        if not changing_password:
            return LoginOutcome(None, ApiError("auth.password_change_required"))
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return LoginOutcome(user, None)


def _locked(user: User, now: datetime) -> ApiError:
    seconds = int((user.locked_until - now).total_seconds()) + 1
    minutes = max(1, round(seconds / 60))
    return ApiError("auth.locked", f"登录失败次数过多，账号已临时锁定，请 {minutes} 分钟后再试",
                    details={"retry_after": seconds})


def issue_token(user: User, lifetime: timedelta, label: str | None = None) -> tuple[str, ApiToken]:
    token = new_token()
    row = ApiToken(user=user, token_hash=token_digest(token), label=label,
                   expires_at=utcnow() + lifetime)
    db.session.add(row)
    db.session.flush()
    return token, row


def find_active_token(token: str, now: datetime | None = None) -> ApiToken | None:
    now = now or utcnow()
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    return row


def revoke_token(row: ApiToken) -> None:
    row.revoked_at = utcnow()
    record(row.user, "token.revoked", "api_token", row.id)


def change_password(user: User, current: str, new: str) -> None:
    """The account's own new password (after a one-time one, or any time): never the one it
    replaces."""
    _check_password_length(new, "new_password")
    if new == current:
        raise ApiError("request.invalid", "新密码不能与原密码相同",
                       details={"fields": {"new_password": ["新密码不能与原密码相同"]}})
    user.password_hash = hash_password(new)
    user.password_must_change, user.password_expires_at = False, None
    record(user, "password.changed", "user", user.id)


def _check_password_length(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ApiError("request.invalid", f"密码至少 {MIN_PASSWORD_LENGTH} 位",
                       details={"fields": {field: ["密码太短"]}})


def create_user(*, username: str, password: str, display_name: str, role: Role, county,
                communities=(), property_company=None, agency=None, phone=None) -> User:
    _check_password_length(password)
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ApiError("request.invalid", f"用户名 {username} 已被使用",
                       details={"fields": {"username": ["用户名已存在"]}})
    if role == Role.PROPERTY and property_company is None:
        raise ApiError("request.invalid", "物业公司账号必须指定所属物业公司")
    if role == Role.AGENCY and agency is None:
        raise ApiError("request.invalid", "专业机构账号必须指定所属机构")
    user = User(username=username, password_hash=hash_password(password),
                display_name=display_name, role=role.value, county=county,
                communities=list(communities), property_company=property_company,
                agency=agency, phone=phone)
    db.session.add(user)
    db.session.flush()
    return user
