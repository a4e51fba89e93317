"""The sandbox's SDL is a subset of GitHub's public GraphQL schema (npm @octokit/graphql-schema).

Every type, field, argument (type and default), enum value, interface and input field of
``oshs/sandbox/schema.graphql`` exists with the same type in GitHub's schema, and every
argument GitHub requires is declared, so a query valid for the sandbox is valid for GitHub.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
)
from graphql.pyutils import Undefined

from oshs.sandbox.graphql import SCHEMA_FILE, load_schema


def _arguments(path: str, ours: dict, theirs: dict) -> list[str]:
    problems = []
    for name, argument in ours.items():
        upstream = theirs.get(name)
        if upstream is None:
            problems.append(f"{path}({name}): no such argument")
        elif str(argument.type) != str(upstream.type):
            problems.append(f"{path}({name}): {argument.type} but GitHub has {upstream.type}")
        elif argument.default_value is not Undefined and argument.default_value != (
            upstream.default_value
        ):
            problems.append(f"{path}({name}): default {argument.default_value!r} differs")
    for name, upstream in theirs.items():
        required = isinstance(upstream.type, GraphQLNonNull)
        if required and upstream.default_value is Undefined and name not in ours:
            problems.append(f"{path}({name}): required by GitHub but not declared")
    return problems


def _fields(name: str, ours: Any, theirs: Any) -> list[str]:
    problems = []
    for field_name, field in ours.fields.items():
        upstream = theirs.fields.get(field_name)
        path = f"{name}.{field_name}"
        if upstream is None:
            problems.append(f"{path}: no such field")
            continue
        if str(field.type) != str(upstream.type):
            problems.append(f"{path}: {field.type} but GitHub has {upstream.type}")
        if hasattr(field, "args"):
            problems += _arguments(path, field.args, upstream.args)
    return problems


def subset_problems(ours: GraphQLSchema, theirs: GraphQLSchema) -> list[str]:
    """What in `ours` is not in `theirs` with the same type (empty when a true subset)."""
    problems: list[str] = []
    for name, kind in ours.type_map.items():
        if name.startswith("__"):
            continue
        upstream = theirs.type_map.get(name)
        if upstream is None:
            problems.append(f"{name}: no such type")
        elif type(upstream) is not type(kind):
            problems.append(
                f"{name}: {type(kind).__name__} but GitHub has {type(upstream).__name__}"
            )
        elif isinstance(kind, GraphQLEnumType):
            problems += [
                f"{name}.{v}: no such value" for v in kind.values if v not in upstream.values
            ]
        elif isinstance(kind, GraphQLUnionType):
            members = {member.name for member in upstream.types}
            problems += [
                f"{name} | {m.name}: not a member" for m in kind.types if m.name not in members
            ]
        elif isinstance(kind, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            problems += _fields(name, kind, upstream)
            if not isinstance(kind, GraphQLInputObjectType):
                interfaces = {interface.name for interface in upstream.interfaces}
                problems += [
                    f"{name} implements {i.name}: not on GitHub"
                    for i in kind.interfaces
                    if i.name not in interfaces
                ]
    return problems


def test_sandbox_schema_is_a_subset_of_githubs(github_graphql_schema):
    assert subset_problems(load_schema(), github_graphql_schema) == []


def test_subset_covers_what_oshs_asks_for():
    schema = load_schema()
    repository = schema.type_map["Repository"]
    assert isinstance(schema.type_map["DateTime"], GraphQLScalarType)
    assert str(schema.query_type.fields["organization"].args["login"].type) == "String!"
    assert str(repository.fields["object"].type) == "GitObject"
    assert str(repository.fields["issues"].args["states"].type) == "[IssueState!]"
    assert set(schema.type_map["RepositoryVisibility"].values) == {"INTERNAL", "PRIVATE", "PUBLIC"}


def test_a_wrong_field_type_is_detected(github_graphql_schema):
    sdl = SCHEMA_FILE.read_text(encoding="utf-8")
    wrong = sdl.replace("  stargazerCount: Int!\n", "  stargazerCount: Int\n")
    wrong = wrong.replace("  isFork: Boolean\n    last: Int", "  isFork: Boolean!\n    last: Int")
    wrong = wrong.replace(
        "enum LanguageOrderField {\n  SIZE\n", "enum LanguageOrderField {\n  SIZE\n  NAME\n"
    )
    wrong += "\ntype Invented {\n  name: String\n}\n"
    assert wrong.count("Int!") < sdl.count("Int!")
    problems = subset_problems(build_schema(wrong), github_graphql_schema)
    assert sorted(problems) == [
        "Invented: no such type",
        "LanguageOrderField.NAME: no such value",
        "Organization.repositories(isFork): Boolean! but GitHub has Boolean",
        "Repository.stargazerCount: Int but GitHub has Int!",
    ]


def test_a_missing_required_argument_is_detected(github_graphql_schema):
    sdl = SCHEMA_FILE.read_text(encoding="utf-8").replace(
        "organization(login: String!)", "organization(login: String)"
    )
    problems = subset_problems(build_schema(sdl), github_graphql_schema)
    assert problems == ["Query.organization(login): String but GitHub has String!"]
