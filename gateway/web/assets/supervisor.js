// The supervisor's screen: uniform attestation, the sign-in order and its disputes (ATT-06),
// the rotation sheet's order with a reason (REC-01), refusals and picking (REC-09), poaching
// (CLI-09) and the day's material shortages (MAT-07). Every rule is the server's.
document.addEventListener('alpine:init', () => {
  const STATES = {free: '空闲 free', receiving: '接待中 receiving', lunch: '午餐 lunch',
    official_business: '公务 official business', away: '离岗 away', away_announced: '暂离 away, announced',
    passing: '放弃站位 passing', suspended: '停接 suspended', off_duty: '下班 off duty'};

  Alpine.store('office', {
    staff: [],
    async init() {
      this.staff = await Anchang.get('/projects/{p}/staff').catch(() => []);
    },
    consultants() { return this.staff.filter(s => s.roles.includes('consultant') && s.active !== false); },
    name(id) {
      const s = this.staff.find(x => x.id === id);
      return s ? s.name : (id ? `#${id}` : '—');
    },
  });
  const office = () => Alpine.store('office');
  const cited = d => `${d.rule} ${d.reason}`;

  Alpine.data('signIns', () => Anchang.screen({
    uniform: '',
    order: {order: [], invalid: []},
    disputants: [],
    async init() {
      await this.load();
      setInterval(() => this.load(), 5000);
    },
    async load() {
      const o = await Anchang.get('/projects/{p}/sign-ins/order').catch(() => null);
      if (o) this.order = o;
    },
    async attest() {
      const r = await this.act(() => Anchang.post('/projects/{p}/uniform-attestations',
        {person_id: this.uniform ? Number(this.uniform) : null}), cited);
      if (r) this.uniform = '';
    },
    async dispute() {
      const r = await this.act(() => Anchang.post('/projects/{p}/sign-ins/disputes',
        {person_ids: this.disputants}), cited);
      if (r) { this.disputants = []; await this.load(); }
    },
  }));

  Alpine.data('sheet', () => Anchang.screen({
    list: [],
    reason: '',
    dirty: false,
    async init() {
      await this.load();
      setInterval(() => { if (!this.dirty) this.load(); }, 5000);
    },
    // The order to change is the sheet's sign-in tie-break (signin_seq) of those on duty.
    show(sheet) {
      this.list = (sheet.entries || []).filter(e => e.state !== 'off_duty')
        .sort((a, b) => a.signin_seq - b.signin_seq);
    },
    async load(force) {
      const s = await Anchang.get('/projects/{p}/rotation-sheet').catch(() => null);
      if (s && (force || !this.dirty)) { this.show(s); this.dirty = false; }
    },
    state(s) { return s && s !== 'free' ? (STATES[s] || s) : ''; },
    move(i, step) {
      const j = i + step;
      if (j < 0 || j >= this.list.length) return;
      const list = this.list.slice();
      [list[i], list[j]] = [list[j], list[i]];
      this.list = list;
      this.dirty = true;
    },
    async save() {
      const r = await this.act(() => Anchang.post('/projects/{p}/rotation-sheet/reorder',
        {order: this.list.map(e => e.person_id), reason: this.reason}),
      s => `REC-01 已按新顺序保存 Reordered: ${s.entries.filter(e => e.state !== 'off_duty')
        .sort((a, b) => a.signin_seq - b.signin_seq).map(e => e.name).join(' → ')} — ${this.reason.trim()}`);
      if (r) { this.show(r); this.dirty = false; this.reason = ''; }
    },
  }));

  Alpine.data('refusal', () => Anchang.screen({
    form: {person_id: '', kind: 'refusal', note: ''},
    async record() {
      const body = {person_id: this.form.person_id ? Number(this.form.person_id) : null, kind: this.form.kind};
      if (this.form.note.trim()) body.note = this.form.note.trim();
      const r = await this.act(() => Anchang.post('/projects/{p}/refusals', body), cited);
      if (r) this.form = {person_id: '', kind: 'refusal', note: ''};
    },
  }));

  Alpine.data('poaching', () => Anchang.screen({
    form: {customer_id: '', person_id: ''},
    customers: [],
    async init() { await this.loadCustomers(); },
    async loadCustomers() {
      this.customers = await Anchang.get('/projects/{p}/customers').catch(() => this.customers);
    },
    async record() {
      const r = await this.act(() => Anchang.post(
        `/projects/{p}/customers/${this.form.customer_id || 0}/poaching`,
        {person_id: this.form.person_id ? Number(this.form.person_id) : null}), cited);
      if (r) { this.form = {customer_id: '', person_id: ''}; await this.loadCustomers(); }
    },
  }));

  Alpine.data('shortages', () => Anchang.screen({
    day: {shortages: []},
    note: '',
    async init() { await this.load(); },
    async load() {
      const d = await Anchang.get('/projects/{p}/materials/shortages').catch(() => null);
      if (d) this.day = d;
    },
    async report() {
      const body = {day: this.day.day || Anchang.today()};
      if (this.note.trim()) body.note = this.note.trim();
      const r = await this.act(() => Anchang.post('/projects/{p}/materials/shortages/report', body),
        x => `MAT-07 ${x.reason}`);
      if (r) { this.note = ''; await this.load(); }
    },
  }));
});
