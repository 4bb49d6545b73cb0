"""account administration: one-time passwords, scope epochs, what a device is

Revision ID: b8d2f4a6c1e3
Revises: f4b1e7a2c9d3
Create Date: 2026-12-04 10:00:00

users.password_must_change (FALSE for every account made before), users.password_expires_at,
users.scope_epoch (0); devices.token_id (the token it last used; no foreign key: tokens are never deleted, and a
batch copy of the table would be needed on SQLite), app_version, user_agent,
first_seen_at (NULL for the devices seen before: shown as 未知).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b8d2f4a6c1e3'
down_revision = 'f4b1e7a2c9d3'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD / DROP COLUMN on both databases: a batch copy of `users` would have to drop a
    # table every other table refers to.
    op.add_column('users', sa.Column('password_must_change', sa.Boolean(), nullable=False,
                                     server_default=sa.false()))
    op.add_column('users', sa.Column('password_expires_at', sa.DateTime(timezone=True),
                                     nullable=True))
    op.add_column('users', sa.Column('scope_epoch', sa.Integer(), nullable=False,
                                     server_default='0'))
    op.add_column('devices', sa.Column('token_id', sa.Integer(), nullable=True))
    op.add_column('devices', sa.Column('app_version', sa.String(length=40), nullable=True))
    op.add_column('devices', sa.Column('user_agent', sa.String(length=300), nullable=True))
    op.add_column('devices', sa.Column('first_seen_at', sa.DateTime(timezone=True),
                                       nullable=True))


def downgrade():
    for column in ('first_seen_at', 'user_agent', 'app_version', 'token_id'):
        op.drop_column('devices', column)
    for column in ('scope_epoch', 'password_expires_at', 'password_must_change'):
        op.drop_column('users', column)
