"""Materials service: entrypoints stay thin (verify the caller, load, call the rule, store, emit)."""
from services.common.clock import Clock
from services.common.db import Database
from services.common.service import ServiceKit

from .models import KIT


class MaterialsService(ServiceKit):
    name = "materials"
    db = Database(KIT)
    clock = Clock(KIT)
    policy_defaults = {}
