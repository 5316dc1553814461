"""Rate limits keyed on the real client and the account, not on a shared proxy's address."""

from tests.conftest import csrf_token, login
from tests.factories import PASSWORD, create_user


def _login_from(client, ip, email):
    token = csrf_token(client, "/login")
    return client.post(
        "/login",
        data={"email": email, "password": "wrong password", "csrf_token": token},
        headers={"X-Forwarded-For": ip},
    )


def test_wrong_passwords_for_one_account_do_not_lock_out_another(app_factory):
    app = app_factory(LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    statuses = [login(client, "victim@example.com", "wrong password").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    with app.app_context():
        create_user(email="admin@example.com")
    assert login(client, "admin@example.com", PASSWORD).status_code == 302


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(app_factory):
    app = app_factory(TRUSTED_PROXIES=1, LOGIN_RATE_LIMIT="2 per minute")
    client = app.test_client()
    codes = [_login_from(client, "203.0.113.7", "a@example.com").status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    assert _login_from(client, "198.51.100.2", "a@example.com").status_code == 401


def test_without_trusted_proxies_x_forwarded_for_is_ignored(app_factory):
    app = app_factory(LOGIN_RATE_LIMIT="2 per minute")
    client = app.test_client()
    codes = [_login_from(client, f"203.0.113.{i}", "a@example.com").status_code for i in range(3)]
    assert codes == [401, 401, 429]


def test_the_per_client_limit_covers_all_accounts(app_factory):
    app = app_factory(LOGIN_IP_RATE_LIMIT="3 per minute")
    client = app.test_client()
    codes = [login(client, f"u{i}@example.com", "wrong password").status_code for i in range(4)]
    assert codes == [401, 401, 401, 429]


def test_redis_url_moves_the_counters_to_redis(app_factory):
    app = app_factory(REDIS_URL="redis://127.0.0.1:6379/0")
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"
