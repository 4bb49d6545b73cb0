"""flask rounds … and flask forms …"""
import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from forms import FormDefinitionError, load_all
from server.extensions import db
from server.ledger.status_table import rebuild_statuses
from server.buildings.operations import refresh_every_prescreen
from server.catalog import current_structure_form, form_registry
from server.surveys.models import SurveyRound
from server.surveys import operations

rounds_cli = click.Group("rounds", help="体检轮次：开启新一轮、列出。")
forms_cli = click.Group("forms", help="调查表：校验表单文件、列出。")


@rounds_cli.command("open")
@click.argument("code")
@click.option("--system", help="指标体系代码（forms/ 下的目录名），默认与轮次代码相同")
@click.option("--title", help="名称，默认“<代码>年城市体检”")
@click.option("--not-current", is_flag=True, help="只登记，不设为当前轮次")
@with_appcontext
def open_round(code, system, title, not_current):
    """Open a survey round; the round that was current becomes its previous round."""
    system = system or code
    if system not in form_registry().systems:
        raise click.ClickException(f"forms/ 下没有指标体系 {system}")
    if db.session.scalar(select(SurveyRound).where(SurveyRound.code == code)):
        raise click.ClickException(f"轮次 {code} 已存在")
    operations.open_round(code, system, title, make_current=not not_current)
    db.session.commit()
    click.echo(f"已开启轮次 {code}（指标体系 {system}）")
    structure_form = current_structure_form()
    if not not_current and structure_form is not None:
        # The new round's structural form may screen otherwise (2025 adds cracks, grade C/D).
        tally = refresh_every_prescreen(structure_form)
        db.session.commit()
        click.echo(f"已按本轮结构安全调查表重新初筛 {tally.buildings} 栋：需优先排查 {tally.flagged} 栋，"
                   f"待核实 {tally.uncertain} 栋（结果有变化 {tally.changed} 栋）")


@rounds_cli.command("list")
@with_appcontext
def list_rounds():
    for survey_round in db.session.scalars(select(SurveyRound).order_by(SurveyRound.code)):
        mark = "  ← 当前" if survey_round.is_current else ""
        click.echo(f"{survey_round.code}\t{survey_round.system}\t{survey_round.title}{mark}")


@rounds_cli.command("rebuild-statuses")
@click.argument("code", required=False)
@with_appcontext
def rebuild_round_statuses(code):
    """Derive every building's indicator status again (after loading evidence with plain SQL)."""
    query = select(SurveyRound).where(SurveyRound.code == code if code
                                      else SurveyRound.is_current.is_(True))
    survey_round = db.session.scalar(query)
    if survey_round is None:
        raise click.ClickException(f"没有轮次 {code}" if code else "没有当前轮次")
    rebuild_statuses(db.session, survey_round.id)
    db.session.commit()
    click.echo(f"已重新推导轮次 {survey_round.code} 的楼栋指标状态")


@forms_cli.command("check")
@click.argument("directory", required=False)
@with_appcontext
def check(directory):
    """Validate every form file (default: the configured forms folder)."""
    try:
        registry = load_all(directory or current_app.config["LOUJIAN_FORMS_DIR"])
    except FormDefinitionError as error:
        raise click.ClickException(str(error)) from None
    for system in registry.systems:
        click.echo(f"指标体系 {system}：{len(registry.forms(system))} 张表，全部通过校验")


@forms_cli.command("list")
@with_appcontext
def list_forms():
    registry = form_registry()
    for system in registry.systems:
        for form in registry.forms(system):
            click.echo(f"{system}\t指标{form.indicator}\t{form.id}\tv{form.version}\t{form.title}")
