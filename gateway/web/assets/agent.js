// The channel agent's phone screen: report a customer (CLI-06), see only my own reports.
document.addEventListener('alpine:init', () => {
  const STATUS = {reported: '有效 reported', channel: '渠道到访 channel visit',
    passed_over: '未获认定 passed over', expired: '已过期 expired', honoured: '已兑现 honoured'};
  Alpine.data('agent', () => Anchang.screen({
    form: {name: '', phone: ''},
    reports: [],
    policy: {},
    async init() {
      this.policy = await Anchang.get('/projects/{p}/policy/clients').catch(() => ({}));
      await this.load();
    },
    async load() {
      this.reports = await Anchang.get('/projects/{p}/channel-reports').catch(() => []);
    },
    status(s) { return STATUS[s] || s; },
    async report() {
      const r = await this.act(() => Anchang.post('/projects/{p}/channel-reports', this.form),
        r => `已报备 Reported: ${r.name} (${r.rule || 'CLI-06'})`);
      if (r) { this.form = {name: '', phone: ''}; await this.load(); }
    },
  }));
});
