// The clerk's desk screen (issue 15): the monthly attendance report and its submission (ATT-12),
// the voided subscription forms the clerk keeps (CLI-12), the visit register's incomplete
// entries (CLI-13). The screen decides no rule: it shows the service's answers.
'use strict';

const CLERK_COLUMNS = [
  ['name', '姓名', 'Name'], ['work_days', '应出勤', 'Work days'], ['days_present', '出勤', 'Present'],
  ['late', '迟到', 'Late'], ['early_leave', '早退', 'Early'], ['absent_days', '旷工', 'Absent'],
  ['leave_personal', '事假', 'Personal'], ['leave_annual', '年假', 'Annual'], ['leave_sick', '病假', 'Sick'],
  ['fines', '罚款', 'Fines'], ['violation_slips', '违规单', 'Violation'], ['warning_slips', '警告单', 'Warning'],
];
// CLI-13: the Chinese name of each field the service may list as missing (VISIT_REQUIRED in
// services/clients/rules/visits.py); a field without a name here shows as the service names it.
const VISIT_FIELDS = {customer_phone: '客户手机号', customer_name: '客户姓名', received_by: '接待顾问',
  arrived_at: '到访时间', media_source: '媒体来源'};

document.addEventListener('alpine:init', () => {
  Alpine.data('clerk', () => Anchang.screen({
    staff: {}, units: {},
    ...Anchang.monthlyReport(),
    columns: CLERK_COLUMNS,
    voided: [],
    visits: [],

    async init() {
      const people = await Anchang.get('/projects/{p}/staff').catch(() => []);
      this.staff = Object.fromEntries(people.map(p => [p.id, p]));
      await Promise.all([this.loadReport(), this.loadVoided(), this.loadVisits()]);
    },
    who(id) { return id == null ? '—' : (this.staff[id] ? this.staff[id].name : `#${id}`); },

    // -- ATT-12 the monthly report ------------------------------------------------------------
    async submit() {
      const r = await this.run('report', () => Anchang.post('/projects/{p}/reports/monthly/submit',
        {year: Number(this.report.year), month: Number(this.report.month)}), r => `已提交 Submitted (${r.rule}): ${r.reason}`);
      if (r) {
        const fresh = await Anchang.get('/projects/{p}/reports/monthly', {year: this.report.year, month: this.report.month}).catch(() => null);
        if (fresh) this.report.submission = fresh.submission;
      }
    },
    async download(format) {
      await this.run('report', () => Anchang.download('/projects/{p}/reports/monthly/export',
        {year: this.report.year, month: this.report.month, format}), name => `已下载 Downloaded: ${name}`);
    },

    // -- CLI-12 voided forms, CLI-13 the visit register --------------------------------------
    async loadVoided() {
      const [subs, units] = await Promise.all([
        Anchang.get('/projects/{p}/subscriptions').catch(() => []),
        Anchang.get('/projects/{p}/units').catch(() => []),
      ]);
      this.units = Object.fromEntries(units.map(u => [u.id, u]));
      this.voided = subs.filter(s => s.state === 'voided');
    },
    unit(id) { return this.units[id] ? this.units[id].code : `#${id}`; },
    async loadVisits() {
      const r = await this.run('visits', () => Anchang.get('/projects/{p}/visit-register', {complete: 'false'}));
      if (r) this.visits = r;
    },
    // each missing field in Chinese with the service's own name beside it: 客户姓名 customer_name
    missing(v) {
      return (v.missing || []).map(f => (VISIT_FIELDS[f] ? `${VISIT_FIELDS[f]} ${f}` : f)).join('、');
    },
    customer(v) { return v.customer_id == null ? '匿名 anonymous' : `#${v.customer_id}`; },
  }));
});
