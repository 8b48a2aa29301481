"""Attendance use cases: one function per command and per event handler. Each takes a
``UnitOfWork`` first, loads through ``repo``, asks ``rules``, applies the rule's new state,
records the decision and emits; none commits (the entrypoint or ``inbox.once`` does)."""
from .common import Kept  # noqa: F401
from .days import (  # noqa: F401
                   close_day,
                   close_ended_days,
                   declare_blackout,
                   list_blackouts,
                   list_roster,
                   set_roster,
                   settle_day,
)
from .leave import (  # noqa: F401
                   approve_leave,
                   file_certificate,
                   list_leave,
                   list_swaps,
                   record_swap,
                   reject_leave,
                   request_leave,
                   return_from_leave,
)
from .ledger import (  # noqa: F401
                   ledger,
                   on_call_fault_recorded,
                   on_poaching_recorded,
                   on_refusal_recorded,
                   record_offence,
)
from .lunch import (  # noqa: F401
                   end_lunch,
                   lunch_order,
                   on_reception_completed,
                   overdue_lunches,
                   record_overstay,
                   start_lunch,
)
from .presence import (  # noqa: F401
                   annotate_missing_punch,
                   attest_uniform,
                   list_punches,
                   punch,
                   report_proxy_punch,
                   resolve_dispute,
                   sign_in,
                   sign_in_order,
)
from .report import get_terms, monthly_report, set_terms, submit_report  # noqa: F401
from .staff import (  # noqa: F401
                   add_staff,
                   authenticate,
                   create_project,
                   get_staff,
                   list_projects,
                   list_staff,
                   set_roles,
)
