"""The desk's progress page, and the template filters every desk page uses."""

from flask import g, render_template

from server.desk.progress import device_sync_times, survey_progress
from server.findings.queue import backlog_by_community
from server.catalog import short_names
from server.pages import SIGNED_IN, page, page_blueprint
from sync.china_time import CHINA_TIME

blueprint = page_blueprint("progress_pages", __name__, url_prefix="/desk")


@blueprint.app_template_filter("china_time")
def china_time(moment) -> str:
    return moment.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M") if moment is not None else ""


@blueprint.app_template_filter("place")
def place(latitude, longitude) -> str:
    if latitude is None or longitude is None:
        return "—"
    return f"{abs(latitude):.5f}°{'N' if latitude >= 0 else 'S'}, " \
           f"{abs(longitude):.5f}°{'E' if longitude >= 0 else 'W'}"


@blueprint.get("/progress")
@page(roles=SIGNED_IN, writes=False)
def progress():
    return render_template("desk/progress.html", rows=survey_progress(g.user),
                           backlog=backlog_by_community(g.user), devices=device_sync_times(g.user),
                           indicators=short_names())
