"""The alert settings: a label name and a severity table, from the environment."""

import pytest

from app.config import ConfigError
from tests.conftest import make_app


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ALERT_SEVERITY_STATUSES": {"critical": "on_fire"}}, "ALERT_SEVERITY_STATUSES must"),
        ({"ALERT_SEVERITY_STATUSES": ["critical"]}, "ALERT_SEVERITY_STATUSES must"),
        ({"ALERT_DEFAULT_STATUS": "meh"}, "ALERT_DEFAULT_STATUS must"),
    ],
)
def test_a_bad_severity_table_stops_start_up_with_one_message(tmp_path, overrides, message):
    with pytest.raises(ConfigError, match=message):
        make_app("sqlite://", tmp_path, **overrides)


def test_the_severity_table_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CRIER_ALERT_SEVERITY_STATUSES", '{"page": "partial_outage"}')
    monkeypatch.setenv("CRIER_ALERT_COMPONENT_LABEL", "service")
    app = make_app("sqlite://", tmp_path)
    assert app.config["ALERT_SEVERITY_STATUSES"] == {"page": "partial_outage"}
    assert app.config["ALERT_COMPONENT_LABEL"] == "service"
