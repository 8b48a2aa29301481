// The storekeeper's desk screen (issue 15): stock with its low-stock marks (MAT-01, MAT-08),
// receipts with their inspection and the held goods (MAT-03), issue forms (MAT-04), stocktakes
// by two counters at least and the year's months (MAT-06), the catalogue. The screen decides no
// rule: the materials service answers, and a refusal is shown with its rule.
'use strict';

const CATEGORIES = {brochure: '楼书 brochure', floor_plan: '户型单页 floor plan', price_list: '价目表 price list',
  bag: '手提袋 bag', gift: '礼品 gift', laser_pointer: '激光笔 laser pointer', other: '其他 other'};
const MONTH_STATUS = {done: '已盘 done', due: '待盘 due', missed: '漏盘 missed', future: '未到 future'};
const FORM_STATUS = {pending: '待签收 pending', issued: '已出库 issued', cancelled: '已取消 cancelled'};

document.addEventListener('alpine:init', () => {
  Alpine.data('storekeeper', () => Anchang.screen({
    stock: [], staff: [], receipts: [], forms: [], requests: [], months: [], stocktake: null,
    categories: CATEGORIES,
    receipt: {item_id: '', quantity: '', inspector_id: '', passed: true, deliverer: '', note: ''},
    issue: {item_id: '', quantity: '', recipient_id: '', purpose: '', request_id: ''},
    count: {counters: [], full: false, lines: {}},
    item: {code: '', name: '', specification: '', unit: '', unit_price_cents: '', category: 'floor_plan', reorder_level: ''},

    async init() {
      this.staff = (await Anchang.get('/projects/{p}/staff').catch(() => [])).filter(p => p.active);
      await Promise.all([this.loadStock(), this.loadReceipts(), this.loadForms(), this.loadMonths()]);
    },
    who(id) { const p = this.staff.find(x => x.id === id); return p ? p.name : (id == null ? '—' : `#${id}`); },
    itemName(id) { const i = this.stock.find(x => x.id === id); return i ? `${i.name} (${i.code})` : `#${id}`; },
    others() { return this.staff.filter(p => !this.me || p.id !== this.me.id); },
    yuan(cents) { return cents == null ? '—' : (cents / 100).toFixed(2); },

    async loadStock() {
      const stock = await Anchang.get('/projects/{p}/materials/stock').catch(() => []);
      const lines = {};
      for (const i of stock) lines[i.id] = this.count.lines[i.id] || {counted: '', damaged: '', reason: ''};
      this.count.lines = lines;
      this.stock = stock;
    },
    async loadReceipts() { this.receipts = await Anchang.get('/projects/{p}/materials/receipts').catch(() => []); },
    held() { return this.receipts.filter(r => r.held_remaining > 0); },
    async loadForms() {
      [this.forms, this.requests] = await Promise.all([
        Anchang.get('/projects/{p}/materials/issue-forms').catch(() => []),
        Anchang.get('/projects/{p}/materials/requests').catch(() => [])]);
    },
    approvedRequests() {
      return this.requests.filter(r => r.status === 'approved' && String(r.item_id) === String(this.issue.item_id));
    },
    async loadMonths() { this.months = await Anchang.get('/projects/{p}/materials/stocktakes/months').catch(() => []); },

    // -- MAT-03 receipts ------------------------------------------------------------------------
    async addReceipt() {
      const f = this.receipt;
      const r = await this.run('receipt', () => Anchang.post('/projects/{p}/materials/receipts', {
        item_id: Number(f.item_id), quantity: Number(f.quantity), inspector_id: Number(f.inspector_id),
        inspection_passed: !!f.passed, deliverer: f.deliverer, note: f.note}),
      r => r.inspection_passed ? `已入库 Received: ${r.name} × ${r.quantity} (MAT-03)`
        : `验收不合格，暂存 Failed inspection, held: ${r.name} × ${r.quantity} (MAT-03)`);
      if (r) {
        Object.assign(this.receipt, {quantity: '', deliverer: '', note: '', passed: true});
        await Promise.all([this.loadStock(), this.loadReceipts()]);
      }
    },
    async resolve(receipt, action) {
      const r = await this.run('receipt', () => Anchang.post(`/projects/{p}/materials/receipts/${receipt.id}/resolve`, {action}),
        action === 'exchange' ? `已换货入库 Exchanged into stock: ${receipt.name} (MAT-03)` : `已退货 Returned: ${receipt.name} (MAT-03)`);
      if (r) await Promise.all([this.loadStock(), this.loadReceipts()]);
    },

    // -- MAT-04 issue forms -----------------------------------------------------------------------
    async addForm() {
      const f = this.issue;
      const body = {item_id: Number(f.item_id), quantity: Number(f.quantity), recipient_id: Number(f.recipient_id),
        purpose: f.purpose};
      if (f.request_id) body.request_id = Number(f.request_id);
      const r = await this.run('issue', () => Anchang.post('/projects/{p}/materials/issue-forms', body),
        r => `出库单 ${r.id} 已开，待 ${this.who(r.recipient_id)} 签收 Issue form made out; the recipient confirms it (MAT-04)`);
      if (r) { Object.assign(this.issue, {quantity: '', purpose: '', request_id: ''}); await this.loadForms(); }
    },
    async cancelForm(form) {
      const r = await this.run('issue', () => Anchang.post(`/projects/{p}/materials/issue-forms/${form.id}/cancel`),
        `出库单 ${form.id} 已取消 Issue form cancelled (MAT-04)`);
      if (r) await this.loadForms();
    },
    formStatus(s) { return FORM_STATUS[s] || s; },

    // -- MAT-06 stocktakes ------------------------------------------------------------------------
    async addStocktake() {
      const lines = [];
      for (const i of this.stock) {
        const l = this.count.lines[i.id];
        if (!l || l.counted === '' || l.counted === null) continue;
        const line = {item_id: i.id, counted: Number(l.counted), damaged: Number(l.damaged || 0)};
        if (l.reason) line.reasons = {surplus: l.reason, shortage: l.reason, damage: l.reason};
        lines.push(line);
      }
      const r = await this.run('stocktake', () => Anchang.post('/projects/{p}/materials/stocktakes', {
        counter_ids: this.count.counters.map(Number), full: !!this.count.full, lines}),
      r => `盘点已记录 Stocktake ${r.id} recorded (MAT-06): ${r.reason}`);
      if (r) {
        this.stocktake = r;
        for (const l of Object.values(this.count.lines)) Object.assign(l, {counted: '', damaged: '', reason: ''});
        await Promise.all([this.loadStock(), this.loadMonths()]);
      }
    },
    monthStatus(s) { return MONTH_STATUS[s] || s; },

    // -- MAT-01 the catalogue ---------------------------------------------------------------------
    async addItem() {
      const f = this.item;
      const r = await this.run('item', () => Anchang.post('/projects/{p}/materials/items', {
        code: f.code, name: f.name, specification: f.specification, unit: f.unit,
        unit_price_cents: Number(f.unit_price_cents), category: f.category, reorder_level: Number(f.reorder_level)}),
      r => `已加入目录 Added to the catalogue: ${r.name} (${r.code})`);
      if (r) {
        this.item = {code: '', name: '', specification: '', unit: '', unit_price_cents: '', category: f.category, reorder_level: ''};
        await this.loadStock();
      }
    },
    async download(path, format) {
      await this.run('stock', () => Anchang.download(path, {format}), name => `已下载 Downloaded: ${name}`);
    },
  }));
});
