"""photos: the EXIF camera, and whether the phone's camera original carried EXIF

Revision ID: c41e7a9d2b10
Revises: d52e8b1f3c20
Create Date: 2026-11-30 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c41e7a9d2b10'
down_revision = 'd52e8b1f3c20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('exif_camera', sa.String(length=130), nullable=True))
        batch_op.add_column(sa.Column('original_exif', sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.drop_column('original_exif')
        batch_op.drop_column('exif_camera')
