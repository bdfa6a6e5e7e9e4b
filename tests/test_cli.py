"""The ``escalation-bot`` command as a user runs it: real processes, exit codes, one-line errors."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

import pytest

from app.db.schema import head_revision
from standins.slack.signed_requests import SlackRequestSender
from standins.slack.standin import SlackStandin

SIGNING_SECRET = "cli-test-secret"


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60, input_text: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        input=input_text,
        capture_output=True,
        text=True,
        env={**_base_env(), **(env or {})},
        timeout=timeout,
        check=False,
    )


def _base_env() -> dict[str, str]:
    from app.config import Settings

    names = {name.upper() for name in Settings.model_fields}
    return {k: v for k, v in os.environ.items() if k not in names}


def _assert_one_line_error(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("escalation-bot: ")
    assert expected in lines[0]
    assert "Traceback" not in result.stderr


def test_module_and_help() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("serve", "worker", "sandbox", "demo", "start", "db", "config"):
        assert command in result.stdout


def test_config_check_ok_and_broken(tmp_path: Path) -> None:
    assert "ok (3 accounts" in run_cli("config", "check").stdout
    broken = tmp_path / "broken.yml"
    broken.write_text("skills: {}\noverflow_channel: C0OVER\nleads_channel: nope\n")
    result = run_cli("config", "check", env={"ESCALATION_CONFIG": str(broken)})
    _assert_one_line_error(result, f"{broken}:3: leads_channel: String should match pattern")


@pytest.mark.parametrize(
    ("env", "args", "expected"),
    [
        ({}, ["serve"], "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, ["serve"], "SLACK_SIGNING_SECRET is not set"),
        ({"PORT": "http"}, ["serve"], "PORT is invalid"),
        ({"DATABASE_URL": "oracle://x"}, ["db", "upgrade"], "DATABASE_URL is invalid"),
        ({}, ["worker"], "SLACK_BOT_TOKEN is not set"),
    ],
)
def test_bad_settings_stop_start_up_with_one_line(
    env: dict[str, str], args: list[str], expected: str
) -> None:
    _assert_one_line_error(run_cli(*args, env=env), expected)


def test_db_upgrade_and_current(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    assert run_cli("db", "current", env=env).returncode == 1
    upgraded = run_cli("db", "upgrade", env=env)
    assert upgraded.returncode == 0 and f"empty -> {head_revision()}" in upgraded.stdout
    current = run_cli("db", "current", env=env)
    assert current.returncode == 0 and "up to date" in current.stdout


def test_serve_refuses_an_old_postgresql_schema(postgres_url: str) -> None:
    env = {
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "DATABASE_URL": postgres_url,
    }
    _assert_one_line_error(run_cli("serve", env=env), "run `escalation-bot db upgrade`")
    assert run_cli("db", "upgrade", env=env).returncode == 0


def test_demo_prints_a_transcript() -> None:
    result = run_cli("demo", timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Sam (Initech) in #ext-initech:" in out
    assert "bot posted in #ext-initech (thread):" in out
    assert "[ That solved it ]  [ I still need help ]" in out
    assert "Sam marked this as solved" in out
    assert "decision: escalate; intent billing_dispute" in out
    assert "repeat (the customer said the answer did not help)" in out
    assert "acknowledged, already handled" in out
    assert "bot posted in #support-billing:" in out  # the handoff card
    assert "(Claimed by @u0agent1 at" in out
    assert "Resolved by @u0agent1 · Policy exception" in out
    assert "Stored: 3 conversations, 8 messages" in out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, SlackStandin]]:
    """``escalation-bot serve --port N`` as a real process (gunicorn) against the stand-in."""
    standin = SlackStandin(bot_token="xoxb-cli-test").start()
    standin.add_channel("C0ACME", "ext-acme", is_ext_shared=True)
    port = _free_port()
    env = {
        **_base_env(),
        "SLACK_BOT_TOKEN": "xoxb-cli-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": standin.url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}",
        "WEB_CONCURRENCY": "2",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urlopen(url + "/healthz", timeout=1) as response:  # noqa: S310
                    if response.status == 200:
                        break
            except OSError:  # refused, reset, or not answered yet (a worker still loading)
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()  # still running: its output ends only when it does
                output, _ = process.communicate(timeout=20)
                pytest.fail(f"serve did not come up:\n{output}")
            time.sleep(0.2)
        yield url, standin
    finally:
        process.terminate()
        process.wait(timeout=20)
        standin.stop()


def test_serve_answers_health_checks_and_events(served: tuple[str, SlackStandin]) -> None:
    url, standin = served
    sender = SlackRequestSender(url + "/slack/events", SIGNING_SECRET)
    sent = sender.message("C0ACME", "U0CUST", "Is there an API rate limit?", user_team="T0ACME")
    assert sent.result.status == 200
    standin.wait_for(lambda: standin.messages_in("C0ACME", sent.ts), timeout=15)
    [reply] = standin.messages_in("C0ACME", sent.ts)
    assert reply["thread_ts"] == sent.ts
    unsigned = sender.raw(b"{}", content_type="application/json", signature="v0=00")
    assert unsigned.status == 401
    with pytest.raises(URLError):
        urlopen(url + "/nope", timeout=5)  # noqa: S310


def test_outbox_commands(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'outbox.db'}"}
    assert run_cli("db", "upgrade", env=env).returncode == 0
    listed = run_cli("outbox", "list", "--status", "dead", env=env)
    assert listed.returncode == 0 and "No outbox events" in listed.stdout
    retried = run_cli("outbox", "retry", "7", env=env)
    assert "does not exist" in retried.stdout


def test_start_without_slack_credentials_opens_the_sandbox() -> None:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "start"],
        env={**_base_env(), "PORT": str(port)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines: list[str] = []
        while not any(line.startswith("Open http") for line in lines):
            line = process.stdout.readline()
            if not line:
                pytest.fail("the sandbox did not start:\n" + "".join(lines))
            lines.append(line)
        assert "No SLACK_BOT_TOKEN set: opening the local sandbox" in "".join(lines)
        assert f"Open http://127.0.0.1:{port}/ in a browser" in lines[-1]
        with urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert "Escalation Bot sandbox" in response.read().decode()
        with urlopen(f"http://127.0.0.1:{port}/api/sidebar", timeout=10) as response:
            assert "ext-initech" in response.read().decode()
        process.terminate()  # stops cleanly: the temporary database goes with it
        assert process.wait(timeout=20) == 0
        assert "Stopping the sandbox." in process.stdout.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=20)


def test_the_sandbox_says_so_when_its_port_is_taken() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("sandbox", "--port", str(port), timeout=120)
    _assert_one_line_error(result, f"cannot serve the sandbox on 127.0.0.1:{port}")


#: The CLI as installed from the wheel: the checkout's ``sandbox`` package cannot be imported.
WITHOUT_THE_CHECKOUT = (
    "import sys; sys.modules['sandbox'] = None; "
    "from app.cli import main; sys.exit(main(sys.argv[1:]))"
)


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (["demo"], "demo"),
        (["sandbox", "--port", "0"], "sandbox"),
        (["start"], "sandbox"),
        (["seed-demo-data", "--conversations", "5"], "seed-demo-data"),
    ],
)
def test_checkout_commands_say_where_they_run_when_the_sandbox_is_absent(
    args: list[str], command: str, tmp_path: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_THE_CHECKOUT, *args],
        capture_output=True,
        text=True,
        env={**_base_env(), "DATABASE_URL": f"sqlite:///{tmp_path / 'none.db'}"},
        timeout=60,
        check=False,
    )
    _assert_one_line_error(
        result, f"`escalation-bot {command}` runs from a checkout of the repository (`make run`)"
    )
    assert "opening the local sandbox" not in result.stdout
    assert not (tmp_path / "none.db").exists()


def test_config_check_lists_each_workspace(tmp_path: Path) -> None:
    from tests.slack.oauth.conftest import TWO_WORKSPACES

    config = tmp_path / "escalation.yml"
    config.write_text(TWO_WORKSPACES)
    result = run_cli("config", "check", env={"ESCALATION_CONFIG": str(config)})
    assert "workspace T0ALPHA: 1 accounts, 5 skills, 1 agents" in result.stdout
    assert "workspace T0BETA: 1 accounts" in result.stdout
