"""Every model, imported once so the metadata (and Alembic) sees the whole schema."""
from server.accounts.models import Agency, ApiToken, User, user_communities  # noqa: F401
from server.appraisals.models import Appraisal  # noqa: F401
from server.audit.models import AuditEntry  # noqa: F401
from server.buildings.models import (  # noqa: F401
    Building,
    Community,
    County,
    Estate,
    PropertyCompany,
    Town,
)
from server.extensions import db
from server.findings.models import Finding, FindingPhoto, Rectification, Review  # noqa: F401
from server.followups.models import FollowUp  # noqa: F401
from server.ledger.models import BuildingStatus  # noqa: F401
from server.photos.models import Photo, PhotoHolder  # noqa: F401
from server.planning.models import ProblemPlan, ResponsibleUnit  # noqa: F401
from server.surveys.models import Submission, SurveyRound  # noqa: F401
from server.syncing.models import Change, ChangeCounter, Device, SyncOperation  # noqa: F401

# Rows that belong to the installation, not to its data: a reset keeps them.
INFRASTRUCTURE_TABLES = frozenset({ChangeCounter.__tablename__})


def data_tables_children_first():
    """Every data table, dependants before what they depend on: the order to empty them in."""
    return [t for t in reversed(db.metadata.sorted_tables)
            if t.name not in INFRASTRUCTURE_TABLES]
