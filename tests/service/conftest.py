"""Service tests: one or more real nameko containers on a throw-away RabbitMQ vhost (nameko's
``rabbit_config`` fixture), each with its own migrated SQLite database."""
import pytest

from services.common.migrate import upgrade
from tests.helpers import SECRET


@pytest.fixture
def start_service(container_factory, rabbit_config, tmp_path):
    """start_service(ServiceClass, name=None, database_url=None, **config) -> container"""

    def start(service_cls, database_url=None, migrate=True, **extra):
        name = service_cls.name
        url = database_url or f"sqlite:///{tmp_path / (name + '.db')}"
        if migrate and name in ("attendance", "reception", "clients", "materials"):
            upgrade(name, url)
        config = dict(rabbit_config, DATABASE_URL=url, JWT_SECRET=SECRET, CLOCK_CONTROL="1",
                      ANCHANG_MODE="development",
                      serializer="json", **extra)
        container = container_factory(service_cls, config)
        container.start()
        return container

    return start


@pytest.fixture
def rpc_proxy(rabbit_config):
    """rpc_proxy('attendance') -> a ServiceRpcProxy on the test vhost with a 10 s timeout."""
    from nameko.standalone.rpc import ServiceRpcProxy
    proxies = []

    def make(service_name, timeout=10):
        proxy = ServiceRpcProxy(service_name, dict(rabbit_config), timeout=timeout)
        proxies.append(proxy)
        return proxy.start()

    yield make
    for proxy in proxies:
        proxy.stop()
