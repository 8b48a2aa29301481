"""Clients service: entrypoints stay thin (verify the caller, load, call the rule, store, emit)."""
from services.common.clock import Clock
from services.common.db import Database
from services.common.service import ServiceKit, rpc

from .models import KIT


class ClientsService(ServiceKit):
    name = "clients"
    db = Database(KIT)
    clock = Clock(KIT)
    policy_defaults = {}

    @rpc
    def owner_of(self, token, project_id, phone):
        """REC-07/CLI-02 lookup. Placeholder until customer ownership lands: no owner."""
        self.auth.caller(token).require_project(project_id)
        return {"customer_id": None, "owner_id": None, "owner_name": None,
                "protection_live": False, "rule": "CLI-02",
                "reason": "no registered contact for this phone", "phone_masked": None}
