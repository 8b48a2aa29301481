"""Secure by default (issue 14): outside development mode no process accepts the development
secret, a short one or none at all; ``make run`` writes a strong secret to var/jwt_secret once."""
import pytest
import yaml

from services.common import config
from services.common.config import DEV_SECRET, MissingSecret, jwt_secret

STRONG = "x" * 40


@pytest.fixture
def env(monkeypatch, tmp_path):
    monkeypatch.delenv("JWT_SECRET", raising=False)
    monkeypatch.delenv("ANCHANG_MODE", raising=False)
    monkeypatch.setenv("ANCHANG_VAR", str(tmp_path))
    return tmp_path


def test_no_secret_refuses_to_start(env):
    with pytest.raises(MissingSecret, match="refusing to start"):
        jwt_secret()


@pytest.mark.parametrize("weak", [DEV_SECRET, "short-secret"])
def test_the_development_secret_or_a_short_one_refuses_to_start(env, weak):
    with pytest.raises(MissingSecret):
        jwt_secret({"JWT_SECRET": weak})


def test_a_strong_secret_from_the_environment_or_var_is_used(env, monkeypatch):
    assert jwt_secret({"JWT_SECRET": STRONG}) == STRONG
    (env / "jwt_secret").write_text(STRONG + "y\n")
    assert jwt_secret() == STRONG + "y"
    monkeypatch.setenv("JWT_SECRET", STRONG)
    assert jwt_secret() == STRONG                   # the environment wins over the file


def test_development_mode_alone_allows_the_built_in_secret(env):
    assert jwt_secret({"ANCHANG_MODE": "development"}) == DEV_SECRET
    assert config.development({"ANCHANG_MODE": "Development"})
    assert not config.development({})


def test_the_gateway_listens_on_loopback_unless_told_otherwise():
    text = (config.ROOT / "deploy" / "nameko.yml").read_text()
    assert "${GATEWAY_HOST:127.0.0.1}" in text
    compose = yaml.safe_load((config.ROOT / "deploy" / "compose.yml").read_text())
    assert compose["services"]["gateway"]["environment"]["GATEWAY_HOST"] == "0.0.0.0"
    assert compose["services"]["gateway"]["environment"]["JWT_SECRET"].startswith("${JWT_SECRET:?")


def test_clock_control_needs_development_mode(env):
    """Issue 14: CLOCK_CONTROL=1 alone does not let anyone move the clock in production."""
    assert not config.clock_control({"CLOCK_CONTROL": "1"})
    assert config.clock_control({"CLOCK_CONTROL": "1", "ANCHANG_MODE": "development"})
    assert not config.clock_control({"ANCHANG_MODE": "development"})
