"""flask buildings …"""
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from server.buildings.importing import ImportFileError, load_mapping, parse_file, write_report
from server.buildings.models import County
from server.buildings.upsert import import_buildings
from server.extensions import db
from server.catalog import current_structure_form

buildings_cli = click.Group("buildings", help="楼栋：从普查表或住建局名单导入。")
SHOWN_REJECTIONS = 10


@buildings_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--mapping", default="auto", show_default=True,
              help="列映射：census（自然灾害普查房屋调查表）、bureau（住建局楼栋名单）、"
                   "映射 JSON 文件路径，或 auto（按表头自动选择）")
@click.option("--county", "county_code", help="县（区）行政区划代码；表中没有县级代码且系统中有多个县时必填")
@click.option("--town", help="表中没有乡镇（街道）列或该列为空时使用的乡镇（街道）名称")
@click.option("--community", help="表中没有社区列或该列为空时使用的社区名称")
@click.option("--sheet", help="Excel 工作表名称，默认第一个工作表")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
              help="把被拒绝的行及原因写入此 CSV（UTF-8 带 BOM，Excel 可直接打开）")
@click.option("--dry-run", is_flag=True, help="只检查和统计，不写入数据库")
@with_appcontext
def import_command(file, mapping, county_code, town, community, sheet, report, dry_run):
    """从 CSV 或 XLSX 导入楼栋；再次导入按房屋编号（或小区+楼号）更新，不会重复。"""
    county = None
    if county_code:
        county = db.session.scalar(select(County).where(County.code == county_code))
        if county is None:
            raise click.ClickException(f"系统中没有县（区）代码 {county_code}")
    try:
        chosen = None if mapping == "auto" else load_mapping(mapping)
        parsed = parse_file(file, chosen, sheet=sheet,
                            defaults={"town": town, "community": community})
    except ImportFileError as error:
        raise click.ClickException(str(error)) from None
    result = import_buildings(parsed, structure_form=current_structure_form(), county=county,
                              source=file.name)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    _echo_summary(file, parsed, result, dry_run)
    if report is not None:
        write_report(report, parsed.headers, result.rejected)
        click.echo(f"被拒绝的行清单已写入 {report}")


def _echo_summary(file, parsed, result, dry_run) -> None:
    sheet = f"（工作表“{parsed.sheet}”）" if parsed.sheet else ""
    click.echo(f"文件 {file.name}{sheet}：列映射“{parsed.mapping.title}”，表头在第 {parsed.header_row} 行")
    if parsed.unused_headers:
        click.echo(f"未导入的列：{'、'.join(parsed.unused_headers)}")
    verb = "将" if dry_run else ""
    click.echo(f"{verb}新建 {result.created} 栋，{verb}更新 {result.updated} 栋，"
               f"未变 {result.unchanged} 栋，拒绝 {len(result.rejected)} 行；"
               f"其中 {result.prescreened} 栋经指标1初筛需优先排查")
    if result.rejected:
        shown = result.rejected[:SHOWN_REJECTIONS]
        more = f"（共 {len(result.rejected)} 行，以下为前 {len(shown)} 行）" if len(shown) < len(
            result.rejected) else ""
        click.echo(f"被拒绝的行{more}：")
        for rejection in shown:
            click.echo(f"  第 {rejection.row_number} 行：{'；'.join(rejection.reasons)}")
    if dry_run:
        click.echo("试运行：数据库未作任何改动")
