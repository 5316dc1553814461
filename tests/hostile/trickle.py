"""A slow receiver, as an attacker runs one: it reads the request, then answers one byte at a
time, ``interval`` seconds apart, for as long as it likes (during the status line and headers,
or after complete headers, during the body). Plain sockets, so nothing buffers its bytes.

Run on its own (``python -m tests.hostile.trickle --port 8099``) to aim a live Crier at it.
"""

import argparse
import contextlib
import json
import socket
import socketserver
import threading
import time
from dataclasses import dataclass


@dataclass
class Hit:
    path: str
    body: bytes
    at: float

    @property
    def type(self) -> str:
        try:
            return json.loads(self.body).get("type") or "delivery"
        except (ValueError, AttributeError):
            return "delivery"


class TricklingServer:
    """``mode`` "headers": the status line and headers trickle and never end; "body": the
    headers come at once (a 200 with a large Content-Length), then the body trickles."""

    def __init__(self, *, mode: str = "headers", interval: float = 1.0, port: int = 0):
        self.mode, self.interval = mode, interval
        self.hits: list[Hit] = []
        self.open = 0  # requests being trickled to right now
        self._lock = threading.Lock()
        self._stop = threading.Event()
        server = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                server._serve(self.request)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.tcp = socketserver.ThreadingTCPServer(("127.0.0.1", port), Handler)
        self.tcp.daemon_threads = True
        self.port = self.tcp.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.tcp.serve_forever, args=(0.05,), daemon=True)

    def _read_request(self, sock) -> tuple[str, bytes]:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                return "", b""
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value.strip() or 0)
        while len(body) < length:
            chunk = sock.recv(4096)
            if not chunk:
                break
            body += chunk
        parts = lines[0].split(" ")
        return (parts[1] if len(parts) > 1 else "/"), body

    def _serve(self, sock):
        sock.settimeout(60)
        try:
            path, body = self._read_request(sock)
        except OSError:
            return
        with self._lock:
            self.hits.append(Hit(path, body, time.monotonic()))
            self.open += 1
        if self.mode == "headers":
            head = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100_000
            payload = head
        else:
            sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
            payload = b"b" * 100_000
        try:
            for i in range(len(payload)):
                if self._stop.wait(self.interval):
                    return
                sock.sendall(payload[i : i + 1])
        except OSError:
            pass  # the client gave up: what a deadline is for
        finally:
            with self._lock:
                self.open -= 1
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def count(self, kind: str) -> int:
        """How many requests of this kind arrived ("subscription.verification", "delivery")."""
        with self._lock:
            return sum(1 for hit in self.hits if hit.type == kind)

    def start(self) -> "TricklingServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.tcp.shutdown()
        self.tcp.server_close()
        self.thread.join(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--mode", choices=("headers", "body"), default="headers")
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args()
    server = TricklingServer(mode=args.mode, interval=args.interval, port=args.port).start()
    print(f"trickling ({args.mode}, one byte every {args.interval:g} s) at {server.url}")
    try:
        server.thread.join()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
