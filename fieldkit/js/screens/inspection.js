// The inspection record: who is present, the checklist, hazards, signatures, and finishing. A finished
// record is read-only; a returned one can be reopened, corrected and finished again.
import * as db from '../db.js';
import {finishProblems, itemsFor} from '../checklist.js';
import {correctionEntry} from '../corrections.js';
import {pick, showTime, t} from '../i18n.js';
import {button, field, h, nowIso, show, toast} from '../ui.js';
import {itemCard} from './items.js';
import {makeContext} from './record_edit.js';
import {feedbackPanel, signaturesPanel} from './record_parts.js';
import {statusTag} from './tasks.js';

export async function inspectionScreen(view, app, inspectionId) {
  const inspection = await db.get(inspectionId);
  if (!inspection) return show(view, h('p.empty', {}, t('fk.inspection.gone')));
  const task = await db.get(inspection.task);
  const [{site, enterprise, checklist}, {hazards, photos}, {reviews, rejections}] = await Promise.all([
    db.reference(task), db.partsOf(inspection._id), db.feedback()]);
  const ctx = makeContext(app, {inspection, task, hazards, photos, review: reviews.get(inspection._id),
                                rejections, items: itemsFor(task, checklist, enterprise), view}, redraw);
  show(view,
    h('h1', {}, task.enterprise_name), h('p.note', {}, site?.name || ''),
    statusTag(inspection, ctx.review, rejections.get(inspection._id)),
    checkinSummary(inspection),
    feedbackPanel(ctx),
    peoplePanel(ctx),
    h('section.checklist', {}, h('h2', {}, pick(checklist?.title) || t('fk.task.reinspection', {n: ctx.items.length})),
      groupedItems(ctx)),
    hazardsPanel(ctx),
    signaturesPanel(ctx),
    ctx.editable ? finishPanel(ctx) : null,
    button(t('fk.back'), () => app.go('task', task._id)));
}

// Redraw one item and the panels that depend on the answers in place (no jump to the top of a long list).
const redraw = {
  item(ctx, item) {
    ctx.view.querySelector(`[data-t=item][data-item="${CSS.escape(item.key)}"]`)?.replaceWith(itemCard(item, ctx));
    redraw.panels(ctx);
  },
  panels(ctx) {
    ctx.view.querySelector('[data-t=signatures]')?.replaceWith(signaturesPanel(ctx));
    ctx.view.querySelector('[data-t=finish]')?.replaceWith(finishPanel(ctx));
  },
};

function checkinSummary(inspection) {
  const c = inspection.checkin || {};
  const pos = c.position;
  return h('p.checkin', {'data-t': 'checkin'},
    t('fk.inspection.checked_in', {at: showTime(c.scanned_at)}),
    ` · ${t(c.method === 'typed' ? 'fk.inspection.method_typed' : 'fk.inspection.method_scan')}`,
    pos ? ` · ${t('fk.inspection.accuracy', {m: Math.round(pos.accuracy_m)})}` : ` · ${t('fk.checkin.no_position')}`,
    c.override_reason ? h('span.override', {}, ` · ${t('fk.inspection.override', {reason: c.override_reason})}`) : null);
}

function peoplePanel(ctx) {
  const doc = ctx.inspection;
  const input = (name, value, max, onchange) => h('input', {name, value: value || '', maxLength: max,
                                                             disabled: !ctx.editable, onchange});
  const person = (role) => {
    const current = doc[role] || {name: '', role: '', phone: ''};
    const set = (key) => (e) => ctx.persist((d) => {
      const next = {...(d[role] || {name: '', role: '', phone: ''}), [key]: e.target.value.trim()};
      d[role] = next.name ? next : null;
    }).then(() => ctx.refreshPanels());
    return h(`fieldset.${role}`, {}, h('legend', {}, t(`fk.people.${role}`)),
      field(t('fk.people.name'), input(`${role}-name`, current.name, 50, set('name'))),
      field(t('fk.people.role'), input(`${role}-role`, current.role, 50, set('role'))),
      field(t('fk.people.phone'), input(`${role}-phone`, current.phone, 30, set('phone'))));
  };
  return h('section.people.card', {},
    field(t('fk.people.place'), input('place', doc.place, 200, (e) => ctx.persist((d) => { d.place = e.target.value; }))),
    field(t('fk.people.purpose'), input('purpose', doc.purpose, 300, (e) => ctx.persist((d) => { d.purpose = e.target.value; }))),
    person('manager'), person('witness'));
}

function groupedItems(ctx) {
  const groups = new Map();
  for (const item of ctx.items) {
    const name = pick(item.group) || '';
    if (!groups.has(name)) groups.set(name, []);
    groups.get(name).push(item);
  }
  return [...groups].map(([name, items]) => h('div.group', {'data-t': 'group'}, name ? h('h3', {}, name) : null,
    ctx.editable && ctx.task.kind !== 'reinspection' ? sectionNotApplicable(items, ctx) : null,
    h('ol.items', {}, items.map((item) => itemCard(item, ctx)))));
}

/** 本部分不适用: every item of a section the enterprise does not have (no dust, no ammonia) at once. */
function sectionNotApplicable(items, ctx) {
  return h('button.section-na', {type: 'button', 'data-t': 'section-na', onclick: async () => {
    await ctx.persist((doc) => {
      const answers = doc.answers || (doc.answers = []);
      for (const item of items) {
        const answer = answers.find((a) => a.item === item.key);
        if (answer) answer.value = 'na';
        else answers.push({item: item.key, value: 'na', note: '', photos: []});
      }
    });
    ctx.app.render();
  }}, t('fk.section.na', {n: items.length}));
}

function hazardsPanel(ctx) {
  return h('section.hazards', {'data-t': 'hazards'}, h('h2', {}, t('fk.hazards.title', {n: ctx.hazards.length})),
    h('ul.cards', {}, ctx.hazards.map((hz) => h('li.card.hazard', {'data-t': 'hazard', onclick: () => ctx.app.go('hazard', hz._id)},
      h('span.tag', {}, t(`fk.grade.${hz.grade}`)), ' ', hz.description,
      h('span.n', {}, ` · ${t('fk.hazards.photos', {n: (hz.photos || []).length})}`)))),
    ctx.editable ? button(t('fk.hazards.add'), () => ctx.newHazard(null), 'add-hazard') : null);
}

function finishPanel(ctx) {
  const problems = finishProblems(ctx.inspection, ctx.items, ctx.hazards, ctx.task);
  return h('section.finish.card', {'data-t': 'finish'},
    ctx.inspection.correcting ? correctionField(ctx) : null,
    problems.length ? h('ul.problems', {'data-t': 'problems'}, problems.map(([key, params]) => h('li', {}, t(key, params)))) : null,
    h('button.primary', {type: 'button', disabled: problems.length > 0, 'data-t': 'finish-button', onclick: async () => {
      await ctx.persist((d) => {
        if (d.correcting) {  // a corrected version: what changed, when, and the inspector's note
          d.corrections = [...(d.corrections || []), correctionEntry(d, ctx.hazards, nowIso())];
          delete d.correcting;
        }
        d.status = 'finished';
        d.finished_at = nowIso();
      });
      toast(t('fk.finish.done'));
      ctx.app.render();
    }}, t('fk.finish.button')));
}

/** 更正说明: a record reopened after submission is finished again only with the inspector's note. */
function correctionField(ctx) {
  const note = h('textarea', {name: 'correction_note', rows: 3, maxLength: 300, 'data-t': 'correction-note',
                              value: ctx.inspection.correcting.note || '', placeholder: t('fk.sig.correction_hint'),
                              onchange: (e) => ctx.persist((d) => { if (d.correcting) d.correcting.note = e.target.value.trim(); })
                                .then(() => ctx.refreshPanels())});
  return field(t('fk.sig.correction_label'), note);
}
