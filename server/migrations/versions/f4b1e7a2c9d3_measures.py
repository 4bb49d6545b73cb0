"""measures: what a survey adds to an indicator not counted in 栋, kept per building and tallied

Revision ID: f4b1e7a2c9d3
Revises: f3a8c2d61b47
Create Date: 2026-12-03 19:40:00

submissions.measure (NULL for every survey recorded before: the 2024 system counts every
indicator in 栋), building_statuses.amount and status_tallies.amount (0). Plain ADD / DROP
COLUMN on both databases.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f4b1e7a2c9d3'
down_revision = 'f3a8c2d61b47'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('submissions', sa.Column('measure', sa.Integer(), nullable=True))
    op.add_column('building_statuses', sa.Column('amount', sa.Integer(), nullable=True))
    op.add_column('status_tallies', sa.Column('amount', sa.Integer(), nullable=False,
                                              server_default='0'))


def downgrade():
    op.drop_column('status_tallies', 'amount')
    op.drop_column('building_statuses', 'amount')
    op.drop_column('submissions', 'measure')
