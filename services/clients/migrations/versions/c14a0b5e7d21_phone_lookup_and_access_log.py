"""CLI-14: phone_lookup (lookups by phone, counted per person per hour) and phone_access (who
saw which full phone number) - issue 14

Revision ID: c14a0b5e7d21
Revises: e1a5d0c0b004
"""
import sqlalchemy as sa
from alembic import op

import services.common.types

revision, down_revision = "c14a0b5e7d21", "e1a5d0c0b004"
branch_labels = depends_on = None


def upgrade() -> None:
    op.create_table(
        "phone_lookup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("phone_hash", sa.String(length=64), nullable=True),
        sa.Column("at", services.common.types.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("phone_lookup", schema=None) as batch_op:
        batch_op.create_index("ix_phone_lookup_person_at", ["project_id", "person_id", "at"],
                              unique=False)
    op.create_table(
        "phone_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("customer_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("at", services.common.types.UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("phone_access", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_phone_access_project_id"), ["project_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_phone_access_person_id"), ["person_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_phone_access_customer_id"), ["customer_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("phone_access", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_phone_access_customer_id"))
        batch_op.drop_index(batch_op.f("ix_phone_access_person_id"))
        batch_op.drop_index(batch_op.f("ix_phone_access_project_id"))
    op.drop_table("phone_access")
    with op.batch_alter_table("phone_lookup", schema=None) as batch_op:
        batch_op.drop_index("ix_phone_lookup_person_at")
    op.drop_table("phone_lookup")
