"""Who reads the reasons of the store's decisions (SYS-01 with SYS-02), pure."""
from collections.abc import Iterable, Mapping
from typing import Any

# SYS-01: stock matters are the office's: anyone on the staff asks why about an item, a stock
# movement, a plan, a receipt, a stocktake or a usage-ledger entry.
WHY_PUBLIC = frozenset({"item", "movement", "plan", "receipt", "stocktake", "ledger_entry"})


def why_visible(roles: Iterable[str], record: Mapping[str, Any], by_default: bool) -> bool:
    """``by_default``: the kit's answer (leads every reason; anyone the reasons about
    themself; anyone the public subjects). The storekeeper keeps the store and reads every
    reason of it (issue forms, requests, desk kit included); a channel agent is not on the
    office staff and reads only what is about themself, never the public stock matters."""
    roles = frozenset(roles or ())
    if "storekeeper" in roles:
        return True
    if roles <= {"channel_agent"} and record.get("subject_type") in WHY_PUBLIC:
        return False
    return by_default
