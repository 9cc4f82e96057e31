"""Every table, imported once so that ``SQLModel.metadata`` (and Alembic) sees them all."""

from sqlmodel import SQLModel

from api.catalog.models import Product, Sku
from api.channels.models import Channel
from api.customers.models import Customer, CustomerAddress
from api.events.models import Event, ProjectionCursor
from api.fulfilment.models import Package, PickList, PickTask, ShippingLabel, TrackingEvent
from api.idempotency.models import IdempotencyRecord
from api.inventory.models import InventoryLevel, InventoryMovement, Transfer
from api.kpis.models import KpiOrderFact, KpiStockDay
from api.locations.models import Bin, Location
from api.notifications.models import Message, MessageAttempt
from api.orders.models import Allocation, Order, OrderLine, Shipment
from api.payments.models import Payment, PaymentCall, PaymentTransaction
from api.planning.models import LevelPlan
from api.purchasing.models import PurchaseOrder, PurchaseOrderLine, Supplier, SupplierSku
from api.ratelimits import RateLimitBucket
from api.returns.models import Feedback, Refund, Return, ReturnLabel, ReturnLine
from api.users.models import ApiKey, User
from api.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery

metadata = SQLModel.metadata

__all__ = [
    "Allocation",
    "ApiKey",
    "Bin",
    "Channel",
    "Customer",
    "CustomerAddress",
    "Event",
    "Feedback",
    "IdempotencyRecord",
    "InventoryLevel",
    "InventoryMovement",
    "KpiOrderFact",
    "KpiStockDay",
    "LevelPlan",
    "Location",
    "Message",
    "MessageAttempt",
    "Order",
    "OrderLine",
    "Package",
    "Payment",
    "PaymentCall",
    "PaymentTransaction",
    "PickList",
    "PickTask",
    "Product",
    "ProjectionCursor",
    "PurchaseOrder",
    "PurchaseOrderLine",
    "RateLimitBucket",
    "Refund",
    "Return",
    "ReturnLabel",
    "ReturnLine",
    "Shipment",
    "ShippingLabel",
    "Sku",
    "Supplier",
    "SupplierSku",
    "TrackingEvent",
    "Transfer",
    "User",
    "Webhook",
    "WebhookAttempt",
    "WebhookDelivery",
    "metadata",
]
