"""docs/nginx.md's three recipes, as written there, with Debian's nginx: ``nginx -t``, then
the status page, its CSS and the JSON served with Crier's web stopped.

The recipes are read from the docs (the ```nginx blocks starting ``# recipe: <name>``), so the
docs and this test cannot drift. To serve, only what ties them to a real host is moved into a
temporary prefix: listen addresses (high 127.0.0.1 ports), the mirror's folder, the cache's
folder, the upstream's port and, where Debian's self-signed pair is absent, the certificate.
"""

import os
import re
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app.extensions import db
from app.publishing.publish import export_site, publish_site
from tests.factories import create_component, create_incident
from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
NGINX = "/usr/sbin/nginx"
SNAKEOIL = ("/etc/ssl/certs/ssl-cert-snakeoil.pem", "/etc/ssl/private/ssl-cert-snakeoil.key")

pytestmark = pytest.mark.skipif(not Path(NGINX).exists(), reason="Debian's nginx is absent")


def recipes() -> dict[str, str]:
    text = (ROOT / "docs" / "nginx.md").read_text()
    blocks = re.findall(r"```nginx\n(# recipe: (\w+)\n.*?)```", text, flags=re.S)
    return {name: body for body, name in blocks}


def test_the_docs_hold_the_three_recipes():
    assert sorted(recipes()) == ["cache", "combined", "mirror"]


def _certificate(work: Path) -> tuple[str, str]:
    if all(Path(p).exists() for p in SNAKEOIL):
        return SNAKEOIL
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "status.example.com")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=2))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    pem, private = work / "cert.pem", work / "key.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(pem), str(private)


def _conf(work: Path, recipe: str, **moved) -> Path:
    """A whole nginx.conf around ``recipe`` (as Debian's includes a site), in ``work``."""
    work.mkdir(parents=True, exist_ok=True)
    cert, key = _certificate(work)
    body = recipe.replace(SNAKEOIL[0], cert).replace(SNAKEOIL[1], key)
    if "port" in moved:
        body = re.sub(r"listen \[::\]:\d+[^;]*;\n", "", body)
        body = re.sub(
            r"listen (\d+)( ssl)?( http2)?;", rf"listen 127.0.0.1:{moved['port']}\2;", body
        )
        body = body.replace("/srv/crier/site", str(moved["site"]))
        body = body.replace("/var/lib/nginx/crier-cache", str(work / "cache"))
        body = body.replace("server 127.0.0.1:5000;", f"server 127.0.0.1:{moved['upstream']};")
    temp = "".join(
        f"{kind}_temp_path {work / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    conf = work / "nginx.conf"
    conf.write_text(
        f"daemon off; master_process off; pid {work / 'nginx.pid'};\n"
        f"error_log {work / 'error.log'} warn;\n"
        "events { worker_connections 64; }\n"
        "http {\n include /etc/nginx/mime.types; default_type application/octet-stream;\n"
        f" access_log off; {temp}\n{body}\n}}\n"
    )
    return conf


@pytest.mark.parametrize("name", ["mirror", "cache", "combined"])
def test_each_recipe_passes_nginx_t_as_written(tmp_path, name):
    recipe = recipes()[name]
    if os.geteuid() != 0:  # only root may make the cache folder in /var/lib/nginx
        recipe = recipe.replace("/var/lib/nginx/crier-cache", str(tmp_path / "cache"))
    conf = _conf(tmp_path, recipe)
    result = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(conf)],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


class Nginx:
    def __init__(self, work: Path, recipe: str, *, site: Path, upstream: int):
        self.port = free_port()
        conf = _conf(work, recipe, port=self.port, site=site, upstream=upstream)
        self.proc = subprocess.Popen([NGINX, "-p", str(work), "-c", str(conf)],
                                     stderr=subprocess.PIPE, text=True)  # fmt: skip
        self.https = " ssl" in conf.read_text()
        self.base = f"{'https' if self.https else 'http'}://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 10
        while True:
            try:
                self.get("/static/none")
                break
            except urllib.error.HTTPError:
                break
            except OSError:
                assert self.proc.poll() is None, self.proc.stderr.read()
                assert time.monotonic() < deadline, "nginx did not start"
                time.sleep(0.05)

    def get(self, path: str):
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        url, accept = self.base + path, {"Accept-Encoding": "gzip"}
        request = urllib.request.Request(url, headers=accept)  # noqa: S310 - http(s) only
        with urllib.request.urlopen(request, timeout=10, context=context) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()

    def stop(self):
        self.proc.terminate()
        self.proc.communicate(timeout=10)


@pytest.fixture
def site(app, tmp_path):
    """A published status page and its export (the mirror's folder)."""
    with app.app_context():
        api = create_component(slug="api", name="API")
        create_incident(title="Slow API", components=[api])
        publish_site()
        db.session.commit()
        out = tmp_path / "srv" / "site"
        out.parent.mkdir()
        export_site(out)
        db.session.commit()
    return out


class Web:
    """Crier's web on a port, to stop mid-test."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)


def _css_of(body: bytes) -> str:
    import gzip

    html = (gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body).decode()
    assert "Slow API" in html
    (css,) = re.findall(r'href="(/static/crier\.css\?v=[0-9a-f]+)"', html)
    return css


def _assert_site_served(nginx, paths=("/", "/api/v2/summary.json")):
    status, headers, body = nginx.get("/")
    assert status == 200
    assert headers.get("X-Content-Type-Options") == "nosniff"  # not cancelled by a location
    assert (
        "Content-Security-Policy" in headers
        and "sha256-…" not in headers["Content-Security-Policy"]
    )
    status, headers, _ = nginx.get(_css_of(body))
    assert status == 200
    for path in paths[1:]:
        assert nginx.get(path)[0] == 200, path
    return headers


def test_the_mirror_recipe_serves_the_site_with_crier_stopped(tmp_path, site):
    nginx = Nginx(tmp_path / "nginx", recipes()["mirror"], site=site, upstream=free_port())
    try:
        headers = _assert_site_served(nginx)
        assert "immutable" in headers["Cache-Control"]  # the CSS
        _, headers, _ = nginx.get("/api/v2/summary.json")
        assert headers["Access-Control-Allow-Origin"] == "*"
        assert headers["X-Content-Type-Options"] == "nosniff"
    finally:
        nginx.stop()


def test_the_cache_recipe_keeps_pages_and_their_css_once_crier_stops(app, tmp_path, site):
    web = Web(app)
    nginx = Nginx(tmp_path / "nginx", recipes()["cache"], site=site, upstream=web.port)
    try:
        _assert_site_served(nginx)  # through Crier: now in nginx's cache
        web.stop()
        _assert_site_served(nginx)  # Crier is down: from the cache, CSS included
    finally:
        nginx.stop()


def test_the_combined_recipe_falls_back_to_the_mirror_for_what_was_never_cached(tmp_path, site):
    nginx = Nginx(tmp_path / "nginx", recipes()["combined"], site=site, upstream=free_port())
    try:  # Crier's web is not running at all: nothing is in the cache
        _assert_site_served(nginx, paths=("/", "/api/v2/summary.json", "/history", "/history.atom"))
    finally:
        nginx.stop()
