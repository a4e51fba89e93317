"""The sandbox's GraphQL endpoint: ``POST /graphql`` executed by graphql-core on a dataset.

The schema is ``schema.graphql`` beside this module, a subset of GitHub's public schema. As on
GitHub: only authenticated callers (401 otherwise); ``first``/``last`` between 0 and 100
(``EXCESSIVE_PAGINATION``), required on connections whose ``nodes``/``edges`` are selected
(``MISSING_PAGINATION_BOUNDARIES``), at most 500,000 nodes (``MAX_NODE_LIMIT_EXCEEDED``); the
cost in points is GitHub's published score: the number of requests each connection needs
(the product of its ancestors' ``first``/``last``), summed, divided by 100, rounded, at least
1; it is charged to the ``graphql`` rate-limit resource and reported by ``rateLimit`` and the
``X-RateLimit-*`` headers; a spent budget answers ``RATE_LIMITED``. Errors have GitHub's shape
(``type``, ``path``, ``locations``, ``message``; ``data`` kept beside them).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    build_schema,
    execute_sync,
    get_named_type,
    get_operation_ast,
    parse,
    validate,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values

from oshs.sandbox.graphql_objects import GitHubError, root
from oshs.sandbox.server import Context, Reply

SCHEMA_FILE = Path(__file__).with_name("schema.graphql")
MAX_PAGE_SIZE = 100
MAX_NODES = 500_000
AUTH_DOCS = (
    "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql"
)


@functools.cache
def load_schema() -> GraphQLSchema:
    """The sandbox's schema (the project's SDL), parsed once."""
    return build_schema(SCHEMA_FILE.read_text(encoding="utf-8"))


@dataclass
class Analysis:
    """Static analysis of an operation: requests per GitHub's formula, nodes, errors."""

    variables: VariableValues
    requests: int = 0
    nodes: int = 0
    dry_run: bool = False
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def cost(self) -> int:
        """Rate-limit points: requests / 100, rounded, at least 1."""
        return max(1, round(self.requests / 100))


def error(kind: str | None, message: str, node: Any = None, path: list | None = None) -> dict:
    """One error in GitHub's shape."""
    entry: dict[str, Any] = {"message": message}
    if kind:
        entry["type"] = kind
    if path:
        entry["path"] = path
    if node is not None and node.loc is not None:
        location = node.loc.source.get_location(node.loc.start)
        entry["locations"] = [{"line": location.line, "column": location.column}]
    return entry


def format_error(problem: GraphQLError) -> dict[str, Any]:
    """graphql-core's error → GitHub's shape (``type`` from a `GitHubError`)."""
    formatted = dict(problem.formatted)
    formatted.pop("extensions", None)
    original = problem.original_error
    if isinstance(original, GitHubError):
        formatted = {"type": original.kind, **formatted}
    return formatted


def errors_only(errors: list[dict[str, Any]], status: int = 200) -> Reply:
    """A reply with errors and no data (not charged)."""
    return Reply(status, {"errors": errors}, cost=0)


def serve(ctx: Context) -> Reply:
    """Answer one GraphQL request."""
    if not ctx.viewer.authenticated:
        body = {"message": "This endpoint requires you to be authenticated.",
                "documentation_url": AUTH_DOCS, "status": "401"}  # fmt: skip
        return Reply(401, body, cost=0)
    try:
        request = json.loads(ctx.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return Reply(400, {"message": "Problems parsing JSON", "status": "400"}, cost=0)
    query = request.get("query") if isinstance(request, dict) else None
    if not isinstance(query, str):
        return errors_only(
            [error(None, "A query attribute must be specified and must be a string.")]
        )
    variables = request.get("variables") or {}
    if not isinstance(variables, dict):
        return errors_only([error(None, "Variables are invalid JSON.")])
    return run(ctx, query, variables, request.get("operationName"))


@functools.lru_cache(maxsize=64)
def parsed(query: str) -> tuple[Any, list[dict[str, Any]]]:
    """`query` parsed and validated against the schema, once per text (a client sends the same
    query for every page): the document, or the errors in GitHub's shape."""
    try:
        document = parse(query)
    except GraphQLError as problem:
        return None, [format_error(problem)]
    problems = validate(load_schema(), document)
    return document, [format_error(problem) for problem in problems]


def run(ctx: Context, query: str, variables: dict[str, Any], name: str | None) -> Reply:
    """Parse, validate, analyse, charge and execute `query`."""
    schema = load_schema()
    document, problems = parsed(query)
    if problems:
        return errors_only(problems)
    operation = get_operation_ast(document, name)
    if operation is None:
        return errors_only([error(None, f"No operation named {name!r}" if name else
                                  "An operation name is required")])  # fmt: skip
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables)
    if isinstance(coerced, list):
        return errors_only([format_error(problem) for problem in coerced])
    analysis = analyse(schema, document, operation, coerced)
    if analysis.errors:
        return errors_only(analysis.errors)
    status = ctx.limiter.status(ctx.identity, "graphql", True)
    cost = 0 if analysis.dry_run else analysis.cost
    if status.remaining < cost:
        return errors_only([rate_limited(ctx)])
    rate = {
        "cost": analysis.cost,
        "limit": status.limit,
        "nodeCount": analysis.nodes,
        "used": status.used + cost,
        "remaining": max(0, status.remaining - cost),
        "resetAt": datetime.fromtimestamp(status.reset, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    root_value = root(ctx.index, ctx.viewer, rate, analysis.dry_run)
    result = execute_sync(
        schema, document, root_value, variable_values=variables, operation_name=name
    )
    body: dict[str, Any] = {}
    if result.errors:
        body["errors"] = [format_error(problem) for problem in result.errors]
    body["data"] = result.data
    return Reply(200, body, cost=cost)


def rate_limited(ctx: Context) -> dict[str, Any]:
    """GitHub's ``RATE_LIMITED`` error."""
    user_id = int(ctx.identity.encode().hex()[-8:], 16) % 10**8
    entry = error("RATE_LIMITED", f"API rate limit already exceeded for user ID {user_id}.")
    entry["code"] = "graphql_rate_limit"
    return entry


def analyse(schema: GraphQLSchema, document: Any, operation: Any, variables: VariableValues):
    """Walk `operation` and total its requests and nodes (GitHub's formula)."""
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if definition.kind == "fragment_definition"
    }
    analysis = Analysis(variables)
    walker = _Walker(schema, fragments, analysis)
    walker.walk(operation.selection_set, schema.query_type, 1, [])
    if analysis.nodes > MAX_NODES:
        message = (
            f"This query requests up to {analysis.nodes:,} possible nodes which exceeds the "
            f"maximum limit of {MAX_NODES:,}."
        )
        analysis.errors.append(error("MAX_NODE_LIMIT_EXCEEDED", message, operation, []))
    return analysis


@dataclass
class _Walker:
    schema: GraphQLSchema
    fragments: dict[str, Any]
    analysis: Analysis

    def walk(self, selections: SelectionSetNode, parent: Any, multiplier: int, path: list) -> None:
        """Visit the fields of `selections` on type `parent`; `multiplier` parent nodes."""
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                self.field(selection, parent, multiplier, path)
                continue
            if isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                condition, inner = fragment.type_condition, fragment.selection_set
            elif isinstance(selection, InlineFragmentNode):
                condition, inner = selection.type_condition, selection.selection_set
            else:  # pragma: no cover - no other selection kinds exist
                continue
            target = self.schema.get_type(condition.name.value) if condition else parent
            self.walk(inner, target, multiplier, path)

    def field(self, node: FieldNode, parent: Any, multiplier: int, path: list) -> None:
        """Count one field; connections add requests and nodes."""
        definition = getattr(parent, "fields", {}).get(node.name.value)
        if definition is None or node.selection_set is None:
            return
        here = [*path, (node.alias or node.name).value]
        arguments = get_argument_values(definition, node, self.analysis.variables)
        if node.name.value == "rateLimit" and arguments.get("dryRun"):
            self.analysis.dry_run = True
        named = get_named_type(definition.type)
        if named.name.endswith("Connection"):
            multiplier = self.connection(node, arguments, multiplier, here)
        self.walk(node.selection_set, named, multiplier, here)

    def connection(self, node: FieldNode, arguments: dict, multiplier: int, path: list) -> int:
        """Account for one connection; returns the multiplier of its children."""
        self.analysis.requests += multiplier
        name = node.name.value
        for bound in ("first", "last"):
            size = arguments.get(bound)
            if size is not None and not 0 <= size <= MAX_PAGE_SIZE:
                message = (
                    f"Requesting {size} records on the `{name}` connection exceeds the "
                    f"`{bound}` limit of {MAX_PAGE_SIZE} records."
                )
                self.analysis.errors.append(error("EXCESSIVE_PAGINATION", message, node, path))
        size = arguments.get("first") or arguments.get("last")
        selections = node.selection_set.selections if node.selection_set else ()
        selected = {s.name.value for s in selections if isinstance(s, FieldNode)}
        if size is None and selected & {"nodes", "edges"}:
            message = (
                f"You must provide a `first` or `last` value to properly paginate the "
                f"`{name}` connection."
            )
            self.analysis.errors.append(error("MISSING_PAGINATION_BOUNDARIES", message, node, path))
        if size is None:
            return multiplier
        self.analysis.nodes += multiplier * size
        return multiplier * size
