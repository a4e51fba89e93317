"""The YAML configuration (SPEC §3.1), parsed strictly into frozen dataclasses.

Every problem raises `ConfigError` (exit 2) with one line naming the file, the key path (list
indexes from 0) and what is expected. Keys left out of a user's file (and of its `package`)
take the values of the bundled default, `oshs/data/default-config.yaml`."""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

import yaml

from oshs.errors import ConfigError

BUNDLED_SOURCE = "<bundled default>"
DEFAULT_CONFIG_FILENAME = "oshs.yaml"

LOGIN_RULE = "expected 1-39 letters, digits or single hyphens, not starting or ending with a hyphen"
_LOGIN_RE = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
_PACKAGE_NAME_RE = re.compile(r"[-a-z0-9._/]+")

TOP_KEYS = ("include_archived", "include_forks", "languages", "organisations", "package")
ORG_KEYS = ("login", "name")
PACKAGE_KEYS = ("contributors", "description", "keywords", "licenses", "name", "title")
LICENSE_KEYS = ("name", "path", "title")
NAME_PATH = ("name", "path")
PERSON_KEYS = ("email", "familyName", "givenName", "organization", "path", "roles", "title")

Keys = Sequence[str]
_HINT_FILE = "Check the path; without --config, oshs reads ./oshs.yaml, else its bundled default."
_HINT_TOKEN = "Remove the key, and revoke the token if the file was ever shared."
_HINT_LOGIN = "A login is the part of the organisation's URL after https://github.com/."
_HINT_DUPLICATE = "GitHub logins are case-insensitive: list each organisation once."
_HINT_TEXT = "The configuration must be a YAML text file encoded in UTF-8."


@dataclass(frozen=True)
class Organisation:
    """A GitHub organisation to measure: its login and optional display name."""

    login: str
    name: str | None = None


@dataclass(frozen=True)
class PackageMetadata:
    """Metadata of the published Frictionless data package (read-only mappings inside)."""

    name: str
    title: str
    description: str
    licenses: tuple[Mapping[str, str], ...] = field(hash=False)
    keywords: tuple[str, ...]
    contributors: tuple[Mapping[str, Any], ...] = field(hash=False)

    def to_descriptor(self) -> dict[str, Any]:
        """The metadata as plain JSON-ready dicts and lists, for `datapackage.json`."""
        texts = {key: getattr(self, key) for key in ("name", "title", "description")}
        people = [
            {k: list(v) if isinstance(v, tuple) else v for k, v in c.items()}
            for c in self.contributors
        ]
        lists = {"licenses": [dict(x) for x in self.licenses], "keywords": list(self.keywords)}
        return {**texts, **lists, "contributors": people}


@dataclass(frozen=True)
class Config:
    """A validated configuration; `source` is the file it came from or `<bundled default>`."""

    organisations: tuple[Organisation, ...]
    include_forks: bool
    include_archived: bool
    language_groups: Mapping[str, str] = field(hash=False)
    package: PackageMetadata
    source: str


class _StrictLoader(yaml.SafeLoader):
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


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_config(path: Path | None = None) -> Config:
    """Load the configuration from `path`, else `./oshs.yaml` if it exists, else the bundled
    default. A file that cannot be read is an error."""
    if path is None:
        if not Path(DEFAULT_CONFIG_FILENAME).exists():
            return bundled_config()
        path = Path(DEFAULT_CONFIG_FILENAME)
    check = _Checker(str(path))
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        check.fail("", f"cannot read the file ({reason})", _HINT_FILE)
    return parse_config(check.decode(data), check.source)


def bundled_config() -> Config:
    """The bundled default: the 31 GitHub organisations of the two earlier NHS projects."""
    return parse_config(_bundled_text(), BUNDLED_SOURCE)


def parse_config(text: str, source: str) -> Config:
    """Parse and validate configuration `text`; `source` names it in error messages."""
    check = _Checker(source)
    data = check.load_yaml(text)
    check.reject_token_keys(data, "")
    top = _top_mapping(check, data)
    if source != BUNDLED_SOURCE:
        top = _with_defaults(top)
    return Config(
        organisations=_organisations(check, top["organisations"]),
        include_forks=check.boolean(top["include_forks"], "include_forks"),
        include_archived=check.boolean(top["include_archived"], "include_archived"),
        language_groups=_languages(check, top["languages"]),
        package=_package(check, top["package"]),
        source=source,
    )


def split_logins(value: str) -> tuple[str, ...]:
    """Split a comma- or newline-separated list of logins, dropping blanks (`--orgs a,b`)."""
    return tuple(part.strip() for part in re.split(r"[,\n]", value) if part.strip())


def select_organisations(config: Config, logins: Sequence[str] | str) -> Config:
    """`config` with its organisations replaced by `logins` (`--orgs`; a string is split).

    A login matching a configured organisation (case-insensitively) keeps its configured
    spelling and display name. No logins, or an invalid or duplicate one, is an error."""
    check = _Checker("--orgs")
    logins = split_logins(logins) if isinstance(logins, str) else logins
    if not logins:
        check.fail("", "expected at least one organisation login, got none")
    configured = {org.login.lower(): org for org in config.organisations}
    seen: dict[str, str] = {}
    for login in logins:
        login = check.login(login.strip() if isinstance(login, str) else login, "")
        if login.lower() in seen:
            message = f"duplicate login {login!r} (already given as {seen[login.lower()]!r})"
            check.fail("", message, _HINT_DUPLICATE)
        seen[login.lower()] = login
    selected = (configured.get(key, Organisation(login)) for key, login in seen.items())
    return replace(config, organisations=tuple(selected))


@functools.cache
def _bundled_text() -> str:
    """The text of the bundled default configuration."""
    return resources.files("oshs").joinpath("data", "default-config.yaml").read_text("utf-8")


def _describe(value: Any) -> str:
    """A short, one-line description of a YAML value for error messages."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:59] + "…")
    if isinstance(value, Mapping | list):
        kind = "mapping" if isinstance(value, Mapping) else "list"
        return f"a {kind}" if value else f"an empty {kind}"
    return str(value) if isinstance(value, int | float) else f"a {type(value).__name__}"


def _join(path: str, key: Any) -> str:
    """The key path of `key` inside `path` (a dotted name, or `[index]` / `['key']`)."""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"{path}[{key}]"
    if isinstance(key, str) and key.isascii() and key.isidentifier():
        return f"{path}.{key}" if path else key
    return f"{path}[{key!r}]"


class _Checker:
    """Validation helpers for one source; each failure is a one-line `ConfigError`."""

    def __init__(self, source: str) -> None:
        """Check values of `source` (a file path, `<bundled default>` or `--orgs`)."""
        self.source = source

    def fail(self, path: str, message: str, hint: str | None = None) -> NoReturn:
        """Raise `ConfigError("<source>: <path>: <message>")` (no path part when empty)."""
        where = f"{self.source}: {path}: " if path else f"{self.source}: "
        raise ConfigError(where + message, hint=hint)

    def decode(self, data: bytes) -> str:
        """Decode UTF-8 text (a leading BOM is allowed); binary content is an error."""
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
        """Parse YAML with the strict safe loader, reporting errors by line and column."""
        try:
            return yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass
        except yaml.YAMLError as error:
            line, column, detail = _yaml_error_position(error, text)
            where = f"line {line}, column {column}: " if line else ""
            hint = "Check the indentation and quoting near that place."
            self.fail("", f"{where}invalid YAML ({detail})", hint)

    def reject_token_keys(self, value: Any, path: str) -> None:
        """Refuse a `token` key (or `*_token`, `*-token`) at any depth of the document."""
        is_mapping = isinstance(value, Mapping)
        children = enumerate(value) if isinstance(value, list) else ()
        children = value.items() if is_mapping else children
        for key, item in children:
            if is_mapping and re.fullmatch(r"(?i)(.*[-_])?token", str(key)):
                where = "set GITHUB_TOKEN, or name another variable with --token-env"
                message = f"the GitHub token never lives in the config ({where})"
                self.fail(_join(path, key), message, _HINT_TOKEN)
            self.reject_token_keys(item, _join(path, key))

    def mapping(self, value: Any, path: str, allowed: Sequence[str], expected: str) -> Mapping:
        """Check that `value` is a mapping whose keys are all in `allowed`."""
        if not isinstance(value, Mapping):
            self.fail(path, f"expected {expected}, got {_describe(value)}")
        for key in value:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                expected_keys = f"expected one of: {', '.join(sorted(allowed))}"
                hint = f"Did you mean {close[0]!r}?" if close else None
                self.fail(path, f"unknown key {_describe(key)} ({expected_keys})", hint)
        return value

    def string(self, value: Any, path: str) -> str:
        """Check that `value` is a non-empty string."""
        if not isinstance(value, str) or not value.strip():
            self.fail(path, f"expected a non-empty string, got {_describe(value)}")
        return value

    def boolean(self, value: Any, path: str) -> bool:
        """Check that `value` is a YAML boolean (true or false, unquoted)."""
        if not isinstance(value, bool):
            hint = "Write true or false, without quotes."
            self.fail(path, f"expected true or false, got {_describe(value)}", hint)
        return value

    def sequence(self, value: Any, path: str, expected: str, non_empty: bool = False) -> list:
        """Check that `value` is a list (a non-empty one when `non_empty`)."""
        if not isinstance(value, list) or (non_empty and not value):
            self.fail(path, f"expected {expected}, got {_describe(value)}")
        return value

    def login(self, value: Any, path: str) -> str:
        """Check a GitHub login against GitHub's rules."""
        if not isinstance(value, str):
            self.fail(path, f"expected a GitHub login (a string), got {_describe(value)}")
        if len(value) > 39 or not _LOGIN_RE.fullmatch(value):
            message = f"{_describe(value)} is not a valid GitHub login ({LOGIN_RULE})"
            self.fail(path, message, _HINT_LOGIN)
        return value

    def records(
        self, value: Any, path: str, keys: Keys, required: Keys, min_one: bool = False
    ) -> tuple:
        """A list of mappings of strings (`roles`: a list), each with a `required` key."""
        result = []
        expected = "a non-empty list of mappings" if min_one else "a list of mappings"
        for index, entry in enumerate(self.sequence(value, path, expected, min_one)):
            at = _join(path, index)
            needed = " or ".join(repr(key) for key in required)
            item = self.mapping(entry, at, keys, f"a mapping with {needed}")
            if not any(key in item for key in required):
                self.fail(at, f"missing required key {needed}")
            fields: dict[str, Any] = {}
            for key, field_value in item.items():
                if key == "roles":
                    roles = self.sequence(field_value, _join(at, key), "a list of roles")
                    fields[key] = tuple(self.string(r, _join(at, key)) for r in roles)
                else:
                    fields[key] = self.string(field_value, _join(at, key))
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


def _top_mapping(check: _Checker, data: Any) -> Mapping[str, Any]:
    """Check the top level: a mapping of known keys, with `organisations`."""
    expected = "a mapping with an 'organisations' list"
    if data is None:
        check.fail("", f"expected {expected}, got an empty document")
    top = check.mapping(data, "", TOP_KEYS, expected)
    if "organisations" not in top:
        message = "missing required key 'organisations' (expected a non-empty list of logins)"
        check.fail("", message, "Add for example: organisations: [{login: nhsengland}]")
    return top


def _with_defaults(top: Mapping[str, Any]) -> dict[str, Any]:
    """Fill keys left out of a user's file from the bundled default (package: per key)."""
    defaults = yaml.load(_bundled_text(), Loader=_StrictLoader)  # a SafeLoader subclass
    merged = {**defaults, **top}
    if isinstance(top.get("package"), Mapping):
        merged["package"] = {**defaults["package"], **top["package"]}
    return merged


def _organisations(check: _Checker, value: Any) -> tuple[Organisation, ...]:
    """The organisations list: non-empty; each entry a bare login or a mapping {login, name};
    valid logins, none listed twice (case-insensitively)."""
    items = check.sequence(value, "organisations", "a non-empty list of organisations", True)
    result: list[Organisation] = []
    seen: dict[str, str] = {}
    for index, entry in enumerate(items):
        path = _join("organisations", index)
        expected = "a login or a mapping with 'login' and optional 'name'"
        is_login = isinstance(entry, str)
        item = {"login": entry} if is_login else check.mapping(entry, path, ORG_KEYS, expected)
        if "login" not in item:
            check.fail(path, "missing required key 'login'")
        at = path if is_login else _join(path, "login")
        login = check.login(item["login"], at)
        if (first := seen.get(login.lower())) is not None:
            check.fail(at, f"duplicate login {login!r} (already given {first})", _HINT_DUPLICATE)
        seen[login.lower()] = f"at {path} as {login!r}"
        name = item.get("name")
        name = None if name is None else check.string(name, _join(path, "name"))
        result.append(Organisation(login, name))
    return tuple(result)


def _languages(check: _Checker, value: Any) -> Mapping[str, str]:
    """The `languages` section: an optional `groups` mapping of language to group name."""
    section = check.mapping(value, "languages", ("groups",), "a mapping with 'groups'")
    path, groups = "languages.groups", section.get("groups", {})
    if not isinstance(groups, Mapping):
        expected = "a mapping of language name to group name"
        check.fail(path, f"expected {expected}, got {_describe(groups)}")
    pairs = {check.string(k, path): check.string(v, _join(path, k)) for k, v in groups.items()}
    return MappingProxyType(pairs)


def _package(check: _Checker, value: Any) -> PackageMetadata:
    """The `package` section: metadata of the published data package."""
    section = check.mapping(value, "package", PACKAGE_KEYS, "a mapping")
    name = check.string(section["name"], "package.name")
    if not _PACKAGE_NAME_RE.fullmatch(name):
        expected = "lower-case letters, digits, '-', '.', '_' or '/'"
        check.fail("package.name", f"{name!r} is not a valid package name (expected {expected})")
    keywords = check.sequence(section["keywords"], "package.keywords", "a list of keywords")
    keywords = [check.string(k, _join("package.keywords", i)) for i, k in enumerate(keywords)]
    people = check.records(section["contributors"], "package.contributors", PERSON_KEYS, ("title",))
    licenses = check.records(section["licenses"], "package.licenses", LICENSE_KEYS, NAME_PATH, True)
    return PackageMetadata(
        name=name,
        title=check.string(section["title"], "package.title"),
        description=check.string(section["description"], "package.description"),
        licenses=licenses,
        keywords=tuple(keywords),
        contributors=people,
    )
