"""The desk's account administration (administrators): the county's accounts, a new account with
its one-time password, role and scope, one-time password resets, unlocking, disabling, and each
account's devices. The same operations and schemas as the API (admin_routes.py)."""
from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from server.accounts import administration
from server.accounts.admin_routes import ADMINS, one_time_lifetime
from server.accounts.devices import devices_of
from server.accounts.models import ROLE_LABELS, Agency, Role, User
from server.accounts.schemas import (AccountCreateSchema, AccountSchema, DeviceRevokeSchema,
                                     NoFieldsSchema)
from server.audit.models import AuditEntry
from server.audit.operations import ACTION_LABELS, audit_entries
from server.buildings.models import Community, PropertyCompany, Town
from server.extensions import db
from server.pages import page, page_blueprint

blueprint = page_blueprint("account_admin_pages", __name__, url_prefix="/desk/accounts")
RECENT_ENTRIES = 20


@blueprint.get("")
@page(roles=ADMINS, writes=False)
def index():
    return render_template("desk/accounts.html", accounts=administration.accounts_of(g.user))


@blueprint.get("/new")
@page(roles=ADMINS, writes=False)
def new():
    return _new_page({})


def _new_again(error, **_path):
    flash(error.message, "error")
    return _new_page(request.form, error.status)


def _new_page(values, status: int = 200):
    return render_template("desk/account_new.html", values=values, **_choices()), status


@blueprint.post("/new")
@page(roles=ADMINS, form=AccountCreateSchema, writes=True, refused=_new_again)
def create(form):
    issued = administration.create_account(g.user, form, one_time_lifetime())
    return render_template("desk/account_password.html", issued=issued, created=True)


@blueprint.get("/<int:user_id>")
@page(roles=ADMINS, writes=False)
def account(user_id):
    return _account_page(administration.account_of(g.user, user_id))


def _account_again(error, user_id, **_path):
    flash(error.message, "error")
    return _account_page(administration.account_of(g.user, user_id), error.status)


def _account_page(user, status: int = 200):
    recent = db.session.scalars(audit_entries(g.user.county_id, {"target": str(user.id)})
                                .where(AuditEntry.entity.in_(("user", "device")))
                                .limit(RECENT_ENTRIES)).all()
    names = dict(db.session.execute(select(User.id, User.display_name)
                                    .where(User.county_id == g.user.county_id)).all())
    return render_template("desk/account.html", account=user, devices=devices_of(user),
                           recent=recent, action_labels=ACTION_LABELS, names=names,
                           scope=administration.scope_names(user), **_choices()), status


@blueprint.post("/<int:user_id>")
@page(roles=ADMINS, form=AccountSchema, writes=True, refused=_account_again)
def update(user_id, form):
    user = administration.account_of(g.user, user_id)
    administration.update_account(g.user, user, form)
    flash(f"已保存：{user.display_name}（{user.role_label}，{administration.scope_names(user)}"
          f"{'' if user.active else '，已停用'}）", "success")
    return redirect(url_for(".account", user_id=user.id))


@blueprint.post("/<int:user_id>/password-reset")
@page(roles=ADMINS, form=NoFieldsSchema, writes=True, refused=_account_again)
def reset_password(user_id, form):
    issued = administration.reset_password(g.user, administration.account_of(g.user, user_id),
                                           one_time_lifetime())
    return render_template("desk/account_password.html", issued=issued, created=False)


@blueprint.post("/<int:user_id>/unlock")
@page(roles=ADMINS, form=NoFieldsSchema, writes=True, refused=_account_again)
def unlock(user_id, form):
    user = administration.account_of(g.user, user_id)
    administration.unlock(g.user, user)
    flash(f"已解除 {user.display_name} 的登录锁定", "success")
    return redirect(url_for(".account", user_id=user.id))


@blueprint.post("/<int:user_id>/devices/revoke")
@page(roles=ADMINS, form=DeviceRevokeSchema, writes=True, refused=_account_again)
def revoke_device(user_id, form):
    user = administration.account_of(g.user, user_id)
    device = administration.revoke_device(g.user, user, form["device"])
    label = next((d.label for d in devices_of(user) if d.id == device.id), "该设备")
    flash(f"已吊销 {user.display_name} 的设备“{label}”的登录；该设备须重新登录", "success")
    return redirect(url_for(".account", user_id=user.id))


def _choices() -> dict:
    """What an administrator may hand out: the roles, and their county's communities (by town),
    property companies and agencies."""
    county_id = g.user.county_id
    return {
        "roles": [(role.value, ROLE_LABELS[role]) for role in Role],
        "communities": db.session.execute(
            select(Community.id, Community.name, Town.name.label("town")).join(Town)
            .where(Town.county_id == county_id).order_by(Town.name, Community.name)).all(),
        "companies": db.session.execute(
            select(PropertyCompany.id, PropertyCompany.name)
            .where(PropertyCompany.county_id == county_id).order_by(PropertyCompany.name)).all(),
        "agencies": db.session.execute(
            select(Agency.id, Agency.name).where(Agency.county_id == county_id)
            .order_by(Agency.name)).all(),
    }
