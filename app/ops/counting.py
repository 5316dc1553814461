"""Every request counted by method and status, published reads included."""

from app.core.metrics import REQUESTS

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class CountedRequests:
    """WSGI middleware around everything the app answers (the published site's reads too):
    one counter increment per response, its label child looked up once."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app
        self.children = {}

    def __call__(self, environ, start_response):
        method = environ.get("REQUEST_METHOD", "")
        if method not in _METHODS:
            method = "other"  # a bounded set of label values, whatever clients send

        def counted(status, headers, exc_info=None):
            key = (method, status[:3])
            child = self.children.get(key)
            if child is None:
                child = self.children.setdefault(key, REQUESTS.labels(*key))
            child.inc()
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, counted)


def install(state):
    """Put the counter in front of the app the blueprint is registered on."""
    state.app.wsgi_app = CountedRequests(state.app.wsgi_app)
