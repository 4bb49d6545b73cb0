"""The desk's progress page: surveys per community and indicator, the backlog, the devices."""

from flask import g, render_template

from server.desk.progress import device_sync_times, survey_progress
from server.findings.queue import backlog_by_community
from server.catalog import short_names
from server.pages import SIGNED_IN, page, page_blueprint

blueprint = page_blueprint("progress_pages", __name__, url_prefix="/desk")


@blueprint.get("/progress")
@page(roles=SIGNED_IN, writes=False)
def progress():
    return render_template("desk/progress.html", rows=survey_progress(g.user),
                           backlog=backlog_by_community(g.user), devices=device_sync_times(g.user),
                           indicators=short_names())
