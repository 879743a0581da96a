"""Initial schema: territories, indicators, observations, plans, objectives, coverage, events.

Revision ID: 0001
Revises: 
Create Date: 2026-11-24
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('event',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('date_start', sa.Date(), nullable=False),
    sa.Column('date_end', sa.Date(), nullable=True),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('departement_code', sa.String(length=3), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event'))
    )
    op.create_table('import_batch',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('file_name', sa.String(length=300), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('user_name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=True),
    sa.Column('reverted_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batch'))
    )
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_batch_sha256'), ['sha256'], unique=False)

    op.create_table('indicator',
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('unit', sa.String(length=40), nullable=False),
    sa.Column('theme', sa.String(length=20), nullable=False),
    sa.Column('better', sa.String(length=10), nullable=False),
    sa.Column('granularities', sa.String(length=40), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('numerator_code', sa.String(length=60), nullable=True),
    sa.Column('denominator_code', sa.String(length=60), nullable=True),
    sa.Column('scale', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['denominator_code'], ['indicator.code'], name=op.f('fk_indicator_denominator_code_indicator')),
    sa.ForeignKeyConstraint(['numerator_code'], ['indicator.code'], name=op.f('fk_indicator_numerator_code_indicator')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_indicator'))
    )
    op.create_table('territory',
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('departement_code', sa.String(length=3), nullable=True),
    sa.Column('population', sa.Integer(), nullable=True),
    sa.Column('households', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_territory'))
    )
    with op.batch_alter_table('territory', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_territory_departement_code'), ['departement_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_territory_level'), ['level'], unique=False)

    op.create_table('observation',
    sa.Column('indicator_code', sa.String(length=60), nullable=False),
    sa.Column('granularity', sa.String(length=8), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('territory_code', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('approx', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=True),
    sa.Column('import_batch_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['import_batch_id'], ['import_batch.id'], name=op.f('fk_observation_import_batch_id_import_batch')),
    sa.ForeignKeyConstraint(['indicator_code'], ['indicator.code'], name=op.f('fk_observation_indicator_code_indicator')),
    sa.ForeignKeyConstraint(['territory_code'], ['territory.code'], name=op.f('fk_observation_territory_code_territory')),
    sa.PrimaryKeyConstraint('indicator_code', 'granularity', 'period_start', 'territory_code', name=op.f('pk_observation')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_observation_import_batch_id'), ['import_batch_id'], unique=False)

    op.create_table('plan',
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('short_name', sa.String(length=100), nullable=False),
    sa.Column('acronym', sa.String(length=20), nullable=False),
    sa.Column('departement_code', sa.String(length=60), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('axis_kind', sa.String(length=20), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['departement_code'], ['territory.code'], name=op.f('fk_plan_departement_code_territory')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_plan'))
    )
    op.create_table('series_coverage',
    sa.Column('indicator_code', sa.String(length=60), nullable=False),
    sa.Column('departement_code', sa.String(length=3), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('granularity', sa.String(length=8), nullable=False),
    sa.Column('first_period', sa.Date(), nullable=False),
    sa.Column('last_period', sa.Date(), nullable=False),
    sa.Column('n_values', sa.Integer(), nullable=False),
    sa.Column('n_demo', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['indicator_code'], ['indicator.code'], name=op.f('fk_series_coverage_indicator_code_indicator')),
    sa.PrimaryKeyConstraint('indicator_code', 'departement_code', 'level', 'granularity', name=op.f('pk_series_coverage'))
    )
    op.create_table('territory_membership',
    sa.Column('member_code', sa.String(length=60), nullable=False),
    sa.Column('group_code', sa.String(length=60), nullable=False),
    sa.Column('member_level', sa.String(length=20), nullable=False),
    sa.Column('group_level', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['group_code'], ['territory.code'], name=op.f('fk_territory_membership_group_code_territory')),
    sa.ForeignKeyConstraint(['member_code'], ['territory.code'], name=op.f('fk_territory_membership_member_code_territory')),
    sa.PrimaryKeyConstraint('member_code', 'group_code', name=op.f('pk_territory_membership'))
    )
    with op.batch_alter_table('territory_membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_territory_membership_group_code_member_level_member_code'), ['group_code', 'member_level', 'member_code'], unique=False)

    op.create_table('action_indicator',
    sa.Column('plan_code', sa.String(length=60), nullable=False),
    sa.Column('action_code', sa.String(length=10), nullable=False),
    sa.Column('indicator_code', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['indicator_code'], ['indicator.code'], name=op.f('fk_action_indicator_indicator_code_indicator')),
    sa.ForeignKeyConstraint(['plan_code'], ['plan.code'], name=op.f('fk_action_indicator_plan_code_plan')),
    sa.PrimaryKeyConstraint('plan_code', 'action_code', 'indicator_code', name=op.f('pk_action_indicator'))
    )
    op.create_table('objective',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('plan_code', sa.String(length=60), nullable=False),
    sa.Column('action_code', sa.String(length=10), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('indicator_code', sa.String(length=60), nullable=True),
    sa.Column('territory_code', sa.String(length=60), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('target_value', sa.Float(), nullable=True),
    sa.Column('baseline_value', sa.Float(), nullable=True),
    sa.Column('baseline_start', sa.Date(), nullable=True),
    sa.Column('baseline_end', sa.Date(), nullable=True),
    sa.Column('label', sa.Text(), nullable=False),
    sa.Column('achieved_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['indicator_code'], ['indicator.code'], name=op.f('fk_objective_indicator_code_indicator')),
    sa.ForeignKeyConstraint(['plan_code'], ['plan.code'], name=op.f('fk_objective_plan_code_plan')),
    sa.ForeignKeyConstraint(['territory_code'], ['territory.code'], name=op.f('fk_objective_territory_code_territory')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objective')),
    sa.UniqueConstraint('plan_code', 'action_code', 'position', name=op.f('uq_objective_plan_code_action_code_position'))
    )
    with op.batch_alter_table('objective', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objective_plan_code'), ['plan_code'], unique=False)

    op.create_table('plan_action',
    sa.Column('plan_code', sa.String(length=60), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('axis_code', sa.String(length=10), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('objective', sa.Text(), nullable=True),
    sa.Column('quantified_objective', sa.Text(), nullable=True),
    sa.Column('responsible', sa.Text(), nullable=True),
    sa.Column('partners', sa.Text(), nullable=True),
    sa.Column('cost', sa.Text(), nullable=True),
    sa.Column('evaluation_effectivite', sa.Text(), nullable=True),
    sa.Column('evaluation_efficacite', sa.Text(), nullable=True),
    sa.Column('evaluation_impact', sa.Text(), nullable=True),
    sa.Column('evaluation_text', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['plan_code'], ['plan.code'], name=op.f('fk_plan_action_plan_code_plan')),
    sa.PrimaryKeyConstraint('plan_code', 'code', name=op.f('pk_plan_action'))
    )
    op.create_table('plan_axis',
    sa.Column('plan_code', sa.String(length=60), nullable=False),
    sa.Column('code', sa.String(length=10), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('objective', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['plan_code'], ['plan.code'], name=op.f('fk_plan_axis_plan_code_plan')),
    sa.PrimaryKeyConstraint('plan_code', 'code', name=op.f('pk_plan_axis'))
    )


def downgrade() -> None:
    op.drop_table('plan_axis')
    op.drop_table('plan_action')
    with op.batch_alter_table('objective', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objective_plan_code'))

    op.drop_table('objective')
    op.drop_table('action_indicator')
    with op.batch_alter_table('territory_membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_territory_membership_group_code_member_level_member_code'))

    op.drop_table('territory_membership')
    op.drop_table('series_coverage')
    op.drop_table('plan')
    with op.batch_alter_table('observation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_observation_import_batch_id'))

    op.drop_table('observation')
    with op.batch_alter_table('territory', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_territory_level'))
        batch_op.drop_index(batch_op.f('ix_territory_departement_code'))

    op.drop_table('territory')
    op.drop_table('indicator')
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_batch_sha256'))

    op.drop_table('import_batch')
    op.drop_table('event')
