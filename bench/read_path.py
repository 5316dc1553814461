"""Read-path benchmark (not a test): Crier's published pages vs a naive render vs nginx.

Builds a demo page (12 components, 90 days of history, 60 past incidents) in a temporary
instance, then loads each target with wrk at 64 connections:

  crier   `flask web` (granian, 2 workers), serving the stored artifacts (/, summary.json,
          history.atom)
  naive   the same server querying and rendering the same status page on every request
  nginx   2 worker processes serving the files `flask publish --out` exported, with
          `gzip_static on` (the precompressed name.gz files beside them)

It also prints the bytes of one view (identity, gzip, br) of /, summary.json, history.atom and
an incident page, req/s for / with `Accept-Encoding: gzip, br` from Crier and from nginx in the
same run at the same connections (and their ratio), and what compressing costs at publish.

Needs `wrk` and `nginx` (Debian: apt-get install -y wrk nginx) and the project's .venv
(`make test` or `make run` creates it). It installs nothing; it says what is missing.

    .venv/bin/python bench/read_path.py [--duration 10] [--connections 64]
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
NGINX_CONF = """worker_processes 2;
error_log {prefix}/error.log warn;
pid {prefix}/nginx.pid;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  types {{ text/html html; application/json json; application/atom+xml atom;
          application/rss+xml rss; image/svg+xml svg; text/css css; text/javascript js; }}
  client_body_temp_path {prefix}/tmp; proxy_temp_path {prefix}/tmp;
  fastcgi_temp_path {prefix}/tmp; uwsgi_temp_path {prefix}/tmp; scgi_temp_path {prefix}/tmp;
  gzip_static on;  # serve the exported name.gz beside name; nothing compressed per request
  gzip_vary on;
  server {{
    listen 127.0.0.1:{port};
    root {site};
    location / {{ try_files $uri/index.html $uri =404; }}
  }}
}}
"""


def missing_tools() -> list[str]:
    """What the benchmark needs and cannot find, as a person would install it."""
    missing = []
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            missing.append(f"{tool} (apt-get install -y {tool})")
    for tool in ("granian", "flask"):
        if not (BIN / tool).exists():
            missing.append(f".venv/bin/{tool} (run `make test` first)")
    return missing


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - local URL
                response.read()
                return
        except OSError:
            if time.monotonic() > deadline:
                print(f"no answer from {url}", file=sys.stderr)
                raise
            time.sleep(0.2)


def flask(env, *args) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, check=True)


def web(env, app: str, port: int, threads: int) -> subprocess.Popen:
    """The server `flask web` runs (same command line), serving ``app``."""
    sys.path.insert(0, str(ROOT))
    from app.cli import default_web_threads, web_server_args

    args = web_server_args(
        host="127.0.0.1", port=port, workers=2, threads=threads or default_web_threads()
    )
    args[-1] = app
    return subprocess.Popen(args, cwd=ROOT, env={**env, "PYTHONPATH": str(ROOT)})


COMPRESSED = "gzip, br"  # what browsers send (they add deflate and zstd, which nobody stores)


def wrk(url: str, duration: int, connections: int, accept: str | None = None):
    """(requests per second, p99 latency in ms) for one URL, with ``accept`` as the request's
    Accept-Encoding (none by default: identity)."""
    options = ["-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency"]
    header = ["-H", f"Accept-Encoding: {accept}"] if accept else []
    out = subprocess.run(
        ["wrk", *options, *header, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out).groups()
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        print(f"  warning: {errors.group(1)} error responses from {url}", file=sys.stderr)
    return rate, p99


def view_bytes(url: str, accept: str | None) -> tuple[int, str]:
    """The bytes on the wire of one view of ``url`` (the body as sent) and its coding."""
    headers = {"Accept-Encoding": accept} if accept else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - a local URL
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - a local URL
        return len(response.read()), response.headers.get("Content-Encoding") or "identity"


def print_view_bytes(base: str, paths: list[str], nginx: str) -> None:
    """Bytes a view costs, per path and encoding, from Crier (and nginx's gzip of /)."""
    print(f"{'bytes per view':32} {'identity':>10} {'gzip':>10} {'br':>10}")
    for path in paths:
        sizes = []
        for accept in (None, "gzip", "br"):
            size, coding = view_bytes(base + path, accept)
            sizes.append(f"{size:,}" + ("" if coding == (accept or "identity") else "*"))
        print(f"{'crier ' + path[:26]:32} {sizes[0]:>10} {sizes[1]:>10} {sizes[2]:>10}")
    size, coding = view_bytes(nginx + "/", "gzip")
    print(f"{'nginx / (gzip_static)':32} {'':>10} {size:>10,} {'':>10}   ({coding})")
    print("(* : the server sent another encoding than the one asked for)")


def compress_cost(env, reads: int = 20) -> None:
    """What compressing costs at publish, in this process: / and every hot artifact."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    try:
        from app import create_app
        from app.extensions import db
        from app.models import PublishedArtifact
        from app.publishing.cache import is_hot
        from app.publishing.encodings import encode
    except ImportError:  # a tree from before compression at publish
        print("compression at publish:  none (this tree stores identity only)")
        return
    with create_app().app_context():
        rows = db.session.scalars(db.select(PublishedArtifact).filter_by(gone=False)).all()
    hot = [row for row in rows if is_hot(row.path)]
    page = next(row for row in rows if row.path == "/")
    for name, chosen in ((f"/ ({len(page.body):,} bytes)", [page]), (f"{len(hot)} hot", hot)):
        started = time.perf_counter()
        for _ in range(reads):
            for row in chosen:
                encode(row.body, row.content_type)
        millis = (time.perf_counter() - started) / reads * 1000
        print(f"compression at publish:  {millis:.2f} ms for {name} (gzip 9 + brotli 5)")


def wsgi_cost(env, path: str, reads: int = 20000) -> float:
    """Microseconds Crier's own WSGI stack spends on one read of ``path``, in this process:
    the part of a request the read path can make cheaper, apart from the HTTP server."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from werkzeug.test import EnvironBuilder

    from app import create_app

    app = create_app()
    environ = EnvironBuilder(path=path).get_environ()

    def start_response(status, headers, exc_info=None):
        return None

    for _ in range(100):  # the first read loads the site
        b"".join(app(dict(environ), start_response))
    started = time.perf_counter()
    for _ in range(reads):
        b"".join(app(dict(environ), start_response))
    return (time.perf_counter() - started) / reads * 1e6


def incident_path(base: str) -> str:
    """An incident page's path, from the Statuspage-compatible incidents document."""
    with urllib.request.urlopen(base + "/api/v2/incidents.json", timeout=10) as response:  # noqa: S310
        return f"/incidents/{json.load(response)['incidents'][0]['id']}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--past-incidents", type=int, default=60)
    parser.add_argument("--threads", type=int, default=0, help="threads per web worker")
    args = parser.parse_args()
    missing = missing_tools()
    if missing:
        print("bench/read_path.py needs: " + "; ".join(missing), file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="crier-bench-"))
    work.chmod(0o755)  # nginx workers (nobody) must read the exported site
    env = {
        **os.environ,
        "INSTANCE_PATH": str(work / "instance"),
        "DATABASE_URL": f"sqlite:///{work / 'crier.db'}",
        "CRIER_SECRET_KEY": "bench",
        "EMAIL_BACKEND": "memory",
    }
    env.pop("REDIS_URL", None)
    procs = []
    try:
        flask(env, "db", "upgrade")
        flask(env, "seed-demo", "--past-incidents", str(args.past_incidents))
        flask(env, "publish", "--out", str(work / "site"))
        crier_port, naive_port, nginx_port = free_port(), free_port(), free_port()
        procs.append(web(env, "wsgi:app", crier_port, args.threads))
        procs.append(web(env, "bench.naive_app:app", naive_port, args.threads))
        (work / "nginx" / "tmp").mkdir(parents=True)
        conf = work / "nginx" / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(prefix=work / "nginx", port=nginx_port, site=work / "site")
        )
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        prefix = str(work / "nginx")
        procs.append(subprocess.Popen([nginx, "-p", prefix, "-c", str(conf), "-g", "daemon off;"]))
        crier = f"http://127.0.0.1:{crier_port}"
        naive = f"http://127.0.0.1:{naive_port}/naive"
        static = f"http://127.0.0.1:{nginx_port}"
        for url in (crier + "/", naive, static + "/"):
            wait_for(url)
        paths = ["/", "/api/v2/summary.json", "/history.atom"]
        print_view_bytes(crier, [*paths, incident_path(crier)], static)
        runs = [(f"crier {p}", crier + p, None) for p in paths]
        runs += [("naive /", naive, None)]
        runs += [(f"nginx {p}", static + p, None) for p in paths]
        runs += [(f"crier / ({COMPRESSED})", crier + "/", COMPRESSED)]
        runs += [(f"nginx / ({COMPRESSED}, gzip_static)", static + "/", COMPRESSED)]
        results = {}
        print(
            f"wrk -t2 -c{args.connections} -d{args.duration}s; flask web (granian) 2 workers x "
            f"{args.threads or '2 per CPU + 1'} threads; nginx 2 workers; {os.cpu_count()} CPUs"
        )
        for name, url, accept in runs:
            wrk(url, 2, args.connections, accept)  # warm up
            results[name] = wrk(url, args.duration, args.connections, accept)
            rate, p99 = results[name]
            print(f"{name:40} {rate:10.0f} req/s   p99 {p99:8.2f} ms", flush=True)
        page, naive_rate = results["crier /"][0], results["naive /"][0]
        nginx_rate = results["nginx /"][0]
        if naive_rate:
            print(f"crier / vs naive render: {page / naive_rate:.1f}x (target >= 8x)")
        else:
            print("crier / vs naive render: the naive render answered nothing in time")
        print(f"crier / vs nginx:        {page / nginx_rate:.2f}x (target >= 0.3x)")
        packed = results[f"crier / ({COMPRESSED})"][0]
        packed_nginx = results[f"nginx / ({COMPRESSED}, gzip_static)"][0]
        print(f"crier / vs nginx, {COMPRESSED}: {packed / packed_nginx:.2f}x")
        worst = max(results[f"crier {p}"][1] for p in paths)
        print(f"crier worst p99:         {worst:.2f} ms (target < 50 ms)")
        compress_cost(env)
        for path in paths:
            micros = wsgi_cost(env, path)
            print(f"WSGI layer, in process:  {micros:.1f} us a read of {path} (no HTTP server)")
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
