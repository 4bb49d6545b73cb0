"""flask demo …"""
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from server.demo.county import DEFAULT_SEED, plan_county
from server.catalog import form_registry
from server.demo.seed import (
    DEMO_SYSTEM,
    SeedSummary,
    delete_everything,
    existing_county_name,
    seed_demo_county,
)
from server.demo.surveys import SurveySummary, seed_demo_surveys
from server.extensions import db

demo_cli = click.Group("demo", help="演示数据：生成一个演示县。")


@demo_cli.command("create")
@click.option("--if-empty", is_flag=True,
              help="数据库里已有县时什么也不做，保留现有数据（快速开始可重复运行）")
@click.option("--reset", is_flag=True, help="先删除数据库中的全部数据，再生成演示县")
@click.option("--yes", is_flag=True, help="与 --reset 同用：不再询问确认")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True,
              help="随机种子：同一种子生成同样的演示县")
@click.option("--no-surveys", is_flag=True,
              help="只生成楼栋和账号，不生成调查表、问题、照片和审核记录")
@click.option("--system", default=DEMO_SYSTEM, show_default=True,
              help="指标体系（forms/ 下的目录名）：演示轮次的代码和年份与之相同，如 2025")
@with_appcontext
def create(if_empty, reset, yes, seed, no_surveys, system):
    """Create the demo county 夏县 · 瑶峰镇 with its buildings, survey round and accounts."""
    if if_empty and reset:
        raise click.UsageError("--if-empty 与 --reset 不能同时使用")
    if system not in form_registry().systems:
        raise click.UsageError(f"forms/ 下没有指标体系 {system}（有 "
                               f"{'、'.join(sorted(form_registry().systems))}）")
    existing = existing_county_name()
    if existing is not None:
        if if_empty:
            click.echo(f"数据库中已有数据（{existing}），保留现有数据，未生成演示县。")
            return
        if not reset:
            raise click.ClickException(
                f"数据库中已有数据（{existing}）。只在空库时生成请加 --if-empty；"
                "删除全部数据后重建演示县请加 --reset。")
    if reset:
        if not yes:
            click.confirm("将删除数据库中的全部数据（含账号、调查记录和审计日志），确定继续吗？",
                          abort=True)
        delete_everything()
    started = time.monotonic()
    plan = plan_county(seed)
    summary = seed_demo_county(plan, system)
    surveys = None if no_surveys else seed_demo_surveys(plan, seed, summary.round_code)
    db.session.commit()
    _echo_summary(summary, surveys, seed, time.monotonic() - started)


def _echo_summary(summary: SeedSummary, surveys: SurveySummary | None, seed: int,
                  seconds: float) -> None:
    click.echo(f"已生成演示县：{summary.county} · {summary.town}（种子 {seed}，用时 {seconds:.1f} 秒）")
    click.echo(f"  社区 {summary.communities} 个，小区 {summary.estates} 个"
               f"（其中零星楼栋临时小区 {summary.temporary_estates} 个），楼栋 {summary.buildings} 栋")
    click.echo(f"  指标1（结构安全隐患）初筛命中 {summary.prescreened} 栋")
    click.echo(f"  物业公司 {summary.property_companies} 家，专业机构 {summary.agencies} 家，"
               f"体检轮次 {summary.round_code}")
    if surveys is not None:
        click.echo(f"  调查表 {surveys.submissions} 份，问题 {sum(surveys.findings.values())} 个"
                   f"（{surveys.findings_line()}），照片 {surveys.photos} 张"
                   f"（其中 {surveys.day_off_photos} 张 EXIF 时间与手机记录相差一天），"
                   f"专业机构鉴定 {surveys.appraisals} 份")
    click.echo("演示账号：")
    width = max(len(account.username) for account in summary.accounts)
    for account in summary.accounts:
        click.echo(f"  {account.username.ljust(width)}  密码 {account.password}  "
                   f"{account.role_label}：{account.display_name}")
    click.echo(f"打开 http://127.0.0.1:{current_app.config['PORT']}/desk/ 用以上账号登录。")
