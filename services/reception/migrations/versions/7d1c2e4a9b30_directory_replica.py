"""directory replica: the kit's directory_project / directory_staff replace project_zone / staff

Revision ID: 7d1c2e4a9b30
Revises: 56bc0c896f4d
Create Date: 2026-11-23 19:30:00

The rows reception already holds from attendance's events are copied over, so names, roles and
time zones survive the upgrade; the old tables go.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '7d1c2e4a9b30'
down_revision: Union[str, Sequence[str], None] = '56bc0c896f4d'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# (old table, new table, the old table's columns, the new table's extra columns)
PROJECTS = ('project_zone', 'directory_project', ('project_id', 'timezone'), ('code', 'name'))
STAFF = ('staff', 'directory_staff', ('person_id', 'project_id', 'name', 'roles', 'active'), ())


def _columns(table):
    """The columns of one of the four tables (the old and new ones share theirs)."""
    if table in ('project_zone', 'directory_project'):
        extra = [sa.Column(c, sa.String(length=40 if c == 'code' else 200), nullable=True)
                 for c in PROJECTS[3]] if table == 'directory_project' else []
        return [sa.Column('project_id', sa.Integer(), autoincrement=False, primary_key=True),
                *extra, sa.Column('timezone', sa.String(length=64), nullable=False)]
    return [sa.Column('person_id', sa.Integer(), autoincrement=False, primary_key=True),
            sa.Column('project_id', sa.Integer(), nullable=True, index=True),
            sa.Column('name', sa.String(length=120), nullable=False),
            sa.Column('roles', sa.JSON(), nullable=False),
            sa.Column('active', sa.Boolean(), nullable=False)]


def _move(source, target, columns):
    """Create ``target``, copy the rows of ``source`` (when it exists) into it, drop it."""
    op.create_table(target, *_columns(target))
    if source in sa.inspect(op.get_bind()).get_table_names():
        names = ", ".join(columns)
        op.execute(f"INSERT INTO {target} ({names}) SELECT {names} FROM {source}")
        op.drop_table(source)


def upgrade() -> None:
    for old, new, columns, _ in (PROJECTS, STAFF):
        _move(old, new, columns)


def downgrade() -> None:
    for old, new, columns, _ in (PROJECTS, STAFF):
        _move(new, old, columns)
