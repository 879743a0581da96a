"""Imports of partners' files: replaced values kept for revert, import details, territory aliases.

- ``observation_history``: the previous row of every value an import replaced (revert restores it);
- ``import_batch_detail``: format, reading options and counts of each import;
- ``territory_alias``: current names of communes nouvelles and renamed communes (loaded with a plan).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('import_batch_detail',
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=20), nullable=False),
    sa.Column('sheet', sa.String(length=200), nullable=True),
    sa.Column('options', sa.Text(), nullable=False),
    sa.Column('file_rows', sa.Integer(), nullable=False),
    sa.Column('excluded_rows', sa.Integer(), nullable=False),
    sa.Column('new_values', sa.Integer(), nullable=False),
    sa.Column('changed_values', sa.Integer(), nullable=False),
    sa.Column('unchanged_values', sa.Integer(), nullable=False),
    sa.Column('warnings', sa.Integer(), nullable=False),
    sa.Column('indicator_codes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], name=op.f('fk_import_batch_detail_batch_id_import_batch')),
    sa.PrimaryKeyConstraint('batch_id', name=op.f('pk_import_batch_detail'))
    )
    op.create_table('observation_history',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('indicator_code', sa.String(length=60), nullable=False),
    sa.Column('granularity', sa.String(length=8), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('territory_code', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('approx', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=True),
    sa.Column('import_batch_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batch.id'], name=op.f('fk_observation_history_batch_id_import_batch')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_observation_history'))
    )
    with op.batch_alter_table('observation_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_observation_history_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_observation_history_import_batch_id'), ['import_batch_id'], unique=False)

    op.create_table('territory_alias',
    sa.Column('alias', sa.String(length=200), nullable=False),
    sa.Column('territory_code', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['territory_code'], ['territory.code'], name=op.f('fk_territory_alias_territory_code_territory')),
    sa.PrimaryKeyConstraint('alias', 'territory_code', name=op.f('pk_territory_alias'))
    )


def downgrade() -> None:
    op.drop_table('territory_alias')
    with op.batch_alter_table('observation_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_observation_history_import_batch_id'))
        batch_op.drop_index(batch_op.f('ix_observation_history_batch_id'))

    op.drop_table('observation_history')
    op.drop_table('import_batch_detail')
