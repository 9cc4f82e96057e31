from __future__ import annotations

from datetime import datetime, timedelta

import strawberry
from sqlmodel import col

from api.auth import Permission as DomainPermission
from api.auth import PrincipalKind as DomainPrincipalKind
from api.auth import Role as DomainRole
from api.users import queries, service, sessions
from api.users.models import ApiKey, User
from api.users.throttle import LoginPolicy
from schema import fields
from schema.context import Info
from schema.errors import Unauthenticated, UserError
from schema.relay import Connection, connection, decode_id
from schema.users.types import ApiKeyType, Permission, Role, UserType, Viewer


@strawberry.type
class UserQueries:
    @fields.query(None, description="The caller: null for anonymous requests.")
    async def viewer(self, info: Info) -> Viewer | None:
        principal = info.context.principal
        if not principal.is_authenticated:
            return None
        assert principal.id is not None
        user = api_key = None
        if principal.kind is DomainPrincipalKind.STAFF:
            user = await info.context.loaders.user_by_id.load(principal.id)
        else:
            api_key = await info.context.loaders.api_key_by_id.load(principal.id)
        return Viewer(
            kind=principal.kind,
            permissions=sorted(principal.permissions),
            user=user,
            api_key=api_key,
        )

    @fields.query(DomainPermission.USERS_MANAGE)
    async def users(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[UserType]:
        return await connection(
            info,
            queries.users_query(),
            col(User.id),
            UserType.from_row,
            first=first,
            after=after,
            last=last,
            before=before,
        )

    @fields.query(DomainPermission.API_KEYS_MANAGE)
    async def api_keys(
        self,
        info: Info,
        include_revoked: bool = False,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> Connection[ApiKeyType]:
        return await connection(
            info,
            queries.api_keys_query(include_revoked=include_revoked),
            col(ApiKey.id),
            ApiKeyType.from_row,
            first=first,
            after=after,
            last=last,
            before=before,
        )


@strawberry.input
class LoginInput:
    email: str
    password: str


@strawberry.type
class LoginPayload:
    token: str | None = strawberry.field(
        default=None, description="Send as `Authorization: Bearer <token>`."
    )
    expires_at: datetime | None = None
    user: UserType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CreateUserInput:
    email: str
    password: str
    role: Role
    name: str | None = None


@strawberry.type
class CreateUserPayload:
    user: UserType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class CreateApiKeyInput:
    name: str
    scopes: list[Permission]
    points_per_second: int | None = strawberry.field(
        default=None,
        description="The key's query budget refill rate (see extensions.cost); the API's "
        "default when omitted.",
    )


@strawberry.type
class CreateApiKeyPayload:
    api_key: ApiKeyType | None = None
    secret: str | None = strawberry.field(
        default=None, description="The key itself. Shown once; only its hash is kept."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RevokeApiKeyInput:
    id: strawberry.ID


@strawberry.type
class RevokeApiKeyPayload:
    api_key: ApiKeyType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class RevokeStaffTokensInput:
    user_id: strawberry.ID


@strawberry.type
class RevokeStaffTokensPayload:
    tokens_valid_after: datetime | None = strawberry.field(
        default=None, description="Tokens issued before this moment are refused."
    )
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.input
class DeactivateUserInput:
    user_id: strawberry.ID


@strawberry.input
class ReactivateUserInput:
    user_id: strawberry.ID


@strawberry.type
class UserStatusPayload:
    user: UserType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class UserMutations:
    @fields.mutation(None, description="Exchange staff credentials for an access token.")
    async def login(self, info: Info, input: LoginInput) -> LoginPayload:
        context = info.context
        settings = context.settings
        guard = service.LoginGuard(
            context.rate_limits, LoginPolicy.of(settings), context.client_host
        )
        async with context.unit_of_work() as uow:
            result = await service.login(
                uow,
                email=input.email,
                password=input.password,
                secret_key=settings.secret_key,
                lifetime=timedelta(minutes=settings.token_lifetime_minutes),
                guard=guard,
            )
        return LoginPayload(
            token=result.token, expires_at=result.expires_at, user=UserType.from_row(result.user)
        )

    @fields.mutation(
        None,
        description="Sign the caller out everywhere: every token issued to them so far stops "
        "working (staff only; partners' keys end with revokeApiKey).",
    )
    async def logout(self, info: Info) -> RevokeStaffTokensPayload:
        principal = info.context.principal
        if principal.kind is not DomainPrincipalKind.STAFF or principal.id is None:
            raise Unauthenticated("logout ends a staff session: send a staff token")
        async with info.context.unit_of_work() as uow:
            cutoff = await sessions.revoke_staff_tokens(uow, user_id=principal.id)
        return RevokeStaffTokensPayload(tokens_valid_after=cutoff)

    @fields.mutation(
        DomainPermission.USERS_MANAGE,
        description="Refuse every token issued to a member of staff so far (a lost laptop).",
    )
    async def revoke_staff_tokens(
        self, info: Info, input: RevokeStaffTokensInput
    ) -> RevokeStaffTokensPayload:
        user_id = decode_id(input.user_id, "User", "userId")
        async with info.context.unit_of_work() as uow:
            cutoff = await sessions.revoke_staff_tokens(uow, user_id=user_id)
        return RevokeStaffTokensPayload(tokens_valid_after=cutoff)

    @fields.mutation(
        DomainPermission.USERS_MANAGE,
        description="A leaver: they can no longer log in, and every token they hold stops "
        "working at once (open subscriptions are closed).",
    )
    async def deactivate_user(self, info: Info, input: DeactivateUserInput) -> UserStatusPayload:
        user_id = decode_id(input.user_id, "User", "userId")
        principal = info.context.principal
        by = principal.id if principal.kind is DomainPrincipalKind.STAFF else None
        async with info.context.unit_of_work() as uow:
            user = await sessions.deactivate_user(uow, user_id=user_id, by_user_id=by)
        return UserStatusPayload(user=UserType.from_row(user))

    @fields.mutation(
        DomainPermission.USERS_MANAGE,
        description="Let a deactivated member of staff log in again (their old tokens stay "
        "refused).",
    )
    async def reactivate_user(self, info: Info, input: ReactivateUserInput) -> UserStatusPayload:
        user_id = decode_id(input.user_id, "User", "userId")
        async with info.context.unit_of_work() as uow:
            user = await sessions.reactivate_user(uow, user_id=user_id)
        return UserStatusPayload(user=UserType.from_row(user))

    @fields.mutation(DomainPermission.USERS_MANAGE)
    async def create_user(self, info: Info, input: CreateUserInput) -> CreateUserPayload:
        async with info.context.unit_of_work() as uow:
            user = await service.create_user(
                uow,
                email=input.email,
                password=input.password,
                role=DomainRole(input.role),
                name=input.name,
            )
        return CreateUserPayload(user=UserType.from_row(user))

    @fields.mutation(DomainPermission.API_KEYS_MANAGE)
    async def create_api_key(self, info: Info, input: CreateApiKeyInput) -> CreateApiKeyPayload:
        principal = info.context.principal
        creator = principal.id if principal.kind is DomainPrincipalKind.STAFF else None
        async with info.context.unit_of_work() as uow:
            created = await service.create_api_key(
                uow,
                name=input.name,
                scopes=input.scopes,
                created_by_user_id=creator,
                points_per_second=input.points_per_second,
            )
        return CreateApiKeyPayload(
            api_key=ApiKeyType.from_row(created.api_key), secret=created.secret
        )

    @fields.mutation(DomainPermission.API_KEYS_MANAGE)
    async def revoke_api_key(self, info: Info, input: RevokeApiKeyInput) -> RevokeApiKeyPayload:
        api_key_id = decode_id(input.id, "ApiKey", "id")
        async with info.context.unit_of_work() as uow:
            api_key = await service.revoke_api_key(uow, api_key_id=api_key_id)
        return RevokeApiKeyPayload(api_key=ApiKeyType.from_row(api_key))
