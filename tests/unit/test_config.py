"""Tests of oshs.config: the bundled default, loading, strict validation, --orgs."""

from __future__ import annotations

import dataclasses
import errno
import json
from importlib import resources
from pathlib import Path

import pytest

from oshs.config import (
    BUNDLED_SOURCE,
    Config,
    Organisation,
    load_config,
    parse_config,
    select_organisations,
    split_logins,
)
from oshs.config_checks import GITLAB_PATH_RULE
from oshs.errors import ConfigError

LOGIN_RULE = "expected 1-39 letters, digits or single hyphens, not starting or ending with a hyphen"
TOP_KEYS = "gitlab_url, include_archived, include_forks, languages, organisations, package"
TOKEN = (
    "the GitHub token never lives in the config "
    "(set GITHUB_TOKEN, or name another variable with --token-env)"
)

# The union of nhs-pycom's org_list.yaml (26) and nhsengland's config (24 GitHub organisations),
# logins compared case-insensitively: 31, in that order, GitHub's own spelling of each login.
EXPECTED_ORGANISATIONS = [
    ("nhsx", "NHSX"),
    ("111Online", "NHS 111 Online - NHS Digital"),
    ("NHSDigital", "NHS Digital"),
    ("nhsconnect", "NHS Connect"),
    ("nhsengland", "NHS England"),
    ("nhs-pycom", "NHS Python Community for Healthcare"),
    ("nhs-r-community", "NHS-R Community"),
    ("nhsuk", "NHS.UK"),
    ("ukhsa-collaboration", "UK Health Security Agency - Collaboration"),
    ("UKHSA-Internal", "UK Health Security Agency - Internal"),
    (
        "CDU-data-science-team",
        "Nottinghamshire Healthcare NHS Foundation Trust - CDU Data Science Team",
    ),
    ("Nottingham-and-Nottinghamshire-ICS", "Nottingham and Nottinghamshire ICS"),
    ("The-Strategy-Unit", "NHS Midlands and Lancashire CSU - The Strategy Unit"),
    ("ebmdatalab", "University of Oxford - Evidence-Based Medicine Data Lab"),
    ("opensafely", "OpenSAFELY Studies"),
    ("opensafely-core", "OpenSAFELY Core"),
    ("HFAnalyticsLab", "The Health Foundation Analytics Lab"),
    ("nhs-bnssg-analytics", "NHS BNSSG Analytics"),
    ("BHFDSC", "BHF Data Science Centre"),
    ("NHSLeadership", "NHS Leadership Academy"),
    ("nice-digital", "NICE Digital"),
    ("nhsbsa", "NHS Business Services Authority"),
    ("MHRA", "Medicines and Healthcare products Regulatory Agency"),
    ("NHS-Blood-and-Transplant", "NHS Blood and Transplant"),
    ("CQCDigital", "Care Quality Commission"),
    ("Health-Education-England", "Health Education England"),
    ("NHSE-NDRS", "NHSE-NDRS"),
    ("publichealthengland", "Public Health England"),
    ("ncl-icb-analytics", "North Central London ICB"),
    ("Birmingham-and-Solihull-ICS", "Birmingham and Solihull ICS"),
    ("GIG-Cymru-NHS-Wales", "GIG Cymru - NHS Wales"),
]

OGL = {
    "name": "OGL-UK-3.0",
    "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    "title": "Open Government Licence v3.0",
}


def config_error(text: str, source: str = "oshs.yaml") -> ConfigError:
    """The ConfigError that parsing `text` raises."""
    with pytest.raises(ConfigError) as caught:
        parse_config(text, source)
    return caught.value


def assert_message(error: ConfigError, message: str) -> None:
    """`error` has exactly `message`, exit code 2, and a one-line message."""
    assert error.message == message
    assert str(error) == message
    assert error.exit_code == 2
    assert "\n" not in error.message


# --- the bundled default -----------------------------------------------------------------


@pytest.fixture
def bundled() -> Config:
    """The bundled default configuration."""
    resource = resources.files("oshs").joinpath("data", "default-config.yaml")
    return parse_config(resource.read_text(encoding="utf-8"), BUNDLED_SOURCE)


def test_bundled_default_has_the_31_organisations_of_both_earlier_lists(bundled: Config) -> None:
    github = bundled.on("github")
    assert [(org.login, org.name) for org in github] == EXPECTED_ORGANISATIONS
    assert len(github) == 31
    assert len({org.login.lower() for org in github}) == 31


def test_bundled_default_has_the_nhsbsa_gitlab_group(bundled: Config) -> None:
    assert bundled.on("gitlab") == (
        Organisation("nhsbsa", "NHS Business Services Authority", "gitlab"),
    )
    assert bundled.organisations[-1].key == "gitlab:nhsbsa"
    assert bundled.gitlab_url == "https://gitlab.com"


def test_bundled_default_other_settings(bundled: Config) -> None:
    assert bundled.include_forks is False
    assert bundled.include_archived is True
    assert dict(bundled.language_groups) == {}
    assert bundled.source == BUNDLED_SOURCE
    package = bundled.package
    assert package.name == "nhs-open-source-statistics"
    assert package.title == "Open-source statistics of NHS and healthcare organisations on GitHub"
    assert package.description.startswith("Statistics on the public GitHub repositories")
    assert [dict(item) for item in package.licenses] == [OGL]
    assert "nhs" in package.keywords
    assert package.contributors and all("title" in c for c in package.contributors)


def test_load_config_without_file_uses_bundled_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bundled: Config
) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(None)
    assert config == bundled
    assert config.source == "<bundled default>"


def test_config_is_frozen_hashable_and_read_only(bundled: Config) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        bundled.include_forks = True  # type: ignore[misc]
    with pytest.raises(TypeError):
        bundled.language_groups["R"] = "R"  # type: ignore[index]
    with pytest.raises(TypeError):
        bundled.package.licenses[0]["name"] = "MIT"  # type: ignore[index]
    assert isinstance(hash(bundled), int)


def test_package_descriptor_is_plain_json(bundled: Config) -> None:
    descriptor = bundled.package.to_descriptor()
    assert json.loads(json.dumps(descriptor)) == descriptor
    assert descriptor["licenses"] == [OGL]
    assert descriptor["contributors"] == [{"title": "oshs contributors", "roles": ["creator"]}]


# --- loading files -----------------------------------------------------------------------


def test_load_config_picks_oshs_yaml_in_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "oshs.yaml").write_text("organisations:\n  - login: my-trust\n    name: My Trust\n")
    monkeypatch.chdir(tmp_path)
    config = load_config(None)
    assert config.organisations == (Organisation("my-trust", "My Trust"),)
    assert config.source == "oshs.yaml"


def test_load_config_explicit_path(tmp_path: Path) -> None:
    path = tmp_path / "custom.yaml"
    path.write_text("organisations: [nhsx]\n", encoding="utf-8")
    config = load_config(path)
    assert config.organisations == (Organisation("nhsx", None),)
    assert config.source == str(path)


def test_user_file_takes_defaults_for_left_out_keys(bundled: Config) -> None:
    config = parse_config(
        "organisations: [a-trust]\npackage:\n  name: a-trust-stats\n", "oshs.yaml"
    )
    assert config.include_forks is False and config.include_archived is True
    assert dict(config.language_groups) == {}
    assert config.package.name == "a-trust-stats"
    assert config.package.title == bundled.package.title
    assert config.package.licenses == bundled.package.licenses


def test_full_user_file() -> None:
    text = """\
organisations:
  - NHSDigital          # a bare login
  - login: nhsengland
    name: NHS England
  - login: nhsx
    name:               # null: the organisation's own name
include_forks: true
include_archived: false
languages:
  groups: {Jupyter Notebook: Python, SCSS: HTML}
package:
  name: my-stats
  title: My statistics
  description: Mine.
  licenses: [{name: CC-BY-4.0}]
  keywords: [nhs]
  contributors: [{title: Me, email: me@example.org, roles: [creator, maintainer]}]
"""
    config = parse_config(text, "oshs.yaml")
    assert config.organisations == (
        Organisation("NHSDigital", None),
        Organisation("nhsengland", "NHS England"),
        Organisation("nhsx", None),
    )
    assert (config.include_forks, config.include_archived) == (True, False)
    assert dict(config.language_groups) == {"Jupyter Notebook": "Python", "SCSS": "HTML"}
    assert config.package.to_descriptor() == {
        "name": "my-stats",
        "title": "My statistics",
        "description": "Mine.",
        "licenses": [{"name": "CC-BY-4.0"}],
        "keywords": ["nhs"],
        "contributors": [
            {"title": "Me", "email": "me@example.org", "roles": ["creator", "maintainer"]}
        ],
    }


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbforganisations: [nhsx]\n")
    assert load_config(path).organisations == (Organisation("nhsx", None),)


def test_yaml_1_1_booleans_stay_strings_for_logins() -> None:
    # YAML 1.1 would read `no` and `on` as false and true; GitHub logins they are.
    config = parse_config("organisations: [no, on]\n", "oshs.yaml")
    assert config.organisations == (Organisation("no"), Organisation("on"))


# --- bad files -----------------------------------------------------------------------------


def test_missing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as caught:
        load_config(Path("missing.yaml"))
    assert_message(caught.value, "missing.yaml: cannot read the file (No such file or directory)")


def test_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "conf").mkdir()
    with pytest.raises(ConfigError) as caught:
        load_config(Path("conf"))
    assert_message(caught.value, "conf: cannot read the file (Is a directory)")


def test_oshs_yaml_directory_in_working_directory_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "oshs.yaml").mkdir()
    with pytest.raises(ConfigError) as caught:
        load_config(None)
    assert_message(caught.value, "oshs.yaml: cannot read the file (Is a directory)")


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text("organisations: [nhsx]\n")

    def refuse(self: Path) -> bytes:
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert_message(caught.value, f"{path}: cannot read the file (Permission denied)")


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (b"organisations: [nhsx]\n\x00\x01\x02", "NUL byte at offset 22"),
        (b"organisations: [nhsx]\n\xff\xfe", "invalid UTF-8 at offset 22"),
        (b"\x89PNG\r\n\x1a\n", "invalid UTF-8 at offset 0"),
    ],
)
def test_binary_file(tmp_path: Path, data: bytes, detail: str) -> None:
    path = tmp_path / "image.yaml"
    path.write_bytes(data)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert_message(
        caught.value, f"{path}: expected a UTF-8 text file, found binary data ({detail})"
    )


# --- bad content: exact messages ---------------------------------------------------------

BAD_CONFIGS = {
    "empty list": (
        "organisations: []\n",
        "oshs.yaml: organisations: expected a non-empty list of organisations, got an empty list",
    ),
    "organisations mapping": (
        "organisations: {nhsx: NHSX}\n",
        "oshs.yaml: organisations: expected a non-empty list of organisations, got a mapping",
    ),
    "missing organisations": (
        "include_forks: false\n",
        "oshs.yaml: missing required key 'organisations' (expected a non-empty list of logins)",
    ),
    "duplicate login": (
        "organisations:\n  - login: nhsx\n  - nhsuk\n  - login: NHSX\n",
        "oshs.yaml: organisations[2].login: duplicate login 'NHSX' "
        "(already given at organisations[0] as 'nhsx')",
    ),
    "duplicate bare login": (
        "organisations: [nhsdigital, NHSDigital]\n",
        "oshs.yaml: organisations[1]: duplicate login 'NHSDigital' "
        "(already given at organisations[0] as 'nhsdigital')",
    ),
    "invalid login": (
        "organisations:\n  - nhsx\n  - nhsuk\n  - login: nhs--x\n",
        f"oshs.yaml: organisations[2].login: 'nhs--x' is not a valid GitHub login ({LOGIN_RULE})",
    ),
    "login with leading hyphen": (
        "organisations: [-nhs]\n",
        f"oshs.yaml: organisations[0]: '-nhs' is not a valid GitHub login ({LOGIN_RULE})",
    ),
    "login with trailing hyphen": (
        "organisations: [nhs-]\n",
        f"oshs.yaml: organisations[0]: 'nhs-' is not a valid GitHub login ({LOGIN_RULE})",
    ),
    "login too long": (
        f"organisations: [{'a' * 40}]\n",
        f"oshs.yaml: organisations[0]: '{'a' * 40}' is not a valid GitHub login ({LOGIN_RULE})",
    ),
    "login with a dot": (
        "organisations: [nhs.uk]\n",
        f"oshs.yaml: organisations[0]: 'nhs.uk' is not a valid GitHub login ({LOGIN_RULE})",
    ),
    "unknown platform": (
        "organisations:\n  - login: nhsbsa\n    platform: bitbucket\n",
        "oshs.yaml: organisations[0].platform: unknown platform 'bitbucket' (expected github or "
        "gitlab)",
    ),
    "gitlab path with a space": (
        "organisations:\n  - login: nhs bsa\n    platform: gitlab\n",
        f"oshs.yaml: organisations[0].login: 'nhs bsa' is not a valid GitLab group path "
        f"({GITLAB_PATH_RULE})",
    ),
    "same gitlab group twice": (
        "organisations:\n  - {login: NHSBSA, platform: gitlab}\n  - {login: nhsbsa, platform: "
        "gitlab}\n",
        "oshs.yaml: organisations[1].login: duplicate login 'nhsbsa' (already given at "
        "organisations[0] as 'NHSBSA')",
    ),
    "gitlab_url not a URL": (
        "organisations: [nhsx]\ngitlab_url: gitlab.com\n",
        "oshs.yaml: gitlab_url: expected an https URL such as https://gitlab.com (http:// only "
        "on 127.0.0.1 or localhost), got 'gitlab.com'",
    ),
    "gitlab_url plain http": (
        "organisations: [nhsx]\ngitlab_url: http://git.example.org\n",
        "oshs.yaml: gitlab_url: plain http would send the token unencrypted: expected an https "
        "URL such as https://gitlab.com (http:// only on 127.0.0.1 or localhost)",
    ),
    "login non-ascii": (
        "organisations: [nhsé]\n",
        f"oshs.yaml: organisations[0]: 'nhsé' is not a valid GitHub login ({LOGIN_RULE})",
    ),
    "empty login": (
        "organisations:\n  - login: ''\n",
        f"oshs.yaml: organisations[0].login: '' is not a valid GitHub login ({LOGIN_RULE})",
    ),
    "login not a string": (
        "organisations:\n  - login: [nhsx]\n",
        "oshs.yaml: organisations[0].login: expected a GitHub login (a string), got a list",
    ),
    "entry a number": (
        "organisations: [1234]\n",
        "oshs.yaml: organisations[0]: expected a login or a mapping with 'login' and optional "
        "'name' and 'platform', got 1234",
    ),
    "entry without login": (
        "organisations:\n  - name: NHSX\n",
        "oshs.yaml: organisations[0]: missing required key 'login'",
    ),
    "unknown top-level key": (
        "organisation: [nhsx]\n",
        f"oshs.yaml: unknown key 'organisation' (expected one of: {TOP_KEYS})",
    ),
    "unknown organisation key": (
        "organisations:\n  - login: nhsx\n    display_name: NHSX\n",
        "oshs.yaml: organisations[0]: unknown key 'display_name' (expected one of: login, name, "
        "platform)",
    ),
    "unknown languages key": (
        "organisations: [nhsx]\nlanguages:\n  group: {}\n",
        "oshs.yaml: languages: unknown key 'group' (expected one of: groups)",
    ),
    "unknown package key": (
        "organisations: [nhsx]\npackage:\n  licence: OGL-UK-3.0\n",
        "oshs.yaml: package: unknown key 'licence' "
        "(expected one of: contributors, description, keywords, licenses, name, title)",
    ),
    "unknown licence key": (
        "organisations: [nhsx]\npackage:\n  licenses: [{name: MIT, url: x}]\n",
        "oshs.yaml: package.licenses[0]: unknown key 'url' (expected one of: name, path, title)",
    ),
    "bool as yes": (
        "organisations: [nhsx]\ninclude_forks: yes\n",
        "oshs.yaml: include_forks: expected true or false, got 'yes'",
    ),
    "bool as quoted string": (
        "organisations: [nhsx]\ninclude_forks: 'true'\n",
        "oshs.yaml: include_forks: expected true or false, got 'true'",
    ),
    "bool as number": (
        "organisations: [nhsx]\ninclude_archived: 1\n",
        "oshs.yaml: include_archived: expected true or false, got 1",
    ),
    "bool as null": (
        "organisations: [nhsx]\ninclude_archived:\n",
        "oshs.yaml: include_archived: expected true or false, got null",
    ),
    "name not a string": (
        "organisations:\n  - login: nhsx\n    name: [NHSX]\n",
        "oshs.yaml: organisations[0].name: expected a non-empty string, got a list",
    ),
    "groups a list": (
        "organisations: [nhsx]\nlanguages:\n  groups: [Python]\n",
        "oshs.yaml: languages.groups: expected a mapping of language name to group name, "
        "got a list",
    ),
    "group not a string": (
        "organisations: [nhsx]\nlanguages:\n  groups: {Jupyter Notebook: 3}\n",
        "oshs.yaml: languages.groups['Jupyter Notebook']: expected a non-empty string, got 3",
    ),
    "package a list": (
        "organisations: [nhsx]\npackage: [name]\n",
        "oshs.yaml: package: expected a mapping, got a list",
    ),
    "package name": (
        "organisations: [nhsx]\npackage:\n  name: NHS Stats\n",
        "oshs.yaml: package.name: 'NHS Stats' is not a valid package name "
        "(expected lower-case letters, digits, '-', '.', '_' or '/')",
    ),
    "no licence": (
        "organisations: [nhsx]\npackage:\n  licenses: []\n",
        "oshs.yaml: package.licenses: expected a non-empty list of mappings, got an empty list",
    ),
    "licence without name or path": (
        "organisations: [nhsx]\npackage:\n  licenses: [{title: Mine}]\n",
        "oshs.yaml: package.licenses[0]: missing required key 'name' or 'path'",
    ),
    "keyword not a string": (
        "organisations: [nhsx]\npackage:\n  keywords: [nhs, {a: b}]\n",
        "oshs.yaml: package.keywords[1]: expected a non-empty string, got a mapping",
    ),
    "contributor roles": (
        "organisations: [nhsx]\npackage:\n  contributors: [{title: Me, roles: creator}]\n",
        "oshs.yaml: package.contributors[0].roles: expected a list of roles, got 'creator'",
    ),
    "top-level list": (
        "- nhsx\n- nhsuk\n",
        "oshs.yaml: expected a mapping with an 'organisations' list, got a list",
    ),
    "top-level string": (
        "nhsx\n",
        "oshs.yaml: expected a mapping with an 'organisations' list, got 'nhsx'",
    ),
    "empty file": (
        "# only a comment\n",
        "oshs.yaml: expected a mapping with an 'organisations' list, got an empty document",
    ),
    "token top-level": (
        "organisations: [nhsx]\ntoken: ghp_secret\n",
        f"oshs.yaml: token: {TOKEN}",
    ),
    "token nested": (
        "organisations:\n  - login: nhsx\n    github_token: ghp_secret\n",
        f"oshs.yaml: organisations[0].github_token: {TOKEN}",
    ),
    "token in a list": (
        "organisations: [nhsx]\npackage:\n  contributors: [{title: Me, TOKEN: ghp_secret}]\n",
        f"oshs.yaml: package.contributors[0].TOKEN: {TOKEN}",
    ),
    "broken YAML": (
        "organisations:\n  - login: nhsx\n    name: [unclosed\n",
        "oshs.yaml: line 4, column 1: invalid YAML (expected ',' or ']', but got '<stream end>')",
    ),
    "bad indentation": (
        "organisations:\n  - nhsx\n bad: x\n",
        "oshs.yaml: line 3, column 2: invalid YAML "
        "(expected <block end>, but found '<block mapping start>')",
    ),
    "tab": (
        "organisations:\n\t- nhsx\n",
        "oshs.yaml: line 2, column 1: invalid YAML "
        "(found character '\\t' that cannot start any token)",
    ),
    "duplicate key": (
        "organisations: [nhsx]\ninclude_forks: false\ninclude_forks: true\n",
        "oshs.yaml: line 3, column 1: invalid YAML (duplicate key 'include_forks')",
    ),
    "two documents": (
        "organisations: [nhsx]\n---\norganisations: [nhsuk]\n",
        "oshs.yaml: line 2, column 1: invalid YAML "
        "(expected a single document in the stream, but found another document)",
    ),
    "python tag": (
        "organisations: !!python/object/apply:os.system [echo]\n",
        "oshs.yaml: line 1, column 16: invalid YAML (could not determine a constructor for the "
        "tag 'tag:yaml.org,2002:python/object/apply:os.system')",
    ),
    "control character": (
        "organisations: [nhsx]\x07\n",
        "oshs.yaml: line 1, column 22: invalid YAML (character #x0007 is not allowed)",
    ),
}


@pytest.mark.parametrize(("text", "message"), BAD_CONFIGS.values(), ids=BAD_CONFIGS.keys())
def test_bad_config_message(text: str, message: str) -> None:
    assert_message(config_error(text), message)


def test_token_value_never_appears_in_the_error() -> None:
    error = config_error("organisations: [nhsx]\ntoken: ghp_secret\n")
    assert "ghp_secret" not in error.message
    assert "ghp_secret" not in (error.hint or "")
    assert "GITHUB_TOKEN" in error.message


def test_hints() -> None:
    assert config_error("organisation: [nhsx]\n").hint == "Did you mean 'organisations'?"
    assert config_error("organisations: [nhsx]\ninclude_forks: yes\n").hint == (
        "Write true or false, without quotes."
    )
    assert config_error("organisations: [a, A]\n").hint == (
        "GitHub logins are case-insensitive: list each organisation once."
    )


def test_errors_name_the_file_they_came_from(tmp_path: Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_text("organisations: []\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.message.startswith(f"{path}: organisations: ")


# --- select_organisations (--orgs) ---------------------------------------------------------


def test_select_keeps_configured_spelling_and_name(bundled: Config) -> None:
    selected = select_organisations(bundled, ["nhsdigital", "some-trust", "NHSX"])
    assert selected.organisations == (
        Organisation("NHSDigital", "NHS Digital"),
        Organisation("some-trust", None),
        Organisation("nhsx", "NHSX"),
    )
    assert selected.package == bundled.package
    assert selected.source == bundled.source
    assert bundled.organisations[0] == Organisation("nhsx", "NHSX")  # unchanged


def test_one_login_on_both_platforms_is_two_organisations() -> None:
    text = (
        "organisations:\n  - nhsbsa\n  - {login: nhsbsa/data, platform: gitlab}\n"
        "  - {login: nhsbsa, platform: gitlab}\ngitlab_url: https://git.example.org/\n"
    )
    config = parse_config(text, "oshs.yaml")
    assert [org.key for org in config.organisations] == [
        "nhsbsa", "gitlab:nhsbsa/data", "gitlab:nhsbsa",
    ]  # fmt: skip
    assert config.gitlab_url == "https://git.example.org"
    selected = select_organisations(config, "gitlab:nhsbsa,nhsbsa")
    assert [org.key for org in selected.organisations] == ["gitlab:nhsbsa", "nhsbsa"]


def test_select_splits_a_string(bundled: Config) -> None:
    selected = select_organisations(bundled, " nhsengland, nhsuk ,\n")
    assert selected.organisations == (
        Organisation("nhsengland", "NHS England"),
        Organisation("nhsuk", "NHS.UK"),
    )


def test_split_logins() -> None:
    assert split_logins("a,b\nc, d ,,") == ("a", "b", "c", "d")
    assert split_logins(" , ") == ()


@pytest.mark.parametrize(
    ("logins", "message"),
    [
        ([], "--orgs: expected at least one organisation login, got none"),
        (" , ", "--orgs: expected at least one organisation login, got none"),
        (["nhsx", "NHSX"], "--orgs: duplicate login 'NHSX' (already given as 'nhsx')"),
        (["nhs--x"], f"--orgs: 'nhs--x' is not a valid GitHub login ({LOGIN_RULE})"),
        ([""], f"--orgs: '' is not a valid GitHub login ({LOGIN_RULE})"),
        (
            ["https://github.com/nhsx"],
            f"--orgs: 'https://github.com/nhsx' is not a valid GitHub login ({LOGIN_RULE})",
        ),
    ],
)
def test_select_errors(bundled: Config, logins: list[str] | str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        select_organisations(bundled, logins)
    assert_message(caught.value, message)
