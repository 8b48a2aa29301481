// The consultant's phone screen (issue 15): today's punches and sign-in (ATT-03/04/06), my place
// in the rotation (REC-01/02), my open reception (REC-06), pass, desk status and lunch (REC-04/05/
// 10, ATT-11), my customers (CLI-03/14), leave (ATT-07), my ledger (ATT-10) and "why" (SYS-01).
// Each section is its own small component; an action that changed something tells the others
// (the window event "changed") so they read the API again. Every rule is decided by the API.
document.addEventListener('alpine:init', () => {
  const ZH = {
    in: '上班 in', out: '下班 out', on_time: '准时 on time', late: '迟到 late', early: '早退 early',
    free: '空闲 free', receiving: '接待中 receiving', lunch: '午餐 lunch', passing: '放弃站位 passing',
    official_business: '公务 official business', away_announced: '已告知短暂离开 away (announced)',
    away: '离开 away', suspended: '停接 suspended', off_duty: '未上岗 off duty', back: '回到前台 back',
    open: '接待中 open', completed: '已完成 completed', requested: '待批 requested',
    approved: '已批准 approved', refused: '已拒绝 refused', returned: '已销假 returned',
    personal: '事假 personal', annual: '年假 annual', sick: '病假 sick', compensatory: '调休 compensatory',
    turn: '轮序 turn', violation: '违纪单 violation slip', warning: '警告单 warning slip',
  };
  const me = () => Anchang.person() || {};
  const changed = () => window.dispatchEvent(new CustomEvent('changed'));

  // One section: load() on start and whenever another section changed something; run() is
  // act() that tells the others on success. (Copied by descriptor: getters stay getters.)
  const merge = (...objs) => objs.reduce((to, o) =>
    Object.defineProperties(to, Object.getOwnPropertyDescriptors(o)), {});
  const part = extra => merge(Anchang.screen({}), {
    async init() { await this.load(); },
    async load() {},
    async run(fn, notice) {
      const r = await this.act(fn, notice);
      if (r !== undefined) changed();
      return r;
    },
    zh(word) { return ZH[word] || word; },
    why(service, type, id) { window.dispatchEvent(new CustomEvent('why', {detail: {service, type, id}})); },
  }, extra);

  Alpine.data('refresh', () => ({refresh: changed}));

  // 1. Today: punch in/out, sign in, my punches and my place in the sign-in order.
  Alpine.data('today', () => part({
    punches: [], order: {order: [], invalid: []},
    get mine() { return this.order.order.find(o => o.person_id === me().id); },
    get invalid() { return this.order.invalid.filter(o => o.person_id === me().id); },
    async load() {
      [this.punches, this.order] = await Promise.all([
        Anchang.get('/projects/{p}/punches').catch(() => []),
        Anchang.get('/projects/{p}/sign-ins/order').catch(() => ({order: [], invalid: []}))]);
    },
    punch(kind) {
      return this.run(() => Anchang.post('/projects/{p}/punches', {kind}),
        r => `已打卡 Punched ${this.zh(r.kind)} ${this.time(r.at)} · ${r.rule} ${r.reason}`);
    },
    signIn() {
      return this.run(() => Anchang.post('/projects/{p}/sign-ins', {}),
        r => `已签到 Signed in ${this.time(r.at)} · ${r.rule} ${r.reason}`);
    },
    whySignIn() { this.why('attendance', 'sign_in_day', `${me().id}-${this.order.day}`); },
  }));

  // 2. My place in the rotation: the board's rotation and desk positions.
  Alpine.data('place', () => part({
    board: null,
    get mine() { return this.board && this.board.rotation.find(r => r.person_id === me().id); },
    get desk() { return this.board && this.board.desk.find(d => d.person_id === me().id); },
    get next() { return this.board && this.board.rotation.find(r => r.place === 1); },
    async load() { this.board = await Anchang.get('/projects/{p}/board').catch(() => null); },
    marks(n) { return '∨'.repeat(n || 0); },
    whyPlace() { this.why('reception', 'consultant_day', `${Anchang.project()}-${this.board.day}-${me().id}`); },
  }));

  // 3. My open reception: complete it with the outcome and the floor plans handed out.
  Alpine.data('reception', () => part({
    receptions: [], forms: {}, guests: {},
    get open() { return this.receptions.filter(r => r.person_id === me().id && r.status === 'open'); },
    get done() { return this.receptions.filter(r => r.person_id === me().id && r.status !== 'open'); },
    async load() {
      const all = await Anchang.get('/projects/{p}/receptions').catch(() => []);
      for (const r of all) {
        this.forms[r.id] ||= {outcome: '', visit_registered: true, floor_plans: [{code: '', quantity: 1}]};
      }
      this.receptions = all;
      for (const r of this.open.filter(r => r.customer_id && !this.guests[r.customer_id])) {
        this.guests[r.customer_id] = await Anchang.get(`/projects/{p}/customers/${r.customer_id}`).catch(() => null);
      }
    },
    guest(r) {
      const c = this.guests[r.customer_id];
      return c ? `${c.name || '客户 Customer'} ${c.phone || ''}` : (r.customer_id ? `客户 Customer #${r.customer_id}` : '新客户 New customer');
    },
    plans(r) { return (r.floor_plans || []).map(f => `${f.code}×${f.quantity}`).join(', ') || '—'; },
    complete(r) {
      const f = this.forms[r.id];
      const body = {outcome: f.outcome, visit_registered: f.visit_registered,
        floor_plans: f.floor_plans.filter(p => p.code).map(p => ({code: p.code, quantity: Number(p.quantity)}))};
      return this.run(() => Anchang.post(`/projects/{p}/receptions/${r.id}/complete`, body),
        x => `接待已完成 Reception completed (REC-06) ${this.time(x.completed_at)}`);
    },
  }));

  // 4. Pass (REC-05), my desk status (REC-03/04/10) and lunch in my turn (ATT-11). After a pass
  // or a status change the notice is the platform's own decision (its rule and reason, SYS-01),
  // not words the screen makes up.
  Alpine.data('desk', () => part({
    policy: {}, lunch: {order: []}, sheet: {entries: []}, board: null,
    pass: {minutes: null}, status: {state: 'official_business', detail: ''},
    states: ['official_business', 'away_announced', 'away', 'back'],
    get entry() { return this.sheet.entries.find(e => e.person_id === me().id); },
    get myLunch() { return this.lunch.order.find(o => o.person_id === me().id); },
    // the board's words for my state: "至 until 09:35" for a pass, the errand and since when
    get detail() {
      const mine = this.entry && ((this.board || {})[this.entry.state] || []).find(b => b.person_id === me().id);
      return (mine && mine.detail) || (this.entry && this.entry.detail) || '';
    },
    async init() {
      this.policy = await Anchang.get('/projects/{p}/policy/reception').catch(() => ({}));
      this.pass.minutes = this.policy.pass_min_minutes || 30;
      await this.load();
    },
    async load() {
      [this.lunch, this.sheet, this.board] = await Promise.all([
        Anchang.get('/projects/{p}/lunch').catch(() => ({order: []})),
        Anchang.get('/projects/{p}/rotation-sheet').catch(() => ({entries: []})),
        Anchang.get('/projects/{p}/board').catch(() => null)]);
    },
    // The answer carries the platform's decision about me (rule and reason, SYS-01).
    said(r, otherwise) { return r.decision ? `${r.decision.rule} ${r.decision.reason}` : otherwise; },
    async passNow() {
      const minutes = Number(this.pass.minutes);
      await this.run(() => Anchang.post('/projects/{p}/passes', {minutes}),
        r => this.said(r, `REC-05 已放弃站位 Passing for ${minutes} min`));
    },
    async setStatus() {
      const state = this.status.state, body = {state};
      if (this.status.detail) body.detail = this.status.detail;
      const r = await this.run(() => Anchang.api('PUT', `/projects/{p}/desk-status/${me().id}`, body),
        x => this.said(x, `状态已更新 Status: ${this.zh(state)}`) + (x.notice ? ' · ' + x.notice : ''));
      if (r) this.status.detail = '';
    },
    lunchAt(what) {
      return this.run(() => Anchang.post(`/projects/{p}/lunch/${what}`),
        r => `${r.rule} ${r.reason}`);
    },
  }));

  // 5. My customers (phones as the API returns them, CLI-14) and follow-ups (CLI-03).
  Alpine.data('customers', () => part({
    customers: [], notes: {},
    async load() {
      this.customers = await Anchang.get('/projects/{p}/customers', {owner_id: me().id}).catch(() => []);
    },
    followUp(c) {
      return this.run(() => Anchang.post(`/projects/{p}/customers/${c.id}/follow-ups`, {note: this.notes[c.id] || ''}),
        r => { this.notes[c.id] = ''; return `已跟进 Followed up ${c.name || ''} · ${r.rule} ${r.reason}`; });
    },
  }));

  // 6. Leave (ATT-07): the policy's deadlines shown before asking; my requests.
  Alpine.data('leave', () => part({
    policy: {}, requests: [],
    form: {leave_type: 'personal', start_day: '', end_day: '', handover_note: '', emergency: false},
    types: ['personal', 'annual', 'sick', 'compensatory'],
    async init() {
      this.policy = await Anchang.get('/projects/{p}/policy/attendance').catch(() => ({}));
      await this.load();
    },
    async load() { this.requests = await Anchang.get('/projects/{p}/leave').catch(() => []); },
    ask() {
      const body = Object.fromEntries(Object.entries(this.form).filter(([, v]) => v !== ''));
      return this.run(() => Anchang.post('/projects/{p}/leave', body),
        r => `已申请 Requested · ${r.rule} ${r.reason}`);
    },
  }));

  // 7. My ledger (ATT-10): fines and slips, each with its rule and reason.
  Alpine.data('ledger', () => part({
    lines: [],
    async load() { this.lines = await Anchang.get('/projects/{p}/ledger').catch(() => []); },
  }));

  // 8. Why (SYS-01): the chain of decisions about one record, in a dialog.
  Alpine.data('why', () => part({
    subject: null, chain: [],
    async show({service, type, id}) {
      this.subject = `${service}/${type}/${id}`;
      this.chain = [];
      this.$refs.dialog.showModal();
      const r = await this.act(() => Anchang.get(`/why/${service}/${type}/${encodeURIComponent(id)}`));
      this.chain = r ? r.decisions : [];
    },
  }));
});
