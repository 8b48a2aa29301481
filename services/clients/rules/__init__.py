"""Client attribution rules (CLI-01..CLI-14), pure: no I/O, no clock, no database.

Every function answers with a ``Decision`` (SYS-01) or a small dataclass holding the Decision
and the new state, so a use case applies what the rule decided and never re-derives it. Times
are aware datetimes; "days" are project-local calendar days (SYS-04). One module per rule
family; every public name is re-exported here.
"""
from ..constants import GROUPINGS, PERIODS, PRE_REGISTRATION_KINDS, SOURCES  # noqa: F401
from .access import (  # noqa: F401
    CLAIM_FILERS,
    CUSTOMER_READERS,
    may_read_customer_records,
    named_person,
    why_visible,
)
from .base import (  # noqa: F401
    ALL_REPORTS_ROLES,
    FULL_PHONE_ROLES,
    LEADS,
    OVERRIDE_ROLES,
    PHONE_LOOKUP_ROLES,
    POLICY,
    POLICY_DEFAULTS,
    SIGN_OFF_ROLES,
    policy_with_defaults,
)
from .channel import (  # noqa: F401
    ChannelReport,
    channel_attribution,
    check_report,
    may_see_report,
    report_expired,
    sees_all_reports,
    settle_reports,
    visit_source,
)
from .claims import (  # noqa: F401
    PHONE_ONLY_EVIDENCE,
    Claim,
    StaffReferral,
    check_evidence,
    pre_registration_claim,
    price_negotiation,
    referral_chain_claim,
    relative_claim,
    staff_referral_credit,
)
from .conversion import (  # noqa: F401
    CONVERSION_COLUMNS,
    check_target,
    conversion_figures,
    label_granularity,
    period_label,
)
from .deals import (  # noqa: F401
    SUBSCRIPTION_STATES,
    DepositPayment,
    Subscription,
    check_closer,
    check_subscription,
    check_withdrawal,
    deal_credit,
    deposit_status,
    double_sale,
    pay_deposit,
    subscription_is_live,
    unit_code_taken,
    void_form,
)
from .identity import (  # noqa: F401
    check_import_row,
    check_new_customer,
    check_phone,
    check_source,
    customer_source,
    customer_view,
    mask_phone,
    may_see_full_phone,
    normalise_phone,
    phone_lookup,
    visible_phone,
)
from .ownership import (  # noqa: F401
    CONTACT_KINDS,
    Contact,
    Ownership,
    OwnershipChange,
    OwnershipHistory,
    PoachingRecord,
    change_consultant,
    check_follow_up,
    check_poaching,
    claim_ownership,
    first_contact,
    is_live,
    override_ownership,
    ownership_from_records,
    ownership_lookup,
    protection_status,
    re_registration,
    record_poaching,
    resolve_dispute,
    visit_credited_to,
)
from .visits import VISIT_REQUIRED, VisitFact, call_to_visit, visit_register_entry  # noqa: F401
