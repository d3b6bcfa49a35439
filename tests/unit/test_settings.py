"""Bad settings are reported one line each, by environment variable, with the
form expected (settings.explain)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from aurum_ml.settings import Settings, env_name, explain


def _lines(monkeypatch, **env: str) -> list[str]:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as e:
        Settings()
    return explain(e.value)


def test_env_name():
    assert env_name("grpc_port") == "AURUM_GRPC_PORT"


@pytest.mark.parametrize(
    "field",
    [n for n, f in Settings.model_fields.items() if f.annotation in (int, float, bool)],
)
def test_every_number_and_flag_names_its_variable_and_form(monkeypatch, field):
    (line,) = _lines(monkeypatch, **{env_name(field): "nonsense"})
    assert line.startswith(f"{env_name(field)} must be ")
    assert line.endswith("(got 'nonsense')")
    assert "Input should" not in line and "pydantic" not in line


@pytest.mark.parametrize(
    ("env", "line"),
    [
        ({"AURUM_REST_PORT": "-1"}, "AURUM_REST_PORT must be a whole number from 0 to 65535"),
        (
            {"AURUM_MIN_CONFIDENCE": "0"},
            "AURUM_MIN_CONFIDENCE must be a number, greater than 0 and at most 1",
        ),
        (
            {"AURUM_DETECTOR_INPUT_SIZE": "100"},
            "AURUM_DETECTOR_INPUT_SIZE must be a whole number from 32 to 1920, a multiple of 32",
        ),
        (
            {"AURUM_MAX_MESSAGE_BYTES": "10"},
            "AURUM_MAX_MESSAGE_BYTES must be a whole number, at least 1024",
        ),
        ({"AURUM_SHUTDOWN_GRACE_S": "-1"}, "AURUM_SHUTDOWN_GRACE_S must be a number, at least 0"),
        ({"AURUM_MATCH_THRESHOLD": "high"}, "AURUM_MATCH_THRESHOLD must be a number from -1 to 1"),
        ({"AURUM_MATCH_THRESHOLD": "2"}, "AURUM_MATCH_THRESHOLD must be a number from -1 to 1"),
        (
            {"AURUM_DETECTOR": "retinaface"},
            "AURUM_DETECTOR must be 'scrfd', 'yunet' or 'mtcnn'",
        ),
        (
            {"AURUM_MODEL_SET": "my set"},
            "AURUM_MODEL_SET must match the pattern ^[A-Za-z0-9_.-]{0,64}$",
        ),
        (
            {"AURUM_QDRANT_URL": "qdrant.internal:6333"},
            "AURUM_QDRANT_URL must start with http:// or https://, like http://qdrant.internal:6333",
        ),
        (
            {"AURUM_QDRANT_URL": "grpc://qdrant:6334"},
            "AURUM_QDRANT_URL must start with http:// or https://, like http://qdrant:6333",
        ),
        (
            {"AURUM_QUEUE_PREFIX": "a b"},
            "AURUM_QUEUE_PREFIX must match the pattern ^[A-Za-z0-9_.:-]{1,100}$",
        ),
    ],
)
def test_expected_forms(monkeypatch, env, line):
    (got,) = _lines(monkeypatch, **env)
    assert got.startswith(line), got


def test_good_urls_pass(monkeypatch):
    monkeypatch.setenv("AURUM_QDRANT_URL", "HTTPS://qdrant.example:6333")
    monkeypatch.setenv("AURUM_QUEUE_REDIS_URL", "rediss://redis:6380/1")
    s = Settings()
    assert s.qdrant_url == "HTTPS://qdrant.example:6333"


def test_secrets_are_not_echoed(monkeypatch):
    (line,) = _lines(monkeypatch, AURUM_API_KEYS='["s3cret-1234567890", ')
    assert "s3cret" not in line and line.startswith("AURUM_API_KEYS must be comma-separated")


def test_command_line_options_are_named(monkeypatch):
    with pytest.raises(ValidationError) as e:
        Settings(grpc_port=70000)
    assert explain(e.value, {"grpc_port": "--grpc-port"}) == [
        "--grpc-port (AURUM_GRPC_PORT) must be a whole number from 0 to 65535 (got 70000)"
    ]


def test_rules_over_several_settings_read_as_sentences(monkeypatch):
    (line,) = _lines(monkeypatch, AURUM_TLS_CLIENT_CA_FILE="/ca.pem")
    assert line == "AURUM_TLS_CLIENT_CA_FILE (mutual TLS) needs AURUM_TLS_CERT_FILE"
