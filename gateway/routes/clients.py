"""Clients routes (客户归属): customers and ownership, follow-ups, pre-registrations and
referrals, channel reports, poaching, change of consultant, disputes and overrides, units and
subscriptions, conversion figures (CLI-01…14)."""
from services.clients import schemas as cli

from . import Route

P = "/v1/projects/<int:project_id>"
S = "clients"
C = f"{P}/customers/<int:customer_id>"

ROUTES = [
    Route("GET", f"{P}/ownership", "Who owns this phone, and is the protection live "
          "(?phone=; the same lookup reception makes for a walk-in)", S, service=S,
          rpc="owner_of_query", query=("phone",), response=cli.OwnerOut,
          rules=("CLI-01", "CLI-02", "CLI-03", "CLI-14"), answers=(429,)),
    Route("POST", f"{P}/customers", "Register a customer by mobile", S, service=S,
          rpc="create_customer", body=cli.CustomerIn, response=cli.CustomerOut, status=201,
          rules=("CLI-01", "CLI-14")),
    Route("GET", f"{P}/customers", "Customers (?phone=&owner_id=); phones masked unless you own "
          "them or are a supervisor/manager", S, service=S, rpc="list_customers",
          query=("phone", "owner_id"), response=cli.CustomerOut, many=True, rules=("CLI-14",),
          answers=(429,)),
    Route("GET", f"{P}/phone-access-log", "Who saw which full phone number, newest first "
          "(?person_id=&customer_id=; manager)", S, service=S, rpc="phone_access_log",
          query=("person_id", "customer_id"), response=cli.PhoneAccessOut, many=True,
          rules=("CLI-14",)),
    Route("GET", C, "One customer (phone masked per CLI-14)", S, service=S, rpc="get_customer",
          response=cli.CustomerOut, rules=("CLI-14",)),
    Route("GET", f"{C}/history", "The full ownership history, each step with its rule", S,
          service=S, rpc="customer_history", response=cli.HistoryOut, rules=("CLI-11", "SYS-01")),
    Route("POST", f"{C}/follow-ups", "The owner records a follow-up (renews protection)", S,
          service=S, rpc="record_follow_up", body=cli.FollowUpIn, response=cli.DecisionOut,
          status=201, rules=("CLI-03",)),
    Route("POST", f"{P}/pre-registrations", "Pre-register a relative/friend, a customer's "
          "referral or a staff referral before the visit", S, service=S, rpc="pre_register",
          body=cli.PreRegistrationIn, response=cli.ClaimOut, status=201,
          rules=("CLI-04", "CLI-05", "CLI-07")),
    Route("POST", f"{P}/claims/<int:claim_id>/evidence", "Produce the evidence of a "
          "phone-only staff referral (referral_form, call_record, follow_up_records)", S,
          service=S, rpc="record_evidence", body=cli.EvidenceIn, response=cli.ClaimRowOut,
          status=201, rules=("CLI-07",)),
    Route("POST", f"{C}/price-negotiation", "Record that price negotiation started (the "
          "receiving consultant, supervisor, manager; once)", S, service=S,
          rpc="start_price_talk", response=cli.DecisionOut, status=201, rules=("CLI-07",)),
    Route("POST", f"{C}/re-registration", "Re-register a lapsed customer for the same "
          "consultant; the calling supervisor/manager is the sign-off", S, service=S,
          rpc="re_register", body=cli.PersonIn, response=cli.DecisionOut, status=201,
          rules=("CLI-03",)),
    Route("POST", f"{P}/channel-reports", "A channel agent reports a customer (refused on an "
          "owned customer)", S, service=S, rpc="create_report", body=cli.ReportIn,
          response=cli.ReportOut, status=201, rules=("CLI-06",)),
    Route("GET", f"{P}/channel-reports", "Channel reports (an agent sees only their own)", S,
          service=S, rpc="list_reports", response=cli.ReportOut, many=True,
          rules=("CLI-06", "CLI-14")),
    Route("GET", f"{P}/channel-reports/<int:report_id>", "One channel report", S, service=S,
          rpc="get_report", response=cli.ReportOut, rules=("CLI-06",)),
    Route("POST", f"{P}/channel-reports/match", "At the visit: channel visit or natural visit "
          "(desk staff)", S, service=S, rpc="match_visit", body=cli.MatchIn,
          response=cli.ClaimOut, rules=("CLI-06", "CLI-08")),
    Route("POST", f"{C}/poaching", "Record poaching: the customer stays with the owner, the "
          "poacher is fined (supervisor, manager)", S, service=S, rpc="record_poaching",
          body=cli.PersonIn, response=cli.DecisionOut, rules=("CLI-09",)),
    Route("POST", f"{C}/change-consultant", "Change of consultant at the customer's request "
          "(credit split)", S, service=S, rpc="change_consultant", body=cli.PersonIn,
          response=cli.DecisionOut, rules=("CLI-10", "REC-11")),
    Route("GET", f"{C}/dispute", "What the registration records decide", S, service=S,
          rpc="dispute", response=cli.DisputeOut, rules=("CLI-11",)),
    Route("POST", f"{C}/override", "Override ownership with a written reason (supervisor, "
          "manager)", S, service=S, rpc="override_owner", body=cli.OverrideIn,
          response=cli.DecisionOut, rules=("CLI-11",)),
    Route("POST", f"{P}/units", "Add a unit (manager)", S, service=S, rpc="create_unit",
          body=cli.UnitIn, response=cli.UnitOut, status=201, rules=("CLI-12",)),
    Route("GET", f"{P}/units", "Units and their availability", S, service=S, rpc="list_units",
          response=cli.UnitOut, many=True, rules=("CLI-12",)),
    Route("POST", f"{P}/units/<int:unit_id>/confirm", "The manager confirms a unit available "
          "(销控)", S, service=S, rpc="confirm_unit", response=cli.UnitOut, rules=("CLI-12",)),
    Route("POST", f"{P}/subscriptions", "Register a subscription (认购) on a confirmed unit; "
          "never two live on one unit", S, service=S, rpc="subscribe", body=cli.SubscriptionIn,
          response=cli.SubscriptionOut, status=201, rules=("CLI-12", "CLI-03")),
    Route("GET", f"{P}/subscriptions", "Subscriptions, voided ones included", S, service=S,
          rpc="list_subscriptions", response=cli.SubscriptionOut, many=True,
          rules=("CLI-12",)),
    Route("POST", f"{P}/subscriptions/<int:subscription_id>/deposit", "Record the deposit "
          "(within the policy minutes of signing)", S, service=S, rpc="pay_deposit",
          response=cli.SubscriptionOut, rules=("CLI-12",)),
    Route("POST", f"{P}/subscriptions/<int:subscription_id>/withdraw", "Withdrawal or refund "
          "(manager; announced to all staff)", S, service=S, rpc="withdraw",
          body=cli.WithdrawIn, response=cli.SubscriptionOut, rules=("CLI-12",)),
    Route("POST", f"{P}/subscriptions/<int:subscription_id>/void", "Void a form: handed to "
          "the clerk and kept", S, service=S, rpc="void", body=cli.VoidIn,
          response=cli.SubscriptionOut, rules=("CLI-12",)),
    Route("GET", f"{P}/visit-register", "The visit register (?complete=false: incomplete "
          "entries with the fields they miss)", S, service=S, rpc="visit_register",
          query=("complete",), response=cli.VisitOut, many=True, rules=("CLI-13",)),
    Route("PUT", f"{P}/targets", "Set a consultant's deals target for a period (manager)", S,
          service=S, rpc="set_target", body=cli.TargetIn, response=cli.TargetOut,
          rules=("CLI-13",)),
    Route("GET", f"{P}/targets", "Deals targets per consultant and period", S, service=S,
          rpc="list_targets", response=cli.TargetOut, many=True, rules=("CLI-13",)),
    Route("GET", f"{P}/conversion", "Conversion figures (?by=consultant|media_source|period"
          "&period=day|week|month&label=2026-03: one period, with targets)", S, service=S,
          rpc="conversion", query=("by", "period", "label"),
          response=cli.DecisionOut, rules=("CLI-13",)),
    Route("GET", f"{P}/conversion/export", "Conversion figures as a file (&format=csv|xlsx"
          "&encoding=utf-8|gbk)", S, service=S, rpc="conversion_export",
          query=("by", "period", "label", "format", "encoding"),
          download=True, rules=("CLI-13",)),
]
