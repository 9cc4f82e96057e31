"""Order totals: SKU prices, shipping by the rate table, and tax by the country's rate.

Prices are tax-exclusive. Tax is charged on goods and shipping at the destination country's
standard rate, rounded half up to the minor unit; a country not in the table is charged none
(exports outside the tax area).
"""

from __future__ import annotations

from dataclasses import dataclass

# Standard VAT/GST rates in basis points (1900 = 19 %).
TAX_RATES_BASIS_POINTS: dict[str, int] = {
    "AT": 2000, "BE": 2100, "CH": 810, "CZ": 2100, "DE": 1900, "DK": 2500, "ES": 2100,
    "FI": 2550, "FR": 2000, "GB": 2000, "IE": 2300, "IT": 2200, "LU": 1700, "NL": 2100,
    "NO": 2500, "PL": 2300, "PT": 2300, "SE": 2500,
}  # fmt: skip


@dataclass(frozen=True)
class Totals:
    subtotal: int
    shipping: int
    tax: int

    @property
    def total(self) -> int:
        return self.subtotal + self.shipping + self.tax


def tax_on(amount: int, country: str) -> int:
    basis_points = TAX_RATES_BASIS_POINTS.get(country, 0)
    return (amount * basis_points + 5_000) // 10_000


def totals(lines: list[tuple[int, int]], shipping: int, country: str) -> Totals:
    """``lines`` are (unit price, quantity) pairs."""
    subtotal = sum(price * quantity for price, quantity in lines)
    return Totals(subtotal, shipping, tax_on(subtotal + shipping, country))
