"""Configuration from the environment, overridable by a nameko config dict (tests do that).

<NAME>_DATABASE_URL   per service, default SQLite var/<name>.db
AMQP_URI              the broker, default amqp://guest:guest@localhost:5672/
JWT_SECRET            shared by the gateway (signs) and every service (verifies); without it
                      the file var/jwt_secret (``make run`` writes a strong one once) is used
ANCHANG_MODE          ``development`` allows the built-in development secret; any other mode
                      (the default) refuses to start without a real secret
CLOCK_CONTROL=1       lets the platform admin set every service's clock (development mode only)
RPC_TIMEOUT           seconds before an RPC is answered with 503
"""
import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEV_SECRET = "anchang-dev-secret-change-me-in-production"
MIN_SECRET_LENGTH = 32


class MissingSecret(RuntimeError):
    """Outside development mode a process refuses to start without a strong JWT secret."""


def setting(name, config=None, default=None):
    if config and name in config:
        return config[name]
    return os.environ.get(name, default)


def database_url(service, config=None):
    if config and config.get("DATABASE_URL"):
        return config["DATABASE_URL"]
    url = os.environ.get(f"{service.upper()}_DATABASE_URL")
    if url:
        return url
    var = var_dir()
    var.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{var / (service + '.db')}"


def amqp_uri(config=None):
    return setting("AMQP_URI", config, "amqp://guest:guest@localhost:5672/")


def var_dir():
    return pathlib.Path(os.environ.get("ANCHANG_VAR", ROOT / "var"))


def development(config=None):
    return str(setting("ANCHANG_MODE", config, "production")).lower() == "development"


def jwt_secret(config=None):
    """The token secret: JWT_SECRET, else var/jwt_secret, else (development mode only) the
    development secret. Secure by default: a missing, known or short secret stops the process."""
    secret = setting("JWT_SECRET", config)
    if not secret:
        path = var_dir() / "jwt_secret"
        secret = path.read_text().strip() if path.exists() else None
    if development(config):
        return secret or DEV_SECRET
    if not secret:
        raise MissingSecret("JWT_SECRET is not set and var/jwt_secret does not exist: refusing "
                            "to start (set JWT_SECRET, run `make secret`, or ANCHANG_MODE="
                            "development for a throw-away demo)")
    if secret == DEV_SECRET or len(secret) < MIN_SECRET_LENGTH:
        raise MissingSecret(f"JWT_SECRET is the development secret or shorter than "
                            f"{MIN_SECRET_LENGTH} characters: refusing to start")
    return secret


def clock_control(config=None):
    """Tests and demos may move the clock: only with CLOCK_CONTROL=1 in development mode."""
    return development(config) and \
        str(setting("CLOCK_CONTROL", config, "0")).lower() in ("1", "true", "yes")


def rpc_timeout(config=None):
    return float(setting("RPC_TIMEOUT", config, "10"))


def inner_rpc_timeout(config=None):
    """A service asking another service while it answers the gateway has half the gateway's
    deadline, so the one that did not answer is named (``clients did not answer``) before the
    gateway gives up on the whole request."""
    return rpc_timeout(config) / 2


def relay_interval(config=None):
    return float(setting("OUTBOX_RELAY_INTERVAL", config, "0.2"))


def relay_enabled(config=None):
    return str(setting("OUTBOX_RELAY", config, "1")).lower() not in ("0", "false", "no")


def env_float(name, default):
    """A number from the environment (e.g. a timer's interval), ``default`` when unset."""
    return float(os.environ.get(name, default))
