"""Attendance rules (ATT-01..ATT-13, and SYS-02 for the staff directory): plain data in,
Decisions and the new state out. No I/O, no clock, no nameko.

Every function takes the current time as ``now`` (aware) where time matters and an optional
``tz`` (the project's zone, default Asia/Shanghai, SYS-04). Roles are plain sets of the
rulebook's role names, as ``Caller.acting_roles`` resolves them (an admin acts as a manager,
supervisor and clerk: ``services.common.roles``). Fines and the full-attendance bonus are whole
yuan (policy values). One module per rule family; every name is re-exported here.
"""
from .access import *  # noqa: F401,F403
from .base import *  # noqa: F401,F403
from .base import (  # noqa: F401
                   POLICY,
                   POLICY_DEFAULTS,
                   Consequences,
                   LedgerEntry,
                   attempt_entry,
                   entry_decision,
                   entry_from_decision,
                   policy_with_defaults,
)
from .leave import *  # noqa: F401,F403
from .ledger import *  # noqa: F401,F403
from .lunch import *  # noqa: F401,F403
from .punches import *  # noqa: F401,F403
from .report import *  # noqa: F401,F403
from .roster import *  # noqa: F401,F403
from .sign_in import *  # noqa: F401,F403
from .staff import *  # noqa: F401,F403
