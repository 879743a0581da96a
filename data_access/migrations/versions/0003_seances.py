"""Séances (issue 7, « mode réunion »): saved, ordered sequences of dashboard views for a meeting.

- ``seance``: a named séance of a plan (unique name per plan), its meeting date, who created and last changed it;
- ``seance_view``: its views in order (page, URL parameters as canonical JSON, title, speaker note); unique
  (seance_id, position), deleted with their séance (ON DELETE CASCADE).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('seance',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('plan_code', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('meeting_date', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['plan_code'], ['plan.code'], name=op.f('fk_seance_plan_code_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seance')),
    sa.UniqueConstraint('plan_code', 'name', name=op.f('uq_seance_plan_code_name'))
    )
    op.create_table('seance_view',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('seance_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('page', sa.String(length=40), nullable=False),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['seance_id'], ['seance.id'], name=op.f('fk_seance_view_seance_id_seance'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_seance_view')),
    sa.UniqueConstraint('seance_id', 'position', name=op.f('uq_seance_view_seance_id_position'))
    )


def downgrade() -> None:
    op.drop_table('seance_view')
    op.drop_table('seance')
