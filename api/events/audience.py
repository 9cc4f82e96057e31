"""Who may read which events: each event type needs the permission that reads what it is
about. A webhook delivers only the events its owner may read; an event type nobody placed
here cannot be delivered at all (a test insists that each one is placed)."""

from __future__ import annotations

from api.auth import Permission

_BY_PERMISSION: dict[Permission, str] = {
    Permission.CATALOG_READ: "CHANNEL_CREATED LOCATION_CREATED BIN_CREATED BIN_ASSIGNED "
    "PRODUCT_CREATED SKU_UPDATED",
    Permission.CUSTOMERS_READ: "CUSTOMER_CREATED CUSTOMER_PREFERENCES_CHANGED",
    Permission.USERS_MANAGE: "USER_CREATED STAFF_TOKENS_REVOKED USER_DEACTIVATED USER_REACTIVATED",
    Permission.API_KEYS_MANAGE: "API_KEY_CREATED API_KEY_REVOKED",
    Permission.WEBHOOKS_MANAGE: "WEBHOOK_CREATED WEBHOOK_DELETED",
    Permission.INVENTORY_READ: "INVENTORY_RECEIVED INVENTORY_ADJUSTED INVENTORY_STATE_MOVED "
    "DISCREPANCY_SETTLED SAFETY_STOCK_SET INVENTORY_LEVEL_CHANGED TRANSFER_SHIPPED "
    "TRANSFER_RECEIVED "
    "SUPPLIER_CREATED PURCHASE_ORDER_CREATED PURCHASE_ORDER_ORDERED PURCHASE_ORDER_RECEIVED "
    "PURCHASE_ORDER_CANCELLED SUPPLIER_SKU_SET SUPPLIER_SKU_REMOVED "
    "INVENTORY_REORDER_POINT_REACHED INVENTORY_STOCKED_OUT INVENTORY_OVERSTOCKED",
    Permission.ORDERS_READ: "ORDER_PLACED ORDER_CANCELLED ORDER_LINES_CANCELLED ORDER_HELD "
    "ORDER_HOLD_RELEASED ORDER_EDITED ORDER_STATUS_CHANGED ORDER_DELAYED BACKORDER_ALLOCATED "
    "SHIPMENT_CREATED SHIPMENT_CANCELLED SHIPMENT_STATUS_CHANGED PICK_LIST_CREATED "
    "PICKS_CONFIRMED SHORT_PICKED SHIPMENT_PACKED SHIPMENT_SHIPPED SHIPMENT_TRACKING_UPDATED "
    "SHIPMENT_DELIVERED RETURN_REQUESTED RETURN_APPROVED RETURN_REJECTED RETURN_RECEIVED "
    "RETURN_CLOSED RETURN_REOPENED REFUND_ISSUED PAYMENT_RECONCILED FEEDBACK_REQUESTED "
    "FEEDBACK_SUBMITTED MESSAGE_RESENT",
}

READ_PERMISSION: dict[str, Permission] = {
    name: permission for permission, names in _BY_PERMISSION.items() for name in names.split()
}
"""Event type -> the permission that reads it."""


def readable_types(permissions: frozenset[Permission]) -> frozenset[str]:
    """The event types a holder of ``permissions`` may read."""
    return frozenset(name for name, needed in READ_PERMISSION.items() if needed in permissions)


def unreadable(event_types: list[str], permissions: frozenset[Permission]) -> list[str]:
    readable = readable_types(permissions)
    return sorted(name for name in event_types if name not in readable)
