"""Login, tokens, API keys and permission refusals through real GraphQL documents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from strawberry.permission import PermissionExtension

from api.app import create_app
from api.auth import Role, issue_access_token
from api.db import Database
from api.settings import Settings
from schema import build_schema
from tests.conftest import StatementCounter
from tests.factories import TEST_SECRET, GraphQLClient, api_key, staff_token

LOGIN = """
mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    token expiresAt user { email role }
    userErrors { __typename code field message }
  }
}"""
VIEWER = "{ viewer { kind permissions user { email } apiKey { name } } }"
LEVELS = "{ inventoryLevels(first: 5) { totalCount } }"


def error_code(body: dict) -> str:
    return body["errors"][0]["extensions"]["code"]


async def test_login_returns_a_token_that_identifies_the_viewer(
    anonymous: GraphQLClient, database: Database
) -> None:
    await staff_token(database, Role.SUPPORT, email="sam@example.com")
    data = await anonymous.data(
        LOGIN, {"email": "Sam@Example.com", "password": "correct horse battery"}
    )
    assert data["login"]["userErrors"] == []
    assert data["login"]["user"] == {"email": "sam@example.com", "role": "SUPPORT"}
    viewer = await anonymous.data(VIEWER, token=data["login"]["token"])
    assert viewer["viewer"]["kind"] == "STAFF"
    assert "REFUNDS_WRITE" in viewer["viewer"]["permissions"]


async def test_logout_ends_every_session_and_a_new_login_starts_one(
    anonymous: GraphQLClient, database: Database
) -> None:
    await staff_token(database, Role.SUPPORT, email="sam@example.com")
    credentials = {"email": "sam@example.com", "password": "correct horse battery"}
    laptop = (await anonymous.data(LOGIN, credentials))["login"]["token"]
    phone = (await anonymous.data(LOGIN, credentials))["login"]["token"]
    done = await anonymous.data(
        "mutation { logout { tokensValidAfter userErrors { code } } }", token=phone
    )
    assert done["logout"]["userErrors"] == [] and done["logout"]["tokensValidAfter"]
    for old in (laptop, phone):
        assert (await anonymous.data(VIEWER, token=old))["viewer"] is None
    fresh = (await anonymous.data(LOGIN, credentials))["login"]["token"]
    assert (await anonymous.data(VIEWER, token=fresh))["viewer"]["kind"] == "STAFF"


async def test_an_admin_revokes_a_colleagues_tokens_and_partners_cannot_log_out(
    admin: GraphQLClient, anonymous: GraphQLClient, database: Database
) -> None:
    colleague = await staff_token(database, Role.WAREHOUSE, email="lost@example.com")
    user = (await anonymous.data("{ viewer { user { id } } }", token=colleague))["viewer"]["user"]
    revoked = await admin.data(
        "mutation($id: ID!) { revokeStaffTokens(input: {userId: $id}) { userErrors { code } } }",
        {"id": user["id"]},
    )
    assert revoked["revokeStaffTokens"]["userErrors"] == []
    assert error_code(await anonymous.execute(LEVELS, token=colleague)) == "UNAUTHENTICATED"
    partner = await api_key(database, "orders:read")
    refused = await anonymous.execute("mutation { logout { tokensValidAfter } }", token=partner)
    assert error_code(refused) == "UNAUTHENTICATED"
    forbidden = await anonymous.execute(
        "mutation($id: ID!) { revokeStaffTokens(input: {userId: $id}) { tokensValidAfter } }",
        {"id": user["id"]},
        token=await staff_token(database, Role.MANAGER, email="m@example.com"),
    )
    assert error_code(forbidden) == "FORBIDDEN"


async def test_a_request_may_hold_one_login(
    anonymous: GraphQLClient, count_statements: StatementCounter
) -> None:
    guesses = " ".join(
        f'g{n}: login(input: {{email: "sam@example.com", password: "guess-{n}"}}) {{ token }}'
        for n in range(2)
    )
    answer = await anonymous.post(f"mutation {{ {guesses} }}")
    assert answer.status_code == 400
    assert error_code(answer.json()) == "BAD_USER_INPUT"
    assert "once per request" in answer.json()["errors"][0]["message"]
    spread = (
        "mutation { ...Guess } fragment Guess on Mutation { a: login(input: "
        '{email: "x@example.com", password: "1"}) { token } b: login(input: '
        '{email: "x@example.com", password: "2"}) { token } }'
    )
    assert (await anonymous.post(spread)).status_code == 400
    assert count_statements.count == 0, "refused before any password was checked"


async def test_repeated_failures_are_throttled_with_retry_after(
    settings: Settings, database: Database
) -> None:
    await staff_token(database, Role.SUPPORT, email="sam@example.com")
    app = create_app(settings.model_copy(update={"login_failures_per_account": 2}), database)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://oms.test") as http:
        client = GraphQLClient(http)
        wrong = {"email": "sam@example.com", "password": "wrong-password"}
        for _ in range(2):
            data = await client.data(LOGIN, wrong)
            assert data["login"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS"
        right = {"email": "sam@example.com", "password": "correct horse battery"}
        throttled = await client.post(LOGIN, right)
    assert throttled.status_code == 429
    assert 1 <= int(throttled.headers["retry-after"]) <= 450
    assert error_code(throttled.json()) == "THROTTLED"


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("sam@example.com", "wrong password!"),
        ("nobody@example.com", "correct horse battery"),
        ("sam@example.com", "x" * 100_000),
    ],
)
async def test_login_with_bad_credentials_is_a_user_error(
    anonymous: GraphQLClient, database: Database, email: str, password: str
) -> None:
    await staff_token(database, Role.SUPPORT, email="sam@example.com")
    data = await anonymous.data(LOGIN, {"email": email, "password": password})
    assert data["login"]["token"] is None
    assert data["login"]["userErrors"][0]["__typename"] == "InvalidCredentialsError"
    assert data["login"]["userErrors"][0]["code"] == "INVALID_CREDENTIALS"


async def test_anonymous_callers_get_nothing(anonymous: GraphQLClient) -> None:
    body = await anonymous.execute(LEVELS)
    assert body["data"] is None or body["data"].get("inventoryLevels") is None
    assert error_code(body) == "UNAUTHENTICATED"
    assert (await anonymous.data(VIEWER))["viewer"] is None


async def test_garbage_and_expired_tokens_are_anonymous(
    anonymous: GraphQLClient, database: Database
) -> None:
    assert error_code(await anonymous.execute(LEVELS, token="not-a-token")) == "UNAUTHENTICATED"
    expired, _ = issue_access_token(
        1,
        Role.ADMIN,
        secret_key=TEST_SECRET,
        lifetime=timedelta(minutes=5),
        now=datetime.now(UTC) - timedelta(hours=1),
    )
    assert error_code(await anonymous.execute(LEVELS, token=expired)) == "UNAUTHENTICATED"
    forged, _ = issue_access_token(
        1,
        Role.ADMIN,
        secret_key="another-secret-key-of-sufficient-length",
        lifetime=timedelta(hours=1),
    )
    assert error_code(await anonymous.execute(LEVELS, token=forged)) == "UNAUTHENTICATED"


async def test_wrong_role_is_forbidden(warehouse: GraphQLClient, support: GraphQLClient) -> None:
    create_user = """mutation { createUser(input: {email: "x@example.com", password: "long enough pw", role: SUPPORT}) { user { id } } }"""
    assert error_code(await warehouse.execute(create_user)) == "FORBIDDEN"
    receive = """mutation { receiveInventory(input: {locationId: "TG9jYXRpb246MQ==", sku: "A", quantity: 1}) { userErrors { code } } }"""
    assert error_code(await support.execute(receive)) == "FORBIDDEN"
    assert "errors" not in await warehouse.execute(LEVELS)


async def test_api_key_scopes_open_exactly_what_they_name(
    anonymous: GraphQLClient, database: Database
) -> None:
    secret = await api_key(database, "inventory:read")
    assert (await anonymous.data(LEVELS, token=secret))["inventoryLevels"]["totalCount"] == 0
    viewer = await anonymous.data(VIEWER, token=secret)
    assert viewer["viewer"]["kind"] == "API_KEY"
    assert viewer["viewer"]["apiKey"] == {"name": "partner"}
    receive = """mutation { receiveInventory(input: {locationId: "TG9jYXRpb246MQ==", sku: "A", quantity: 1}) { userErrors { code } } }"""
    assert error_code(await anonymous.execute(receive, token=secret)) == "FORBIDDEN"
    assert error_code(await anonymous.execute("{ channels { code } }", token=secret)) == "FORBIDDEN"
    tampered = secret[:-2] + ("AA" if not secret.endswith("AA") else "BB")
    assert error_code(await anonymous.execute(LEVELS, token=tampered)) == "UNAUTHENTICATED"


async def test_created_api_key_is_shown_once_and_revocation_ends_it(admin: GraphQLClient) -> None:
    created = await admin.data(
        """mutation { createApiKey(input: {name: "ERP", scopes: [INVENTORY_READ, ORDERS_READ]}) {
             apiKey { id name scopes prefix } secret userErrors { code } } }"""
    )
    payload = created["createApiKey"]
    assert payload["apiKey"]["scopes"] == ["INVENTORY_READ", "ORDERS_READ"]
    secret = payload["secret"]
    assert secret.startswith(f"oms_{payload['apiKey']['prefix']}_")
    assert (await admin.data(LEVELS, token=secret))["inventoryLevels"]["totalCount"] == 0

    listed = await admin.data("{ apiKeys { edges { node { name } } } }")
    assert "secret" not in str(listed) and listed["apiKeys"]["edges"] == [{"node": {"name": "ERP"}}]

    revoke = """mutation($id: ID!) { revokeApiKey(input: {id: $id}) { apiKey { revokedAt } userErrors { code } } }"""
    revoked = await admin.data(revoke, {"id": payload["apiKey"]["id"]})
    assert revoked["revokeApiKey"]["apiKey"]["revokedAt"] is not None
    assert error_code(await admin.execute(LEVELS, token=secret)) == "UNAUTHENTICATED"
    again = await admin.data(revoke, {"id": payload["apiKey"]["id"]})
    assert again["revokeApiKey"]["userErrors"] == [{"code": "ILLEGAL_TRANSITION"}]


async def test_api_keys_cannot_hold_staff_management_scopes(admin: GraphQLClient) -> None:
    data = await admin.data(
        """mutation { createApiKey(input: {name: "x", scopes: [USERS_MANAGE]}) { apiKey { id } userErrors { code field } } }"""
    )
    assert data["createApiKey"] == {
        "apiKey": None,
        "userErrors": [{"code": "INVALID_INPUT", "field": ["scopes"]}],
    }


async def test_create_user_then_duplicate(admin: GraphQLClient) -> None:
    document = """mutation($email: String!) { createUser(input: {email: $email, password: "long enough pw", role: WAREHOUSE}) {
        user { email role } userErrors { code field } } }"""
    first = await admin.data(document, {"email": "pick@example.com"})
    assert first["createUser"]["user"] == {"email": "pick@example.com", "role": "WAREHOUSE"}
    second = await admin.data(document, {"email": "PICK@example.com"})
    assert second["createUser"]["userErrors"] == [{"code": "ALREADY_EXISTS", "field": ["email"]}]
    bad = await admin.data(document, {"email": "not-an-email"})
    assert bad["createUser"]["userErrors"] == [{"code": "INVALID_INPUT", "field": ["email"]}]


def test_every_root_field_declares_who_may_use_it() -> None:
    schema = build_schema()
    for root in (schema.query, schema.mutation):
        definition = root.__strawberry_definition__  # type: ignore[union-attr]
        for field in definition.fields:
            assert any(
                isinstance(extension, PermissionExtension) for extension in field.extensions
            ), f"{definition.name}.{field.name} has no permission"


DEACTIVATE = """mutation($id: ID!) { deactivateUser(input: {userId: $id})
  { user { email active } userErrors { code field } } }"""


async def test_deactivating_a_leaver_ends_their_tokens_at_once(
    admin: GraphQLClient, anonymous: GraphQLClient, database: Database
) -> None:
    leaver = await staff_token(database, Role.WAREHOUSE, email="leaver@example.com")
    me = (await anonymous.data(VIEWER, token=leaver))["viewer"]
    assert me["user"]["email"] == "leaver@example.com"
    users = await admin.data("{ users(first: 10) { nodes { id email } } }")
    [leaver_id] = [u["id"] for u in users["users"]["nodes"] if u["email"] == "leaver@example.com"]
    refused = await anonymous.post(DEACTIVATE, {"id": leaver_id}, token=leaver)
    assert error_code(refused.json()) == "FORBIDDEN", "a warehouse role manages no users"
    done = (await admin.data(DEACTIVATE, {"id": leaver_id}))["deactivateUser"]
    assert done == {"user": {"email": "leaver@example.com", "active": False}, "userErrors": []}
    assert (await anonymous.data(VIEWER, token=leaver))["viewer"] is None
    again = (await admin.data(DEACTIVATE, {"id": leaver_id}))["deactivateUser"]
    assert again["userErrors"] == [{"code": "ILLEGAL_TRANSITION", "field": ["userId"]}]
    back = await admin.data(
        "mutation($id: ID!) { reactivateUser(input: {userId: $id}) { user { active } } }",
        {"id": leaver_id},
    )
    assert back["reactivateUser"]["user"] == {"active": True}
    assert (await anonymous.data(VIEWER, token=leaver))["viewer"] is None, "old tokens stay out"
