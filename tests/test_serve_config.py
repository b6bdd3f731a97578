"""`make serve` starts gunicorn trusting no address's scheme headers unless told to (issue #9,
point 6): by default gunicorn believes `X-Forwarded-Ssl: on` from 127.0.0.1, so a proxy on the same
machine that passes a client's header through makes a plain-http request look secure.

The test reads the gunicorn command that `make -n serve` would run and gives its arguments to
gunicorn's own option parser, then parses a request the way a gunicorn worker does."""

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from gunicorn.config import Config
from gunicorn.http.parser import RequestParser

ROOT = Path(__file__).resolve().parent.parent
SCHEME_HEADERS = ["X-Forwarded-Ssl: on", "X-Forwarded-Protocol: ssl", "X-Forwarded-Proto: https"]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def gunicorn_arguments(*make_args: str, env: dict | None = None) -> list[str]:
    """The arguments `make serve` passes to gunicorn (make -n prints, runs nothing)."""
    environment = {"PATH": "/usr/bin:/bin", **(env or {})}
    printed = subprocess.run(
        ["make", "--no-print-directory", "-n", "serve", *make_args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.replace("\\\n", " ")
    command = next(line for line in printed.splitlines() if "bin/gunicorn " in line)
    words = shlex.split(command)
    return words[next(i for i, word in enumerate(words) if word.endswith("bin/gunicorn")) + 1 :]


def gunicorn_config(arguments: list[str], monkeypatch) -> Config:
    """What gunicorn makes of the arguments (as `gunicorn.app.base.Application.load_config`)."""
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)  # gunicorn's default reads it
    config = Config()
    for name, value in vars(config.parser().parse_args(arguments)).items():
        if value is not None and name != "args":
            config.set(name.lower(), value)
    return config


def scheme_seen(config: Config, header: str, *, peer: str = "127.0.0.1") -> str:
    request = f"GET / HTTP/1.1\r\nHost: tracker.example.org\r\n{header}\r\n\r\n".encode("latin-1")
    return next(RequestParser(config, iter([request]), (peer, 40000))).scheme


@pytest.mark.parametrize("header", SCHEME_HEADERS)
def test_gunicorn_default_believes_a_local_peer_that_says_https(header, monkeypatch):
    """The hole: gunicorn's defaults, as `make serve` used them."""
    assert scheme_seen(gunicorn_config(["evtracker.wsgi"], monkeypatch), header) == "https"


@pytest.mark.parametrize("header", SCHEME_HEADERS)
def test_make_serve_believes_no_peer_by_default(header, monkeypatch):
    arguments = gunicorn_arguments()
    assert "--forwarded-allow-ips" in arguments
    config = gunicorn_config(arguments, monkeypatch)
    assert config.forwarded_allow_ips == []
    assert scheme_seen(config, header) == "http"
    assert scheme_seen(config, header, peer="::1") == "http"


def test_make_serve_trusts_the_proxy_it_is_told_about(monkeypatch):
    config = gunicorn_config(gunicorn_arguments("FORWARDED_ALLOW_IPS=10.0.0.2"), monkeypatch)
    assert config.forwarded_allow_ips == ["10.0.0.2"]
    assert scheme_seen(config, "X-Forwarded-Proto: https", peer="10.0.0.2") == "https"
    assert scheme_seen(config, "X-Forwarded-Ssl: on", peer="127.0.0.1") == "http"


def test_make_serve_keeps_its_other_options(monkeypatch):
    config = gunicorn_config(gunicorn_arguments("HOST=127.0.0.1", "PORT=8123", "WORKERS=2"), monkeypatch)
    assert (config.bind, config.workers, config.accesslog) == (["127.0.0.1:8123"], 2, "-")


def test_readme_says_what_the_proxy_must_drop():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for header in ("X-Forwarded-Ssl", "X-Forwarded-Protocol", "X-Forwarded-Proto", "FORWARDED_ALLOW_IPS"):
        assert f"`{header}" in readme, header


def test_make_serve_uses_threaded_workers_with_deliberate_timeouts(monkeypatch):
    """Issue #13, point 4: a slow client or upload holds one thread, not the worker, so gunicorn's
    heartbeat goes on and the worker is not killed; the timeouts are set, not left at 30 s."""
    config = gunicorn_config(gunicorn_arguments(), monkeypatch)
    assert config.worker_class_str == "gthread"
    assert config.threads == 8
    assert config.timeout == 120  # longer than a save waiting for SQLite's lock (60 s)
    assert (config.graceful_timeout, config.keepalive) == (30, 5)
    assert gunicorn_config(gunicorn_arguments("TIMEOUT=300", "THREADS=4"), monkeypatch).timeout == 300
