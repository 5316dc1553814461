import pytest


@pytest.fixture
def hook_server():
    """A local endpoint that records webhook and Slack POSTs and answers as told."""
    from tests.servers import HookServer

    server = HookServer().start()
    yield server
    server.stop()


@pytest.fixture
def hook_app(app, app_factory):
    """An app with fast retries and an early disable, private outbound allowed (the endpoint
    is on 127.0.0.1: the page's setting for stakeholder groups, the test rig's switch for
    subscribers); its context is pushed."""
    from tests.factories import create_settings

    hook_app = app_factory(
        HOOK_BACKOFF_SECONDS=0.01,
        HOOK_RETRIES=3,
        HOOK_DISABLE_AFTER=2,
        HOOK_DISABLE_MIN_SECONDS=0,
        HOOK_TIMEOUT_SECONDS=1.0,
        HOOK_SUBSCRIBERS_ALLOW_PRIVATE=True,
    )
    with hook_app.app_context():
        create_settings(allow_private_outbound=True)
        yield hook_app
