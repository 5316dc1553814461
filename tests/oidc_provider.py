"""A real OpenID Connect provider for sign-in tests: tests/oidc/provider.mjs (panva's
oidc-provider) run by Node on 127.0.0.1, and a user agent that signs an account in there.

The Node packages are installed by `make test` (`npm ci` in tests/oidc); a test that needs the
provider is skipped with the reason when Node is missing, never passed without it."""

import json
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

from tests.livestack import free_port

HERE = Path(__file__).resolve().parent / "oidc"


class OidcProvider:
    """``clients``: what the provider registers ({client_id, client_secret, redirect_uris});
    ``accounts``: sub -> claims released (``claims`` names the extra ones, e.g. groups)."""

    def __init__(self, *, clients: list[dict], accounts: dict[str, dict], claims=()):
        node = shutil.which("node")
        if node is None or not (HERE / "node_modules" / "oidc-provider").is_dir():
            pytest.skip("needs Node and `npm ci` in tests/oidc (make test installs them)")
        self.port = free_port()
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.env = {
            "PATH": str(Path(node).parent),
            "PORT": str(self.port),
            "CLIENTS": json.dumps(clients),
            "ACCOUNTS": json.dumps(accounts),
            "CLAIMS": json.dumps(list(claims)),
        }
        self.node = node
        self.proc: subprocess.Popen | None = None

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def start(self) -> "OidcProvider":
        self.proc = subprocess.Popen(
            [self.node, str(HERE / "provider.mjs")], cwd=HERE, env=self.env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"oidc-provider stopped: {self.proc.communicate()[0]}")
            try:
                if requests.get(self.discovery_url, timeout=2).status_code == 200:
                    return self
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("oidc-provider did not start in 20 s")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.communicate(timeout=10)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def sign_in_at_provider(authorize_url: str, sub: str, *, redirect_prefix: str) -> str:
    """Follow ``authorize_url`` at the provider as a browser would, sign ``sub`` in and
    consent; returns the URL the provider sends the browser back to (on ``redirect_prefix``)
    without fetching it, so the test hands it to the app with the app's own cookies."""
    agent = requests.Session()
    url = authorize_url
    for _ in range(20):
        if url.startswith(redirect_prefix):
            return url
        response = agent.get(url, allow_redirects=False, timeout=10)
        if response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            continue
        assert response.status_code == 200, (response.status_code, response.text[:500])
        # An interaction page: the login form, then the consent form.
        path = urlsplit(url).path
        prompt = "login" if 'name="login"' in response.text else "consent"
        form = {"prompt": prompt, "login": sub, "password": "any"}
        response = agent.post(urljoin(url, path), data=form, allow_redirects=False, timeout=10)
        assert response.is_redirect, (response.status_code, response.text[:500])
        url = urljoin(url, response.headers["Location"])
    raise AssertionError(f"the provider never sent the browser back; last at {url}")
