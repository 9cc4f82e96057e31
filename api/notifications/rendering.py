"""Messages rendered from templates: a plain-text and an HTML body per message kind and locale
(``templates/<locale>/<kind>.txt`` and ``.html``), the subject being the text template's
``subject`` block. Money and dates are written the locale's way (Babel).

A locale is a folder of templates: adding one is copying ``templates/en`` and translating it.
A customer whose locale has no folder reads the shop's default locale.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, get_currency_precision
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from api.notifications.statuses import MessageKind

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Rendered:
    locale: str
    subject: str
    text: str
    html: str


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def locales() -> list[str]:
    """The locales with templates."""
    return sorted(path.name for path in TEMPLATES.iterdir() if path.is_dir())


def locale_for(wanted: str | None, default: str) -> str:
    """The locale with templates that serves ``wanted`` (``de-AT`` is served by ``de``), else
    ``default``."""
    available = locales()
    if wanted:
        try:
            language = Locale.parse(wanted.replace("-", "_")).language
        except (ValueError, UnknownLocaleError):
            language = None
        if language in available:
            return language
    return default if default in available else "en"


@lru_cache(maxsize=8192)
def _money(amount: int, currency: str, locale: str) -> str:
    # Cached: Babel reads its locale data anew for every amount (half a message's rendering),
    # and a shop's prices and totals repeat.
    digits = get_currency_precision(currency)
    return str(format_currency(amount / 10**digits, currency, locale=locale))


@lru_cache(maxsize=4096)
def _day(day: date, locale: str) -> str:
    return str(format_date(day, format="long", locale=locale))


def money_writer(locale: str, currency: str) -> Callable[[int], str]:
    """Minor units of ``currency`` as the locale writes an amount of it (``€12.50``)."""
    return lambda amount: _money(amount, currency, locale)


def date_writer(locale: str) -> Callable[[date | datetime | None], str]:
    """A moment's day as the locale writes it (``7 December 2026``), in UTC."""

    def when(moment: date | datetime | None) -> str:
        if moment is None:
            return ""
        return _day(moment.date() if isinstance(moment, datetime) else moment, locale)

    return when


def render(kind: MessageKind, locale: str, context: dict[str, Any], currency: str) -> Rendered:
    """The message of ``kind`` in ``locale`` (one with templates) for ``context``."""
    environment = _environment()
    names = {**context, "money": money_writer(locale, currency), "day": date_writer(locale)}
    text = environment.get_template(f"{locale}/{kind.lower()}.txt")
    html = environment.get_template(f"{locale}/{kind.lower()}.html")
    subject = "".join(text.blocks["subject"](text.new_context(names))).strip()
    return Rendered(
        locale=locale,
        subject=" ".join(subject.split()),
        text=text.render(names),
        html=html.render(names),
    )
