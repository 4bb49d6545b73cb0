"""Who is calling: bearer tokens for the API, the signed session for the desk's pages."""
from datetime import timedelta

from flask import g, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select

from server.accounts.models import ApiToken, User
from server.accounts.operations import find_active_token
from server.db_types import utcnow
from server.errors import ApiError
from server.extensions import db
from server.touches import touch

SESSION_USER_KEY = "user_id"
SESSION_EPOCH_KEY = "epoch"
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
    g.token_id = row.id  # the device this request names is signed in with it
    now = utcnow()
    # Noted at most every few minutes, and written after the request (server/touches.py): a
    # request that reads stays a reader.
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        touch(ApiToken, row.id, last_used_at=now)
    return row.user


class SessionCookieSecureOverHttps(SecureCookieSessionInterface):
    """The desk's session cookie is `Secure` whenever the request came over HTTPS: directly, or
    through a trusted proxy that said so (LOUJIAN_TRUSTED_PROXIES), so it never travels back
    over plain HTTP."""

    def get_cookie_secure(self, app) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def user_from_session() -> User | None:
    """The signed-in account, unless its session was ended on the server since."""
    user_id, epoch = session.get(SESSION_USER_KEY), session.get(SESSION_EPOCH_KEY)
    if user_id is None or epoch is None:
        return None
    user = db.session.scalar(select(User).where(User.id == user_id))
    if user is None or not user.active or user.session_epoch != epoch:
        return None
    return user


def start_session(user: User) -> None:
    session.clear()
    session[SESSION_USER_KEY] = user.id
    session[SESSION_EPOCH_KEY] = user.session_epoch
    session.permanent = True


def end_session(user: User | None) -> None:
    """Sign out: the cookie is cleared, and every session of the account ends on the server,
    so a copy of the cookie opens nothing."""
    session.clear()
    if user is not None:
        end_all_sessions(user)


def end_all_sessions(user: User) -> None:
    user.session_epoch = (user.session_epoch or 0) + 1
