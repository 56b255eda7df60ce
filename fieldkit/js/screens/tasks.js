// The task list: returned for correction, today, upcoming, done; each with where, when, who and what.
import * as db from '../db.js';
import {groupTasks} from '../checklist.js';
import {pick, t} from '../i18n.js';
import {h, show, today} from '../ui.js';

export async function tasksScreen(view, app) {
  const [tasks, inspections, {reviews, rejections}, sites] = await Promise.all([
    db.tasks(), db.inspections(), db.feedback(), db.sitesById()]);
  const groups = groupTasks(tasks, inspections, reviews, today());
  const section = (name, entries) => h(`section.tasks.${name}`, {'data-t': `tasks-${name}`},
    h('h2', {}, t(`fk.tasks.${name}`), h('span.n', {}, ` (${entries.length})`)),
    entries.length ? h('ul.cards', {}, entries.map((e) => card(e, sites.get(e.task.site), rejections, app)))
      : h('p.empty', {}, t('fk.tasks.none')));
  show(view,
    h('p.who', {}, t('fk.tasks.hello', {name: app.profile.display_name})),
    groups.returned.length ? section('returned', groups.returned) : null,
    section('today', groups.today), section('upcoming', groups.upcoming),
    groups.done.length ? section('done', groups.done) : null);
}

function card({task, inspection, review}, site, rejections, app) {
  const team = (task.team || []).map((m) => m.name).join('、');
  const rejected = inspection && rejections.get(inspection._id);
  return h('li.card.task', {'data-t': 'task', dataset: {task: task._id}, onclick: () => app.go('task', task._id)},
    h('h3', {}, task.enterprise_name),
    h('p.site', {}, site ? `${site.name} · ${site.address || ''}` : ''),
    h('p.window', {}, t('fk.task.window', {start: task.window.start, end: task.window.end})),
    team ? h('p.team', {}, t('fk.task.team', {names: team})) : null,
    h('p.checklist', {}, task.kind === 'reinspection' ? t('fk.task.reinspection', {n: (task.hazards || []).length})
      : pick(task.checklist_title) || task.checklist || ''),
    task.kind === 'report_verification' ? h('p.kind', {'data-t': 'report-kind'}, t('fk.task.report_verification')) : null,
    statusTag(inspection, review, rejected));
}

export function statusTag(inspection, review, rejected) {
  if (rejected) return h('span.tag.rejected', {'data-t': 'tag'}, t('fk.status.rejected'));
  if (review && (!inspection.corrects || inspection.corrects !== review.ref || inspection.status !== 'finished')) {
    return h(`span.tag.${review.decision}`, {'data-t': 'tag'}, t(`fk.review.${review.decision}`));
  }
  if (!inspection) return h('span.tag.new', {'data-t': 'tag'}, t('fk.status.new'));
  return h(`span.tag.${inspection.status}`, {'data-t': 'tag'}, t(`fk.status.${inspection.status}`));
}
