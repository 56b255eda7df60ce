// One task: the enterprise and site, the window, the team and the checklist; check in or continue.
import * as db from '../db.js';
import {pick, t} from '../i18n.js';
import {button, h, show} from '../ui.js';
import {statusTag} from './tasks.js';

export async function taskScreen(view, app, taskId) {
  const task = await db.get(taskId);
  if (!task || task.type !== 'task') return show(view, h('p.empty', {}, t('fk.task.gone')));
  const [{site, enterprise, checklist}, inspection, {reviews, rejections}] = await Promise.all([
    db.reference(task), db.inspectionOf(task._id), db.feedback()]);
  const review = inspection && reviews.get(inspection._id);
  const row = (label, value) => (value ? h('div.row', {}, h('dt', {}, label), h('dd', {}, value)) : null);
  show(view,
    h('h1', {}, task.enterprise_name),
    statusTag(inspection, review, inspection && rejections.get(inspection._id)),
    h('dl.facts', {},
      row(t('fk.task.uscc'), task.enterprise),
      row(t('fk.task.address'), enterprise?.address),
      row(t('fk.task.legal_rep'), enterprise?.legal_rep),
      row(t('fk.task.phone'), enterprise?.phone),
      row(t('fk.task.site'), site ? `${site.name} · ${site.address || ''}` : ''),
      row(t('fk.task.window_label'), `${task.window.start} — ${task.window.end}`),
      row(t('fk.task.team_label'), (task.team || []).map((m) => `${m.name}（${m.cert_no || '-'}）`).join('、')),
      row(t('fk.task.checklist_label'), task.kind === 'reinspection'
        ? t('fk.task.reinspection', {n: (task.hazards || []).length}) : pick(checklist?.title) || task.checklist),
      row(t('fk.task.plan'), task.plan_name),
      // a report's verification: what to look for and where (the reporter is never named on the phone)
      row(t('fk.task.report_check'), task.report_check?.text),
      row(t('fk.task.report_where'), task.report_check?.location),
      row(t('fk.task.photos_label'), task.report_check?.photos ? t('fk.task.report_photos', {n: task.report_check.photos}) : '')),
    inspection
      ? button(t(inspection.status === 'finished' ? 'fk.task.view_record' : 'fk.task.continue'),
               () => app.go('inspection', inspection._id), 'primary')
      : h('button.primary', {type: 'button', 'data-t': 'checkin-button', onclick: () => app.go('checkin', task._id)},
          t('fk.task.checkin')),
    button(t('fk.back'), () => app.go('')));
}
