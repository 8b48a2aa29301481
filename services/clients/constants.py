"""Names the contract (schemas.py) and the rules share, so the schemas import no rules."""
SOURCES = ("walk_in", "call", "channel", "customer_referral", "staff_referral", "relative")
GROUPINGS = ("consultant", "media_source", "period")        # CLI-13 conversion figures
PERIODS = ("day", "week", "month")
PRE_REGISTRATION_KINDS = ("relative", "customer_referral", "staff_referral")  # CLI-04/05/07
WITHDRAWAL_KINDS = ("withdrawal", "refund")                  # CLI-12
EVIDENCE_ITEMS = ("referral_form", "call_record", "follow_up_records")  # CLI-07 phone-only
