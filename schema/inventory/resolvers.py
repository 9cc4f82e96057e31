from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from api.auth import Permission
from api.catalog.models import Sku
from api.catalog.queries import sku_by_code
from api.inventory import queries, service, transfers
from api.inventory.models import InventoryLevel, InventoryMovement, Transfer
from schema import fields
from schema.catalog.types import SkuType
from schema.context import Info
from schema.errors import ClientError, UserError
from schema.inventory.types import (
    AdjustmentReason,
    Availability,
    InventoryLevelSnapshot,
    InventoryLevelType,
    InventoryMovementType,
    InventoryState,
    TransferStatus,
    TransferType,
)
from schema.relay import Connection, connection, decode_id, query_id


@strawberry.type
class InventoryQueries:
    @fields.query(Permission.INVENTORY_READ)
    async def inventory_levels(
        self,
        info: Info,
        location_id: strawberry.ID | None = None,
        sku: str | None = None,
        below_safety_stock: bool | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[InventoryLevelType]:
        location_pk = query_id(location_id, "Location", "locationId") if location_id else None
        return await connection(
            info,
            queries.inventory_levels_query(
                location_id=location_pk, sku_code=sku, below_safety_stock=below_safety_stock
            ),
            col(InventoryLevel.id),
            InventoryLevelType.from_row,
            first=first,
            after=after,
            last=last,
            before=before,
        )

    @fields.query(
        Permission.INVENTORY_READ,
        description="Transfers (leaving or reaching one location, of one SKU, if given), "
        "newest first by default.",
    )
    async def transfers(
        self,
        info: Info,
        status: list[TransferStatus] | None = None,
        location_id: strawberry.ID | None = None,
        sku: str | None = None,
        reverse: bool = True,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[TransferType]:
        location_pk = query_id(location_id, "Location", "locationId") if location_id else None
        sku_pk = None
        if sku is not None:
            async with info.context.database.session() as session:
                sku_pk = (await _known_sku(session, sku)).id
        return await connection(
            info,
            queries.transfers_query(
                statuses=[value.value for value in status or []],
                location_id=location_pk,
                sku_id=sku_pk,
            ),
            col(Transfer.id),
            TransferType.from_row,
            first=first,
            after=after,
            last=last,
            before=before,
            descending=reverse,
        )

    @fields.query(
        Permission.INVENTORY_READ,
        description="A level's ledger: every change of its buckets, newest first by default.",
    )
    async def inventory_movements(
        self,
        info: Info,
        location_id: strawberry.ID,
        sku: str,
        reverse: bool = True,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[InventoryMovementType]:
        location_pk = query_id(location_id, "Location", "locationId")
        await _require_location(info, location_pk)
        async with info.context.database.session() as session:
            sku_row = await _known_sku(session, sku)
        assert sku_row.id is not None
        return await connection(
            info,
            queries.movements_query(location_id=location_pk, sku_id=sku_row.id),
            col(InventoryMovement.id),
            InventoryMovementType.from_row,
            first=first,
            after=after,
            last=last,
            before=before,
            descending=reverse,
        )

    @fields.query(
        Permission.INVENTORY_READ, description="Stock of one SKU per location and in total."
    )
    async def availability(self, info: Info, sku: str) -> Availability:
        async with info.context.database.session() as session:
            row = await _known_sku(session, sku)
            assert row.id is not None
            levels = await queries.levels_for_sku(session, row.id)
        return Availability.from_levels(SkuType.from_row(row), levels)

    @fields.query(
        Permission.INVENTORY_READ,
        description="A level's stock buckets at a past moment, rebuilt from the ledger.",
    )
    async def inventory_level_at(
        self, info: Info, location_id: strawberry.ID, sku: str, at: datetime
    ) -> InventoryLevelSnapshot:
        location_pk = query_id(location_id, "Location", "locationId")
        if at.tzinfo is None:
            raise ClientError("at must carry a time zone, e.g. 2026-01-31T12:00:00Z")
        async with info.context.database.session() as session:
            row = await _known_sku(session, sku)
            await _require_location(info, location_pk)
            snapshot = await queries.inventory_level_at(
                session, location_id=location_pk, sku=row, at=at
            )
        return InventoryLevelSnapshot.from_snapshot(snapshot)


async def _known_sku(session: AsyncSession, code: str) -> Sku:
    row = await sku_by_code(session, code)
    if row is None or row.id is None:
        raise ClientError(f"SKU {code} does not exist")
    return row


async def _require_location(info: Info, location_id: int) -> None:
    if await info.context.loaders.location_by_id.load(location_id) is None:
        raise ClientError("locationId does not name a location")


CAS_DESCRIPTION = "Compare-and-swap: refused with STALE_VERSION when on hand differs."


@strawberry.input
class ReceiveInventoryInput:
    location_id: strawberry.ID
    sku: str
    quantity: int
    reference: str | None = None
    expected_on_hand: int | None = strawberry.field(default=None, description=CAS_DESCRIPTION)
    idempotency_key: str | None = strawberry.field(
        default=None, description="Replaying a key returns the first result and receives nothing."
    )


@strawberry.type
class ReceiveInventoryPayload:
    inventory_level: InventoryLevelType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class AdjustInventoryInput:
    location_id: strawberry.ID
    sku: str
    delta: int = strawberry.field(description="Signed change of on-hand stock.")
    reason: AdjustmentReason
    expected_on_hand: int | None = strawberry.field(default=None, description=CAS_DESCRIPTION)
    note: str | None = None


@strawberry.type
class AdjustInventoryPayload:
    inventory_level: InventoryLevelType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class AssignBinInput:
    location_id: strawberry.ID
    sku: str
    bin: str = strawberry.field(description="The bin's code at this location.")


@strawberry.type
class AssignBinPayload:
    inventory_level: InventoryLevelType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SetSafetyStockInput:
    location_id: strawberry.ID
    sku: str
    quantity: int


@strawberry.type
class SetSafetyStockPayload:
    inventory_level: InventoryLevelType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class MoveInventoryStateInput:
    location_id: strawberry.ID
    sku: str
    quantity: int
    from_: InventoryState = strawberry.field(name="from")
    to: InventoryState
    reason: str | None = None
    expected_on_hand: int | None = strawberry.field(default=None, description=CAS_DESCRIPTION)


@strawberry.type
class MoveInventoryStatePayload:
    inventory_level: InventoryLevelType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class SettleDiscrepancyInput:
    location_id: strawberry.ID
    sku: str
    found: int = strawberry.field(
        default=0, description="Units a count found after all: back on hand, sellable again."
    )
    lost: int = strawberry.field(default=0, description="Units a count did not find: written off.")
    note: str | None = None


@strawberry.type
class SettleDiscrepancyPayload:
    inventory_level: InventoryLevelType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class TransferInventoryInput:
    from_location_id: strawberry.ID
    to_location_id: strawberry.ID
    sku: str
    quantity: int
    reference: str | None = None
    expected_on_hand: int | None = strawberry.field(
        default=None, description=f"{CAS_DESCRIPTION} Compared at the source location."
    )
    idempotency_key: str | None = fields.idempotency_key("moves")


@strawberry.type
class TransferInventoryPayload:
    transfer: TransferType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class ReceiveTransferInput:
    transfer_id: strawberry.ID
    quantity: int | None = strawberry.field(
        default=None, description="Part of the outstanding quantity; all of it when omitted."
    )
    idempotency_key: str | None = fields.idempotency_key("receives")


@strawberry.type
class ReceiveTransferPayload:
    transfer: TransferType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class InventoryMutations:
    @fields.mutation(Permission.INVENTORY_WRITE)
    async def receive_inventory(
        self, info: Info, input: ReceiveInventoryInput
    ) -> ReceiveInventoryPayload:
        location_id = decode_id(input.location_id, "Location", "locationId")
        async with info.context.unit_of_work() as uow:
            level = await service.receive_inventory(
                uow,
                location_id=location_id,
                sku_code=input.sku,
                quantity=input.quantity,
                reference=input.reference,
                expected_on_hand=input.expected_on_hand,
                idempotency_key=input.idempotency_key,
            )
        return ReceiveInventoryPayload(inventory_level=InventoryLevelType.from_row(level))

    @fields.mutation(Permission.INVENTORY_WRITE)
    async def adjust_inventory(
        self, info: Info, input: AdjustInventoryInput
    ) -> AdjustInventoryPayload:
        location_id = decode_id(input.location_id, "Location", "locationId")
        async with info.context.unit_of_work() as uow:
            level = await service.adjust_inventory(
                uow,
                location_id=location_id,
                sku_code=input.sku,
                delta=input.delta,
                reason=input.reason,
                expected_on_hand=input.expected_on_hand,
                note=input.note,
            )
        return AdjustInventoryPayload(inventory_level=InventoryLevelType.from_row(level))

    @fields.mutation(Permission.INVENTORY_WRITE)
    async def set_safety_stock(
        self, info: Info, input: SetSafetyStockInput
    ) -> SetSafetyStockPayload:
        location_id = decode_id(input.location_id, "Location", "locationId")
        async with info.context.unit_of_work() as uow:
            level = await service.set_safety_stock(
                uow, location_id=location_id, sku_code=input.sku, quantity=input.quantity
            )
        return SetSafetyStockPayload(inventory_level=InventoryLevelType.from_row(level))

    @fields.mutation(Permission.INVENTORY_WRITE, description="Where pickers find the SKU here.")
    async def assign_bin(self, info: Info, input: AssignBinInput) -> AssignBinPayload:
        location_id = decode_id(input.location_id, "Location", "locationId")
        async with info.context.unit_of_work() as uow:
            level = await service.assign_bin(
                uow, location_id=location_id, sku_code=input.sku, bin_code=input.bin
            )
        return AssignBinPayload(inventory_level=InventoryLevelType.from_row(level))

    @fields.mutation(Permission.INVENTORY_WRITE)
    async def move_inventory_state(
        self, info: Info, input: MoveInventoryStateInput
    ) -> MoveInventoryStatePayload:
        location_id = decode_id(input.location_id, "Location", "locationId")
        async with info.context.unit_of_work() as uow:
            level = await service.move_inventory_state(
                uow,
                location_id=location_id,
                sku_code=input.sku,
                quantity=input.quantity,
                source=input.from_,
                target=input.to,
                reason=input.reason,
                expected_on_hand=input.expected_on_hand,
            )
        return MoveInventoryStatePayload(inventory_level=InventoryLevelType.from_row(level))

    @fields.mutation(
        Permission.INVENTORY_WRITE,
        description="Settle units a picker did not find (the discrepancy) once a count has "
        "looked for them: found ones go back on hand, lost ones are written off.",
    )
    async def settle_discrepancy(
        self, info: Info, input: SettleDiscrepancyInput
    ) -> SettleDiscrepancyPayload:
        location_id = decode_id(input.location_id, "Location", "locationId")
        async with info.context.unit_of_work() as uow:
            level = await service.settle_discrepancy(
                uow,
                location_id=location_id,
                sku_code=input.sku,
                found=input.found,
                lost=input.lost,
                note=input.note,
            )
        return SettleDiscrepancyPayload(inventory_level=InventoryLevelType.from_row(level))

    @fields.mutation(Permission.INVENTORY_WRITE)
    async def transfer_inventory(
        self, info: Info, input: TransferInventoryInput
    ) -> TransferInventoryPayload:
        from_id = decode_id(input.from_location_id, "Location", "fromLocationId")
        to_id = decode_id(input.to_location_id, "Location", "toLocationId")
        async with info.context.unit_of_work() as uow:
            transfer = await transfers.transfer_inventory(
                uow,
                from_location_id=from_id,
                to_location_id=to_id,
                sku_code=input.sku,
                quantity=input.quantity,
                reference=input.reference,
                expected_on_hand=input.expected_on_hand,
                idempotency_key=input.idempotency_key,
            )
        return TransferInventoryPayload(transfer=TransferType.from_row(transfer))

    @fields.mutation(Permission.INVENTORY_WRITE)
    async def receive_transfer(
        self, info: Info, input: ReceiveTransferInput
    ) -> ReceiveTransferPayload:
        transfer_id = decode_id(input.transfer_id, "Transfer", "transferId")
        async with info.context.unit_of_work() as uow:
            transfer = await transfers.receive_transfer(
                uow,
                transfer_id=transfer_id,
                quantity=input.quantity,
                idempotency_key=input.idempotency_key,
            )
        return ReceiveTransferPayload(transfer=TransferType.from_row(transfer))
