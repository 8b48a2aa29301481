"""issue basis (MAT-02), one shortage line per day and key (MAT-07), the stocktake's month (MAT-06)

- ``material_request.issued``: what issue forms have drawn on the request (CHECK within it).
- ``issue_form.request_id`` / ``plan_line_id``: what the form is issued against. Forms made
  before this revision have neither (they were made when no basis was asked for).
- ``shortage.key`` + unique (project_id, day, key): a folder checked twice the same day keeps
  one line. Old rows get ``legacy:<id>`` so they never collide.
- ``stocktake.month``: the business month counted (first day); old rows keep NULL.

Revision ID: c41a9e7d2b60
Revises: b7d2c4e9a1f0
Create Date: 2026-11-23 20:30:00
"""
import sqlalchemy as sa
from alembic import op

revision, down_revision = "c41a9e7d2b60", "b7d2c4e9a1f0"
branch_labels = depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("material_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("issued", sa.Integer(), nullable=False,
                                      server_default="0"))
        batch_op.create_check_constraint("ck_request_issued_within_request",
                                         "issued >= 0 AND issued <= quantity")
    with op.batch_alter_table("issue_form", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("plan_line_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_issue_form_request_id"), ["request_id"],
                              unique=False)
        batch_op.create_foreign_key("fk_issue_form_request_id", "material_request",
                                    ["request_id"], ["id"])
        batch_op.create_foreign_key("fk_issue_form_plan_line_id", "needs_plan_line",
                                    ["plan_line_id"], ["id"])
    with op.batch_alter_table("shortage", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=160), nullable=True))
    shortage = sa.table("shortage", sa.column("id", sa.Integer()),
                        sa.column("key", sa.String()))
    op.execute(shortage.update().values(
        key=sa.literal("legacy:") + sa.cast(shortage.c.id, sa.String())))
    with op.batch_alter_table("shortage", schema=None) as batch_op:
        batch_op.alter_column("key", existing_type=sa.String(length=160), nullable=False)
        batch_op.create_unique_constraint("uq_shortage_day_key", ["project_id", "day", "key"])
    with op.batch_alter_table("stocktake", schema=None) as batch_op:
        batch_op.add_column(sa.Column("month", sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f("ix_stocktake_month"), ["month"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stocktake", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stocktake_month"))
        batch_op.drop_column("month")
    with op.batch_alter_table("shortage", schema=None) as batch_op:
        batch_op.drop_constraint("uq_shortage_day_key", type_="unique")
        batch_op.drop_column("key")
    with op.batch_alter_table("issue_form", schema=None) as batch_op:
        batch_op.drop_constraint("fk_issue_form_plan_line_id", type_="foreignkey")
        batch_op.drop_constraint("fk_issue_form_request_id", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_issue_form_request_id"))
        batch_op.drop_column("plan_line_id")
        batch_op.drop_column("request_id")
    with op.batch_alter_table("material_request", schema=None) as batch_op:
        batch_op.drop_constraint("ck_request_issued_within_request", type_="check")
        batch_op.drop_column("issued")
