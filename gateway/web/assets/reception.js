// The front desk (1366 px): walk-ins and who receives them and why (REC-03/07/08, CLI-08),
// desk calls and their SMS deadline (REC-12), desk states (REC-04/10), channel visit checks
// (CLI-06) and the board (REC-13), refreshed after each action. Every rule is the server's.
document.addEventListener('alpine:init', () => {
  const STATES = {free: '空闲 free', receiving: '接待中 receiving', lunch: '午餐 lunch',
    official_business: '公务 official business', away: '离岗 away', away_announced: '暂离(已告知) away, announced',
    passing: '放弃站位 passing', suspended: '停接 suspended', off_duty: '下班 off duty', back: '回到站位 back'};
  const KINDS = {turn: '轮序接待 rotation turn', returning: '老客户 returning customer',
    duty: '义务接待 duty reception', non_turn: '不计轮次 not a turn'};
  const SMS = {pending: '待发送 pending', on_time: '按时 on time', late: '超时 late', missing: '未发送 missing'};

  // What every card shares: the staff (names), the board and the server's clock.
  Alpine.store('desk', {
    staff: [],
    board: null,
    offset: 0,            // server time − browser time, from the board's "at"
    now: Date.now(),      // ticks every second: the SMS countdowns
    policy: {},
    async init() {
      this.staff = await Anchang.get('/projects/{p}/staff').catch(() => []);
      this.policy = await Anchang.get('/projects/{p}/policy/reception').catch(() => ({}));
      await this.loadBoard();
      setInterval(() => { this.now = Date.now(); }, 1000);
      setInterval(() => this.loadBoard(), 5000);
    },
    async loadBoard() {
      const b = await Anchang.get('/projects/{p}/board').catch(() => null);
      if (b) {
        this.board = b;
        if (b.at) this.offset = new Date(b.at).getTime() - Date.now();
      }
    },
    serverNow() { return this.now + this.offset; },
    consultants() { return this.staff.filter(s => s.roles.includes('consultant') && s.active !== false); },
    name(id) {
      const s = this.staff.find(x => x.id === id);
      if (s) return s.name;
      const b = this.board;
      const p = b && (b.rotation || []).find(x => x.person_id === id);
      return p ? p.name : (id ? `#${id}` : '—');
    },
  });
  const desk = () => Alpine.store('desk');
  const changed = () => desk().loadBoard();

  Alpine.data('walkIn', () => Anchang.screen({
    form: {phone: '', name: '', visit_kind: 'new', named_person_id: ''},
    kinds: [['new', '新客户 new'], ['returning_today', '当日回访 returning today'],
      ['already_bought', '已购客户 already bought'], ['supplementary_deposit', '补定 supplementary deposit'],
      ['industry_peer', '同行踩盘 industry peer']],
    result: null,
    async register(anonymous) {
      const body = {visit_kind: this.form.visit_kind};
      if (!anonymous) {
        if (this.form.phone.trim()) body.phone = this.form.phone.trim();
        if (this.form.name.trim()) body.name = this.form.name.trim();
      }
      if (this.form.named_person_id) body.named_person_id = Number(this.form.named_person_id);
      this.result = null;
      const r = await this.act(() => Anchang.post('/projects/{p}/walk-ins', body));
      if (r) {
        this.result = r;
        this.form = {phone: '', name: '', visit_kind: 'new', named_person_id: ''};
      }
      await changed();
    },
    receiverName() {
      const rec = this.result && this.result.reception;
      return rec ? desk().name(rec.person_id) : '';
    },
    kindLabel(k) { return KINDS[k] || k || ''; },
    deskCall() {
      return ((this.result && this.result.decisions) || []).find(d => d.rule === 'REC-02') || null;
    },
  }));

  Alpine.data('board', () => Anchang.screen({
    groups: [['receiving', '接待中 Receiving'], ['lunch', '午餐 At lunch'],
      ['official_business', '公务 Official business'], ['passing', '放弃站位 Passing'], ['suspended', '停止接待 Suspended']],
    b() { return desk().board; },
    marks(n) { return n ? '∨'.repeat(n) + ` (${n})` : '0'; },
    state(s) { return STATES[s] || s || ''; },
  }));

  Alpine.data('calls', () => Anchang.screen({
    form: {caller: '', phone: '', need: '', how_heard: '', answered_by: ''},
    list: [],
    async init() {
      await this.load();
      setInterval(() => this.load(), 15000);
    },
    async load() {
      this.list = (await Anchang.get('/projects/{p}/calls').catch(() => [])).slice().reverse();
    },
    minutes() { return desk().policy.sms_deadline_minutes ?? 5; },   // the hint's figure only
    smsLabel(s) { return SMS[s] || s; },
    // The deadline is the server's (REC-12: the call's end plus the project's SMS minutes), and
    // so is whether the SMS was on time (sms.status); the countdown only shows the time left.
    left(c) {
      return Anchang.duration((new Date(c.sms.deadline).getTime() - desk().serverNow()) / 1000);
    },
    async register() {
      const body = {answered_by: this.form.answered_by ? Number(this.form.answered_by) : null};
      for (const k of ['caller', 'phone', 'need', 'how_heard']) {
        if (this.form[k].trim()) body[k] = this.form[k].trim();
      }
      const r = await this.act(() => Anchang.post('/projects/{p}/calls', body),
        c => `已登记来电 Call registered: ${c.caller || c.phone_masked || '#' + c.id} → ${desk().name(c.answered_by)}`
          + (c.fine ? ` · REC-12 缺项罚款 fine ${c.fine}` : ''));
      if (r) this.form = {caller: '', phone: '', need: '', how_heard: '', answered_by: this.form.answered_by};
      await this.load();
      await changed();
    },
    async sms(c) {
      const r = await this.act(() => Anchang.post(`/projects/{p}/calls/${c.id}/sms`, {}),
        x => `短信已记录 SMS recorded: ${x.sms.rule} ${x.sms.reason}`);
      if (r) await this.load();
    },
  }));

  Alpine.data('deskState', () => Anchang.screen({
    form: {person_id: '', state: 'official_business', detail: ''},
    states: [['official_business', '公务 official business'], ['away_announced', '暂离(已告知) away, announced'],
      ['away', '离岗 away'], ['lunch', '午餐 lunch'], ['back', '回到站位 back']],
    async save() {
      const body = {state: this.form.state};
      if (this.form.detail.trim()) body.detail = this.form.detail.trim();
      const who = desk().name(Number(this.form.person_id));
      const r = await this.act(
        () => Anchang.api('PUT', `/projects/{p}/desk-status/${this.form.person_id || 0}`, body),
        `${who}: ${STATES[this.form.state] || this.form.state}`);
      if (r) this.form.detail = '';
      await changed();
    },
  }));

  Alpine.data('channelMatch', () => Anchang.screen({
    form: {name: '', phone: '', mentioned: true},
    async match() {
      await this.act(() => Anchang.post('/projects/{p}/channel-reports/match',
        {name: this.form.name.trim(), phone: this.form.phone.trim(), mentioned: this.form.mentioned}),
      d => `${d.rule} ${d.reason}`);
    },
  }));
});
