"""ATT-12 the monthly report (ATT-13 pay effects when the policy turns them on)."""
from services.common import export

from .. import repo, rules
from ..models import ReportSubmission
from .common import acting, check, today

REPORT_COLUMNS = [(c, c) for c in rules.REPORT_COLUMNS]


def monthly_report(uow, project_id, query):
    """ATT-12: per person, from closed days and the ledger; ``format`` json, csv or xlsx."""
    current = today(uow, project_id)[2]
    year, month = query.get("year") or current.year, query.get("month") or current.month
    first, nxt = repo.first_of_month(year, month)
    rows = rules.report_rows(year, month, repo.month_days(uow.session, project_id, first, nxt),
                             repo.month_entries(uow.session, project_id, first, nxt),
                             uow.policy(project_id))
    fmt = query.get("format") or "json"
    if fmt != "json":
        return export.table_file(rows, REPORT_COLUMNS, fmt,
                                 f"attendance-{year}-{month:02d}-project-{project_id}")
    return {"year": year, "month": month, "rows": rows, "submission": repo.submission_view(
        repo.submission(uow.session, project_id, year, month))}


def submit_report(uow, project_id, data):
    """ATT-12: the clerk submits the month's report before the 30th (late is marked)."""
    year, month = data["year"], data["month"]
    d = rules.check_report_submission(acting(uow)[1], year, month, uow.now,
                                      uow.policy(project_id), uow.tz(project_id))
    check(uow, d, field="month")
    repo.add_unique(uow.session, ReportSubmission(
        project_id=project_id, year=year, month=month, submitted_by=uow.actor_id, at=uow.now,
        outcome=d.outcome, reason=d.reason),
        f"the report for {year}-{month:02d} is already submitted")
    return uow.record(d, "report", f"{year}-{month:02d}", project_id)
