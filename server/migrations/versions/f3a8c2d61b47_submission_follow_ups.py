"""submissions: follow_ups, the answers that ask for an agency's look (需专业机构评估)

Revision ID: f3a8c2d61b47
Revises: f3a8d2c6b417
Create Date: 2026-12-04 10:00:00

A nullable JSON column (JSONB on PostgreSQL, as every JSON document of the schema): NULL for the
submissions recorded before, which were never derived; new ones get the list, [] when none.
Plain ADD / DROP COLUMN on both databases (no batch rebuild of a table others refer to).
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = 'f3a8c2d61b47'
down_revision = 'f3a8d2c6b417'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('submissions', sa.Column(
        'follow_ups', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True))


def downgrade():
    op.drop_column('submissions', 'follow_ups')
