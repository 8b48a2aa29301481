"""One place that says what a role may do beyond its name (SYS-02).

An admin runs the platform, not an office: in any project an admin acts with the office's
leading roles, and never as a consultant or a channel agent (those roles act only for
themselves). Every service and every rule sees the same set through ``acting_roles``.
"""
ROLES = ("consultant", "supervisor", "manager", "clerk", "receptionist", "channel_agent",
         "storekeeper", "admin")
ADMIN_ACTS_AS = frozenset({"manager", "supervisor", "clerk", "receptionist", "storekeeper"})
SERVICE = "service"


def acting_roles(roles) -> frozenset:
    """The roles a holder of ``roles`` acts with: an admin also holds ``ADMIN_ACTS_AS``."""
    roles = frozenset(roles)
    return roles | ADMIN_ACTS_AS if "admin" in roles else roles
