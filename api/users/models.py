from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, String
from sqlmodel import Field, SQLModel

from api.dbtypes import UtcDateTime, utcnow


class User(SQLModel, table=True):
    """A member of staff. ``role`` is one of api.auth.Role."""

    __tablename__ = "staff_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_type=String(254), unique=True, nullable=False)
    name: str = Field(sa_type=String(200), nullable=False)
    password_hash: str = Field(sa_type=String(255), nullable=False)
    role: str = Field(sa_type=String(16), nullable=False)
    active: bool = Field(default=True, nullable=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
    last_login_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    tokens_valid_after: datetime | None = Field(default=None, sa_type=UtcDateTime)
    """Tokens issued before this moment are refused (see ``api.users.sessions``)."""


class ApiKey(SQLModel, table=True):
    """A partner credential. Only a hash of the secret is kept; the key is shown once."""

    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=String(200), nullable=False)
    prefix: str = Field(sa_type=String(16), unique=True, nullable=False)
    key_hash: str = Field(sa_type=String(64), nullable=False)
    scopes: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_by_user_id: int | None = Field(
        default=None, foreign_key="staff_user.id", ondelete="SET NULL"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UtcDateTime, nullable=False)
    last_used_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UtcDateTime)
    points_per_second: int | None = Field(
        default=None, description="Its query budget's refill rate; None: the API's default."
    )
