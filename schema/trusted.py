"""Trusted documents: operations registered ahead of time by their SHA-256, so that a client
may send the hash instead of the text, and so that callers without credentials (customers on
a tracking token, anonymous visitors) can be held to the registered operations alone.

A manifest is the JSON that persisted-document tooling writes (``{"format":
"apollo-persisted-query-manifest", "version": 1, "operations": [{"id", "name", "type",
"body"}]}``), ``id`` being the hex SHA-256 of ``body``; ``oms trusted-documents`` builds one
from ``.graphql`` files. A request names a document with ``extensions.persistedQuery.sha256Hash``
(Apollo's protocol) or sends the text of one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, parse
from strawberry.extensions import SchemaExtension

MANIFEST_FORMAT = "apollo-persisted-query-manifest"


def document_hash(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


@dataclass(frozen=True)
class TrustedDocuments:
    bodies: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | None) -> TrustedDocuments:
        """The manifest at ``path`` (none: nothing registered). A manifest whose id does not
        match its body is refused at start-up rather than trusted."""
        if path is None or not path.exists():
            return cls()
        manifest = json.loads(path.read_text(encoding="utf-8"))
        if manifest.get("format") != MANIFEST_FORMAT or manifest.get("version") != 1:
            raise ValueError(f"{path}: not a {MANIFEST_FORMAT} (version 1)")
        bodies = {}
        for operation in manifest["operations"]:
            if document_hash(operation["body"]) != operation["id"]:
                raise ValueError(f"{path}: the id of {operation.get('name')} is not its SHA-256")
            bodies[operation["id"]] = operation["body"]
        return cls(bodies)

    def trusts(self, body: str) -> bool:
        return document_hash(body) in self.bodies


def manifest_of(paths: list[Path]) -> dict[str, Any]:
    """A manifest of the ``.graphql`` files at ``paths`` (files, or folders searched
    recursively), each file one document: an operation with the fragments it uses."""

    def files() -> Iterator[Path]:
        for path in paths:
            yield from sorted(path.rglob("*.graphql")) if path.is_dir() else [path]

    operations = []
    for source in files():
        body = source.read_text(encoding="utf-8")
        definitions = [
            node for node in parse(body).definitions if isinstance(node, OperationDefinitionNode)
        ]
        if len(definitions) != 1:
            raise ValueError(f"{source}: a document holds exactly one operation")
        [operation] = definitions
        operations.append(
            {
                "id": document_hash(body),
                "name": operation.name.value if operation.name else source.stem,
                "type": operation.operation.value,
                "body": body,
            }
        )
    return {"format": MANIFEST_FORMAT, "version": 1, "operations": operations}


def _requested_hash(extensions: Mapping[str, Any] | None) -> str | None:
    persisted = (extensions or {}).get("persistedQuery")
    digest = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
    return digest if isinstance(digest, str) else None


class TrustedDocumentsCheck(SchemaExtension):
    """Resolves a document sent by hash before it is parsed, and holds callers without
    credentials to trusted documents when the setting asks for it: the refusal is a
    validation error, so nothing runs, over HTTP and WebSocket alike. Listed after
    ValidationCache, whose cached result it adds to."""

    def on_operation(self) -> Iterator[None]:
        execution = self.execution_context
        digest = _requested_hash(execution.operation_extensions)
        if execution.query is None and digest is not None:  # neither: "no query" (400)
            trusted: TrustedDocuments = execution.context.trusted_documents
            body = trusted.bodies.get(digest)
            if body is None:
                raise GraphQLError(
                    "PersistedQueryNotFound: no document is registered under this hash",
                    extensions={"code": "PERSISTED_QUERY_NOT_FOUND"},
                )
            execution.query = body
        yield

    def on_validate(self) -> Iterator[None]:
        execution = self.execution_context
        context = execution.context
        if (
            context.settings.trusted_documents_only
            and not context.principal.is_authenticated
            and not context.trusted_documents.trusts(execution.query or "")
        ):
            refusal = GraphQLError(
                "Without credentials only registered documents are accepted: send one by "
                "its hash (extensions.persistedQuery.sha256Hash) or its exact text.",
                extensions={"code": "TRUSTED_DOCUMENT_REQUIRED"},
            )
            execution.pre_execution_errors = [*(execution.pre_execution_errors or []), refusal]
        yield
