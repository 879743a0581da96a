"""Dispositifs (issue 20): the programmes that carry a plan (« Logement toujours »), their
fiches-action, their budget as published and their published results, each over the period it
covers (``dispositif_result.period_start`` / ``period_end``): never a yearly value, never summed
with the observations.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dispositif',
    sa.Column('plan_code', sa.String(length=60), nullable=False),
    sa.Column('code', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('programme', sa.Text(), nullable=True),
    sa.Column('category', sa.String(length=100), nullable=True),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('presentation', sa.Text(), nullable=True),
    sa.Column('operators', sa.Text(), nullable=False),
    sa.Column('support', sa.Text(), nullable=True),
    sa.Column('funders', sa.Text(), nullable=True),
    sa.Column('human_means', sa.Text(), nullable=True),
    sa.Column('public', sa.Text(), nullable=True),
    sa.Column('start_year', sa.Integer(), nullable=False),
    sa.Column('end_year', sa.Integer(), nullable=False),
    sa.Column('territory_code', sa.String(length=60), nullable=False),
    sa.Column('territory_label', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['plan_code'], ['plan.code'], name=op.f('fk_dispositif_plan_code_plan')),
    sa.ForeignKeyConstraint(['territory_code'], ['territory.code'], name=op.f('fk_dispositif_territory_code_territory')),
    sa.PrimaryKeyConstraint('plan_code', 'code', name=op.f('pk_dispositif'))
    )
    op.create_table('dispositif_action',
    sa.Column('plan_code', sa.String(length=60), nullable=False),
    sa.Column('dispositif_code', sa.String(length=60), nullable=False),
    sa.Column('action_code', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['plan_code', 'action_code'], ['plan_action.plan_code', 'plan_action.code'], name=op.f('fk_dispositif_action_plan_code_plan_action')),
    sa.ForeignKeyConstraint(['plan_code', 'dispositif_code'], ['dispositif.plan_code', 'dispositif.code'], name=op.f('fk_dispositif_action_plan_code_dispositif')),
    sa.PrimaryKeyConstraint('plan_code', 'dispositif_code', 'action_code', name=op.f('pk_dispositif_action'))
    )
    op.create_table('dispositif_budget',
    sa.Column('plan_code', sa.String(length=60), nullable=False),
    sa.Column('dispositif_code', sa.String(length=60), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('start_year', sa.Integer(), nullable=False),
    sa.Column('end_year', sa.Integer(), nullable=False),
    sa.Column('funder', sa.String(length=200), nullable=True),
    sa.Column('euros_per_year', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['plan_code', 'dispositif_code'], ['dispositif.plan_code', 'dispositif.code'], name=op.f('fk_dispositif_budget_plan_code_dispositif')),
    sa.PrimaryKeyConstraint('plan_code', 'dispositif_code', 'position', name=op.f('pk_dispositif_budget'))
    )
    op.create_table('dispositif_result',
    sa.Column('plan_code', sa.String(length=60), nullable=False),
    sa.Column('dispositif_code', sa.String(length=60), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('bound', sa.String(length=20), nullable=True),
    sa.Column('period_start', sa.Date(), nullable=True),
    sa.Column('period_end', sa.Date(), nullable=True),
    sa.Column('base', sa.String(length=60), nullable=True),
    sa.Column('computed', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('quote', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['plan_code', 'dispositif_code'], ['dispositif.plan_code', 'dispositif.code'], name=op.f('fk_dispositif_result_plan_code_dispositif')),
    sa.PrimaryKeyConstraint('plan_code', 'dispositif_code', 'position', name=op.f('pk_dispositif_result'))
    )


def downgrade() -> None:
    op.drop_table('dispositif_result')
    op.drop_table('dispositif_budget')
    op.drop_table('dispositif_action')
    op.drop_table('dispositif')
