"""photo_holders: who has proven they hold a photo's bytes

Revision ID: d52e8b1f3c20
Revises: c41d7a9e2b10
Create Date: 2026-12-03 14:05:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'd52e8b1f3c20'
down_revision = 'c41d7a9e2b10'
branch_labels = None
depends_on = None

# The uploader of each photo held it; nobody else had to prove it before.
BACKFILL = ("INSERT INTO photo_holders (sha256, user_id) "
            "SELECT sha256, uploaded_by_id FROM photos WHERE uploaded_by_id IS NOT NULL")


def upgrade():
    op.create_table('photo_holders',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['sha256'], ['photos.sha256'], name=op.f('fk_photo_holders_sha256_photos')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_photo_holders_user_id_users')),
    sa.PrimaryKeyConstraint('sha256', 'user_id', name=op.f('pk_photo_holders'))
    )
    with op.batch_alter_table('photo_holders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photo_holders_user_id'), ['user_id'], unique=False)
    op.execute(BACKFILL)


def downgrade():
    with op.batch_alter_table('photo_holders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photo_holders_user_id'))
    op.drop_table('photo_holders')
