"""status tallies: building_statuses carry their building's estate; status_tallies count them per estate

Revision ID: f3a8d2c6b417
Revises: f3a9c2d81b47
Create Date: 2026-12-03 19:00:00

The county's indicator table then adds up a few rows per estate instead of joining every kept
status to its building (issue #11's desk benchmark). Both tables are filled from what is kept.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3a8d2c6b417'
down_revision = 'f3a9c2d81b47'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('building_statuses', schema=None) as batch_op:
        batch_op.add_column(sa.Column('estate_id', sa.Integer(), nullable=True))
    op.execute("UPDATE building_statuses SET estate_id = "
               "(SELECT estate_id FROM buildings WHERE buildings.id = building_statuses.building_id)")
    with op.batch_alter_table('building_statuses', schema=None) as batch_op:
        batch_op.alter_column('estate_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_building_statuses_estate_id_estates'),
                                    'estates', ['estate_id'], ['id'])
        batch_op.create_index('ix_building_statuses_round_estate', ['round_id', 'estate_id'],
                              unique=False)
    op.create_table(
        'status_tallies',
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('estate_id', sa.Integer(), nullable=False),
        sa.Column('indicator', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('buildings', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['estate_id'], ['estates.id'],
                                name=op.f('fk_status_tallies_estate_id_estates')),
        sa.ForeignKeyConstraint(['round_id'], ['survey_rounds.id'],
                                name=op.f('fk_status_tallies_round_id_survey_rounds')),
        sa.PrimaryKeyConstraint('round_id', 'estate_id', 'indicator', 'state',
                                name=op.f('pk_status_tallies')))
    op.execute("INSERT INTO status_tallies (round_id, estate_id, indicator, state, buildings) "
               "SELECT round_id, estate_id, indicator, state, count(*) FROM building_statuses "
               "GROUP BY round_id, estate_id, indicator, state")


def downgrade():
    op.drop_table('status_tallies')
    with op.batch_alter_table('building_statuses', schema=None) as batch_op:
        batch_op.drop_index('ix_building_statuses_round_estate')
        batch_op.drop_constraint(batch_op.f('fk_building_statuses_estate_id_estates'),
                                 type_='foreignkey')
        batch_op.drop_column('estate_id')
