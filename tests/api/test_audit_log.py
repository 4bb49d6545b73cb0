import pytest

from server.accounts.models import Role
from server.audit.models import AuditEntry, AuditLogIsAppendOnly
from server.audit.operations import record
from server.extensions import db


def test_audit_entries_cannot_be_changed(app_context, make_user):
    user = make_user()
    entry = record(user, "test.action", "user", user.id, note="原值")
    db.session.commit()
    entry.action = "tampered"
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()


def test_audit_entries_cannot_be_deleted(app_context, make_user):
    user = make_user()
    entry = record(user, "test.action", "user", user.id)
    db.session.commit()
    db.session.delete(entry)
    with pytest.raises(AuditLogIsAppendOnly):
        db.session.flush()


def test_corrected_building_facts_are_audited(client, make_user, auth_headers, make_building):
    building = make_building(has_elevator=False)
    user = make_user(Role.ADMIN)
    client.patch(f"/api/buildings/{building.id}", headers=auth_headers(user),
                 json={"has_elevator": True})
    entry = db.session.scalar(db.select(AuditEntry).where(
        AuditEntry.action == "building.facts_corrected"))
    assert entry.actor_id == user.id
    assert entry.details["changes"] == {"has_elevator": [False, True]}
