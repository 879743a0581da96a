"""Objectives evaluable as the plan words them (issue 13): territorial rule, tolerance, due date,
assumed baseline; milestone records with their history.

- ``objective.territorial_rule``: ``prorata`` (shared pro rata of ``prorata_base``: households or
  population), ``chaque_territoire`` (``target_per_territory`` holds in each territory),
  ``departemental`` (not divided: a territory shows the département's objective), ``territorial``
  (the objective names its territory);
- ``objective.tolerance`` (relative) and ``tolerance_label`` (« une vingtaine »);
- ``objective.due_on``: a milestone's due date (the plan's end when empty);
- ``objective.baseline_assumed``: the baseline year is the observatory's assumption;
- ``milestone_record``: one row per recorded state of a milestone (the latest one counts; older rows
  are its history). Keyed by (plan, action, position) so that records survive a plan's reload.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('objective') as batch_op:
        batch_op.add_column(sa.Column('territorial_rule', sa.String(length=20), server_default='prorata', nullable=False))
        batch_op.add_column(sa.Column('prorata_base', sa.String(length=20), server_default='menages', nullable=False))
        batch_op.add_column(sa.Column('target_per_territory', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('tolerance', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('tolerance_label', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('due_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('baseline_assumed', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        'milestone_record',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('plan_code', sa.String(length=60), nullable=False),
        sa.Column('action_code', sa.String(length=10), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=False),
        sa.Column('achieved_on', sa.Date(), nullable=True),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('recorded_by', sa.String(length=100), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['plan_code'], ['plan.code'], name=op.f('fk_milestone_record_plan_code_plan')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone_record')),
    )
    op.create_index(
        op.f('ix_milestone_record_plan_code_action_code_position'), 'milestone_record', ['plan_code', 'action_code', 'position'], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_milestone_record_plan_code_action_code_position'), table_name='milestone_record')
    op.drop_table('milestone_record')
    with op.batch_alter_table('objective') as batch_op:
        for column in ('baseline_assumed', 'due_on', 'tolerance_label', 'tolerance', 'target_per_territory', 'prorata_base', 'territorial_rule'):
            batch_op.drop_column(column)
