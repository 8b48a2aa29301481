// The TV board (REC-13): the board pushed by the gateway (/events/board/<project>, server-sent
// events read with fetch so the login travels in the Authorization header as everywhere else).
// A TV uses a display login (opened once from the link a manager made: #token=…); staff may
// also log in. Timers run on the server's clock (the offset of the board's "at").
'use strict';
(() => {
  const DISPLAY_KEY = 'anchang_display_token';
  const params = new URLSearchParams(location.search);
  const el = id => document.getElementById(id);
  const STATES = {free: '空闲 free', receiving: '接待中 receiving', lunch: '午餐 lunch',
    official_business: '公务 official', away: '离岗 away', away_announced: '暂离 away (announced)',
    passing: '放弃站位 passing', suspended: '停接 suspended', off_duty: '下班 off duty'};
  const TIMED = ['receiving', 'lunch', 'official_business', 'passing', 'suspended'];
  let offset = 0;            // server time minus this screen's time
  let board = null;
  let called = [];           // [{name, at}] newest first
  let abort = null;

  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    localStorage.setItem(DISPLAY_KEY, fromHash);
    history.replaceState(null, '', location.pathname + location.search);
  }
  function session() {
    try { return JSON.parse(localStorage.getItem('anchang_session')); } catch (e) { return null; }
  }
  function token() {
    const s = session();
    return localStorage.getItem(DISPLAY_KEY) || (s && s.token);
  }
  function project() {
    const s = session();
    return params.get('project') || (s && s.person && s.person.project_id) || '1';
  }

  function item(ul, text, time, cls) {
    const li = document.createElement('li');
    const name = document.createElement('span');
    name.textContent = text;
    li.appendChild(name);
    if (time !== undefined) {
      const t = document.createElement('span');
      t.className = 't ' + (cls || '');
      t.textContent = time;
      li.appendChild(t);
    }
    ul.appendChild(li);
    return li;
  }
  function empty(ul) {
    const li = item(ul, '—');
    li.className = 'empty';
  }
  function now() { return Date.now() + offset; }
  function clock(ms) {
    const s = Math.max(0, Math.floor(ms / 1000));
    const m = Math.floor(s / 60);
    return `${m}:${String(s % 60).padStart(2, '0')}`;
  }
  function hhmm(ms) {
    return new Date(ms).toLocaleTimeString('zh-CN', {timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hour12: false});
  }

  // Next up: the first of the rotation who is free (away, lunch, passing or suspended are skipped).
  function nextUp(b) {
    return (b.rotation || []).find(p => p.state === 'free') || null;
  }

  function render() {
    const b = board;
    const next = nextUp(b);
    el('next').textContent = next ? next.name : '—';
    el('next-why').textContent = next ? `REC-03 · ${next.marks} 次 marks` : '没有空闲的置业顾问 nobody free';
    const desk = el('desk');
    desk.textContent = '';
    ['第一接待 1st', '第二接待 2nd', '第三接待 3rd'].forEach((label, i) => {
      const p = (b.desk || [])[i];
      const li = document.createElement('li');
      li.dataset.position = i + 1;
      li.innerHTML = '<div class="n"></div><div class="who"></div><div class="marks"></div><div class="st"></div>';
      li.querySelector('.n').textContent = label;
      li.querySelector('.who').textContent = p ? p.name : '—';
      li.querySelector('.marks').textContent = p ? ('∨'.repeat(p.marks) || '0') : '';
      li.querySelector('.st').textContent = p && p.state && p.state !== 'free' ? (STATES[p.state] || p.state) : '';
      desk.appendChild(li);
    });
    const body = el('rotation');
    body.textContent = '';
    (b.rotation || []).forEach((p, i) => {
      const tr = document.createElement('tr');
      tr.dataset.personId = p.person_id;
      for (const text of [p.place || '—', p.name, '∨'.repeat(p.marks) + ' (' + p.marks + ')', STATES[p.state] || p.state]) {
        const td = document.createElement('td');
        td.textContent = text;
        tr.appendChild(td);
      }
      tr.children[2].className = 'marks';
      body.appendChild(tr);
    });
    el('notice').hidden = !b.notice;
    el('notice').textContent = b.notice ? '通知 Notice (REC-02): ' + b.notice : '';
    renderTimers();
    renderCalled();
  }

  // Each timed group: how long since the state began (a pass: how long until it ends).
  function renderTimers() {
    for (const group of TIMED) {
      const ul = el(group);
      ul.textContent = '';
      const people = board[group] || [];
      if (!people.length) { empty(ul); continue; }
      for (const p of people) {
        let t = '';
        if (p.until) t = '余 ' + clock(Date.parse(p.until) - now());
        else if (p.since) t = clock(now() - Date.parse(p.since));
        item(ul, p.name + (p.detail ? ' · ' + p.detail : ''), t);
      }
    }
    el('status').textContent = `${board.day || ''} · ${hhmm(now())}`;
  }

  function renderCalled() {
    const ul = el('called');
    ul.textContent = '';
    if (!called.length) { empty(ul); return; }
    for (const c of called) item(ul, c.name, hhmm(c.at));
  }

  // A short two-tone chime when someone is called (made here: no sound file to fetch).
  function chime() {
    try {
      const ctx = new (window.AudioContext || window.webkitAudioContext)();
      [[880, 0], [660, 0.25]].forEach(([f, at]) => {
        const o = ctx.createOscillator(), g = ctx.createGain();
        o.frequency.value = f;
        g.gain.setValueAtTime(0.2, ctx.currentTime + at);
        g.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + at + 0.6);
        o.connect(g).connect(ctx.destination);
        o.start(ctx.currentTime + at);
        o.stop(ctx.currentTime + at + 0.6);
      });
    } catch (e) { /* a TV without sound still shows the list */ }
  }

  function update(b) {
    const before = new Set(((board && board.receiving) || []).map(p => p.person_id));
    offset = b.at ? Date.parse(b.at) - Date.now() : 0;
    const fresh = board ? (b.receiving || []).filter(p => !before.has(p.person_id)) : [];
    for (const p of fresh) called.unshift({name: p.name, at: p.since ? Date.parse(p.since) : now()});
    called = called.slice(0, 6);
    board = b;
    if (fresh.length) chime();
    render();
  }

  function showLogin(message) {
    el('board').hidden = true;
    el('login').hidden = false;
    el('lost').hidden = true;
    if (message) { el('loginError').hidden = false; el('loginError').textContent = message; }
  }

  // Read the stream; on a broken connection show it and connect again after 3 s.
  async function listen() {
    const t = token();
    if (!t) { showLogin(); return; }
    abort = new AbortController();
    let r;
    try {
      r = await fetch('/events/board/' + project(), {headers: {Authorization: 'Bearer ' + t}, signal: abort.signal});
    } catch (e) { return lost(); }
    if (r.status === 401 || r.status === 403) {
      const body = await r.json().catch(() => ({}));
      localStorage.removeItem(DISPLAY_KEY);
      return showLogin(body.error ? `${body.error.rule || ''} ${body.error.message}` : '');
    }
    if (!r.ok || !r.body) return lost();
    el('login').hidden = true;
    el('board').hidden = false;
    el('lost').hidden = true;
    const reader = r.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const {value, done} = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, {stream: true});
        let cut;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = (/^event: (.*)$/m.exec(block) || [])[1];
          const data = (/^data: (.*)$/m.exec(block) || [])[1];
          if (event === 'board') update(JSON.parse(data));
          if (event === 'revoked') {
            localStorage.removeItem(DISPLAY_KEY);
            return showLogin('REC-13 ' + JSON.parse(data).message);
          }
        }
      }
    } catch (e) { /* fall through: the connection broke */ }
    lost();
  }
  function lost() {
    el('lost').hidden = false;
    setTimeout(listen, 3000);
  }

  el('loginForm').addEventListener('submit', async ev => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const r = await fetch('/v1/auth/login', {method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({username: f.get('username'), password: f.get('password')})});
    const b = await r.json().catch(() => ({}));
    if (!r.ok) { el('loginError').hidden = false; el('loginError').textContent = b.error ? b.error.message : r.status; return; }
    localStorage.setItem('anchang_session', JSON.stringify(b));
    el('loginError').hidden = true;
    listen();
  });

  setInterval(() => { if (board) renderTimers(); }, 1000);   // timers tick on this screen
  listen();
})();
