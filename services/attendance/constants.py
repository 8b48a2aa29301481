"""Names the schemas (and so the gateway) and the rules share, without the gateway importing
the rules."""

LEAVE_TYPES = ("personal", "annual", "sick", "compensatory")
BLACKOUT_KINDS = ("public_holiday", "launch_day", "advertising_day", "mortgage_day")

# ATT-10 catalogue: offence -> (words, fine policy key, slip, absent)
OFFENCES: dict[str, tuple[str, str | None, str | None, bool]] = {
    "leaving_post": ("leaving the post without the manager's approval", "fine_leaving_post",
                     "warning", True),
    "sleeping_on_duty": ("sleeping on duty", "fine_sleeping_on_duty", "violation", False),
    "premium_rate_calls": ("premium-rate calls", "fine_premium_rate_calls", None, False),
    "items_left_out": ("tools or customer files left out", "fine_items_left_out",
                       "violation", False),
}
