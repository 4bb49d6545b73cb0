"""Account administration by the county's administrators: accounts, their role and scope, one-time
passwords, locks, devices. No request objects here; every action goes to the audit log.

The scope rules are those that guard the API (server/accounts/scopes.py): a 社区管理员 sees the
communities given here, a 物业公司 its company's estates, a 专业机构 and the bureau the county. An
administrator hands out only what lies in their own county, and an account of another county is
answered as one that does not exist.
"""
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from server.accounts.auth import end_all_sessions
from server.accounts.devices import describe_user_agent
from server.accounts.models import ROLE_LABELS, Agency, ApiToken, Role, User
from server.accounts.operations import create_user
from server.accounts.passwords import hash_password
from server.accounts.scopes import not_found_or_not_yours
from server.audit.operations import record
from server.buildings.models import Community, PropertyCompany, Town
from server.db_types import utcnow
from server.errors import ApiError
from server.extensions import db
from server.syncing.models import Device
from sync.china_time import CHINA_TIME

# No 0/O, 1/l/I: read out over the phone or copied from a note without doubt.
ONE_TIME_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
ONE_TIME_LENGTH = 10


@dataclass(frozen=True)
class OneTimePassword:
    user: User
    password: str
    expires_at: datetime


@dataclass(frozen=True)
class Scope:
    role: Role
    communities: tuple = ()
    property_company: PropertyCompany | None = None
    agency: Agency | None = None

    def key(self) -> tuple:
        return (self.role.value, tuple(sorted(c.id for c in self.communities)),
                self.property_company.id if self.property_company else None,
                self.agency.id if self.agency else None)


def accounts_of(admin: User) -> list[User]:
    return db.session.scalars(select(User).where(User.county_id == admin.county_id)
                              .order_by(User.role, User.username)).all()


def account_of(admin: User, user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.county_id != admin.county_id:
        raise not_found_or_not_yours("该账号")
    return user


def create_account(admin: User, form: dict, lifetime: timedelta) -> OneTimePassword:
    """A new account with a one-time password, which it must replace at its first sign-in."""
    scope = resolve_scope(admin, Role(form["role"]), form.get("community_ids"),
                          form.get("property_company_id"), form.get("agency_id"))
    password = one_time_password()
    savepoint = db.session.begin_nested()
    try:
        user = create_user(username=form["username"], password=password,
                           display_name=form["display_name"], role=scope.role,
                           county=admin.county, communities=scope.communities,
                           property_company=scope.property_company, agency=scope.agency,
                           phone=form.get("phone"))
        savepoint.commit()
    except IntegrityError:  # the same username, committed a moment earlier by someone else
        savepoint.rollback()
        raise _username_taken(form["username"]) from None
    expires_at = _must_change(user, lifetime)
    record(admin, "account.created", "user", user.id, username=user.username,
           role=user.role_label, scope=scope_names(user))
    return OneTimePassword(user, password, expires_at)


def update_account(admin: User, user: User, changes: dict) -> User:
    """Name, role and scope, and whether the account is active. A change of what it may see
    raises its scope epoch: its devices drop what they hold at their next pull."""
    before = _scope_of(user)
    role = Role(changes.get("role", user.role))
    scope_given = any(k in changes for k in ("role", "community_ids", "property_company_id",
                                             "agency_id"))
    after = before
    if scope_given:
        after = resolve_scope(
            admin, role,
            changes.get("community_ids", [c.id for c in user.communities]),
            changes.get("property_company_id", user.property_company_id),
            changes.get("agency_id", user.agency_id))
    active = changes.get("active", user.active)
    if user.role == Role.ADMIN and user.active and (after.role != Role.ADMIN or not active):
        _keep_an_admin(user)
    if "display_name" in changes and changes["display_name"] != user.display_name:
        record(admin, "account.updated", "user", user.id,
               display_name=[user.display_name, changes["display_name"]])
        user.display_name = changes["display_name"]
    if after.key() != before.key():
        record(admin, "account.scope_changed", "user", user.id,
               before=f"{ROLE_LABELS[before.role]}：{_names(before)}",
               after=f"{ROLE_LABELS[after.role]}：{_names(after)}")
        user.role, user.communities = after.role.value, list(after.communities)
        user.property_company, user.agency = after.property_company, after.agency
        user.scope_epoch = (user.scope_epoch or 0) + 1
    if active != user.active:
        user.active = active
        if not active:
            end_all_sessions(user)
        record(admin, "account.enabled" if active else "account.disabled", "user", user.id)
    db.session.flush()
    return user


def reset_password(admin: User, user: User, lifetime: timedelta) -> OneTimePassword:
    """A one-time password in place of a forgotten one: the old one stops working, the lock is
    lifted, and the new one must be replaced at the next sign-in, within `lifetime`."""
    password = one_time_password()
    user.password_hash = hash_password(password)
    user.failed_logins, user.locked_until = 0, None
    expires_at = _must_change(user, lifetime)
    record(admin, "account.password_reset", "user", user.id,
           expires_at=expires_at.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M"))
    return OneTimePassword(user, password, expires_at)


def unlock(admin: User, user: User) -> None:
    user.failed_logins, user.locked_until = 0, None
    record(admin, "account.unlocked", "user", user.id)


def revoke_device(admin: User, user: User, device_id: str) -> Device:
    """Sign one phone out: the token it last used is revoked; the account's other devices and
    desk sessions go on."""
    device = db.session.get(Device, device_id)
    if device is None or device.user_id != user.id:
        raise not_found_or_not_yours("该设备")
    token = db.session.get(ApiToken, device.token_id) if device.token_id else None
    if token is not None and token.revoked_at is None:
        token.revoked_at = utcnow()
    record(admin, "device.revoked", "device", device.id, user=user.id,
           label=describe_user_agent(device.user_agent))
    return device


def resolve_scope(admin: User, role: Role, community_ids, company_id, agency_id) -> Scope:
    """What an account of `role` is to see, from ids the administrator gave: only what lies in
    the administrator's county (anything else is refused as unknown, naming nothing)."""
    if role == Role.WORKER:
        ids = sorted(set(community_ids or []))
        if not ids:
            raise _invalid("community_ids", "社区管理员至少要负责一个社区")
        found = db.session.scalars(
            select(Community).join(Town).where(Community.id.in_(ids),
                                               Town.county_id == admin.county_id)
            .order_by(Community.name)).all()
        if len(found) != len(ids):
            raise _invalid("community_ids", "找不到所选社区，或不在本县")
        return Scope(role, communities=tuple(found))
    if role == Role.PROPERTY:
        company = db.session.get(PropertyCompany, company_id) if company_id else None
        if company is None or company.county_id != admin.county_id:
            raise _invalid("property_company_id", "请选择本县的物业公司")
        return Scope(role, property_company=company)
    if role == Role.AGENCY:
        agency = db.session.get(Agency, agency_id) if agency_id else None
        if agency is None or agency.county_id != admin.county_id:
            raise _invalid("agency_id", "请选择本县的专业机构")
        return Scope(role, agency=agency)
    return Scope(role)  # reviewers and administrators: the whole county


def scope_names(user: User) -> str:
    """An account's scope as people say it: its communities, its company or agency, 全县."""
    return _names(_scope_of(user))


def one_time_password() -> str:
    return "".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(ONE_TIME_LENGTH))


def _names(scope: Scope) -> str:
    if scope.communities:
        return "、".join(c.name for c in scope.communities)
    if scope.property_company is not None:
        return scope.property_company.name
    if scope.agency is not None:
        return scope.agency.name
    return "全县"


def _scope_of(user: User) -> Scope:
    return Scope(Role(user.role), tuple(user.communities), user.property_company, user.agency)


def _must_change(user: User, lifetime: timedelta) -> datetime:
    user.password_must_change = True
    user.password_expires_at = utcnow() + lifetime
    return user.password_expires_at


def _keep_an_admin(user: User) -> None:
    others = db.session.scalar(select(func.count(User.id)).where(
        User.county_id == user.county_id, User.role == Role.ADMIN.value, User.active.is_(True),
        User.id != user.id))
    if not others:
        raise ApiError("account.last_admin")


def _invalid(field: str, message: str) -> ApiError:
    return ApiError("request.invalid", message, details={"fields": {field: [message]}})


def _username_taken(username: str) -> ApiError:
    return _invalid("username", f"用户名 {username} 已被使用")
