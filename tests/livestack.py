"""Crier as it runs in production, for tests and benchmarks: `flask web` (granian) and a Huey
worker as real processes on one database and queue, and a console client that signs in and
posts forms."""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET = "live-stack-not-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str, *, data: bytes | None = None, headers=None, timeout=10.0):
    """(status, body text, headers) of one request; HTTP errors are answers, not exceptions."""
    request = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read().decode(), response.headers
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode(), exc.headers


def wait_until(check, *, timeout: float, interval: float = 0.05, what: str = "condition"):
    """Poll ``check`` until it returns something truthy; that value, or AssertionError."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def dispatch_process(
    dispatch_id: int, *, database_url: str, secret_key: str, instance_path: Path, **env: str
) -> subprocess.Popen:
    """``run_dispatch(dispatch_id)`` in a worker process of its own, to be killed mid-send:
    the database, secret key and instance given, ``env`` on top (EMAIL_BACKEND, …)."""
    code = (
        "import sys; from app import create_app; app = create_app(); app.app_context().push(); "
        "from app.fanout.dispatch import run_dispatch; run_dispatch(int(sys.argv[1]))"
    )
    settings = {
        "DATABASE_URL": database_url,
        "CRIER_SECRET_KEY": secret_key,
        "INSTANCE_PATH": str(instance_path),
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "-c", code, str(dispatch_id)], cwd=ROOT, env={**os.environ, **settings}
    )


class Stack:
    """``flask web`` (``workers`` processes) and a ``flask worker`` sharing a database and queue.

    Every process gets the same environment: the given database and Redis (none: a SQLite
    queue in ``work``/instance), a fixed secret key and ``PUBLIC_BASE_URL`` = the web address,
    so links in emails lead back here. Logs go to files in ``work``.
    """

    def __init__(self, work: Path, *, database_url: str, redis_url: str | None = None, **env):
        self.work = Path(work)
        self.work.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        base = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        self.env = {
            **base,
            "PYTHONPATH": str(ROOT),
            "INSTANCE_PATH": str(self.work / "instance"),
            "DATABASE_URL": database_url,
            "SECRET_KEY": SECRET,
            "PUBLIC_BASE_URL": self.url,
            "EMAIL_BACKEND": "console",
            "MAIL_FROM": "Status <status@example.com>",  # SendGrid and SMTP need a real domain
            **({"REDIS_URL": redis_url} if redis_url else {}),
            **{k: str(v) for k, v in env.items()},
        }
        self.web: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        with open(self.work / f"{name}.log", "ab") as log:  # the child keeps its own copy
            return subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=log)

    def flask(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run one ``flask --app wsgi`` command in the stack's environment."""
        result = subprocess.run(
            [str(BIN / "flask"), "--app", "wsgi", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"flask {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        return result

    def start_web(self, *, workers: int = 2, threads: int = 4) -> "Stack":
        self.web = self._spawn(
            "web",
            [
                *(str(BIN / "flask"), "--app", "wsgi", "web", "--port", str(self.port)),
                *("--workers", str(workers), "--threads", str(threads)),
            ],
        )
        wait_until(lambda: self._answers("/"), timeout=30, interval=0.1, what="the web server")
        return self

    def start_worker(self, *, threads: int = 2) -> subprocess.Popen:
        worker = self._spawn(
            "worker", [str(BIN / "flask"), "--app", "wsgi", "worker", "-w", str(threads)]
        )
        self.workers.append(worker)
        return worker

    def _answers(self, path: str) -> bool:
        if self.web.poll() is not None:
            raise AssertionError(f"the web server exited:\n{self.log('web')}")
        try:
            return fetch(self.url + path, timeout=2)[0] == 200
        except OSError:
            return False

    def kill_worker(self, worker: subprocess.Popen) -> None:
        """kill -9: no shutdown, no cleanup, exactly what a crash or the OOM killer does."""
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)

    def stop_worker(self, worker: subprocess.Popen, *, timeout: float = 30) -> float:
        """SIGTERM, as a deploy or `docker stop` does; seconds until the worker exited."""
        started = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=timeout)
        return time.monotonic() - started

    def log(self, name: str) -> str:
        path = self.work / f"{name}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        procs = [p for p in [self.web, *self.workers] if p is not None and p.poll() is None]
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


class Console:
    """The Comms Lead's console over HTTP: a cookie jar, CSRF tokens read from each form."""

    def __init__(self, base_url: str):
        self.base = base_url
        cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(cookies)
        self.no_redirects = urllib.request.build_opener(cookies, _NoRedirect())
        self.last_location: str | None = None

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def post(
        self, path: str, fields: dict, *, follow: bool = True, before_post=None
    ) -> tuple[int, str]:
        """GET the form at ``path`` for its CSRF token, then POST ``fields`` to it.

        With ``follow=False`` a redirect is the answer (302, Location in ``last_location``),
        so the POST's own time is what a caller measures.
        """
        status, html = self.get(path)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
        assert match, f"no CSRF token in the form at {path} ({status})"
        data = urllib.parse.urlencode({"csrf_token": match.group(1), **fields}, doseq=True)
        opener = self.opener if follow else self.no_redirects
        if before_post is not None:  # e.g. stop the database between the form and the post
            before_post()
        try:
            with opener.open(self.base + path, data=data.encode(), timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            self.last_location = exc.headers.get("Location")
            return exc.code, exc.read().decode()

    def login(self, email: str, password: str) -> None:
        status, html = self.post("/login", {"email": email, "password": password})
        assert status == 200 and "Sign out" in html, f"could not sign in ({status})"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 3xx surfaces as an HTTPError the caller reads
