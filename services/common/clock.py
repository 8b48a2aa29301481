"""The clock dependency (SYS-04). Real time by default. With CLOCK_CONTROL=1 a frozen "now"
stored in the service's own database (so every instance of the service agrees) replaces it;
the gateway's PUT/DELETE /v1/admin/clock sets or clears it in every service."""
from datetime import timezone

from nameko.extensions import DependencyProvider
from sqlalchemy import delete, select

from .config import clock_control, database_url
from .db import make_engine
from .timeutil import utcnow


class Clock(DependencyProvider):
    def __init__(self, kit):
        self.kit = kit
        self.engine = None

    def setup(self):
        self.controlled = clock_control(self.container.config)
        if self.controlled:
            self.engine = make_engine(database_url(self.container.service_name,
                                                   self.container.config))

    def stop(self):
        if self.engine is not None:
            self.engine.dispose()

    kill = stop

    def now(self):
        if self.controlled:
            with self.engine.connect() as conn:
                fixed = conn.execute(select(self.kit.clock.c.now)
                                     .where(self.kit.clock.c.id == 1)).scalar()
            if fixed is not None:
                return fixed if fixed.tzinfo else fixed.replace(tzinfo=timezone.utc)
        return utcnow()

    def set(self, instant):
        """Freeze the clock at ``instant`` (None returns to real time)."""
        with self.engine.begin() as conn:
            conn.execute(delete(self.kit.clock))
            if instant is not None:
                conn.execute(self.kit.clock.insert().values(id=1, now=instant))

    def get_dependency(self, worker_ctx):
        return self
