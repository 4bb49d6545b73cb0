"""The account administration API (administrators of a county): accounts, their scope, one-time
passwords, locks and devices. The desk's pages (admin_pages.py) call the same operations."""
from flask import Blueprint, current_app, g

from server.accounts import administration
from server.accounts.models import Role
from server.accounts.schemas import (AccountCreateSchema, AccountSchema, DeviceRevokeSchema,
                                     NoFieldsSchema, OneTimePasswordSchema)
from server.endpoints import endpoint

blueprint = Blueprint("account_admin_api", __name__, url_prefix="/api/accounts")
ADMINS = (Role.ADMIN,)
NOT_YOURS = ["resource.not_found", "auth.forbidden"]


def one_time_lifetime():
    return current_app.config["ONE_TIME_PASSWORD_LIFETIME"]


@blueprint.get("")
@endpoint(summary="本县的全部账号（角色、范围、状态、设备）", tags=["accounts"], roles=ADMINS,
          writes=False, response=AccountSchema, many=True)
def list_accounts():
    return administration.accounts_of(g.user)


@blueprint.post("")
@endpoint(summary="新建账号，回答一次性临时密码（首次登录须改）", tags=["accounts"], roles=ADMINS,
          writes=True, body=AccountCreateSchema, response=OneTimePasswordSchema, status=201,
          errors=["request.invalid", "auth.forbidden"])
def create_account(body):
    return administration.create_account(g.user, body, one_time_lifetime())


@blueprint.get("/<int:user_id>")
@endpoint(summary="一个账号（含设备及其最近同步）", tags=["accounts"], roles=ADMINS, writes=False,
          response=AccountSchema, errors=NOT_YOURS)
def get_account(user_id):
    return administration.account_of(g.user, user_id)


@blueprint.patch("/<int:user_id>")
@endpoint(summary="修改账号的姓名、角色、范围或停用/启用", tags=["accounts"], roles=ADMINS,
          writes=True, body=AccountSchema, response=AccountSchema,
          errors=[*NOT_YOURS, "request.invalid", "account.last_admin"])
def update_account(user_id, body):
    return administration.update_account(g.user, administration.account_of(g.user, user_id), body)


@blueprint.post("/<int:user_id>/password-reset")
@endpoint(summary="重置为一次性临时密码（并解锁）", tags=["accounts"], roles=ADMINS, writes=True,
          body=NoFieldsSchema, response=OneTimePasswordSchema, errors=NOT_YOURS)
def reset_password(user_id, body):
    return administration.reset_password(g.user, administration.account_of(g.user, user_id),
                                         one_time_lifetime())


@blueprint.post("/<int:user_id>/unlock")
@endpoint(summary="解除登录锁定", tags=["accounts"], roles=ADMINS, writes=True, body=NoFieldsSchema,
          response=AccountSchema, errors=NOT_YOURS)
def unlock(user_id, body):
    user = administration.account_of(g.user, user_id)
    administration.unlock(g.user, user)
    return user


@blueprint.post("/<int:user_id>/devices/revoke")
@endpoint(summary="吊销一台设备的登录（其令牌）", tags=["accounts"], roles=ADMINS, writes=True,
          body=DeviceRevokeSchema, response=AccountSchema, errors=NOT_YOURS)
def revoke_device(user_id, body):
    user = administration.account_of(g.user, user_id)
    administration.revoke_device(g.user, user, body["device"])
    return user
