"""shipments, pick lists, packages, tracking events; the discrepancy state of stock

Revision ID: 51062ff335c3
Revises: 21fa65b379ab
Create Date: 2026-11-26 11:02:00.307250
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import api.dbtypes

revision: str = "51062ff335c3"
down_revision: str | None = "21fa65b379ab"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pick_list",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("walking_distance_m", sa.Float(), nullable=False),
        sa.Column("naive_walking_distance_m", sa.Float(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", api.dbtypes.UtcDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", api.dbtypes.UtcDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "naive_walking_distance_m >= 0", name=op.f("ck_pick_list_naive_walking_distance")
        ),
        sa.CheckConstraint("walking_distance_m >= 0", name=op.f("ck_pick_list_walking_distance")),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_pick_list_location_id_location")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pick_list")),
    )
    with op.batch_alter_table("pick_list", schema=None) as batch_op:
        batch_op.create_index(
            "ix_pick_list_location_status", ["location_id", "status", "id"], unique=False
        )

    op.create_table(
        "pick_task",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pick_list_id", sa.Integer(), nullable=False),
        sa.Column("sku_id", sa.Integer(), nullable=False),
        sa.Column("bin_id", sa.Integer(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("quantity_picked", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_pick_task_quantity")),
        sa.CheckConstraint(
            "quantity_picked IS NULL OR (quantity_picked >= 0 AND quantity_picked <= quantity)",
            name=op.f("ck_pick_task_quantity_picked"),
        ),
        sa.ForeignKeyConstraint(["bin_id"], ["bin.id"], name=op.f("fk_pick_task_bin_id_bin")),
        sa.ForeignKeyConstraint(
            ["pick_list_id"], ["pick_list.id"], name=op.f("fk_pick_task_pick_list_id_pick_list")
        ),
        sa.ForeignKeyConstraint(["sku_id"], ["sku.id"], name=op.f("fk_pick_task_sku_id_sku")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pick_task")),
        sa.UniqueConstraint("pick_list_id", "sequence", name="uq_pick_task_list_sequence"),
    )
    op.create_table(
        "shipment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("pick_list_id", sa.Integer(), nullable=True),
        sa.Column("carrier", sa.String(length=32), nullable=True),
        sa.Column("service", sa.String(length=32), nullable=True),
        sa.Column("tracking_number", sa.String(length=64), nullable=True),
        sa.Column("shipping_cost", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("estimated_delivery_at", api.dbtypes.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", api.dbtypes.UtcDateTime(timezone=True), nullable=False),
        sa.Column("packed_at", api.dbtypes.UtcDateTime(timezone=True), nullable=True),
        sa.Column("shipped_at", api.dbtypes.UtcDateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", api.dbtypes.UtcDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", api.dbtypes.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("shipping_cost >= 0", name=op.f("ck_shipment_shipping_cost")),
        sa.ForeignKeyConstraint(
            ["location_id"], ["location.id"], name=op.f("fk_shipment_location_id_location")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["sales_order.id"], name=op.f("fk_shipment_order_id_sales_order")
        ),
        sa.ForeignKeyConstraint(
            ["pick_list_id"], ["pick_list.id"], name=op.f("fk_shipment_pick_list_id_pick_list")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment")),
        sa.UniqueConstraint("tracking_number", name=op.f("uq_shipment_tracking_number")),
    )
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.create_index(
            "ix_shipment_location_status", ["location_id", "status", "id"], unique=False
        )
        batch_op.create_index("ix_shipment_order", ["order_id", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_shipment_pick_list_id"), ["pick_list_id"], unique=False
        )

    op.create_table(
        "package",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("weight_grams", sa.Integer(), nullable=False),
        sa.Column("length_cm", sa.Integer(), nullable=True),
        sa.Column("width_cm", sa.Integer(), nullable=True),
        sa.Column("height_cm", sa.Integer(), nullable=True),
        sa.Column("created_at", api.dbtypes.UtcDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(length_cm IS NULL OR length_cm > 0) AND (width_cm IS NULL OR width_cm > 0) AND (height_cm IS NULL OR height_cm > 0)",
            name=op.f("ck_package_dimensions"),
        ),
        sa.CheckConstraint("weight_grams > 0", name=op.f("ck_package_weight_grams")),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipment.id"], name=op.f("fk_package_shipment_id_shipment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_package")),
    )
    with op.batch_alter_table("package", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_package_shipment_id"), ["shipment_id"], unique=False)

    op.create_table(
        "tracking_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("occurred_at", api.dbtypes.UtcDateTime(timezone=True), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=True),
        sa.Column("recorded_at", api.dbtypes.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipment.id"], name=op.f("fk_tracking_event_shipment_id_shipment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracking_event")),
        sa.UniqueConstraint(
            "shipment_id", "status", "occurred_at", name="uq_tracking_event_report"
        ),
    )
    with op.batch_alter_table("tracking_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tracking_event_shipment_id"), ["shipment_id"], unique=False
        )

    with op.batch_alter_table("allocation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shipment_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("pick_task_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_allocation_pick_task_id"), ["pick_task_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_allocation_shipment_id"), ["shipment_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_allocation_shipment_id_shipment"), "shipment", ["shipment_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_allocation_pick_task_id_pick_task"),
            "pick_task",
            ["pick_task_id"],
            ["id"],
        )

    with op.batch_alter_table("inventory_level", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("discrepancy", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.create_check_constraint(op.f("ck_inventory_level_discrepancy"), "discrepancy >= 0")


def downgrade() -> None:
    with op.batch_alter_table("inventory_level", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_inventory_level_discrepancy"), type_="check")
        batch_op.drop_column("discrepancy")

    with op.batch_alter_table("allocation", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_allocation_pick_task_id_pick_task"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_allocation_shipment_id_shipment"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_allocation_shipment_id"))
        batch_op.drop_index(batch_op.f("ix_allocation_pick_task_id"))
        batch_op.drop_column("pick_task_id")
        batch_op.drop_column("shipment_id")

    with op.batch_alter_table("tracking_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracking_event_shipment_id"))

    op.drop_table("tracking_event")
    with op.batch_alter_table("package", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_package_shipment_id"))

    op.drop_table("package")
    with op.batch_alter_table("shipment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipment_pick_list_id"))
        batch_op.drop_index("ix_shipment_order")
        batch_op.drop_index("ix_shipment_location_status")

    op.drop_table("shipment")
    op.drop_table("pick_task")
    with op.batch_alter_table("pick_list", schema=None) as batch_op:
        batch_op.drop_index("ix_pick_list_location_status")

    op.drop_table("pick_list")
