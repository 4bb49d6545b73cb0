"""flask buildings …"""
import click

buildings_cli = click.Group("buildings", help="楼栋：从普查表或住建局名单导入。")
