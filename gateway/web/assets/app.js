// The one client of the public API that every screen shares (issue 15). A screen never decides a
// rule: it sends what the person asked for and shows the answer, or the refusal with its rule.
// Load order, at the end of <body>: app.js, the page's own script, then /vendor/alpine.js.
'use strict';

const SESSION_KEY = 'anchang_session';

// Each role's main screen, in menu order (SYS-02: a person sees only what their roles allow;
// the service still checks every call).
const SCREENS = [
  {href: '/app/consultant', zh: '置业顾问', en: 'Consultant', roles: ['consultant']},
  {href: '/app/reception', zh: '前台', en: 'Front desk', roles: ['receptionist', 'supervisor', 'manager']},
  {href: '/app/supervisor', zh: '销售主管', en: 'Supervisor', roles: ['supervisor', 'manager']},
  {href: '/app/manager', zh: '案场经理', en: 'Manager', roles: ['manager']},
  {href: '/app/clerk', zh: '销售内业', en: 'Clerk', roles: ['clerk', 'manager']},
  {href: '/app/storekeeper', zh: '物料保管', en: 'Storekeeper', roles: ['storekeeper', 'manager']},
  {href: '/app/agent', zh: '渠道报备', en: 'Channel agent', roles: ['channel_agent']},
  {href: '/app/admin', zh: '平台管理', en: 'Admin', roles: ['admin']},
  {href: '/board', zh: '轮序看板', en: 'TV board', roles: ['receptionist', 'supervisor', 'manager', 'consultant', 'display']},
];

class ApiError extends Error {
  constructor(status, error) {
    super((error && error.message) || `HTTP ${status}`);
    this.status = status;
    this.code = error && error.code;
    this.rule = error && error.rule;
    this.field = error && error.field;
  }
}

const Anchang = {
  ApiError,
  SCREENS,

  session() {
    try { return JSON.parse(localStorage.getItem(SESSION_KEY)); } catch (e) { return null; }
  },
  person() { const s = Anchang.session(); return s ? s.person : null; },
  project() {
    const fromUrl = new URLSearchParams(location.search).get('project');
    const p = Anchang.person();
    return Number(fromUrl || (p && p.project_id) || 1);
  },
  roles() { const p = Anchang.person(); return p ? p.roles : []; },
  hasRole(...roles) { return roles.some(r => Anchang.roles().includes(r)); },
  screens() { return SCREENS.filter(s => Anchang.hasRole(...s.roles)); },

  async login(username, password) {
    const r = await fetch('/v1/auth/login', {method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({username, password})});
    const body = await Anchang._json(r);
    if (!r.ok) throw new ApiError(r.status, body.error);
    localStorage.setItem(SESSION_KEY, JSON.stringify(body));
    return body.person;
  },
  logout() {
    localStorage.removeItem(SESSION_KEY);
    location.href = '/app/home';
  },

  // api('POST', '/projects/{p}/punches', {...}): '{p}' is the caller's project. Writes carry an
  // Idempotency-Key so a retried click is applied once (SYS: a fact is never applied twice).
  async api(method, path, body, query) {
    const s = Anchang.session();
    const url = new URL('/v1' + path.replace('{p}', Anchang.project()), location.origin);
    for (const [k, v] of Object.entries(query || {})) {
      if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v);
    }
    const headers = {};
    if (s) headers.Authorization = 'Bearer ' + s.token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET') headers['Idempotency-Key'] = Anchang.key();
    let r;
    try {
      r = await fetch(url, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
    } catch (e) {
      throw new ApiError(0, {code: 'offline', message: '连接中断 connection lost: ' + e.message});
    }
    if (r.status === 401 && s) {   // revoked, expired, roles changed: log in again
      localStorage.removeItem(SESSION_KEY);
      Anchang.mountLogin('登录已失效，请重新登录 Your session ended; log in again');
    }
    const data = await Anchang._json(r);
    if (!r.ok) throw new ApiError(r.status, data.error);
    return data;
  },
  get(path, query) { return Anchang.api('GET', path, undefined, query); },
  post(path, body) { return Anchang.api('POST', path, body || {}); },

  // A file from an export route, saved under the name the server gives.
  async download(path, query) {
    const url = new URL('/v1' + path.replace('{p}', Anchang.project()), location.origin);
    for (const [k, v] of Object.entries(query || {})) url.searchParams.set(k, v);
    const r = await fetch(url, {headers: {Authorization: 'Bearer ' + Anchang.session().token}});
    if (!r.ok) throw new ApiError(r.status, (await Anchang._json(r)).error);
    const name = (/filename="([^"]+)"/.exec(r.headers.get('Content-Disposition') || '') || [])[1] || 'export';
    const a = document.createElement('a');
    a.href = URL.createObjectURL(await r.blob());
    a.download = name;
    a.click();
    return name;
  },

  async _json(r) {
    try { return await r.json(); } catch (e) { return {}; }
  },
  key() {
    return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random()).replace(/[^0-9a-f-]/gi, '');
  },

  // Times: the office's local time (SYS-04, Asia/Shanghai by default).
  tz: 'Asia/Shanghai',
  time(iso) {
    if (!iso) return '—';
    return new Date(iso).toLocaleTimeString('zh-CN', {timeZone: Anchang.tz, hour12: false});
  },
  dateTime(iso) {
    if (!iso) return '—';
    return new Date(iso).toLocaleString('zh-CN', {timeZone: Anchang.tz, hour12: false});
  },
  today() {
    return new Date().toLocaleDateString('sv-SE', {timeZone: Anchang.tz});   // YYYY-MM-DD
  },
  // "2 分 05 秒" from seconds
  duration(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    const m = Math.floor(seconds / 60), s = seconds % 60;
    return m >= 60 ? `${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}:${String(s).padStart(2, '0')}`
      : `${m}:${String(s).padStart(2, '0')}`;
  },

  // The state every screen component starts from: a refusal shown with its rule, a notice after
  // success, and busy while a request runs. act(fn, notice) runs one user action.
  screen(extra) {
    return Object.assign({
      error: null, notice: '', busy: false,
      me: Anchang.person(),
      async act(fn, notice) {
        this.error = null; this.notice = ''; this.busy = true;
        try {
          const result = await fn();
          if (notice) this.notice = typeof notice === 'function' ? notice(result) : notice;
          return result;
        } catch (e) {
          this.error = e instanceof ApiError ? e : new ApiError(0, {message: String(e)});
          return undefined;
        } finally { this.busy = false; }
      },
      // a screen of several cards: run(where, …) marks which card the refusal or notice is for
      where: '',
      async run(where, fn, notice) { this.where = where; return this.act(fn, notice); },
      refused(where) { return !!this.error && this.where === where; },
      noticed(where) { return !!this.notice && this.where === where; },
      has(...roles) { return Anchang.hasRole(...roles); },
      time: Anchang.time, dateTime: Anchang.dateTime, duration: Anchang.duration,
    }, extra);
  },

  // The monthly report (ATT-12) as the clerk's and the manager's screens show it; merge into a
  // screen with {...Anchang.monthlyReport(), …}.
  monthlyReport() {
    return {
      report: {year: '', month: '', rows: [], submission: null},
      async loadReport() {
        const r = await this.run('report', () => Anchang.get('/projects/{p}/reports/monthly',
          {year: this.report.year, month: this.report.month}));
        if (r) Object.assign(this.report, {year: r.year, month: r.month, rows: r.rows, submission: r.submission});
      },
      cell(row, c) { const v = row[c]; return v === undefined || v === null ? '—' : v; },
      label() { return `${this.report.year}-${String(this.report.month).padStart(2, '0')}`; },
    };
  },

  // -- page frame: the header with the menu, or the login form --------------------------------
  mountHeader() {
    const p = Anchang.person();
    const header = document.createElement('header');
    header.className = 'top';
    const title = document.createElement('a');
    title.href = '/app/home';
    title.className = 'brand';
    title.innerHTML = '案场 <span class="en">Anchang</span>';
    header.appendChild(title);
    if (p) {
      const nav = document.createElement('nav');
      nav.setAttribute('aria-label', '菜单 Menu');
      for (const s of Anchang.screens()) {
        const a = document.createElement('a');
        a.href = s.href;
        a.innerHTML = `${s.zh} <span class="en">${s.en}</span>`;
        if (location.pathname === s.href) a.setAttribute('aria-current', 'page');
        nav.appendChild(a);
      }
      header.appendChild(nav);
      const who = document.createElement('span');
      who.className = 'who';
      who.textContent = `${p.name} · ${p.roles.join(', ')}`;
      const out = document.createElement('button');
      out.type = 'button';
      out.className = 'link';
      out.textContent = '退出 Log out';
      out.addEventListener('click', Anchang.logout);
      who.appendChild(out);
      header.appendChild(who);
    }
    document.body.prepend(header);
  },

  // Keep Alpine out of a screen the person may not use (it would call the API for nothing).
  hideMain() {
    const main = document.querySelector('main');
    if (main) { main.hidden = true; main.setAttribute('x-ignore', ''); }
  },

  mountLogin(message) {
    Anchang.hideMain();
    if (document.getElementById('login')) return;
    const box = document.createElement('section');
    box.id = 'login';
    box.className = 'card login';
    box.innerHTML = `
      <h1>登录 <span class="en">Log in</span></h1>
      <p class="notice" role="status"></p>
      <form>
        <label>用户名 <span class="en">Username</span><input name="username" autocomplete="username" required></label>
        <label>密码 <span class="en">Password</span><input name="password" type="password" autocomplete="current-password" required></label>
        <button type="submit">登录 Log in</button>
        <p class="refusal" role="alert" hidden></p>
      </form>`;
    box.querySelector('.notice').textContent = message || '';
    box.querySelector('.notice').hidden = !message;
    box.querySelector('form').addEventListener('submit', async ev => {
      ev.preventDefault();
      const f = new FormData(ev.target);
      const refusal = box.querySelector('.refusal');
      try {
        await Anchang.login(f.get('username'), f.get('password'));
        const next = new URLSearchParams(location.search).get('next');
        const first = Anchang.screens()[0];
        location.href = location.pathname === '/app/home' ? (next || (first ? first.href : '/app/home'))
          : location.href;
      } catch (e) {
        refusal.hidden = false;
        refusal.textContent = (e.rule ? e.rule + ' · ' : '') + e.message;
      }
    });
    document.body.appendChild(box);
  },

  // A page says which roles it is for with <body data-roles="a b">.
  guard() {
    const wanted = (document.body.dataset.roles || '').split(/\s+/).filter(Boolean);
    if (!Anchang.session()) { Anchang.mountLogin(); return false; }
    if (wanted.length && !Anchang.hasRole(...wanted)) {
      Anchang.hideMain();
      const p = document.createElement('p');
      p.className = 'refusal card';
      p.setAttribute('role', 'alert');
      p.textContent = `SYS-02 · 此页面仅限 This screen is for: ${wanted.join(', ')}`;
      document.body.appendChild(p);
      return false;
    }
    return true;
  },
};
window.Anchang = Anchang;

Anchang.mountHeader();
Anchang.allowed = Anchang.guard();
