"""The YAML configuration (SPEC §3.1), parsed strictly into frozen dataclasses.

Every problem raises `ConfigError` (exit 2) with one line naming the file, the key path (list
indexes from 0) and what is expected. Keys left out of a user's file (and of its `package`)
take the values of the bundled default, `oshs/data/default-config.yaml`."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from oshs.config_checks import Checker, StrictLoader, describe, join_path

BUNDLED_SOURCE = "<bundled default>"
DEFAULT_CONFIG_FILENAME = "oshs.yaml"

_PACKAGE_NAME_RE = re.compile(r"[-a-z0-9._/]+")

TOP_KEYS = (
    "gitlab_url", "include_archived", "include_forks", "languages", "organisations", "package"
)  # fmt: skip
ORG_KEYS = ("login", "name", "platform")
PLATFORMS = ("github", "gitlab")
DEFAULT_GITLAB_URL = "https://gitlab.com"
PACKAGE_KEYS = ("contributors", "description", "keywords", "licenses", "name", "title")
LICENSE_KEYS = ("name", "path", "title")
NAME_PATH = ("name", "path")
PERSON_KEYS = ("email", "familyName", "givenName", "organization", "path", "roles", "title")

_HINT_FILE = "Check the path; without --config, oshs reads ./oshs.yaml, else its bundled default."
_HINT_DUPLICATE = "GitHub logins are case-insensitive: list each organisation once."
_HINT_PLATFORM = "Leave platform out for a GitHub organisation; write platform: gitlab for a group."


@dataclass(frozen=True)
class Organisation:
    """An organisation to measure: its login (a GitLab group's full path), optional display
    name, and platform (`github` or `gitlab`)."""

    login: str
    name: str | None = None
    platform: str = "github"

    @property
    def key(self) -> str:
        """The organisation's key in the tables: its login on GitHub, `gitlab:<full path>` on
        GitLab (a GitHub login has no `:`, so the two never collide)."""
        return organisation_key(self.platform, self.login)


def organisation_key(platform: str, login: str) -> str:
    """The tables' key of an organisation: the login on GitHub, `gitlab:<path>` on GitLab."""
    return login if platform == "github" else f"{platform}:{login}"


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
    gitlab_url: str = DEFAULT_GITLAB_URL

    def on(self, platform: str) -> tuple[Organisation, ...]:
        """The configured organisations of `platform`, in configured order."""
        return tuple(org for org in self.organisations if org.platform == platform)


def load_config(path: Path | None = None) -> Config:
    """Load the configuration from `path`, else `./oshs.yaml` if it exists, else the bundled
    default. A file that cannot be read is an error."""
    if path is None:
        if not Path(DEFAULT_CONFIG_FILENAME).exists():
            return bundled_config()
        path = Path(DEFAULT_CONFIG_FILENAME)
    check = Checker(str(path))
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        check.fail("", f"cannot read the file ({reason})", _HINT_FILE)
    return parse_config(check.decode(data), check.source)


def bundled_config() -> Config:
    """The bundled default: the 31 GitHub organisations of the two earlier NHS projects and the
    GitLab group one of them also measured (gitlab.com/nhsbsa)."""
    return parse_config(_bundled_text(), BUNDLED_SOURCE)


def parse_config(text: str, source: str) -> Config:
    """Parse and validate configuration `text`; `source` names it in error messages."""
    check = Checker(source)
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
        gitlab_url=check.http_url(top.get("gitlab_url", DEFAULT_GITLAB_URL), "gitlab_url"),
    )


def split_logins(value: str) -> tuple[str, ...]:
    """Split a comma- or newline-separated list of logins, dropping blanks (`--orgs a,b`)."""
    return tuple(part.strip() for part in re.split(r"[,\n]", value) if part.strip())


def select_organisations(config: Config, logins: Sequence[str] | str) -> Config:
    """`config` with its organisations replaced by `logins` (`--orgs`; a string is split).

    A login matching a configured organisation (case-insensitively) keeps its configured
    spelling and display name; `gitlab:<path>` names a GitLab group. No logins, or an invalid
    or duplicate one, is an error."""
    check = Checker("--orgs")
    logins = split_logins(logins) if isinstance(logins, str) else logins
    if not logins:
        check.fail("", "expected at least one organisation login, got none")
    configured = {org.key.lower(): org for org in config.organisations}
    seen: dict[str, Organisation] = {}
    for login in logins:
        given = login.strip() if isinstance(login, str) else login
        platform, _, path = given.partition(":") if isinstance(given, str) else ("", "", "")
        wanted = (
            Organisation(check.gitlab_path(path, ""), platform="gitlab")
            if platform == "gitlab" and path
            else Organisation(check.login(given, ""))
        )
        if wanted.key.lower() in seen:
            first = seen[wanted.key.lower()].key
            check.fail(
                "", f"duplicate login {given!r} (already given as {first!r})", _HINT_DUPLICATE
            )
        seen[wanted.key.lower()] = configured.get(wanted.key.lower(), wanted)
    return replace(config, organisations=tuple(seen.values()))


@functools.cache
def _bundled_text() -> str:
    """The text of the bundled default configuration."""
    return resources.files("oshs").joinpath("data", "default-config.yaml").read_text("utf-8")


def _top_mapping(check: Checker, data: Any) -> Mapping[str, Any]:
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
    defaults = yaml.load(_bundled_text(), Loader=StrictLoader)  # a SafeLoader subclass
    merged = {**defaults, **top}
    if isinstance(top.get("package"), Mapping):
        merged["package"] = {**defaults["package"], **top["package"]}
    return merged


def _organisations(check: Checker, value: Any) -> tuple[Organisation, ...]:
    """The organisations list: non-empty; each entry a bare login or a mapping {login, name};
    valid logins, none listed twice (case-insensitively)."""
    items = check.sequence(value, "organisations", "a non-empty list of organisations", True)
    result: list[Organisation] = []
    seen: dict[str, str] = {}
    for index, entry in enumerate(items):
        path = join_path("organisations", index)
        organisation = _organisation(check, entry, path)
        at = path if isinstance(entry, str) else join_path(path, "login")
        login, key = organisation.login, organisation.key.lower()
        if (first := seen.get(key)) is not None:
            check.fail(at, f"duplicate login {login!r} (already given {first})", _HINT_DUPLICATE)
        seen[key] = f"at {path} as {login!r}"
        result.append(organisation)
    return tuple(result)


def _organisation(check: Checker, entry: Any, path: str) -> Organisation:
    """One entry of `organisations`: a bare GitHub login or {login, name, platform}."""
    expected = "a login or a mapping with 'login' and optional 'name' and 'platform'"
    is_login = isinstance(entry, str)
    item = {"login": entry} if is_login else check.mapping(entry, path, ORG_KEYS, expected)
    if "login" not in item:
        check.fail(path, "missing required key 'login'")
    platform = item.get("platform", "github")
    if platform not in PLATFORMS:
        message = f"unknown platform {describe(platform)} (expected github or gitlab)"
        check.fail(join_path(path, "platform"), message, _HINT_PLATFORM)
    at = path if is_login else join_path(path, "login")
    is_gitlab = platform == "gitlab"
    login = check.gitlab_path(item["login"], at) if is_gitlab else check.login(item["login"], at)
    name = item.get("name")
    name = None if name is None else check.string(name, join_path(path, "name"))
    return Organisation(login, name, platform)


def _languages(check: Checker, value: Any) -> Mapping[str, str]:
    """The `languages` section: an optional `groups` mapping of language to group name."""
    section = check.mapping(value, "languages", ("groups",), "a mapping with 'groups'")
    path, groups = "languages.groups", section.get("groups", {})
    if not isinstance(groups, Mapping):
        expected = "a mapping of language name to group name"
        check.fail(path, f"expected {expected}, got {describe(groups)}")
    pairs = {check.string(k, path): check.string(v, join_path(path, k)) for k, v in groups.items()}
    return MappingProxyType(pairs)


def _package(check: Checker, value: Any) -> PackageMetadata:
    """The `package` section: metadata of the published data package."""
    section = check.mapping(value, "package", PACKAGE_KEYS, "a mapping")
    name = check.string(section["name"], "package.name")
    if not _PACKAGE_NAME_RE.fullmatch(name):
        expected = "lower-case letters, digits, '-', '.', '_' or '/'"
        check.fail("package.name", f"{name!r} is not a valid package name (expected {expected})")
    keywords = check.sequence(section["keywords"], "package.keywords", "a list of keywords")
    keywords = [check.string(k, join_path("package.keywords", i)) for i, k in enumerate(keywords)]
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
