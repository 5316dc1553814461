"""The README's management API examples, read from README.md and run verbatim through the test
client against the demo page (``make run``'s data): the shell block's commands (the key made the
README's way, the curl paths, methods and JSON bodies, the jq picks) and the Python block."""

import json
import re
import shlex
import sys
import types
from pathlib import Path

import pytest

from app.core.uow import unit_of_work
from app.demo import seed_demo
from app.extensions import db
from app.models import Incident

README = Path(__file__).resolve().parents[2] / "README.md"
FLASK = [".venv/bin/flask", "--app", "wsgi"]


def _blocks(language: str) -> list[str]:
    section = README.read_text().split("\n## Integrations\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(rf"```{language}\n(.*?)```", section, re.DOTALL)


def _commands(script: str) -> list[str]:
    """One string per command: continuation lines joined, a quoted text kept across lines."""
    commands, current = [], ""
    for line in script.splitlines():
        current += line
        if current.endswith("\\"):
            current = current[:-1]
            continue
        try:
            shlex.split(current)
        except ValueError:  # a quote still open: the command goes on
            current += "\n"
            continue
        if current.strip():
            commands.append(current.strip())
        current = ""
    assert not current, f"unfinished command in the README: {current!r}"
    return commands


def _jq(program: str, text: str) -> str:
    """The two picks the README makes with ``jq -r``."""
    data = json.loads(text)
    if program == ".id":
        return data["id"]
    by_name = re.fullmatch(r'\.\[\] \| select\(\.name == "([^"]+)"\) \| \.id', program)
    assert by_name, f"the README uses a jq program this test does not read: {program}"
    return "\n".join(item["id"] for item in data if item["name"] == by_name[1])


class Shell:
    """Just enough of sh for the README: ``export``, ``NAME=$(…)``, curl, jq and flask."""

    def __init__(self, client, runner):
        self.client, self.runner, self.vars = client, runner, {}

    def run(self, command: str) -> str:
        command = command.removeprefix("export ")
        assignment = re.fullmatch(r"(\w+)=(\$\((.*)\)|\S+)", command, re.DOTALL)
        if assignment is None:
            return self._pipeline(command)
        name, value, inner = assignment.groups()
        self.vars[name] = self._pipeline(inner) if inner else self._expand(value)
        return ""

    def _expand(self, text: str) -> str:
        return re.sub(r"\$\{?(\w+)\}?", lambda m: self.vars[m[1]], text)

    def _pipeline(self, pipeline: str) -> str:
        command, *jq = re.split(r"\s+\|\s+jq -r\s+", pipeline)
        args = shlex.split(self._expand(command))
        if args[:3] == FLASK:
            result = self.runner.invoke(args=args[3:])
            assert result.exit_code == 0, result.output
            out = result.output.strip()
        else:
            out = self._curl(args)
        for program in jq:
            out = _jq(shlex.split(program)[0], out)
        return out

    def _curl(self, args: list[str]) -> str:
        assert args[0] == "curl", args
        method, headers, data, urls = None, {}, None, []
        words = iter(args[1:])
        for word in words:
            if word == "-H":
                name, _, value = next(words).partition(":")
                headers[name.strip()] = value.strip()
            elif word == "-X":
                method = next(words)
            elif word == "-d":
                data = next(words)
            elif word != "-s":
                urls.append(word)
        assert len(urls) == 1, args
        method = method or ("POST" if data is not None else "GET")
        response = self.client.open(urls[0], method=method, data=data, headers=headers)
        assert response.status_code < 400, (method, urls[0], response.get_data(as_text=True))
        return response.get_data(as_text=True)


class _Response:
    def __init__(self, response):
        self.response, self.status_code = response, response.status_code

    def json(self):
        return self.response.json

    def raise_for_status(self):
        assert self.status_code < 400, self.response.get_data(as_text=True)


def _requests_over(client) -> types.ModuleType:
    """A stand-in for ``requests`` whose Session sends through the test client."""

    class Session:
        def __init__(self):
            self.headers = {}

        def request(self, method, url, **kwargs):
            return _Response(client.open(url, method=method, headers=self.headers, **kwargs))

        def get(self, url, **kwargs):
            return self.request("GET", url, **kwargs)

        def post(self, url, **kwargs):
            return self.request("POST", url, **kwargs)

        def patch(self, url, **kwargs):
            return self.request("PATCH", url, **kwargs)

    module = types.ModuleType("requests")
    module.Session = Session
    return module


@pytest.fixture
def demo(app, ctx):
    with unit_of_work():
        seed_demo(past_incidents=1)


def _readme_incidents():
    query = db.select(Incident).where(Incident.title == "Elevated API errors")
    return list(db.session.scalars(query.order_by(Incident.id)))


def test_the_readme_curl_example_runs_against_the_demo(client, runner, demo):
    (script,) = _blocks("sh")
    shell = Shell(client, runner)
    for command in _commands(script):
        shell.run(command)
    assert shell.vars["CRIER"].endswith("/api/v1/pages/crier") and shell.vars["INCIDENT"]
    (incident,) = _readme_incidents()
    assert incident.public_id == shell.vars["INCIDENT"]
    assert incident.state == "resolved" and incident.lead.email == "lead@example.com"
    assert [(c.component.name, c.status) for c in incident.components] == [("API", "major_outage")]
    api = client.get(f"{shell.vars['CRIER']}/components/{shell.vars['API']}",
                     headers={"Authorization": f"OAuth {shell.vars['KEY']}"})  # fmt: skip
    # Back to what the demo's other open incident ("Elevated API error rates") holds.
    assert api.json["name"] == "API" and api.json["status"] == "partial_outage"


def test_the_readme_python_example_runs_with_the_curl_examples_key(
    client, runner, demo, monkeypatch
):
    (script,) = _blocks("sh")
    shell = Shell(client, runner)
    for command in _commands(script)[:2]:  # the exports: CRIER and a key made the README's way
        shell.run(command)
    monkeypatch.setenv("CRIER", shell.vars["CRIER"])
    monkeypatch.setenv("KEY", shell.vars["KEY"])
    monkeypatch.setitem(sys.modules, "requests", _requests_over(client))
    (example,) = _blocks("python")
    exec(compile(example, str(README), "exec"), {})  # noqa: S102 - the README's own example
    (incident,) = _readme_incidents()
    assert incident.state == "resolved" and incident.lead.email == "lead@example.com"
