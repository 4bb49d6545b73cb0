"""flask buildings …, flask estates …, flask communities …"""
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from server.buildings.basics_import import (COMMUNITIES, ESTATES, import_community_basics,
                                            import_estate_basics)
from server.buildings.importing import ImportFileError, load_mapping, parse_file, write_report
from server.buildings.models import County
from server.buildings.operations import refresh_every_prescreen
from server.buildings.upsert import import_buildings
from server.extensions import db
from server.catalog import current_structure_form

buildings_cli = click.Group("buildings", help="楼栋：从普查表或住建局名单导入。")
estates_cli = click.Group("estates", help="小区：导入街道报送的小区基本情况（类型、建成年代、面积、户数、人口、物业）。")
communities_cli = click.Group("communities", help="社区：导入社区基本情况（户数、人口、面积、联系人）。")
SHOWN_REJECTIONS = 10
# Options the import commands share.
FILE = click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
MAPPING = click.option("--mapping", default="auto", show_default=True,
                       help="列映射 JSON 文件的路径，或 auto（内置映射）")
COUNTY = click.option("--county", "county_code", help="县（区）行政区划代码；系统中有多个县时必填")
TOWN = click.option("--town", help="表中没有乡镇（街道）列或该列为空时使用的乡镇（街道）名称")
COMMUNITY = click.option("--community", help="表中没有社区列或该列为空时使用的社区名称")
SHEET = click.option("--sheet", help="Excel 工作表名称，默认第一个工作表")
REPORT = click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
                      help="把被拒绝的行及原因写入此 CSV（UTF-8 带 BOM，Excel 可直接打开）")
DRY_RUN = click.option("--dry-run", is_flag=True, help="只检查和统计，不写入数据库")


@buildings_cli.command("import")
@FILE
@click.option("--mapping", default="auto", show_default=True,
              help="列映射：census（自然灾害普查房屋调查表）、bureau（住建局楼栋名单）、"
                   "映射 JSON 文件路径，或 auto（按表头自动选择）")
@click.option("--county", "county_code", help="县（区）行政区划代码；表中没有县级代码且系统中有多个县时必填")
@TOWN
@COMMUNITY
@SHEET
@REPORT
@DRY_RUN
@with_appcontext
def import_command(file, mapping, county_code, town, community, sheet, report, dry_run):
    """从 CSV 或 XLSX 导入楼栋；再次导入按房屋编号（或小区+楼号）更新，不会重复。"""
    county = _county_by_code(county_code) if county_code else None
    parsed = _parsed(file, mapping, sheet, {"town": town, "community": community})
    try:
        result = import_buildings(parsed, structure_form=current_structure_form(),
                                  county=county, source=file.name)
    except ImportFileError as error:
        db.session.rollback()
        raise click.ClickException(f"文件 {file.name}：{error}") from None
    _keep_unless(dry_run)
    _echo_summary(file, parsed, result, dry_run)
    _write_report(report, parsed, result, result.noted)


@buildings_cli.command("prescreen")
@with_appcontext
def prescreen_command():
    """按当前轮次结构安全调查表的初筛规则，重新初筛全部楼栋（表单或指标体系变更后运行）。"""
    structure_form = current_structure_form()
    if structure_form is None:
        raise click.ClickException("当前轮次没有结构安全调查表，无法初筛")
    tally = refresh_every_prescreen(structure_form)
    db.session.commit()
    click.echo(f"已重新初筛 {tally.buildings} 栋：需优先排查 {tally.flagged} 栋，"
               f"待核实 {tally.uncertain} 栋；结果有变化 {tally.changed} 栋")


def _parsed(file, mapping: str, sheet, defaults: dict, kind=None):
    try:
        chosen = None if mapping == "auto" else load_mapping(mapping, kind)
        return parse_file(file, chosen, sheet=sheet, defaults=defaults, kind=kind)
    except ImportFileError as error:
        raise click.ClickException(f"文件 {file.name}：{error}") from None


def _keep_unless(dry_run: bool) -> None:
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()


def _write_report(report, parsed, result, noted=()) -> None:
    if report is not None:
        write_report(report, parsed.headers, result.rejected, noted)
        click.echo(f"被拒绝{'及需核实' if noted else ''}的行清单已写入 {report}")


def _echo_summary(file, parsed, result, dry_run) -> None:
    verb = "将" if dry_run else ""
    _echo_file(file, parsed)
    click.echo(f"{verb}新建 {result.created} 栋，{verb}更新 {result.updated} 栋，"
               f"未变 {result.unchanged} 栋，拒绝 {len(result.rejected)} 行；"
               f"其中 {result.prescreened} 栋经指标1初筛需优先排查"
               + (f"，{result.prescreen_uncertain} 栋初筛待核实（普查信息不足，如预制板情况不明）"
                  if result.prescreen_uncertain else ""))
    if result.noted:
        click.echo(f"{verb}导入但需核实的行（共 {len(result.noted)} 行）：")
        for row in result.noted[:SHOWN_REJECTIONS]:
            click.echo(f"  第 {row.row_number} 行：{'；'.join(row.notes)}")
    _echo_rejections(result, dry_run)


def _echo_file(file, parsed) -> None:
    sheet = f"（工作表“{parsed.sheet}”）" if parsed.sheet else ""
    click.echo(f"文件 {file.name}{sheet}：列映射“{parsed.mapping.title}”，表头在第 {parsed.header_row} 行")
    if parsed.unused_headers:
        click.echo(f"未导入的列：{'、'.join(parsed.unused_headers)}")


def _echo_rejections(result, dry_run) -> None:
    if result.rejected:
        shown = result.rejected[:SHOWN_REJECTIONS]
        more = f"（共 {len(result.rejected)} 行，以下为前 {len(shown)} 行）" if len(shown) < len(
            result.rejected) else ""
        click.echo(f"被拒绝的行{more}：")
        for rejection in shown:
            click.echo(f"  第 {rejection.row_number} 行：{'；'.join(rejection.reasons)}")
    if dry_run:
        click.echo("试运行：数据库未作任何改动")


# ---- basics of estates and communities -----------------------------------------------------

@estates_cli.command("import")
@FILE
@MAPPING
@COUNTY
@TOWN
@COMMUNITY
@SHEET
@REPORT
@DRY_RUN
@with_appcontext
def import_estates_command(file, mapping, county_code, town, community, sheet, report, dry_run):
    """按“社区 + 小区名称”更新已有小区的基本情况；系统中没有的小区逐行报告，不会新建。"""
    _import_basics(file, ESTATES, import_estate_basics, "个小区", mapping=mapping,
                   county_code=county_code, sheet=sheet, report=report, dry_run=dry_run,
                   defaults={"town": town, "community": community})


@communities_cli.command("import")
@FILE
@MAPPING
@COUNTY
@TOWN
@SHEET
@REPORT
@DRY_RUN
@with_appcontext
def import_communities_command(file, mapping, county_code, town, sheet, report, dry_run):
    """按“乡镇（街道）+ 社区名称”更新已有社区的基本情况；系统中没有的社区逐行报告，不会新建。"""
    _import_basics(file, COMMUNITIES, import_community_basics, "个社区", mapping=mapping,
                   county_code=county_code, sheet=sheet, report=report, dry_run=dry_run,
                   defaults={"town": town})


def _import_basics(file, kind, importer, unit, *, mapping, county_code, sheet, report, dry_run,
                   defaults) -> None:
    county = _county_by_code(county_code) if county_code else _only_county()
    parsed = _parsed(file, mapping, sheet, defaults, kind)
    result = importer(parsed, county=county, source=file.name)
    _keep_unless(dry_run)
    _echo_file(file, parsed)
    verb = "将" if dry_run else ""
    click.echo(f"{verb}更新 {result.updated} {unit}，未变 {result.unchanged} {unit}，"
               f"拒绝 {len(result.rejected)} 行")
    _echo_rejections(result, dry_run)
    _write_report(report, parsed, result)


def _county_by_code(code: str) -> County:
    county = db.session.scalar(select(County).where(County.code == code))
    if county is None:
        raise click.ClickException(f"系统中没有县（区）代码 {code}")
    return county


def _only_county() -> County:
    counties = db.session.scalars(select(County).limit(2)).all()
    if len(counties) != 1:
        raise click.ClickException("系统中还没有县（区），请先导入楼栋" if not counties else
                                   "系统中有多个县（区），请用 --county 指定行政区划代码")
    return counties[0]
