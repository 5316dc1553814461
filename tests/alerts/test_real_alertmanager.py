"""Crier behind the real Alertmanager (Debian's prometheus-alertmanager): a webhook receiver
pointing at the live server with a key in http_config.authorization, fed through its API."""

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from datetime import UTC, datetime, timedelta

import pytest

from app.core.api_keys import create_api_key
from app.core.uow import unit_of_work
from app.extensions import db
from app.models import AlertState, Component
from tests.factories import create_component, create_user

BINARY = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
CONFIG = """
route:
  receiver: crier
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: crier
    webhook_configs:
      - url: {url}/api/v1/alertmanager
        send_resolved: true
        http_config:
          authorization:
            type: OAuth
            credentials: {key}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(url, data=None):
    body = json.dumps(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})  # noqa: S310
    with urllib.request.urlopen(req, timeout=5) as response:  # noqa: S310 - 127.0.0.1 only
        return response.status


def _wait_for(check, what, *, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.rollback()  # see what the live server committed
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"waited {seconds} s for {what}")


@pytest.fixture
def alertmanager(tmp_path, live_server, ctx):
    if BINARY is None:
        pytest.skip("needs Alertmanager: apt-get install prometheus-alertmanager")
    admin = create_user(email="ada@example.com", name="Ada Admin", role="admin")
    with unit_of_work():
        _key, secret = create_api_key("alertmanager", scope="lead", actor=admin)
    (tmp_path / "alertmanager.yml").write_text(CONFIG.format(url=live_server, key=secret))
    port = _free_port()
    log_file = (tmp_path / "alertmanager.log").open("w")
    process = subprocess.Popen(
        [
            BINARY,
            f"--config.file={tmp_path / 'alertmanager.yml'}",
            f"--storage.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        stdout=subprocess.DEVNULL,
        stderr=log_file,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if _request(f"{base}/-/ready") == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                log = (tmp_path / "alertmanager.log").read_text()[-2000:]
                pytest.fail(f"Alertmanager did not start:\n{log}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log_file.close()


def _alert(starts, ends=None):
    alert = {
        "labels": {"alertname": "ApiDown", "component": "api", "severity": "warning"},
        "annotations": {"summary": "API probes failing"},
        "startsAt": starts.isoformat().replace("+00:00", "Z"),
    }
    if ends is not None:
        alert["endsAt"] = ends.isoformat().replace("+00:00", "Z")
    return alert


def test_alertmanager_sets_and_restores_a_component_status(alertmanager):
    component = create_component(slug="api", name="API", status="partial_outage")
    component.alert_mode = "automatic"
    db.session.commit()
    component_id = component.id

    def status():
        return db.session.get(Component, component_id).status

    starts = datetime.now(UTC) - timedelta(seconds=5)
    assert _request(f"{alertmanager}/api/v2/alerts", [_alert(starts)]) == 200
    _wait_for(lambda: status() == "degraded_performance", "the alert to reach Crier")
    assert db.session.scalar(db.select(AlertState.status)) == "firing"

    ended = datetime.now(UTC) - timedelta(seconds=1)
    assert _request(f"{alertmanager}/api/v2/alerts", [_alert(starts, ended)]) == 200
    _wait_for(lambda: status() == "partial_outage", "the resolve to restore the status")
    assert db.session.scalar(db.select(AlertState.status)) == "resolved"
