"""A small local runner for composite actions: runs `action.yml` as GitHub's runner does.

It evaluates the `${{ }}` expressions the Action uses (contexts `inputs`, `github`, `runner`,
`steps`, `env`; literals; `==`, `!=`, `&&`, `||`, `!`; `always()`, `success()`, `failure()`,
`cancelled()`) and fails loudly on anything else. `run:` steps run with the step's shell
(`bash --noprofile --norc -eo pipefail {0}`, GitHub's template for `shell: bash`) in the
workspace, with `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`, `GITHUB_ENV`, `GITHUB_PATH` and
`GITHUB_ACTIONS=true`. `uses:` steps are stubbed: setup-python puts the current interpreter's
folder first on PATH; upload-artifact copies the path into `artifacts/<name>`. Steps named in
`stub` (by id) are skipped: the install step, since this venv already has oshs. Unlike GitHub,
the runner masks nothing, so a test sees any secret the Action would print.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

BASH = ["bash", "--noprofile", "--norc", "-eo", "pipefail"]
_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\))"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_.\-]*)|(?P<number>\d+))"
)


@dataclass
class ActionRun:
    """What a run of the Action did."""

    outputs: dict[str, str]
    summary: str
    log: str
    outcomes: dict[str, str]
    artifacts: Path
    success: bool = True
    step_outputs: dict[str, dict[str, str]] = field(default_factory=dict)


class Expressions:
    """A tiny evaluator of GitHub Actions expressions over a context dictionary."""

    def __init__(self, context: dict[str, Any], status: str = "success") -> None:
        self.context, self.status = context, status

    def substitute(self, text: Any) -> str:
        """`text` with every `${{ expression }}` replaced by its value as a string."""
        return _EXPRESSION.sub(lambda m: as_string(self.evaluate(m.group(1))), str(text))

    def evaluate(self, source: str) -> Any:
        """The value of one expression."""
        tokens = [m for m in _TOKEN.finditer(source) if m.group().strip()]
        if "".join(m.group().strip() for m in tokens) != re.sub(r"\s+", "", source):
            raise ValueError(f"unsupported expression: {source!r}")
        self._tokens, self._at = [m.group().strip() for m in tokens], 0
        value = self._or()
        if self._at != len(self._tokens):
            raise ValueError(f"unsupported expression: {source!r}")
        return value

    def _peek(self) -> str | None:
        return self._tokens[self._at] if self._at < len(self._tokens) else None

    def _take(self) -> str:
        self._at += 1
        return self._tokens[self._at - 1]

    def _or(self) -> Any:
        value = self._and()
        while self._peek() == "||":
            self._take()
            right = self._and()
            value = value if truthy(value) else right
        return value

    def _and(self) -> Any:
        value = self._compare()
        while self._peek() == "&&":
            self._take()
            right = self._compare()
            value = right if truthy(value) else value
        return value

    def _compare(self) -> Any:
        value = self._unary()
        while self._peek() in ("==", "!="):
            op, right = self._take(), self._unary()
            equal = str(value).lower() == str(right).lower()
            value = equal if op == "==" else not equal
        return value

    def _unary(self) -> Any:
        token = self._take()
        if token == "!":
            return not truthy(self._unary())
        if token == "(":
            value = self._or()
            self._take()
            return value
        if token.startswith("'"):
            return token[1:-1].replace("''", "'")
        if token.isdigit():
            return int(token)
        if self._peek() == "(":
            self._take(), self._take()
            return self._function(token)
        return self._lookup(token)

    def _function(self, name: str) -> bool:
        functions = {
            "always": True,
            "success": self.status == "success",
            "failure": self.status == "failure",
            "cancelled": False,
        }
        if name not in functions:
            raise ValueError(f"unsupported function: {name}()")
        return functions[name]

    def _lookup(self, path: str) -> Any:
        if path in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[path]
        value: Any = self.context
        for part in path.split("."):
            if not isinstance(value, dict):
                raise ValueError(f"unsupported context path: {path}")
            value = value.get(part, "")
        return value


def truthy(value: Any) -> bool:
    """GitHub's truthiness: false, 0, '' and null are falsy."""
    return value not in (False, 0, "", None)


def as_string(value: Any) -> str:
    """How a value is substituted into a string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def parse_output_file(path: Path) -> dict[str, str]:
    """`name=value` and `name<<DELIMITER` blocks of a `GITHUB_OUTPUT` / `GITHUB_ENV` file."""
    values: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    index = 0
    while index < len(lines):
        line = lines[index]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, index + 1)
            values[name] = "\n".join(lines[index + 1 : end])
            index = end + 1
            continue
        if "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
        index += 1
    return values


class Runner:
    """Runs the composite steps of one action.yml in a workspace."""

    def __init__(
        self, action_dir: Path, workspace: Path, temp: Path, github: dict[str, Any], env: dict
    ) -> None:
        self.action_dir, self.workspace, self.temp = action_dir, workspace, temp
        self.action = yaml.safe_load((action_dir / "action.yml").read_text(encoding="utf-8"))
        self.github = {"action_path": str(action_dir), "workspace": str(workspace), **github}
        self.env = {
            "PATH": os.environ["PATH"],
            "LANG": "C.UTF-8",
            "CI": "true",
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "GITHUB_ACTION_PATH": str(action_dir),
            "GITHUB_API_URL": str(github.get("api_url", "")),
            "GITHUB_SERVER_URL": str(github.get("server_url", "https://github.com")),
            "GITHUB_JOB": str(github.get("job", "")),
            "RUNNER_TEMP": str(temp),
            **env,
        }
        self.steps: dict[str, dict[str, Any]] = {}
        self.log: list[str] = []
        self.summary: list[str] = []

    def context(self, inputs: dict[str, str]) -> dict[str, Any]:
        """The expression contexts available to the steps."""
        return {
            "inputs": inputs,
            "github": self.github,
            "runner": {"temp": str(self.temp), "os": "Linux"},
            "steps": self.steps,
            "env": self.env,
        }

    def inputs(self, given: dict[str, str]) -> dict[str, str]:
        """The inputs with their defaults evaluated; unknown inputs are an error."""
        declared = self.action.get("inputs", {})
        unknown = set(given) - set(declared)
        if unknown:
            raise ValueError(f"unknown inputs: {sorted(unknown)}")
        values: dict[str, str] = {}
        for name, spec in declared.items():
            default = Expressions(self.context({})).substitute(spec.get("default", ""))
            values[name] = given.get(name, default)
        return values

    def run(self, given: dict[str, str], stub: set[str]) -> ActionRun:
        """Run every step; the outputs, job summary, log and outcomes."""
        inputs, status = self.inputs(given), "success"
        outcomes: dict[str, str] = {}
        for number, step in enumerate(self.action["runs"]["steps"]):
            step_id = step.get("id", f"__{number}")
            evaluator = Expressions(self.context(inputs), status)
            condition = str(step.get("if", "success()")).replace("${{", "").replace("}}", "")
            if not re.search(r"\b(always|success|failure|cancelled)\(", condition):
                condition = f"success() && ({condition})"  # GitHub's implicit status check
            if not truthy(evaluator.evaluate(condition)) or step_id in stub:
                outcomes[step_id] = "skipped"
                continue
            ok = self.run_step(step, step_id, evaluator)
            outcomes[step_id] = "success" if ok else "failure"
            status = status if ok else "failure"
        outputs = {
            name: Expressions(self.context(inputs)).substitute(spec["value"])
            for name, spec in self.action.get("outputs", {}).items()
        }
        step_outputs = {key: value["outputs"] for key, value in self.steps.items()}
        return ActionRun(
            outputs,
            "".join(self.summary),
            "".join(self.log),
            outcomes,
            self.temp / "artifacts",
            status == "success",
            step_outputs,
        )

    def run_step(self, step: dict[str, Any], step_id: str, evaluator: Expressions) -> bool:
        """Run one step; True when it succeeded."""
        self.log.append(f"--- step {step.get('name', step_id)}\n")
        if "uses" in step:
            outputs: dict[str, str] = {}
            ok = self.uses(step["uses"], step.get("with", {}), evaluator)
        else:
            ok, outputs = self.run_script(step, step_id, evaluator)
        self.steps[step_id] = {"outputs": outputs, "outcome": "success" if ok else "failure"}
        return ok

    def uses(self, action: str, with_: dict[str, Any], evaluator: Expressions) -> bool:
        """The stubs of the third-party actions the Action uses."""
        if action.startswith("actions/setup-python@"):
            self.env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{self.env['PATH']}"
            return True
        if action.startswith("actions/upload-artifact@"):
            name, path = (
                evaluator.substitute(with_["name"]),
                Path(evaluator.substitute(with_["path"])),
            )
            if path.exists():
                shutil.copytree(path, self.temp / "artifacts" / name)
            return True
        raise ValueError(f"no stub for {action}")

    def run_script(
        self, step: dict[str, Any], step_id: str, evaluator: Expressions
    ) -> tuple[bool, dict[str, str]]:
        """A `run:` step with its shell, env and the workflow-command files."""
        if step.get("shell") != "bash":
            raise ValueError(f"step {step_id}: only `shell: bash` is supported")
        folder = self.temp / "_runner" / step_id
        folder.mkdir(parents=True, exist_ok=True)
        files = {name: folder / name.lower() for name in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY")}
        files["GITHUB_ENV"], files["GITHUB_PATH"] = self.temp / "_env", self.temp / "_path"
        for path in files.values():
            path.touch()
        script = folder / "script.sh"
        script.write_text(evaluator.substitute(step["run"]), encoding="utf-8")
        env = {**self.env, **{k: str(v) for k, v in files.items()}}
        env.update(
            {name: evaluator.substitute(value) for name, value in step.get("env", {}).items()}
        )
        done = subprocess.run(
            [*BASH, str(script)], cwd=self.workspace, env=env, capture_output=True, text=True
        )
        self.log.append(done.stdout + done.stderr)
        self.summary.append(files["GITHUB_STEP_SUMMARY"].read_text(encoding="utf-8"))
        self.env.update(parse_output_file(files["GITHUB_ENV"]))
        return done.returncode == 0, parse_output_file(files["GITHUB_OUTPUT"])


def run_action(
    action_dir: Path,
    *,
    workspace: Path,
    temp: Path,
    inputs: dict[str, str],
    github: dict[str, Any],
    env: dict[str, str] | None = None,
    stub: tuple[str, ...] = ("install",),
) -> ActionRun:
    """Run `action_dir/action.yml` in `workspace` with `inputs` and the `github` context."""
    temp.mkdir(parents=True, exist_ok=True)
    runner = Runner(action_dir, workspace, temp, github, dict(env or {}))
    return runner.run(inputs, set(stub))


def git(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run git in `cwd` (test plumbing: make a bare remote, clone it, inspect it)."""
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {done.stderr}")
    return done.stdout


def checkout(remote: Path, workspace: Path) -> Path:
    """What actions/checkout does (without persisting credentials): clone `remote`."""
    git("clone", "--quiet", str(remote), str(workspace), cwd=remote.parent)
    return workspace


def bare_remote(path: Path, branch: str = "main") -> Path:
    """A bare repository with one commit on `branch` (a README), as a fresh GitHub repo."""
    git("init", "--quiet", "--bare", f"--initial-branch={branch}", str(path), cwd=path.parent)
    seed = path.parent / f"{path.name}-seed"
    git("clone", "--quiet", str(path), str(seed), cwd=path.parent)
    (seed / "README.md").write_text("# published data\n", encoding="utf-8")
    identity = ["-c", "user.name=seed", "-c", "user.email=seed@example.org"]
    git("add", "README.md", cwd=seed)
    git(*identity, "commit", "--quiet", "-m", "initial commit", cwd=seed)
    git("push", "--quiet", "origin", f"HEAD:refs/heads/{branch}", cwd=seed)
    shutil.rmtree(seed)
    return path
