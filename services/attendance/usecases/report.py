"""ATT-12 the monthly report (ATT-13 pay effects when the policy turns them on)."""
from services.common import export

from .. import repo, rules
from ..models import ReportSubmission
from .common import acting, check, staff_member, today

# ATT-12 file columns: Chinese and English headers, money in yuan (the rules' REPORT_COLUMNS
# and PAY_COLUMNS, in their order)
LEAVE_HEADERS = {"personal": "事假(天) Personal leave", "annual": "年假(天) Annual leave",
                 "sick": "病假(天) Sick leave", "compensatory": "调休(天) Compensatory leave"}
HEADERS = {"year": ("年 Year", "int"), "month": ("月 Month", "int"),
           "person_id": ("人员编号 Person ID", "int"), "name": ("姓名 Name", "text"),
           "work_days": ("应出勤(天) Work days", "int"),
           "days_present": ("出勤(天) Days present", "int"), "late": ("迟到(次) Late", "int"),
           "early_leave": ("早退(次) Early leave", "int"),
           "absent_days": ("旷工(天) Absent days", "int"),
           **{f"leave_{t}": (h, "int") for t, h in LEAVE_HEADERS.items()},
           "fines": ("罚款 Fines", "money"), "violation_slips": ("违纪单 Violation slips", "int"),
           "warning_slips": ("警告单 Warning slips", "int"),
           "monthly_salary": ("月薪 Monthly salary", "money"),
           "month_work_days": ("当月工作日 Month work days", "int"),
           "absence_deduction": ("缺勤扣款 Absence deduction", "money"),
           "deduction_reason": ("扣款说明 Deduction reason", "text"),
           "full_attendance_bonus": ("全勤奖 Full attendance bonus", "money"),
           "bonus_reason": ("全勤奖说明 Bonus reason", "text")}


def _column(key):
    header, kind = HEADERS.get(key, (key, "auto"))
    return key, header, kind


REPORT_COLUMNS = [_column(c) for c in rules.REPORT_COLUMNS]


def monthly_report(uow, project_id, query):
    """ATT-12: per person, from closed days and the ledger; ``format`` json, csv or xlsx."""
    current = today(uow, project_id)[2]
    year, month = query.get("year") or current.year, query.get("month") or current.month
    first, nxt = repo.first_of_month(year, month)
    policy = uow.policy(project_id)
    rows = rules.report_rows(year, month, repo.month_days(uow.session, project_id, first, nxt),
                             repo.month_entries(uow.session, project_id, first, nxt),
                             policy, repo.salaries(uow.session, project_id),
                             repo.month_work_days(uow.session, project_id, first, nxt),
                             _quarter_so_far(uow, project_id, year, month, policy))
    fmt = query.get("format") or "json"
    if fmt != "json":
        # ATT-13: the pay columns the rows carry (pay effects on) are exported too
        pay = [_column(c) for c in rules.PAY_COLUMNS if any(c in r for r in rows)]
        return export.table_file(rows, REPORT_COLUMNS + pay, fmt,
                                 f"attendance-{year}-{month:02d}-project-{project_id}",
                                 tz=uow.tz(project_id), encoding=query.get("encoding"),
                                 title=f"考勤 {year}-{month:02d}")
    return {"year": year, "month": month, "rows": rows, "submission": repo.submission_view(
        repo.submission(uow.session, project_id, year, month))}


def _quarter_so_far(uow, project_id, year, month, policy):
    """ATT-13: the quarter's earlier months, when this month shows the quarter's bonus."""
    if not rules.quarter_bonus_due(month, policy):
        return []
    rows = []
    for m in range(month - 2, month):
        first, nxt = repo.first_of_month(year, m)
        rows += rules.monthly_report(year, m, repo.month_days(uow.session, project_id, first,
                                                              nxt),
                                     repo.month_entries(uow.session, project_id, first, nxt))
    return rows


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


def set_terms(uow, project_id, person_id, data):
    """ATT-07/13: a manager sets a person's monthly salary (ATT-13 deduction) and annual leave
    days a year (ATT-07 sick-leave conversion); the change is recorded."""
    person = staff_member(uow, project_id, person_id, field="person_id", rule="ATT-13")
    d = check(uow, rules.set_staff_terms(*acting(uow), person.id, person.name, data),
              field="person_id", forbidden=("forbidden", "self_terms"))
    row = repo.set_terms(uow.session, project_id, person.id, d.data["values"], uow.actor_id,
                         uow.now)
    uow.record(d, "staff_terms", person.id, project_id)
    return repo.terms_view(row)


def get_terms(uow, project_id, person_id):
    """A manager, the clerk, or the person themself reads what is set."""
    person = repo.person(uow.session, project_id, person_id)
    uow.caller.require_self(person.id, "manager", "clerk", action="read someone's terms")
    row = repo.terms(uow.session, person.id)
    return repo.terms_view(row) if row else {"person_id": person.id, "monthly_salary": None,
                                             "annual_leave_days": 0, "set_by": None, "at": None}
