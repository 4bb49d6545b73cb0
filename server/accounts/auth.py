"""Who is calling: bearer tokens for the API, the signed session for the desk's pages."""
from datetime import timedelta

from flask import session
from sqlalchemy import select

from server.accounts.models import ApiToken, User
from server.accounts.operations import find_active_token
from server.db_types import utcnow
from server.errors import ApiError
from server.extensions import db
from server.touches import touch

SESSION_USER_KEY = "user_id"
LAST_USED_RESOLUTION = timedelta(minutes=5)


def active_token_from_header(authorization: str | None) -> ApiToken:
    if not authorization:
        raise ApiError("auth.required")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError("auth.token_invalid", "请使用 Authorization: Bearer <令牌> 方式登录")
    row = find_active_token(token.strip())
    if row is None:
        raise ApiError("auth.token_invalid")
    return row


def user_from_bearer_token(authorization: str | None) -> User:
    row = active_token_from_header(authorization)
    if not row.user.active:
        raise ApiError("auth.inactive")
    now = utcnow()
    # Noted at most every few minutes, and written after the request (server/touches.py): a
    # request that reads stays a reader.
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        touch(ApiToken, row.id, last_used_at=now)
    return row.user


def user_from_session() -> User | None:
    user_id = session.get(SESSION_USER_KEY)
    if user_id is None:
        return None
    user = db.session.scalar(select(User).where(User.id == user_id))
    return user if user is not None and user.active else None


def start_session(user: User) -> None:
    session.clear()
    session[SESSION_USER_KEY] = user.id
    session.permanent = True


def end_session() -> None:
    session.clear()
