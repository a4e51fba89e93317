"""Strict YAML reading and the checks of a configuration's values: each failure is one
`ConfigError` line naming the source, the key path (list indexes from 0) and what is expected."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, NoReturn

import yaml

from oshs.errors import ConfigError

Keys = Sequence[str]
LOGIN_RULE = "expected 1-39 letters, digits or single hyphens, not starting or ending with a hyphen"
_LOGIN_RE = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
GITLAB_PATH_RULE = (
    "expected a GitLab group's full path: names of letters, digits, '_', '-' or '.' joined by "
    "'/', each starting with a letter, digit or '_'"
)
_GITLAB_PATH_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)*")
_HINT_GITLAB_PATH = "A group's full path is the part of its URL after https://gitlab.com/."
_HINT_TOKEN = "Remove the key, and revoke the token if the file was ever shared."
_HINT_LOGIN = "A login is the part of the organisation's URL after https://github.com/."
_HINT_TEXT = "The configuration must be a YAML text file encoded in UTF-8."
MAX_BYTES = 1_048_576
MAX_NODES = 100_000


def expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many values `node` stands for once every alias is expanded (memoised per node, so
    linear in the document's size; an alias bomb is measured without being expanded)."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    sizes[id(node)] = 1  # a node that refers to itself counts once
    total = 1
    if isinstance(node, yaml.SequenceNode):
        total += sum(expanded_size(item, sizes) for item in node.value)
    elif isinstance(node, yaml.MappingNode):
        total += sum(expanded_size(k, sizes) + expanded_size(v, sizes) for k, v in node.value)
    sizes[id(node)] = min(total, MAX_NODES + 1)
    return sizes[id(node)]


class StrictLoader(yaml.SafeLoader):
    """A SafeLoader that rejects duplicate keys and, as YAML 1.2 does, reads only true/false
    as booleans (YAML 1.1 also reads yes/no/on/off, so a login `no` would become false)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        """Construct a mapping, refusing a key written twice in the same mapping."""
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                continue
            key = self.construct_object(key_node)
            if key in seen:
                problem = f"duplicate key {key!r}"
                raise yaml.constructor.ConstructorError(None, None, problem, key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def describe(value: Any) -> str:
    """A short, one-line description of a YAML value for error messages."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:59] + "…")
    if isinstance(value, Mapping | list):
        kind = "mapping" if isinstance(value, Mapping) else "list"
        return f"a {kind}" if value else f"an empty {kind}"
    return str(value) if isinstance(value, int | float) else f"a {type(value).__name__}"


def join_path(path: str, key: Any) -> str:
    """The key path of `key` inside `path` (a dotted name, or `[index]` / `['key']`)."""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{path}[{key}]"
    if isinstance(key, str) and key.isascii() and key.isidentifier():
        return f"{path}.{key}" if path else key
    return f"{path}[{key!r}]"


class Checker:
    """Validation helpers for one source; each failure is a one-line `ConfigError`."""

    def __init__(self, source: str) -> None:
        """Check values of `source` (a file path, `<bundled default>` or `--orgs`)."""
        self.source = source

    def fail(self, path: str, message: str, hint: str | None = None) -> NoReturn:
        """Raise `ConfigError("<source>: <path>: <message>")` (no path part when empty)."""
        where = f"{self.source}: {path}: " if path else f"{self.source}: "
        raise ConfigError(where + message, hint=hint)

    def decode(self, data: bytes) -> str:
        """Decode UTF-8 text (a leading BOM is allowed); binary content is an error, and so is
        a file over `MAX_BYTES`."""
        if len(data) > MAX_BYTES:
            self.fail("", f"the file has {len(data):,} bytes; a config has at most {MAX_BYTES:,}")
        nul = data.find(b"\x00")
        problem = f"NUL byte at offset {nul}" if nul >= 0 else ""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            problem = problem or f"invalid UTF-8 at offset {error.start}"
        if problem:
            self.fail("", f"expected a UTF-8 text file, found binary data ({problem})", _HINT_TEXT)
        return text.removeprefix("\ufeff")

    def load_yaml(self, text: str) -> Any:
        """Parse YAML with the strict safe loader, reporting errors by line and column.

        A document whose aliases would expand it beyond `MAX_NODES` nodes (an alias bomb), or
        nested too deeply to read, is refused before anything is built from it."""
        loader = None
        try:
            loader = StrictLoader(text)
            node = loader.get_single_node()
            if node is not None and expanded_size(node, {}) > MAX_NODES:
                self.fail("", f"the YAML expands to more than {MAX_NODES:,} values (aliases)")
            return None if node is None else loader.construct_document(node)
        except RecursionError:
            self.fail("", "the YAML is nested too deeply")
        except yaml.YAMLError as error:
            line, column, detail = _yaml_error_position(error, text)
            where = f"line {line}, column {column}: " if line else ""
            hint = "Check the indentation and quoting near that place."
            self.fail("", f"{where}invalid YAML ({detail})", hint)
        finally:
            if loader is not None:
                loader.dispose()

    def reject_token_keys(self, value: Any, path: str) -> None:
        """Refuse a `token` key (or `*_token`, `*-token`) at any depth of the document."""
        is_mapping = isinstance(value, Mapping)
        children = enumerate(value) if isinstance(value, list) else ()
        children = value.items() if is_mapping else children
        for key, item in children:
            if is_mapping and re.fullmatch(r"(?i)(.*[-_])?token", str(key)):
                where = "set GITHUB_TOKEN, or name another variable with --token-env"
                message = f"the GitHub token never lives in the config ({where})"
                self.fail(join_path(path, key), message, _HINT_TOKEN)
            self.reject_token_keys(item, join_path(path, key))

    def mapping(self, value: Any, path: str, allowed: Sequence[str], expected: str) -> Mapping:
        """Check that `value` is a mapping whose keys are all in `allowed`."""
        if not isinstance(value, Mapping):
            self.fail(path, f"expected {expected}, got {describe(value)}")
        for key in value:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                expected_keys = f"expected one of: {', '.join(sorted(allowed))}"
                hint = f"Did you mean {close[0]!r}?" if close else None
                self.fail(path, f"unknown key {describe(key)} ({expected_keys})", hint)
        return value

    def string(self, value: Any, path: str) -> str:
        """Check that `value` is a non-empty string."""
        if not isinstance(value, str) or not value.strip():
            self.fail(path, f"expected a non-empty string, got {describe(value)}")
        return value

    def boolean(self, value: Any, path: str) -> bool:
        """Check that `value` is a YAML boolean (true or false, unquoted)."""
        if not isinstance(value, bool):
            hint = "Write true or false, without quotes."
            self.fail(path, f"expected true or false, got {describe(value)}", hint)
        return value

    def sequence(self, value: Any, path: str, expected: str, non_empty: bool = False) -> list:
        """Check that `value` is a list (a non-empty one when `non_empty`)."""
        if not isinstance(value, list) or (non_empty and not value):
            self.fail(path, f"expected {expected}, got {describe(value)}")
        return value

    def login(self, value: Any, path: str) -> str:
        """Check a GitHub login against GitHub's rules."""
        if not isinstance(value, str):
            self.fail(path, f"expected a GitHub login (a string), got {describe(value)}")
        if len(value) > 39 or not _LOGIN_RE.fullmatch(value):
            message = f"{describe(value)} is not a valid GitHub login ({LOGIN_RULE})"
            self.fail(path, message, _HINT_LOGIN)
        return value

    def gitlab_path(self, value: Any, path: str) -> str:
        """Check a GitLab group's full path (`nhsbsa`, `group/subgroup`)."""
        if not isinstance(value, str):
            self.fail(path, f"expected a GitLab group path (a string), got {describe(value)}")
        bad_end = value.endswith((".", ".git", ".atom"))
        if len(value) > 255 or bad_end or not _GITLAB_PATH_RE.fullmatch(value):
            message = f"{describe(value)} is not a valid GitLab group path ({GITLAB_PATH_RULE})"
            self.fail(path, message, _HINT_GITLAB_PATH)
        return value

    def http_url(self, value: Any, path: str) -> str:
        """Check an https URL with a host and no query (a GitLab instance; plain http only on
        127.0.0.1 or localhost, where no token crosses a network); no trailing `/`."""
        expected = (
            "an https URL such as https://gitlab.com (http:// only on 127.0.0.1 or localhost)"
        )
        match = re.fullmatch(r"(https?)://([^\s/?#@:]+)(:\d{1,5})?(/[^\s?#]*)?", str(value))
        if not isinstance(value, str) or match is None:
            self.fail(path, f"expected {expected}, got {describe(value)}")
        if match[1] == "http" and match[2] not in ("127.0.0.1", "localhost"):
            self.fail(path, f"plain http would send the token unencrypted: expected {expected}")
        return value.rstrip("/")

    def records(
        self, value: Any, path: str, keys: Keys, required: Keys, min_one: bool = False
    ) -> tuple:
        """A list of mappings of strings (`roles`: a list), each with a `required` key."""
        result = []
        expected = "a non-empty list of mappings" if min_one else "a list of mappings"
        for index, entry in enumerate(self.sequence(value, path, expected, min_one)):
            at = join_path(path, index)
            needed = " or ".join(repr(key) for key in required)
            item = self.mapping(entry, at, keys, f"a mapping with {needed}")
            if not any(key in item for key in required):
                self.fail(at, f"missing required key {needed}")
            fields: dict[str, Any] = {}
            for key, field_value in item.items():
                if key == "roles":
                    roles = self.sequence(field_value, join_path(at, key), "a list of roles")
                    fields[key] = tuple(self.string(r, join_path(at, key)) for r in roles)
                else:
                    fields[key] = self.string(field_value, join_path(at, key))
            result.append(MappingProxyType(fields))
        return tuple(result)


def _yaml_error_position(error: yaml.YAMLError, text: str) -> tuple[int, int, str]:
    """The 1-based line and column of a YAML error (0, 0 if unknown) and a short detail."""
    if isinstance(error, yaml.reader.ReaderError):
        char = error.character if isinstance(error.character, int) else ord(error.character)
        line = text.count("\n", 0, error.position) + 1
        column = error.position - text.rfind("\n", 0, error.position)
        return line, column, f"character #x{char:04x} is not allowed"
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem, context = getattr(error, "problem", None), getattr(error, "context", None)
    if problem and context and problem.startswith("but "):  # "expected X, but found Y"
        problem = f"{context}, {problem}"
    detail = " ".join(str(problem or context or "parse error").split())[:100]
    return (mark.line + 1, mark.column + 1, detail) if mark else (0, 0, detail)
