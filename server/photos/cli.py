"""flask photos …"""
import click
from flask.cli import with_appcontext

from server.photos.operations import evidence_credentials
from server.photos.provenance import AUTHENTIC, verify

photos_cli = click.Group("photos", help="证据照片：核验导出的照片是否被改动。")


@photos_cli.command("verify")
@click.argument("file", type=click.File("rb"))
@with_appcontext
def verify_photo(file):
    """Whether FILE (a stamped photo exported by Loujian) is unaltered, and what it is evidence
    of. Exits 0 only for an unaltered photo signed by this server's key."""
    verdict = verify(file.read(), evidence_credentials().anchor_pem)
    for line in verdict.lines:
        click.echo(line)
    if verdict.status != AUTHENTIC:
        raise SystemExit(1)
