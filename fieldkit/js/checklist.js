// The checklist's rules on the phone (pure): which answer fails an item, and what must be done before finishing.
import {pick} from './i18n.js';
import {currentSignatures} from './content.js';
import {correctionProblems} from './corrections.js';

/** The items to answer: the pinned template's for the enterprise's sector (its own sections and the
 * cross-cutting ones, `sector: "*"`), or for a re-inspection (复查) one per hazard to re-check. */
export function itemsFor(task, checklist, enterprise) {
  if (task?.kind === 'reinspection') {
    return (task.hazards || []).map((hz) => ({
      key: hz.hazard, answer: 'pass_fail', photo_required: true, major_if_failed: false,
      text: {zh: hz.description, en: hz.description}, basis: hz.location || '',
      group: {zh: '复查隐患', en: 'Hazards to re-check'}, deadline: hz.deadline, grade: hz.grade,
    }));
  }
  return forSector(checklist?.items || [], enterprise?.industry);
}

/** A machinery firm is not asked the metallurgy items; an enterprise of unknown sector sees them all. */
export function forSector(items, sector) {
  if (!sector) return items;
  return items.filter((item) => !item.sector || item.sector === '*' || item.sector === sector);
}

/** How a person reads an item in a message: its number in the list and the start of its text. */
export function itemLabel(item, items) {
  const n = items.indexOf(item) + 1;
  const text = pick(item.text) || '';
  const short = text.length > 24 ? `${text.slice(0, 24)}…` : text;
  return n > 0 ? `“${short}”（第${n}项）` : `“${short}”`;
}

/** Whether an answer fails its item: "no", "fail", or a number outside [min, max]. */
export function itemFailed(item, value) {
  if (value == null || value === '' || value === 'na') return false;  // 不适用 is open to every item type
  if (item.answer === 'yes_no_na') return value === 'no';
  if (item.answer === 'pass_fail') return value === 'fail';
  if (item.answer === 'number') {
    const n = Number(value);
    return (item.min != null && n < item.min) || (item.max != null && n > item.max);
  }
  return false;
}

export function answerOf(inspection, key) {
  return (inspection.answers || []).find((a) => a.item === key);
}

/** Everything that stops a record from being finished, as [message key, params] pairs. */
export function finishProblems(inspection, items, hazards, task) {
  const problems = [];
  if (!inspection.checkin) problems.push(['fk.finish.no_checkin', {}]);
  for (const item of items) {
    const answer = answerOf(inspection, item.key);
    const label = itemLabel(item, items);
    if (!answer || answer.value == null || answer.value === '') {
      problems.push(['fk.finish.unanswered', {item: label}]);
      continue;
    }
    if (item.photo_required && answer.value !== 'na' && !(answer.photos || []).length) {
      problems.push(['fk.finish.photo_required', {item: label}]);
    }
    if (item.major_if_failed && itemFailed(item, answer.value) && !hazards.some((hz) => hz.item === item.key)) {
      problems.push(['fk.finish.major_without_hazard', {item: label}]);
    }
  }
  const signatures = currentSignatures(inspection, hazards);  // a change after signing voids a signature
  const inspectors = signatures.filter((s) => s.signer === 'inspector');
  if (inspectors.length < Math.min(2, (task?.inspectors || []).length || 2)) {
    problems.push(['fk.finish.two_inspectors', {}]);
  }
  if (!inspection.manager?.name) problems.push(['fk.finish.no_manager', {}]);
  else if (!signatures.some((s) => s.signer === 'manager')) problems.push(['fk.finish.manager_sign', {}]);
  if (inspection.witness?.name && !signatures.some((s) => s.signer === 'witness')) {
    problems.push(['fk.finish.witness_sign', {}]);
  }
  if (signatures.length < (inspection.signatures || []).length) problems.push(['fk.sig.void_problem', {}]);
  return [...problems, ...correctionProblems(inspection)];
}

/** Tasks on the phone sorted into today, upcoming, returned for correction, and done. */
export function groupTasks(tasks, inspections, reviews, day) {
  const byTask = new Map();
  for (const ins of inspections) byTask.set(ins.task, ins);
  const groups = {returned: [], today: [], upcoming: [], done: []};
  for (const task of tasks) {
    const ins = byTask.get(task._id);
    const review = ins ? reviews.get(ins._id) : null;
    const entry = {task, inspection: ins, review};
    if (review?.decision === 'returned' && !isCorrected(ins, review)) groups.returned.push(entry);
    else if (ins?.status === 'finished') groups.done.push(entry);
    else if (task.window.start > day) groups.upcoming.push(entry);
    else groups.today.push(entry);
  }
  const byStart = (a, b) => a.task.window.start.localeCompare(b.task.window.start)
    || a.task.enterprise_name.localeCompare(b.task.enterprise_name, 'zh-CN');
  Object.values(groups).forEach((list) => list.sort(byStart));
  return groups;
}

/** A returned record counts as corrected once a revision answering that review is finished. */
export function isCorrected(inspection, review) {
  return Boolean(inspection && review && inspection.status === 'finished' && inspection.corrects === review.ref);
}
