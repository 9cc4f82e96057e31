"""Runtime configuration, read from the environment (prefix ``OMS_``) and passed explicitly."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{PROJECT_ROOT / 'var' / 'oms.db'}"
INSECURE_DEV_SECRET = "dev-only-secret-change-me-in-production-0123456789"
MIN_SECRET_LENGTH = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OMS_", env_file=".env", extra="ignore")

    env: Literal["development", "production"] | None = Field(
        default=None,
        description="development lets the API run with the published development secrets; "
        "unset, only the embedded SQLite database counts as development.",
    )
    database_url: str = Field(
        default=DEFAULT_DATABASE_URL,
        validation_alias=AliasChoices("OMS_DATABASE_URL", "DATABASE_URL", "database_url"),
        description="SQLAlchemy URL: sqlite+aiosqlite:///path or postgresql+asyncpg://...",
    )
    secret_key: str = Field(
        default=INSECURE_DEV_SECRET,
        min_length=MIN_SECRET_LENGTH,
        description="Signs staff access tokens and label links.",
    )
    token_lifetime_minutes: int = Field(default=720, ge=1, le=60 * 24 * 30)
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default=["http://127.0.0.1:5173", "http://localhost:5173"],
        description="Origins allowed to call the API from a browser (the admin app).",
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default=[],
        description="Addresses or networks (CIDR) of the proxies in front of the API whose "
        "X-Forwarded-For names the caller; without them the caller is the connection's peer.",
    )
    log_level: str = Field(default="INFO")
    log_format: Literal["text", "json"] = Field(
        default="text", description="text for people, json (one object per line) for collectors"
    )
    db_pool_size: int = Field(default=10, ge=1, le=100)
    page_size_max: int = Field(default=250, ge=1, le=1000)
    max_request_bytes: int = Field(
        default=1_048_576, ge=1024, description="Largest GraphQL request body accepted."
    )
    import_max_bytes: int = Field(
        default=10_485_760, ge=1024, description="Largest CSV file an import mutation accepts."
    )
    import_max_rows: int = Field(
        default=10_000, ge=1, le=100_000, description="Most rows of an import mutation's file."
    )
    fast_execution: bool = Field(
        default=True,
        description="Executes scalar fields and shared subscription events on the fast path "
        "(schema/execution.py), written for the pinned graphql-core and Strawberry; false runs "
        "graphql-core's own path, as a newer library needs until the fast path is checked on it.",
    )
    trusted_documents: Path | None = Field(
        default=PROJECT_ROOT / "var" / "trusted-documents.json",
        description="Manifest of registered operations (see `oms trusted-documents`).",
    )
    trusted_documents_only: bool = Field(
        default=False,
        description="Accept only registered operations from callers without credentials.",
    )
    max_shipments_per_order: int = Field(default=3, ge=1, le=20)
    backorder_lead_days: int = Field(
        default=14, ge=1, le=365, description="Promise for units no location holds."
    )
    login_failures_per_account: int = Field(
        default=10,
        ge=1,
        le=10_000,
        description="Failed logins an account may have in a row before it is throttled.",
    )
    login_failures_per_address: int = Field(
        default=100,
        ge=1,
        le=100_000,
        description="Failed logins one client address may have in a row before it is throttled.",
    )
    login_throttle_minutes: float = Field(
        default=15,
        gt=0,
        le=24 * 60,
        description="How long a throttled account or address takes to regain every attempt "
        "(one comes back every minutes / failures).",
    )
    idempotency_ttl_hours: int = Field(default=24, ge=1, le=24 * 90)
    carrier_webhook_secret: str = Field(
        default=INSECURE_DEV_SECRET,
        min_length=MIN_SECRET_LENGTH,
        description="Signs carrier tracking reports posted to /carriers/{carrier}/events.",
    )
    label_url_lifetime_hours: int = Field(
        default=168, ge=1, le=24 * 90, description="How long a signed label link opens."
    )
    return_window_days: int = Field(
        default=30, ge=1, le=365, description="Days after delivery a return can be requested."
    )
    graphiql: bool = Field(default=True, description="Serve GraphiQL to browsers at /graphql.")
    max_query_cost: int = Field(
        default=1000, ge=10, le=1_000_000, description="The most one query may cost, in points."
    )
    rate_limit_points_per_second: int = Field(
        default=100,
        ge=1,
        le=1_000_000,
        description="How fast an API key's or anonymous caller's budget refills; it holds ten "
        "seconds' worth.",
    )
    webhook_retry_hours: float = Field(
        default=24, gt=0, le=24 * 14, description="How long a failing delivery is retried."
    )
    webhook_retry_base_seconds: float = Field(default=10, gt=0, le=3600)
    webhook_retry_max_seconds: float = Field(default=3600, gt=0, le=86_400)
    webhook_timeout_seconds: float = Field(default=10, gt=0, le=60)
    webhook_allow_private_targets: bool = Field(
        default=False,
        description="Let webhooks reach private, loopback and link-local addresses (for "
        "endpoints inside your own network, and for development).",
    )
    webhooks_in_process: bool = Field(
        default=True,
        description="Run the delivery worker inside the API process (off when `oms webhooks` "
        "runs it on its own).",
    )
    shop_name: str = Field(
        default="OMS Demo Shop", min_length=1, max_length=100, description="Signs customers' mail."
    )
    support_email: str | None = Field(
        default=None, description="Where customers write back; shown in every mail."
    )
    mail_from: str = Field(
        default="OMS Demo Shop <orders@shop.example>",
        description="The From of customers' mail.",
    )
    smtp_url: str | None = Field(
        default=None,
        description="The mail server: smtp://[user:password@]host[:port] (STARTTLS when "
        "offered; ?starttls=false for a plain local relay) or smtps://... (TLS). Unset: "
        "messages are kept in the database and shown in the admin app, not sent.",
    )
    smtp_timeout_seconds: float = Field(default=30, gt=0, le=300)
    smtp_ca_file: Path | None = Field(
        default=None,
        description="Certificates (PEM) to trust for the mail server's TLS instead of the "
        "system's: a relay with a private certificate authority.",
    )
    smtp_connections: int = Field(
        default=4, ge=1, le=32, description="Connections a sender keeps to the mail server."
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where customers reach this API (label and unsubscribe links in mail).",
    )
    customer_page_url: str = Field(
        default="http://127.0.0.1:5173/track/",
        description="The customer's order page (the admin app's /track/), linked from mail.",
    )
    default_locale: str = Field(
        default="en", description="The language of mail to customers who have none set."
    )
    survey_delay_hours: float = Field(
        default=0, ge=0, le=24 * 60, description="How long after delivery the survey is sent."
    )
    notification_retry_hours: float = Field(
        default=48, gt=0, le=24 * 14, description="How long a message the server defers is retried."
    )
    notification_retry_base_seconds: float = Field(default=30, gt=0, le=3600)
    notification_retry_max_seconds: float = Field(default=3600, gt=0, le=86_400)
    notifications_in_process: bool = Field(
        default=True,
        description="Turn events into customers' mail and send it inside the API process (off "
        "when `oms notifications` does it on its own).",
    )
    ws_init_timeout_seconds: float = Field(
        default=10,
        gt=0,
        le=300,
        description="How long a WebSocket may wait to send connection_init.",
    )
    subscriptions_per_connection: int = Field(default=100, ge=1, le=10_000)
    customer_subscriptions_per_connection: int = Field(
        default=5,
        ge=1,
        le=100,
        description="Subscriptions a connection may hold on tracking tokens.",
    )
    subscriber_queue_limit: int = Field(
        default=1_000,
        ge=10,
        le=100_000,
        description="Events waiting for one subscriber before it is closed as too slow (1013).",
    )
    planning_service_level: float = Field(
        default=0.95,
        ge=0.5,
        lt=1,
        description="The chance of not running out during a lead time that safety stock aims for.",
    )
    planning_review_days: int = Field(
        default=14, ge=0, le=180, description="Days of demand an order covers beyond its lead time."
    )
    planning_history_days: int = Field(
        default=91, ge=14, le=730, description="Days of demand history forecasts learn from."
    )
    default_lead_time_days: int = Field(
        default=14, ge=0, le=365, description="Lead time of SKUs no supplier sells."
    )
    overstock_days: float = Field(
        default=180, gt=0, le=3650, description="Days of cover beyond which a level is overstocked."
    )
    rebalance_short_days: float = Field(
        default=7, ge=0, le=365, description="Days of cover below which a location is topped up."
    )
    rebalance_target_days: float = Field(
        default=28,
        gt=0,
        le=180,
        description="Days of cover a transfer brings a short location up to, and that its sources "
        "keep.",
    )
    planning_refresh_minutes: float = Field(
        default=60,
        gt=0,
        le=24 * 60,
        description="How often the API recomputes forecasts and reorder points for stock alerts.",
    )
    sql_echo: bool = False

    @field_validator("cors_origins", "trusted_proxies", mode="before")
    @classmethod
    def _split_list(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("public_url", "customer_page_url")
    @classmethod
    def _absolute_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("an absolute http(s) URL")
        return value

    @field_validator("public_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("log_level")
    @classmethod
    def _upper_log_level(cls, value: str) -> str:
        return value.upper()

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def is_development(self) -> bool:
        if self.env is not None:
            return self.env == "development"
        return self.database_url == DEFAULT_DATABASE_URL

    def insecure_secrets(self) -> list[str]:
        """The secrets still at the published development value outside development: with them
        anyone can forge a staff token, a label link or a carrier report."""
        if self.is_development:
            return []
        secrets = {
            "OMS_SECRET_KEY": self.secret_key,
            "OMS_CARRIER_WEBHOOK_SECRET": self.carrier_webhook_secret,
        }
        return [name for name, value in secrets.items() if value == INSECURE_DEV_SECRET]

    @model_validator(mode="after")
    def _short_within_target(self) -> Settings:
        if self.rebalance_short_days > self.rebalance_target_days:
            raise ValueError("OMS_REBALANCE_SHORT_DAYS is at most OMS_REBALANCE_TARGET_DAYS")
        return self
