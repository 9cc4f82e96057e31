"""The GraphQL adapter: translate, authorise, call api services, shape output."""

from schema.build import build_schema

__all__ = ["build_schema"]
