"""directory replica replaces staff and project_zone

The kit's directory tables (services.common.directory) take over clients' own copies of
attendance's staff and projects: rows are copied across (clients kept no ``active`` flag, so
every copied person is active) and the old tables dropped.

Revision ID: 75de66eab172
Revises: 0b111f617be1
Create Date: 2026-11-23 19:07:26.426968

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = '75de66eab172'
down_revision: Union[str, Sequence[str], None] = '0b111f617be1'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def _tables():
    return set(sa.inspect(op.get_bind()).get_table_names())


def upgrade() -> None:
    op.create_table('directory_project',
    sa.Column('project_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('code', sa.String(length=40), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('project_id')
    )
    op.create_table('directory_staff',
    sa.Column('person_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('person_id')
    )
    with op.batch_alter_table('directory_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_directory_staff_project_id'), ['project_id'], unique=False)

    old = _tables()
    if 'project_zone' in old:
        op.execute("INSERT INTO directory_project (project_id, timezone) "
                   "SELECT project_id, timezone FROM project_zone")
        op.drop_table('project_zone')
    if 'staff' in old:
        op.execute("INSERT INTO directory_staff (person_id, project_id, name, roles, active) "
                   "SELECT person_id, project_id, name, roles, true FROM staff")
        with op.batch_alter_table('staff', schema=None) as batch_op:
            batch_op.drop_index(batch_op.f('ix_staff_project_id'))
        op.drop_table('staff')


def downgrade() -> None:
    op.create_table('project_zone',
    sa.Column('project_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('project_id')
    )
    op.create_table('staff',
    sa.Column('person_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('person_id')
    )
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_project_id'), ['project_id'], unique=False)
    op.execute("INSERT INTO project_zone (project_id, timezone) "
               "SELECT project_id, timezone FROM directory_project")
    op.execute("INSERT INTO staff (person_id, project_id, name, roles) "
               "SELECT person_id, project_id, name, roles FROM directory_staff")
    with op.batch_alter_table('directory_staff', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_directory_staff_project_id'))
    op.drop_table('directory_staff')
    op.drop_table('directory_project')
