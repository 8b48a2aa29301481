"""A RabbitMQ node of a test's own (another port, node name and data directory), so a test can
stop and start the broker without touching the machine's shared one (tests use it for outages)."""
import os
import pathlib
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid

from tests.helpers import eventually


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateBroker:
    def __init__(self):
        self.name = f"anchang{uuid.uuid4().hex[:6]}@localhost"
        self.port = _free_port()
        self.base = pathlib.Path(tempfile.mkdtemp(prefix="anchang-rabbit-"))
        (self.base / "enabled_plugins").write_text("[].\n")   # no management listener
        self.env = dict(os.environ, RABBITMQ_NODENAME=self.name,
                        RABBITMQ_NODE_PORT=str(self.port), RABBITMQ_DIST_PORT=str(_free_port()),
                        RABBITMQ_MNESIA_BASE=str(self.base / "mnesia"),
                        RABBITMQ_LOG_BASE=str(self.base / "log"),
                        RABBITMQ_PID_FILE=str(self.base / "pid"),
                        RABBITMQ_CONFIG_FILE=str(self.base / "rabbitmq"),
                        RABBITMQ_ENABLED_PLUGINS_FILE=str(self.base / "enabled_plugins"))
        try:   # Debian's rabbitmq-server drops to the rabbitmq user when started as root
            user = pwd.getpwnam("rabbitmq")
            for path in (self.base, self.base / "enabled_plugins"):
                os.chown(path, user.pw_uid, user.pw_gid)
        except (KeyError, PermissionError):
            pass

    @property
    def uri(self):
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def _ctl(self, *args, check=True):
        return subprocess.run(["rabbitmqctl", "-q", "-n", self.name, *args], env=self.env,
                              check=check, capture_output=True, timeout=120)

    def start(self):
        subprocess.run(["rabbitmq-server", "-detached"], env=self.env, check=True,
                       capture_output=True, timeout=60)
        eventually(lambda: self._ctl("await_startup", "--timeout", "5", check=False)
                   .returncode == 0, timeout=90, interval=0.5,
                   message=f"private RabbitMQ {self.name} did not start")
        return self

    def stop(self):
        self._ctl("stop", check=False)

    def accepts(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def remove(self):
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


def available():
    return shutil.which("rabbitmq-server") is not None and shutil.which("rabbitmqctl") is not None
