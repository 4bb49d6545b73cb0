"""flask users …: create accounts, list them, unlock, revoke their tokens."""
import click
from flask.cli import with_appcontext
from sqlalchemy import select

from server.accounts.models import Agency, ApiToken, Role, User
from server.accounts.auth import end_all_sessions
from server.accounts.operations import create_user
from server.buildings.models import Community, County, PropertyCompany
from server.db_types import utcnow
from server.errors import ApiError
from server.extensions import db

users_cli = click.Group("users", help="账号管理：创建、列出、解锁、吊销令牌。")


def _one(model, name, what):
    found = db.session.scalar(select(model).where(model.name == name))
    if found is None:
        raise click.ClickException(f"找不到{what}：{name}")
    return found


@users_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--name", "display_name", required=True, help="姓名或单位名")
@click.option("--county", "county_code", help="县（区）代码；只有一个县时可省略")
@click.option("--community", "communities", multiple=True, help="社区管理员负责的社区名，可多次给出")
@click.option("--company", help="物业公司账号所属的物业公司名")
@click.option("--agency", help="专业机构账号所属的机构名")
@click.password_option(help="至少 8 位")
@with_appcontext
def create(username, role, display_name, county_code, communities, company, agency, password):
    """Create an account."""
    counties = db.session.scalars(select(County)).all()
    county = next((c for c in counties if c.code == county_code), None) if county_code else (
        counties[0] if len(counties) == 1 else None)
    if county is None:
        raise click.ClickException("请用 --county 指定县（区）代码")
    try:
        user = create_user(
            username=username, password=password, display_name=display_name, role=Role(role),
            county=county, communities=[_one(Community, c, "社区") for c in communities],
            property_company=_one(PropertyCompany, company, "物业公司") if company else None,
            agency=_one(Agency, agency, "专业机构") if agency else None)
    except ApiError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"已创建账号 {user.username}（{user.role_label}）")


@users_cli.command("list")
@with_appcontext
def list_users():
    """List accounts with their role and scope."""
    for user in db.session.scalars(select(User).order_by(User.role, User.username)):
        scope = "、".join(c.name for c in user.communities) or (
            user.property_company.name if user.property_company else "") or (
            user.agency.name if user.agency else "全县")
        state = "" if user.active else "（已停用）"
        click.echo(f"{user.username}\t{user.role_label}\t{user.display_name}\t{scope}{state}")


@users_cli.command("unlock")
@click.argument("username")
@with_appcontext
def unlock(username):
    """Clear an account's failed-login lock."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"找不到账号 {username}")
    user.failed_logins, user.locked_until = 0, None
    db.session.commit()
    click.echo(f"已解锁 {username}")


@users_cli.command("revoke-tokens")
@click.argument("username")
@with_appcontext
def revoke_tokens(username):
    """Revoke every API token of an account (a lost phone)."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"找不到账号 {username}")
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                       ApiToken.revoked_at.is_(None))).all()
    for token in tokens:
        token.revoked_at = utcnow()
    end_all_sessions(user)
    db.session.commit()
    click.echo(f"已吊销 {username} 的 {len(tokens)} 个令牌，并结束其全部工作台会话")
