"""directory replica: directory_project and directory_staff (SYS-04 time zones, staff names)

Materials had no copy of attendance's directory before (no old tables to copy from or drop);
the kit tables come from ``services.common.kit.install_kit`` and fill from attendance's
project_created / staff_added / roles_changed events.

Revision ID: b7d2c4e9a1f0
Revises: ef33b8722ab8
Create Date: 2026-11-23 19:20:00
"""
import sqlalchemy as sa
from alembic import op

revision, down_revision = "b7d2c4e9a1f0", "ef33b8722ab8"
branch_labels = depends_on = None

def upgrade() -> None:
    op.create_table(
        "directory_project",
        sa.Column("project_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("code", sa.String(length=40), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("project_id"),
    )
    op.create_table(
        "directory_staff",
        sa.Column("person_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("person_id"),
    )
    with op.batch_alter_table("directory_staff", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_directory_staff_project_id"), ["project_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("directory_staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_staff_project_id"))
    op.drop_table("directory_staff")
    op.drop_table("directory_project")
