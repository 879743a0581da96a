"""Rollup of commune-level values per grouping (issue 8, speed): ``observation_rollup``.

The sums of each indicator's commune values per EPCI, arrondissement, territoire and département,
per granularity and period, so that a grouping's series is read, not added up, on every page.
Filled here from the stored observations; kept up to date by ``data_access.rollup`` at each load.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('observation_rollup',
    sa.Column('indicator_code', sa.String(length=60), nullable=False),
    sa.Column('granularity', sa.String(length=8), nullable=False),
    sa.Column('territory_code', sa.String(length=60), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('n_values', sa.Integer(), nullable=False),
    sa.Column('n_demo', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('indicator_code', 'granularity', 'territory_code', 'period_start', name=op.f('pk_observation_rollup')),
    sqlite_with_rowid=False
    )
    # the same statement as data_access.rollup.refresh_rollup, for every indicator already stored
    op.execute(
        "INSERT INTO observation_rollup (indicator_code, granularity, territory_code, period_start, value, n_values, n_demo) "
        "SELECT o.indicator_code, o.granularity, m.group_code, o.period_start, SUM(o.value), COUNT(*), "
        "SUM(CASE WHEN b.kind = 'demo' THEN 1 ELSE 0 END) "
        "FROM observation o "
        "JOIN territory_membership m ON m.member_code = o.territory_code "
        "JOIN import_batch b ON b.id = o.import_batch_id "
        "WHERE m.member_level = 'commune' AND m.group_level IN ('epci', 'arrondissement', 'territoire', 'departement') "
        "GROUP BY o.indicator_code, o.granularity, m.group_code, o.period_start"
    )


def downgrade() -> None:
    op.drop_table('observation_rollup')
