"""SYS-02 for the staff directory attendance owns: who logs in, who grants which roles."""
from __future__ import annotations

from typing import Iterable

from services.common.decision import Decision, allow, refuse


def login(username: str, password_ok: bool, active: bool) -> Decision:
    """SYS-02: an active person with the right password logs in; the answer does not say
    which part was wrong."""
    if not (password_ok and active):
        return refuse("SYS-02", "unknown username or wrong password", "refused")
    return allow("SYS-02", f"{username} logged in", "logged_in")


def grant_roles(granter_roles: Iterable[str], held: Iterable[str],
                wanted: Iterable[str]) -> Decision:
    """SYS-02: a manager sets a person's roles; only an admin grants or removes ``admin``."""
    changed = set(held) ^ set(wanted)
    if "admin" in changed and "admin" not in set(granter_roles):
        return refuse("SYS-02", "only an admin may grant or remove the admin role", "forbidden")
    return allow("SYS-02", f"roles set to {', '.join(sorted(set(wanted)))}", "roles_set",
                 roles=sorted(set(wanted)))
