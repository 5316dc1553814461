"""Real servers for tests: a SendGrid-compatible HTTP API and an SMTP server (aiosmtpd)."""

import asyncio
import contextlib
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Recorded:
    path: str
    headers: dict
    body: dict
    status: int


@dataclass
class Answer:
    status: int
    headers: dict = field(default_factory=dict)
    body: dict | None = None


class SendGridServer:
    """Accepts POST /v3/mail/send like SendGrid; answers 202 unless told otherwise."""

    def __init__(self):
        self.requests: list[Recorded] = []
        self._answers: deque[Answer] = deque()
        self._lock = threading.Lock()
        self.hold_after: int | None = None  # accepted requests after which new ones hang
        self.delay = 0.0  # seconds each request takes, so a crash can land mid-dispatch
        self.release = threading.Event()
        self.holding = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def answer(self, status, *, headers=None, message=None, times=1):
        """Answer the next ``times`` requests with ``status`` (and SendGrid's error body)."""
        body = {"errors": [{"message": message, "field": None}]} if message else None
        for _ in range(times):
            self._answers.append(Answer(status, headers or {}, body))

    @property
    def accepted(self) -> list[Recorded]:
        return [r for r in self.requests if r.status == 202]

    def delivered_to(self) -> list[str]:
        """Every address in every accepted request, in order (duplicates kept)."""
        return [
            to["email"] for r in self.accepted for p in r.body["personalizations"] for to in p["to"]
        ]

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                time.sleep(server.delay)
                with server._lock:
                    hold = (
                        server.hold_after is not None and len(server.accepted) >= server.hold_after
                    )
                    answer = (
                        Answer(202)
                        if hold
                        else (server._answers.popleft() if server._answers else Answer(202))
                    )
                if hold:
                    server.holding.set()
                    server.release.wait(30)
                    answer = Answer(503)
                if self.path != "/v3/mail/send":
                    answer = Answer(404, body={"errors": [{"message": "not found"}]})
                with server._lock:
                    server.requests.append(
                        Recorded(self.path, dict(self.headers), body, answer.status)
                    )
                try:
                    payload = json.dumps(answer.body).encode() if answer.body else b""
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, str(value))
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client was killed while we held the request

        return Handler

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPRecorder:
    """An aiosmtpd handler that keeps every message and can refuse chosen recipients."""

    def __init__(self):
        self.messages = []
        self.sessions = set()
        self.refuse: set[str] = set()
        self.delay = 0.0  # seconds each message takes, as a slow relay's do

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)  # other connections go on meanwhile
        self.sessions.add(id(session))
        msg = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 Message accepted for delivery"


# --- Servers a test owns, to stop and start at will -------------------------------------------


def _as_postgres(args: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run its tools as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def postgres_bin() -> Path | None:
    """The newest PostgreSQL server binaries installed (Debian's layout, as .ci/run uses)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[4]))
    return found[-1].parent if found else None


class OwnPostgres:
    """A PostgreSQL cluster of the test's own (initdb in a temporary directory, its own port)."""

    def __init__(self, password: str | None = None):
        self.bin = postgres_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="crier-pg-"))
        self.dir.chmod(0o755)
        self.port = free_port()
        self.password = password  # set: TCP connections must give it (scram-sha-256)
        self.url = f"postgresql://crier@127.0.0.1:{self.port}/crier"

    def _run(self, *args: str) -> None:
        subprocess.run(_as_postgres([str(self.bin / args[0]), *args[1:]]), check=True,
                       capture_output=True, timeout=60)  # fmt: skip

    def create(self) -> "OwnPostgres":
        data = self.dir / "data"
        data.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
            shutil.chown(data, "postgres")
        auth = ["-A", "trust"]
        if self.password is not None:
            pwfile = self.dir / "pwfile"
            pwfile.write_text(self.password + "\n")
            if os.geteuid() == 0:
                shutil.chown(pwfile, "postgres")
            auth = ["--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={pwfile}"]
        self._run("initdb", "-D", str(data), *auth, "-U", "crier")
        self.start()
        self._run("createdb", "-h", str(self.dir), "-p", str(self.port), "-U", "crier", "crier")
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-l", str(self.dir / "log"), "-w",
                  "-o", options, "start")  # fmt: skip

    def stop(self) -> None:
        """Stop at once (``-m immediate``): connections drop as in a crash or a failover."""
        self._run("pg_ctl", "-D", str(self.dir / "data"), "-m", "immediate", "-w", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class OwnRedis:
    """A redis-server of the test's own, in the foreground as a subprocess."""

    def __init__(self, password: str | None = None):
        self.port = free_port()
        self.password = password  # set: clients must AUTH with it
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "OwnRedis":
        self.proc = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--daemonize", "no"),
                *(("--requirepass", self.password) if self.password is not None else ()),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return self
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


# --- A recording HTTP endpoint for webhook and Slack deliveries -------------------------------


@dataclass
class Hit:
    path: str
    headers: dict
    raw: bytes
    status: int

    @property
    def json(self):
        return json.loads(self.raw)


class HookServer:
    """Records every POST; answers 200 (echoing a verification token, as a webhook endpoint
    must) unless told otherwise with ``answer(status, times=…, headers=…)``."""

    def __init__(self):
        self.hits: list[Hit] = []
        self._answers: deque[Answer] = deque()
        self._lock = threading.Lock()
        self.echo = True
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    def answer(self, status, *, headers=None, times=1):
        for _ in range(times):
            self._answers.append(Answer(status, headers or {}))

    def _handler(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with server._lock:
                    answer = server._answers.popleft() if server._answers else Answer(200)
                    server.hits.append(Hit(self.path, dict(self.headers), raw, answer.status))
                payload = b"ok"
                if server.echo and answer.status == 200:
                    with contextlib.suppress(ValueError, KeyError, TypeError):
                        payload = json.dumps({"token": json.loads(raw)["token"]}).encode()
                self.send_response(answer.status)
                for name, value in answer.headers.items():
                    self.send_header(name, str(value))
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)
