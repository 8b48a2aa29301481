// The platform admin's desk screen (issue 15): projects, and a chosen project's staff and their
// roles (SYS-02). The screen decides no rule: the attendance service answers each call.
'use strict';

const ROLE_NAMES = {consultant: '置业顾问 consultant', supervisor: '销售主管 supervisor', manager: '案场经理 manager',
  clerk: '销售内业 clerk', receptionist: '前台 receptionist', channel_agent: '渠道 channel agent',
  storekeeper: '物料保管 storekeeper', admin: '平台管理 admin'};

document.addEventListener('alpine:init', () => {
  Alpine.data('admin', () => Anchang.screen({
    roleNames: ROLE_NAMES,
    projects: [], chosen: '', staff: [],
    project: {code: '', name: '', timezone: 'Asia/Shanghai'},
    person: {username: '', name: '', password: '', roles: []},
    editing: null, editRoles: [],

    async init() {
      await this.loadProjects();
      if (this.projects.length) await this.choose(String((this.me && this.me.project_id) || this.projects[0].id));
    },
    roleText(roles) { return (roles || []).map(r => ROLE_NAMES[r] || r).join('、'); },
    chosenProject() { return this.projects.find(p => String(p.id) === String(this.chosen)); },

    async loadProjects() {
      const r = await this.run('projects', () => Anchang.get('/projects'));
      if (r) this.projects = r;
    },
    async addProject() {
      const r = await this.run('projects', () => Anchang.post('/projects', this.project),
        r => `已建项目 Project created: ${r.name} (${r.code})`);
      if (r) {
        this.project = {code: '', name: '', timezone: 'Asia/Shanghai'};
        await this.loadProjects();
        await this.choose(String(r.id), true);
      }
    },
    async choose(id, keepNotice) {
      this.chosen = id;
      this.editing = null;
      const r = keepNotice ? await Anchang.get(`/projects/${id}/staff`).catch(() => null)
        : await this.run('staff', () => Anchang.get(`/projects/${id}/staff`));
      if (r) this.staff = r;
    },

    async addPerson() {
      const r = await this.run('staff', () => Anchang.post(`/projects/${this.chosen}/staff`, this.person),
        r => `已添加员工 Staff member added: ${r.name} (${r.username}) · ${this.roleText(r.roles)}`);
      if (r) {
        this.person = {username: '', name: '', password: '', roles: []};
        this.staff = await Anchang.get(`/projects/${this.chosen}/staff`).catch(() => this.staff);
      }
    },
    edit(p) { this.editing = p; this.editRoles = [...p.roles]; },
    async saveRoles() {
      const p = this.editing;
      const r = await this.run('staff', () => Anchang.api('PUT', `/staff/${p.id}/roles`, {roles: this.editRoles}),
        r => `已更新角色 Roles set: ${r.name} · ${this.roleText(r.roles)}`);
      if (r) {
        this.editing = null;
        this.staff = await Anchang.get(`/projects/${this.chosen}/staff`).catch(() => this.staff);
      }
    },
  }));
});
