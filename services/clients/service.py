"""Clients service: entrypoints stay thin (verify the caller, load, call the rule, store, emit)."""
from services.common.clock import Clock
from services.common.db import Database
from services.common.service import ServiceKit

from .models import KIT


class ClientsService(ServiceKit):
    name = "clients"
    db = Database(KIT)
    clock = Clock(KIT)
    policy_defaults = {}
