"""REC-03 two slots per consultant and day, REC-12 call faults, CLI-08 named consultant

Revision ID: a3f9e1c27b54
Revises: 7d1c2e4a9b30
Create Date: 2026-11-23 20:30:00

An open reception takes slot 1 (the first group) or 2 (the one unrelated second group REC-03
allows): a partial unique index on (person_id, day, slot) of open receptions replaces the
first-group-only index, so two instances can never give anyone a third group. Existing rows take
slot 2 when they were a second group. ``call_fault`` stores each fined call fault once per call
and kind. ``sheet_entry.lunch_pending``: a lunch attendance started while the consultant was
still receiving. ``walk_in.named_person_id`` is the consultant a customer named on arrival.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

from services.common.types import UtcDateTime

revision: str = 'a3f9e1c27b54'
down_revision: Union[str, Sequence[str], None] = '7d1c2e4a9b30'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

OPEN = sa.text("status = 'open'")
FIRST = sa.text("status = 'open' AND NOT second_group")


def upgrade() -> None:
    with op.batch_alter_table('reception', schema=None) as batch_op:
        batch_op.add_column(sa.Column('slot', sa.Integer(), nullable=False,
                                      server_default='1'))
    op.execute("UPDATE reception SET slot = 2 WHERE second_group")
    with op.batch_alter_table('reception', schema=None) as batch_op:
        batch_op.drop_index('uq_reception_open_first_group', postgresql_where=FIRST,
                            sqlite_where=FIRST)
        batch_op.create_index('uq_reception_open_slot', ['person_id', 'day', 'slot'],
                              unique=True, postgresql_where=OPEN, sqlite_where=OPEN)
        batch_op.create_check_constraint('ck_reception_slot', 'slot IN (1, 2)')
    with op.batch_alter_table('walk_in', schema=None) as batch_op:
        batch_op.add_column(sa.Column('named_person_id', sa.Integer(), nullable=True))
    with op.batch_alter_table('sheet_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lunch_pending', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.create_table(
        'call_fault',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('project_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('call_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('missing', sa.JSON(), nullable=False),
        sa.Column('fine', sa.Integer(), nullable=False),
        sa.Column('occurred_at', UtcDateTime(), nullable=False),
        sa.Column('recorded_by', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('rule', sa.String(length=16), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('at', UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['call_id'], ['desk_call.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('call_id', 'kind', name='uq_call_fault_call_kind'),
    )
    with op.batch_alter_table('call_fault', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_fault_project_id'), ['project_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('call_fault', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_fault_project_id'))
    op.drop_table('call_fault')
    with op.batch_alter_table('sheet_entry', schema=None) as batch_op:
        batch_op.drop_column('lunch_pending')
    with op.batch_alter_table('walk_in', schema=None) as batch_op:
        batch_op.drop_column('named_person_id')
    with op.batch_alter_table('reception', schema=None) as batch_op:
        batch_op.drop_constraint('ck_reception_slot', type_='check')
        batch_op.drop_index('uq_reception_open_slot', postgresql_where=OPEN, sqlite_where=OPEN)
        batch_op.create_index('uq_reception_open_first_group', ['person_id'], unique=True,
                              postgresql_where=FIRST, sqlite_where=FIRST)
        batch_op.drop_column('slot')
