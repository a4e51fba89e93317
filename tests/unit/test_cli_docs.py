"""Every command and option is documented in docs/cli.md, and the file is up to date."""

from __future__ import annotations

from pathlib import Path

from conftest import load_script

from oshs.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def test_cli_reference_is_up_to_date():
    expected = load_script("generate_cli_docs").cli_reference()
    actual = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert actual == expected, "run: python scripts/generate_cli_docs.py"


def test_every_command_and_option_is_in_the_reference():
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name, command in cli.commands.items():
        assert f"## `oshs {name}`" in text
        for param in command.params:
            names = param.opts if param.param_type_name == "option" else [param.human_readable_name]
            for option in names:
                assert option in text, f"oshs {name} {option} is not documented"
