"""/healthz, /readyz and /metrics."""

import hmac
import ipaddress

from flask import Response, abort, current_app, jsonify, request

from app.core.health import OK, readiness
from app.core.metrics import render_metrics
from app.ops import bp


def _uncached(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz():
    """The process is up and answers (no database: a load balancer restarts nothing for it)."""
    return _uncached(Response("ok\n", mimetype="text/plain"))


@bp.get("/readyz")
def readyz():
    """200 when the database and queue answer and a worker checked in recently, else 503;
    the body names each check's verdict."""
    checks = readiness()
    ready = all(verdict == OK for verdict in checks.values())
    return _uncached(jsonify(checks)), 200 if ready else 503


@bp.get("/metrics")
def metrics():
    """Prometheus text, for loopback, the configured networks or the bearer token."""
    if not _may_scrape():
        abort(403)
    body, content_type = render_metrics()
    return _uncached(Response(body, content_type=content_type))


def _may_scrape() -> bool:
    cfg = current_app.config
    token = cfg.get("METRICS_TOKEN")
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if token and scheme.lower() == "bearer":
        return hmac.compare_digest(given.strip().encode(), token.encode())
    if not cfg["TRUSTED_PROXIES"] and "X-Forwarded-For" in request.headers:
        return False  # came through a proxy we were not told about: its address proves nothing
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    address = getattr(address, "ipv4_mapped", None) or address
    return address.is_loopback or any(address in net for net in cfg["METRICS_NETWORKS"])
