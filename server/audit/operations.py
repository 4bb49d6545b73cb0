from server.audit.models import AuditEntry
from server.extensions import db


def record(actor, action: str, entity: str, entity_id, **details) -> AuditEntry:
    entry = AuditEntry(actor_id=actor.id if actor is not None else None, action=action,
                       entity=entity, entity_id=str(entity_id), details=details)
    db.session.add(entry)
    return entry
