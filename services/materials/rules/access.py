"""Who reads the reasons of the store's decisions (SYS-01 with SYS-02), pure."""
from collections.abc import Iterable, Mapping
from typing import Any

# SYS-01: stock matters are the office's: anyone on the staff asks why about an item, a stock
# movement, a plan, a receipt, a stocktake or a usage-ledger entry.
WHY_PUBLIC = frozenset({"item", "movement", "plan", "receipt", "stocktake", "ledger_entry"})


def why_visible(viewer_id: int | None, roles: Iterable[str], record: Mapping[str, Any],
                by_default: bool, owners: Iterable[int] = ()) -> bool:
    """``by_default``: the kit's answer (leads every reason; anyone the reasons about
    themself; anyone the public subjects). ``owners``: whose the subject is (an issue form's
    recipient, a request's requester, a hand-out's consultant): they read its reasons. The
    storekeeper keeps the store and reads every reason of it; a channel agent is not on the
    office staff and reads only what is about themself, never the public stock matters."""
    roles = frozenset(roles or ())
    if "storekeeper" in roles or (viewer_id is not None and viewer_id in set(owners)):
        return True
    if roles <= {"channel_agent"} and record.get("subject_type") in WHY_PUBLIC:
        return False
    return by_default
