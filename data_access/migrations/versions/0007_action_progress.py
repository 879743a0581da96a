"""Follow-up of the fiches-action per year (issue 14): state, réalisations, commentaire, pilote,
partenaires, moyens; every change kept with the values it replaced; imports of follow-up files.

- ``action_progress``: one row per (plan, fiche, year), the current values;
- ``action_progress_history``: one row per change (who, when, old and new values, the change an
  undo took back, the import it came from; an import's milestone changes name the
  ``milestone_record`` rows they wrote and found);
- ``action_progress_import``: one row per imported follow-up file (reverted as a whole).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'action_progress',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('plan_code', sa.String(length=60), nullable=False),
        sa.Column('action_code', sa.String(length=10), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=20), nullable=True),
        sa.Column('done', sa.Text(), nullable=True),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('lead', sa.String(length=200), nullable=True),
        sa.Column('partners', sa.Text(), nullable=True),
        sa.Column('budget', sa.Float(), nullable=True),
        sa.Column('recorded_by', sa.String(length=200), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['plan_code', 'action_code'],
            ['plan_action.plan_code', 'plan_action.code'],
            name=op.f('fk_action_progress_plan_code_plan_action'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_action_progress')),
        sa.UniqueConstraint('plan_code', 'action_code', 'year', name=op.f('uq_action_progress_plan_code_action_code_year')),
    )
    op.create_table(
        'action_progress_import',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('plan_code', sa.String(length=60), nullable=False),
        sa.Column('file_name', sa.String(length=300), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('rows', sa.Integer(), nullable=False),
        sa.Column('changes', sa.Integer(), nullable=False),
        sa.Column('imported_by', sa.String(length=200), nullable=False),
        sa.Column('imported_at', sa.DateTime(), nullable=False),
        sa.Column('reverted_by', sa.String(length=200), nullable=True),
        sa.Column('reverted_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['plan_code'], ['plan.code'], name=op.f('fk_action_progress_import_plan_code_plan')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_action_progress_import')),
    )
    op.create_table(
        'action_progress_history',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('plan_code', sa.String(length=60), nullable=False),
        sa.Column('action_code', sa.String(length=10), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('import_id', sa.Integer(), nullable=True),
        sa.Column('reverts_id', sa.Integer(), nullable=True),
        sa.Column('milestone_position', sa.Integer(), nullable=True),
        sa.Column('milestone_record_id', sa.Integer(), nullable=True),
        sa.Column('previous_record_id', sa.Integer(), nullable=True),
        sa.Column('old_exists', sa.Boolean(), nullable=False),
        sa.Column('old_state', sa.String(length=20), nullable=True),
        sa.Column('old_done', sa.Text(), nullable=True),
        sa.Column('old_comment', sa.Text(), nullable=True),
        sa.Column('old_lead', sa.String(length=200), nullable=True),
        sa.Column('old_partners', sa.Text(), nullable=True),
        sa.Column('old_budget', sa.Float(), nullable=True),
        sa.Column('new_exists', sa.Boolean(), nullable=False),
        sa.Column('new_state', sa.String(length=20), nullable=True),
        sa.Column('new_done', sa.Text(), nullable=True),
        sa.Column('new_comment', sa.Text(), nullable=True),
        sa.Column('new_lead', sa.String(length=200), nullable=True),
        sa.Column('new_partners', sa.Text(), nullable=True),
        sa.Column('new_budget', sa.Float(), nullable=True),
        sa.Column('changed_by', sa.String(length=200), nullable=False),
        sa.Column('changed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['plan_code', 'action_code'],
            ['plan_action.plan_code', 'plan_action.code'],
            name=op.f('fk_action_progress_history_plan_code_plan_action'),
        ),
        sa.ForeignKeyConstraint(
            ['import_id'], ['action_progress_import.id'], name=op.f('fk_action_progress_history_import_id_action_progress_import')
        ),
        sa.ForeignKeyConstraint(
            ['reverts_id'], ['action_progress_history.id'], name=op.f('fk_action_progress_history_reverts_id_action_progress_history')
        ),
        sa.ForeignKeyConstraint(
            ['milestone_record_id'], ['milestone_record.id'], name=op.f('fk_action_progress_history_milestone_record_id_milestone_record')
        ),
        sa.ForeignKeyConstraint(
            ['previous_record_id'], ['milestone_record.id'], name=op.f('fk_action_progress_history_previous_record_id_milestone_record')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_action_progress_history')),
    )
    op.create_index(op.f('ix_action_progress_history_import_id'), 'action_progress_history', ['import_id'], unique=False)
    op.create_index(op.f('ix_action_progress_history_reverts_id'), 'action_progress_history', ['reverts_id'], unique=False)
    op.create_index(
        op.f('ix_action_progress_history_plan_code_action_code_year'),
        'action_progress_history',
        ['plan_code', 'action_code', 'year'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_action_progress_history_plan_code_action_code_year'), table_name='action_progress_history')
    op.drop_index(op.f('ix_action_progress_history_reverts_id'), table_name='action_progress_history')
    op.drop_index(op.f('ix_action_progress_history_import_id'), table_name='action_progress_history')
    op.drop_table('action_progress_history')
    op.drop_table('action_progress_import')
    op.drop_table('action_progress')
