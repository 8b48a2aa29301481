// The manager's desk screen (issue 15): one approvals inbox, the policy of each service (SYS-03),
// ownership override (CLI-11), reports and exports, closing a day (ATT-09). The screen decides
// no rule: each button calls the public API and shows its answer or its refusal with the rule.
'use strict';

// SYS-03: each policy key's Chinese label. The rule each key tunes and what it means come from
// the service (GET …/policy/<service>/keys), which also checks every value and names the rule
// on refusal; a key without a label here shows its name.
const POLICY_LABELS = {
  attendance: {
    work_start: '上班时间',
    work_end: '下班时间',
    rest_weekdays: '可轮休的星期',
    max_rest_days_per_week: '每周休息天数',
    grace_minutes: '迟到宽限分钟',
    late_fine: '迟到罚款（元）',
    early_leave_fine: '早退罚款（元）',
    absent_if_late_over_minutes: '迟到超过即旷工（分钟）',
    absent_if_early_over_minutes: '早退超过即旷工（分钟）',
    leave_notice_days: '请假提前天数',
    emergency_cutoff: '急事假截止时间',
    sick_notify_cutoff: '病假通知截止时间',
    sick_converts_to_annual: '无证明病假转年假',
    absences_for_dismissal_review: '月旷工次数触发辞退审查',
    fine_leaving_post: '脱岗罚款（元）',
    fine_sleeping_on_duty: '睡岗罚款（元）',
    fine_premium_rate_calls: '拨打声讯电话罚款（元）',
    fine_items_left_out: '物品乱放罚款（元）',
    lunch_window_start: '午餐开始',
    lunch_window_end: '午餐截止',
    lunch_minutes: '午餐时长（分钟）',
    lunch_group: '同时午餐人数',
    report_due_day: '月报截止日',
    pay_effects_enabled: '启用薪资影响',
    full_attendance_bonus: '全勤奖（元/月）',
  },
  reception: {
    pass_min_minutes: '主动过号最短分钟',
    duty_chooser: '值班接待人选',
    short_absence_keeps_turn: '报备短暂离开保留轮次',
    afternoon_resumes_morning_order: '下午沿用上午轮次',
    noon: '下午开始时间',
    sms_deadline_minutes: '短信时限（分钟）',
    missing_call_entry_fine: '来电登记漏项罚款（元/项）',
    sms_fault_fine: '短信迟发罚款（元）',
    unregistered_call_fine: '来电未登记罚款（元）',
    suspension_days_supervisor: '主管停岗天数',
    suspension_days_manager: '经理停岗天数',
    suspension_days_excuse: '借故拒接停岗天数',
    desk_positions: '前台站位数',
  },
  clients: {
    protection_days: '客户保护期（天）',
    no_follow_up_days: '未跟进天数',
    report_lead_minutes: '报备提前分钟',
    report_expiry_days: '报备有效天数',
    change_split_percent: '换顾问业绩比例（%）',
    deposit_minutes: '定金时限（分钟）',
    poaching_fine: '抢客罚款（元）',
    phone_lookups_per_hour: '每小时查号次数',
  },
  materials: {
    desk_kit_min_per_plan: '每种户型单页最少张数',
    stocktake_min_counters: '盘点最少人数',
    full_count_months: '全盘月份',
    plan_periods: '需求计划周期',
  },
};
const SERVICES = [
  {name: 'attendance', zh: '考勤', en: 'Attendance'},
  {name: 'reception', zh: '轮序接待', en: 'Reception'},
  {name: 'clients', zh: '客户归属', en: 'Clients'},
  {name: 'materials', zh: '物料', en: 'Materials'},
];
const LEAVE_TYPES = {personal: '事假 personal', annual: '年假 annual', sick: '病假 sick'};
const REPORT_COLUMNS = [
  ['name', '姓名', 'Name'], ['work_days', '应出勤', 'Work days'], ['days_present', '出勤', 'Present'],
  ['late', '迟到', 'Late'], ['early_leave', '早退', 'Early'], ['absent_days', '旷工', 'Absent'],
  ['leave_personal', '事假', 'Personal'], ['leave_annual', '年假', 'Annual'], ['leave_sick', '病假', 'Sick'],
  ['fines', '罚款', 'Fines'], ['violation_slips', '违规单', 'Violation'], ['warning_slips', '警告单', 'Warning'],
];

// The server's business day (the clock is the server's; tests move it).
async function serverToday() {
  const ping = await Anchang.get('/ping').catch(() => null);
  const now = ping && ping.now ? new Date(ping.now) : new Date();
  return now.toLocaleDateString('sv-SE', {timeZone: Anchang.tz});
}
function dayBefore(day) {
  const d = new Date(day + 'T12:00:00Z');
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
}

document.addEventListener('alpine:init', () => {
  Alpine.data('manager', () => Anchang.screen({
    today: '',
    staff: {}, items: {}, units: {},
    inbox: [], swaps: [],
    services: SERVICES,
    service: 'attendance',
    policy: {}, policyKeys: {}, draft: {}, policyReason: '',
    owner: {phone: '', found: [], customer_id: '', owner_id: '', reason: ''},
    ...Anchang.monthlyReport(),
    columns: REPORT_COLUMNS,
    close: {day: '', result: null},
    conversionBy: 'consultant',

    async init() {
      this.today = await serverToday();
      this.close.day = dayBefore(this.today);
      const people = await Anchang.get('/projects/{p}/staff').catch(() => []);
      this.staff = Object.fromEntries(people.map(p => [p.id, p]));
      await Promise.all([this.loadInbox(), this.loadPolicy(), this.loadReport()]);
    },
    who(id) { return id == null ? '—' : (this.staff[id] ? this.staff[id].name : `#${id}`); },
    consultants() { return Object.values(this.staff).filter(p => p.active && p.roles.includes('consultant')); },


    // -- the approvals inbox -------------------------------------------------------------------
    async loadInbox() {
      const [leave, requests, items, units, subs, swaps] = await Promise.all([
        Anchang.get('/projects/{p}/leave').catch(() => []),
        Anchang.get('/projects/{p}/materials/requests').catch(() => []),
        Anchang.get('/projects/{p}/materials/items').catch(() => []),
        Anchang.get('/projects/{p}/units').catch(() => []),
        Anchang.get('/projects/{p}/subscriptions').catch(() => []),
        Anchang.get('/projects/{p}/swaps').catch(() => []),
      ]);
      this.swaps = swaps.slice().reverse();
      this.items = Object.fromEntries(items.map(i => [i.id, i]));
      this.units = Object.fromEntries(units.map(u => [u.id, u]));
      const inbox = [];
      for (const l of leave.filter(x => x.status === 'requested')) {
        const row = {key: `leave-${l.id}`, kind: 'leave', kindText: '请假 Leave', who: this.who(l.person_id),
          what: (LEAVE_TYPES[l.leave_type] || l.leave_type) + (l.emergency ? ' · 急 emergency' : ''),
          when: l.end_day && l.end_day !== l.start_day ? `${l.start_day} – ${l.end_day}` : l.start_day,
          rule: l.rule || 'ATT-07', reason: l.reason, note: '', needsNote: true};
        row.actions = [
          {label: '批准 Approve', go: () => this.decide(`/projects/{p}/leave/${l.id}/approve`,
            undefined, r => `已批准 Approved: ${this.who(r.person_id)} ${r.start_day} (${r.rule || 'ATT-07'})`)},
          {label: '不批准 Turn down', secondary: true, go: () => this.decide(`/projects/{p}/leave/${l.id}/reject`,
            {reason: row.note}, r => `未批准 Turned down (${r.rule}): ${r.reason}`)},
        ];
        inbox.push(row);
      }
      for (const q of requests.filter(x => x.kind === 'urgent' && x.status === 'pending')) {
        const item = this.items[q.item_id];
        const asked = `${item ? item.name : '#' + q.item_id} × ${q.quantity}`;
        const row = {key: `request-${q.id}`, kind: 'request', kindText: '紧急领用 Urgent request',
          who: this.who(q.requested_by), what: asked + (q.purpose ? ` · ${q.purpose}` : ''), when: '—',
          rule: q.rule || 'MAT-02', reason: q.reason, note: ''};
        row.actions = [
          {label: '批准 Approve', go: () => this.decide(`/projects/{p}/materials/requests/${q.id}/approve`,
            {reason: row.note}, r => `已批准 Approved ${asked} (${r.rule}): ${r.reason}`)},
          {label: '驳回 Reject', secondary: true, go: () => this.decide(`/projects/{p}/materials/requests/${q.id}/reject`,
            {reason: row.note}, r => `已驳回 Rejected ${asked} (${r.rule}): ${r.reason}`)},
        ];
        row.needsNote = true;
        inbox.push(row);
      }
      for (const u of units.filter(x => x.confirmed_by == null)) {
        inbox.push({key: `unit-${u.id}`, kind: 'unit', kindText: '销控确认 Unit', who: '—',
          what: `房源 Unit ${u.code}`, when: '—', rule: 'CLI-12',
          reason: '认购前须经理确认可售 A manager confirms a unit available before any subscription', note: '',
          actions: [{label: '确认可售 Confirm', go: () => this.decide(`/projects/{p}/units/${u.id}/confirm`,
            undefined, r => `已确认 Confirmed: ${r.code} (CLI-12)`)}]});
      }
      for (const s of subs.filter(x => x.state === 'live')) {
        const unit = this.units[s.unit_id];
        const code = unit ? unit.code : '#' + s.unit_id;
        inbox.push({key: `sub-${s.id}`, kind: 'subscription', kindText: '认购退订 Subscription',
          who: this.who(s.closer_id), what: `房源 Unit ${code} · 客户 customer #${s.customer_id}`,
          when: this.dateTime(s.signed_at), rule: s.rule || 'CLI-12', reason: s.reason, note: '',
          actions: [
            {label: '退订 Withdraw', go: () => this.decide(`/projects/{p}/subscriptions/${s.id}/withdraw`,
              {kind: 'withdrawal'}, r => `已退订 Withdrawn ${code} (${r.rule}): ${r.reason}`)},
            {label: '退款 Refund', secondary: true, go: () => this.decide(`/projects/{p}/subscriptions/${s.id}/withdraw`,
              {kind: 'refund'}, r => `已退款 Refunded ${code} (${r.rule}): ${r.reason}`)},
          ]});
      }
      this.inbox = inbox;
    },
    async decide(path, body, notice) {
      const r = await this.run('inbox', () => Anchang.post(path, body), notice);
      if (r) await this.loadInbox();
    },

    // -- policy (SYS-03) ---------------------------------------------------------------------
    keys() { return Object.keys(this.policy); },
    meta(k) {
      const key = this.policyKeys[k] || {rule: 'SYS-03', doc: ''};
      return [key.rule, (POLICY_LABELS[this.service] || {})[k] || k, key.doc];
    },
    kindOf(v) { return Array.isArray(v) ? 'list' : typeof v; },
    async pick(name) {
      this.service = name;
      await this.loadPolicy();
    },
    async loadPolicy() {
      const keys = await Anchang.get(`/projects/{p}/policy/${this.service}/keys`).catch(() => []);
      this.policyKeys = Object.fromEntries(keys.map(k => [k.key, k]));
      const values = Object.fromEntries(keys.map(k => [k.key, k.value]));
      this.policy = values;
      this.draft = Object.fromEntries(Object.entries(values).map(([k, v]) =>
        [k, Array.isArray(v) ? v.join(', ') : v]));
    },
    // The form's text back into the value's type; the service checks it (and names the rule).
    typed(k) {
      const was = this.policy[k], v = this.draft[k];
      if (Array.isArray(was)) {
        const parts = String(v).split(/[,，\s]+/).filter(Boolean);
        return parts.map(p => (/^-?\d+$/.test(p) ? Number(p) : p));
      }
      if (typeof was === 'number') return v === '' || v === null ? v : Number(v);
      return v;
    },
    async savePolicy() {
      const changes = {};
      for (const k of this.keys()) {
        const v = this.typed(k);
        if (JSON.stringify(v) !== JSON.stringify(this.policy[k])) changes[k] = v;
      }
      if (!Object.keys(changes).length) {
        this.where = 'policy'; this.error = null; this.notice = '没有改动 Nothing changed';
        return;
      }
      const names = Object.keys(changes).map(k => `${k} (${this.meta(k)[0]})`).join(', ');
      const r = await this.run('policy', () => Anchang.api('PATCH', `/projects/{p}/policy/${this.service}`,
        {changes, reason: this.policyReason || null}), `已保存 Saved: ${names}`);
      if (r) { this.policyReason = ''; await this.loadPolicy(); }
    },

    // -- ownership override (CLI-11) -----------------------------------------------------------
    async findCustomer() {
      const found = await this.run('owner', () => Anchang.get('/projects/{p}/customers', {phone: this.owner.phone}));
      if (!found) return;
      this.owner.found = found;
      this.owner.customer_id = found.length ? String(found[0].id) : '';
      if (!found.length) this.notice = '没有这个号码的客户 No customer with this phone';
    },
    async override() {
      const r = await this.run('owner', () => Anchang.post(`/projects/{p}/customers/${this.owner.customer_id}/override`,
        {owner_id: Number(this.owner.owner_id), reason: this.owner.reason}), r => `${r.rule}: ${r.reason}`);
      if (r) {
        this.owner.reason = '';
        const id = this.owner.customer_id;
        this.owner.found = await Anchang.get('/projects/{p}/customers', {phone: this.owner.phone}).catch(() => []);
        this.owner.customer_id = id;
      }
    },

    // -- reports and exports ---------------------------------------------------------------------
    async download(path, query) {
      await this.run('report', () => Anchang.download(path, query), name => `已下载 Downloaded: ${name}`);
    },
    exportReport(format) {
      return this.download('/projects/{p}/reports/monthly/export', {year: this.report.year, month: this.report.month, format});
    },
    exportConversion(format) {
      return this.download('/projects/{p}/conversion/export', {by: this.conversionBy, period: 'month', label: this.label(), format});
    },
    exportStock(format) { return this.download('/projects/{p}/materials/stock/export', {format}); },
    exportMovements(format) { return this.download('/projects/{p}/materials/movements/export', {format}); },

    // -- the day's close (ATT-09) --------------------------------------------------------------
    async closeDay() {
      const r = await this.run('close', () => Anchang.post('/projects/{p}/days/close', {day: this.close.day}),
        r => `已日结 Closed ${r.day} (ATT-09)`);
      if (r) this.close.result = r;
    },
  }));
});
