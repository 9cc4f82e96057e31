"""The ``oms`` command line: migrate, seed, serve, create-user, create-api-key."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from pydantic import ValidationError

from api.auth import SYSTEM_ACTOR, Role
from api.bulk.order_export import ExportFormat
from api.bulk.service import BatchOutcome, ImportKind
from api.db import Database
from api.errors import DomainError, InvalidInput, NotFound
from api.models import metadata as every_table  # noqa: F401  (foreign keys resolve across contexts)
from api.settings import PROJECT_ROOT, Settings

app = typer.Typer(help="Order Management System", no_args_is_help=True, add_completion=False)
T = TypeVar("T")


def _run(work: Callable[[Database], Awaitable[T]]) -> T:
    async def main() -> T:
        database = Database.from_settings(_settings())
        try:
            return await work(database)
        finally:
            await database.dispose()

    try:
        return asyncio.run(main())
    except DomainError as error:
        typer.secho(f"error: {error.message} ({error.code.value})", fg="red", err=True)
        raise typer.Exit(1) from error


def _settings() -> Settings:
    """The settings from the environment; a bad value ends the command with one line per
    setting that is wrong."""
    try:
        return Settings()
    except ValidationError as invalid:
        for error in invalid.errors():
            name = "OMS_" + "_".join(str(part) for part in error["loc"]).upper()
            typer.secho(f"invalid setting {name}: {error['msg']}", fg="red", err=True)
        raise typer.Exit(2) from None


def _settings_to_serve() -> Settings:
    """The settings, unless they would serve production with secrets anyone can know."""
    settings = _settings()
    insecure = settings.insecure_secrets()
    if insecure:
        typer.secho(
            f"refusing to start: {' and '.join(insecure)} must be set to a random value of at "
            "least 32 characters outside development (the default lets anyone forge staff "
            "tokens, label links and carrier reports); OMS_ENV=development allows it",
            fg="red",
            err=True,
        )
        raise typer.Exit(2)
    return settings


def migrate_database(database_url: str, revision: str = "head") -> None:
    from alembic import command
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.attributes["database_url"] = database_url
    config.attributes["configure_logger"] = False
    command.upgrade(config, revision)


@app.command()
def migrate(revision: str = "head") -> None:
    """Bring the database schema up to date (creates the SQLite file when missing)."""
    settings = _settings()
    if settings.is_sqlite:
        (PROJECT_ROOT / "var").mkdir(exist_ok=True)
    migrate_database(settings.database_url, revision)
    typer.echo(f"database at {revision}")


@app.command()
def seed() -> None:
    """Load demo data: locations, channels, 200 SKUs with stock, customers, staff users."""
    from api.seed import DEMO_LOGINS, seed_demo_data

    created = _run(seed_demo_data)
    typer.echo("demo data loaded" if created else "demo data already present")
    for email, password, role in DEMO_LOGINS:
        typer.echo(f"  {role:<9} {email} / {password}")


@app.command()
def simulate(
    days: Annotated[int, typer.Option(min=1, max=3650)] = 90,
    orders_per_day: Annotated[int, typer.Option(min=1, max=100_000)] = 500,
    seed: int = 1,
    once: Annotated[
        bool, typer.Option(help="Do nothing when the database holds a simulated history.")
    ] = False,
) -> None:
    """Write a history of DAYS past days, ending today, through the real services: orders,
    fulfilment, deliveries, returns and feedback (see README, "Simulated history"), on a
    database without orders. Loads the demo catalogue first when there is none."""
    from datetime import UTC, datetime, time, timedelta

    from api.dbtypes import simulated_time
    from api.payments.provider import TestPaymentProvider
    from api.seed import seed_demo_data
    from api.shipping.carriers import BUILT_IN
    from api.simulation.simulator import (
        SimulationReport,
        Simulator,
        has_orders,
        has_simulated_history,
    )
    from api.simulation.world import World

    first_day = datetime.now(UTC).date() - timedelta(days=days)

    async def work(database: Database) -> SimulationReport | None:
        # The shop and its first stock exist from the history's first moment on: the ledger
        # then reads as one story, receipts before what they were sold for.
        with simulated_time(datetime.combine(first_day, time(), UTC)):
            await seed_demo_data(database, orders=False)
        if once and await has_simulated_history(database):
            return None
        if await has_orders(database):
            # Its waves would pick today's orders in the past: a history comes before them.
            raise InvalidInput(
                "simulate writes the history of an empty shop: run it on a database without "
                "orders (before `oms seed`, as `make run` does)"
            )
        world = await World.load(database, seed, shoppers=max(200, orders_per_day * 4))
        simulator = Simulator(database, world, TestPaymentProvider(), BUILT_IN)
        with typer.progressbar(length=days, label="simulating days") as bar:
            return await simulator.run(first_day, days, orders_per_day, lambda _: bar.update(1))

    done = _run(work)
    if done is None:
        typer.echo("a simulated history is already there")
        return
    typer.echo(
        f"{done.days} days from {first_day}: {done.orders_placed} orders placed "
        f"({done.orders_refused} refused, {done.orders_cancelled} cancelled), "
        f"{done.shipments_shipped} shipments, {done.deliveries} delivered "
        f"({done.late_deliveries} late), {done.returns} returns, {done.feedback} ratings, "
        f"{done.short_picks} short picks; {done.orders_per_second:.0f} orders/s"
    )


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: Annotated[int, typer.Option(min=1)] = 1,
    reload: bool = False,
) -> None:
    """Run the API (GraphQL and GraphiQL at /graphql)."""
    import uvicorn

    settings = _settings_to_serve()
    if workers > 1 and settings.is_sqlite:
        # Each worker would queue its writers separately and collide on SQLite's single lock.
        typer.secho("SQLite serves one worker: set DATABASE_URL to PostgreSQL for more.", err=True)
        raise typer.Exit(2)

    from api.logs import logging_config

    typer.echo(f"OMS API on http://{host}:{port}/graphql (open it in a browser for GraphiQL)")
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        reload=reload,
        log_level=settings.log_level.lower(),
        log_config=logging_config(settings.log_level, settings.log_format),
        # The app applies X-Forwarded-For from OMS_TRUSTED_PROXIES alone (uvicorn's own
        # default trusts every local peer).
        proxy_headers=False,
        # Subscription messages are small JSON; compressing each one costs more CPU than it
        # saves bandwidth, and a compressor per connection costs tens of KiB of memory.
        ws_per_message_deflate=False,
    )


@app.command()
def webhooks() -> None:
    """Deliver webhooks until stopped (Ctrl-C or SIGTERM). Run any number: they never send the
    same attempt twice. Set OMS_WEBHOOKS_IN_PROCESS=false on the API when they run."""
    import signal

    from api.logs import configure_logging
    from api.webhooks.worker import WebhookWorker

    settings = _settings_to_serve()
    configure_logging(settings.log_level, settings.log_format)

    async def deliver(database: Database) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        typer.echo("delivering webhooks (Ctrl-C to stop)")
        await WebhookWorker(database, settings).run(stop)

    _run(deliver)


@app.command()
def notifications() -> None:
    """Turn events into customers' mail and send it until stopped (Ctrl-C or SIGTERM). Run any
    number. Set OMS_NOTIFICATIONS_IN_PROCESS=false on the API when they run."""
    import signal

    from api.logs import configure_logging
    from api.notifications.worker import run_notifications

    settings = _settings_to_serve()
    configure_logging(settings.log_level, settings.log_format)

    async def send(database: Database) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        where = "to " + settings.smtp_url.split("@")[-1] if settings.smtp_url else "kept, no SMTP"
        typer.echo(f"sending customers' mail ({where}; Ctrl-C to stop)")
        await run_notifications(database, settings, stop)

    _run(send)


@app.command("import")
def import_csv(
    kind: ImportKind,
    path: Annotated[typer.FileBinaryRead, typer.Argument(help="The CSV file ('-' reads stdin).")],
    batch_size: Annotated[int, typer.Option(min=1, max=100_000)] = 1_000,
    dry_run: Annotated[bool, typer.Option(help="Check every row, write nothing.")] = False,
) -> None:
    """Import SKUs or inventory levels from CSV (columns in the README). Each batch of rows
    applies whole or not at all; every error is reported by line and column."""
    from api.bulk.service import import_in_batches, read_import

    data = path.read()

    async def work(database: Database) -> list[BatchOutcome]:
        parsed = read_import(kind, data, max_rows=10_000_000)
        return await import_in_batches(
            database, SYSTEM_ACTOR, kind, parsed, batch_size=batch_size, dry_run=dry_run
        )

    outcomes = _run(work)
    for outcome in outcomes:
        lines = f"lines {outcome.first_line}-{outcome.last_line}"
        if outcome.summary is not None:
            done = outcome.summary
            verb = "would apply" if dry_run else "applied"
            typer.echo(f"{lines}: {verb}: {done.created} created, {done.updated} updated, "
                       f"{done.unchanged} unchanged")  # fmt: skip
            continue
        assert outcome.rejected is not None
        typer.secho(f"{lines}: rejected: {outcome.rejected.message}", fg="red", err=True)
        for cause in outcome.rejected.causes:
            typer.secho(f"  line {(cause.field or ['', '?'])[1]}: {cause.message}", err=True)
    if not outcomes:
        typer.echo("the file has no rows")
    if any(outcome.rejected for outcome in outcomes):
        raise typer.Exit(1)


class Exportable(StrEnum):
    ORDERS = "orders"


@app.command("export")
def export(
    what: Annotated[Exportable, typer.Argument()],
    start: Annotated[datetime, typer.Option("--from", help="placed at or after (UTC)")],
    end: Annotated[datetime, typer.Option("--to", help="placed before (UTC)")],
    export_format: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.CSV,
    output: Annotated[typer.FileBinaryWrite, typer.Option(help="default: stdout")] = "-",  # type: ignore[assignment]
) -> None:
    """Stream the orders placed in a range as CSV (a row per line) or JSON Lines (an order per
    line), in bounded memory whatever the number of orders."""
    from api.bulk.order_export import export_orders

    async def work(database: Database) -> None:
        chunks = export_orders(
            database, start.replace(tzinfo=UTC), end.replace(tzinfo=UTC), export_format
        )
        async for chunk in chunks:
            output.write(chunk)
        output.flush()

    _run(work)


@app.command("trusted-documents")
def trusted_documents(
    sources: Annotated[list[Path], typer.Argument(help=".graphql files, or folders of them")],
    output: Annotated[Path, typer.Option()] = PROJECT_ROOT / "var" / "trusted-documents.json",
) -> None:
    """Register operations by hash: write the manifest the API loads (OMS_TRUSTED_DOCUMENTS)
    from .graphql files, one operation (with its fragments) per file."""
    import json

    from api.app import trusted_documents_manifest

    manifest = trusted_documents_manifest(sources)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    typer.echo(f"registered {len(manifest['operations'])} documents in {output}")


@app.command("export-schema")
def export_schema(path: str = str(PROJECT_ROOT / "schema.graphql")) -> None:
    """Write the GraphQL SDL (the contract the admin app and partners build on)."""
    from api.app import schema_sdl

    with open(path, "w", encoding="utf-8") as sdl:
        sdl.write(schema_sdl())
    typer.echo(f"wrote {path}")


@app.command("check-schema")
def check_schema(against: str = "HEAD") -> None:
    """Fail when the schema as built now breaks the one committed at AGAINST (a git ref):
    removed or retyped fields, arguments made required, enum values dropped. Deprecate first,
    remove later (see README)."""
    import subprocess

    from api.app import schema_contract_changes

    shown = subprocess.run(
        ["git", "show", f"{against}:schema.graphql"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
    )
    if shown.returncode != 0:
        typer.echo(f"no schema.graphql at {against}: nothing to compare")
        return
    breaking, dangerous = schema_contract_changes(shown.stdout)
    for change in dangerous:
        typer.echo(f"dangerous: {change}")
    for change in breaking:
        typer.secho(f"breaking: {change}", fg="red", err=True)
    if breaking:
        raise typer.Exit(1)
    typer.echo(f"no breaking change against {against}")


@app.command("create-user")
def create_user(
    email: Annotated[str, typer.Option()],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True)],
    role: Annotated[Role, typer.Option()] = Role.ADMIN,
    name: str | None = None,
) -> None:
    """Create a staff user (the first admin, for one)."""
    from api.users import service

    async def work(database: Database) -> int | None:
        async with database.unit_of_work(SYSTEM_ACTOR) as uow:
            user = await service.create_user(
                uow, email=email, password=password, role=role, name=name
            )
        return user.id

    _run(work)
    typer.echo(f"created {role.value} {email}")


@app.command("deactivate-user")
def deactivate_user(email: Annotated[str, typer.Option()]) -> None:
    """A leaver: they can no longer log in, and every token they hold stops working."""
    from api.users.queries import users_by_email
    from api.users.sessions import deactivate_user as deactivate

    async def work(database: Database) -> None:
        async with database.reader() as reader:
            (user,) = await users_by_email(reader, [email])
        if user is None or user.id is None:
            raise NotFound("user", email, field=["email"])
        async with database.unit_of_work(SYSTEM_ACTOR) as uow:
            await deactivate(uow, user_id=user.id, by_user_id=None)

    _run(work)
    typer.echo(f"deactivated {email}: their tokens stop working within seconds")


@app.command("create-api-key")
def create_api_key(
    name: Annotated[str, typer.Option()],
    scopes: Annotated[str, typer.Option(help="Comma-separated, e.g. orders:read,inventory:read")],
) -> None:
    """Create a partner API key and print it (only this once)."""
    from api.users import service

    async def work(database: Database) -> str:
        async with database.unit_of_work(SYSTEM_ACTOR) as uow:
            created = await service.create_api_key(uow, name=name, scopes=scopes.split(","))
        return created.secret

    secret = _run(work)
    typer.echo(secret)
    typer.secho("Store it now: only its hash is kept.", err=True, fg="yellow")
