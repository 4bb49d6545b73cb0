"""The desk's audit log (administrators): who did what, when, to which object, filtered by
actor, action, target and date."""
from flask import g, render_template
from marshmallow import fields, validate
from sqlalchemy import select

from server.accounts.models import Role, User
from server.audit.operations import ACTION_LABELS, ENTITY_LABELS, audit_entries
from server.endpoints import Day, QuerySchema
from server.extensions import db
from server.pages import page, page_blueprint

blueprint = page_blueprint("audit_pages", __name__, url_prefix="/desk/audit")
PER_PAGE = 50


class AuditQuery(QuerySchema):
    actor = fields.Integer(validate=validate.Range(min=1))
    action = fields.String(validate=validate.Length(1, 40))
    target = fields.String(validate=validate.Length(1, 64))
    date_from = Day()
    date_to = Day()
    page = fields.Integer(load_default=1, validate=validate.Range(1, 100_000))


@blueprint.get("")
@page(roles=(Role.ADMIN,), query=AuditQuery, writes=False)
def index(query):
    people = db.session.execute(select(User.id, User.display_name, User.username)
                                .where(User.county_id == g.user.county_id)
                                .order_by(User.display_name)).all()
    entries = db.paginate(audit_entries(g.user.county_id, query), page=query["page"],
                          per_page=PER_PAGE, error_out=False)
    names = {person.id: person.display_name for person in people}
    return render_template("desk/audit.html", entries=entries, people=people, names=names,
                           filters={k: v for k, v in query.items() if k != "page"},
                           action_labels=ACTION_LABELS, entity_labels=ENTITY_LABELS)
