"""Operators' endpoints: /healthz (the process is up), /readyz (the database and queue answer
and a worker was seen recently; 503 otherwise) and /metrics (Prometheus text, from loopback,
``METRICS_NETWORKS`` or with ``METRICS_TOKEN`` as a bearer token). None of them is cached,
rate-limited or published: they go past the published site to Flask every time."""

from flask import Blueprint

bp = Blueprint("ops", __name__)

from app.ops import counting, views  # noqa: E402, F401 - the request counter and routes

bp.record_once(counting.install)
