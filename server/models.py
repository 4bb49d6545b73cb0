"""Every model, imported once so the metadata (and Alembic) sees the whole schema."""
from server.accounts.models import Agency, ApiToken, User, user_communities  # noqa: F401
from server.appraisals.models import Appraisal  # noqa: F401
from server.audit.models import AuditEntry  # noqa: F401
from server.buildings.models import (Building, Community, County, Estate,  # noqa: F401
                                     PropertyCompany, Town)
from server.photos.models import Photo  # noqa: F401
from server.review.models import Review  # noqa: F401
from server.surveys.models import Finding, FindingPhoto, Submission, SurveyRound  # noqa: F401
