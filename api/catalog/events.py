"""What happens to products and SKUs (by hand or by an import)."""

from __future__ import annotations

from dataclasses import dataclass

from api.events.declared import DomainEvent, about, omitted_when_none
from api.events.models import EventType


@dataclass(frozen=True, kw_only=True)
class ProductCreated(DomainEvent):
    type = EventType.PRODUCT_CREATED
    aggregate_type = "product"
    product_id: int = about()
    name: str
    skus: list[str]
    imported: bool | None = omitted_when_none()


@dataclass(frozen=True, kw_only=True)
class SkuUpdated(DomainEvent):
    type = EventType.SKU_UPDATED
    aggregate_type = "sku"
    sku_id: int = about()
    sku: str
    changed: list[str]
    imported: bool | None = omitted_when_none()
