"""What a schema change would break for clients built on the published schema."""

from __future__ import annotations

from schema.contract import contract_changes

PUBLISHED = """
type Query { order(id: ID!): Order }
type Order { id: ID! number: String! status: Status! }
enum Status { CONFIRMED SHIPPED }
"""


def test_adding_is_safe_and_removing_or_retyping_breaks() -> None:
    added = PUBLISHED.replace("status: Status!", "status: Status! email: String")
    assert contract_changes(PUBLISHED, added) == ([], [])
    removed = PUBLISHED.replace(" number: String!", "")
    retyped = PUBLISHED.replace("number: String!", "number: Int!")
    assert contract_changes(PUBLISHED, removed)[0] == [
        "FIELD_REMOVED: Field Order.number was removed."
    ]
    assert contract_changes(PUBLISHED, retyped)[0] == [
        "FIELD_CHANGED_KIND: Field Order.number changed type from String! to Int!."
    ]


def test_an_enum_value_added_is_dangerous_not_breaking() -> None:
    grown = PUBLISHED.replace("CONFIRMED SHIPPED", "CONFIRMED SHIPPED DELIVERED")
    breaking, dangerous = contract_changes(PUBLISHED, grown)
    assert breaking == [] and dangerous == [
        "VALUE_ADDED_TO_ENUM: Enum value Status.DELIVERED was added."
    ]


def test_every_domain_error_code_has_its_user_error_type() -> None:
    from api.errors import ErrorCode
    from schema.errors import _ERROR_TYPES

    assert set(_ERROR_TYPES) == set(ErrorCode)
