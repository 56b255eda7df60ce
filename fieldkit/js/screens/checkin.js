// 扫码入企: scan the code posted at the entrance (or type the site code printed under it), take a GPS fix,
// and warn clearly — wrong site, not our code, outside the geofence, outside the window — letting the
// inspector go on only with a written reason, which the record keeps.
import * as db from '../db.js';
import {geofence, currentPosition} from '../geo.js';
import {t} from '../i18n.js';
import {readPayload, scanCamera, siteFromToken} from '../qr.js';
import {button, field, h, nowIso, show, today} from '../ui.js';

export async function checkinScreen(view, app, taskId) {
  const task = await db.get(taskId);
  if (!task) return show(view, h('p.empty', {}, t('fk.task.gone')));
  if (await db.inspectionOf(taskId)) return app.go('task', taskId);
  if (!task.checklist) return show(view, h('p.error', {}, t('fk.checkin.no_checklist')));
  const {site} = await db.reference(task);
  const fix = currentPosition();
  const video = h('video.camera', {muted: true, playsInline: true, 'data-t': 'camera'});
  const status = h('p.status', {'data-t': 'scan-status'}, t('fk.checkin.scanning'));
  const typed = h('input', {name: 'site_code', autocomplete: 'off', autocapitalize: 'characters',
                            placeholder: '91370102MA3C5EXJ4X-01', maxLength: 40});
  const stop = new AbortController();
  const leave = () => stop.abort();
  window.addEventListener('hashchange', leave, {once: true});
  const decide = async (payload, method) => {
    stop.abort();
    show(status, t('fk.checkin.locating'));
    const position = await fix;
    const warnings = checkWarnings(task, site, payload, method, position, app.settings.public_base_url);
    if (!warnings.length) return begin(app, task, site, payload, method, position, null);
    offerOverride(view, app, {task, site, payload, method, position, warnings});
  };
  show(view,
    h('h1', {}, t('fk.checkin.title')), h('p.note', {}, task.enterprise_name, ' · ', site?.name || ''),
    video, status,
    h('form.card.typed', {onsubmit: (e) => { e.preventDefault(); if (typed.value.trim()) decide(typed.value.trim(), 'typed'); }},
      field(t('fk.checkin.typed_label'), typed, t('fk.checkin.typed_hint')),
      h('button', {type: 'submit'}, t('fk.checkin.typed_submit'))),
    button(t('fk.back'), () => app.go('task', taskId)));
  try {
    const payload = await scanCamera(video, stop.signal);
    if (payload) decide(payload, 'scan');
  } catch {
    show(status, t('fk.checkin.no_camera'));
  }
}

/** Every reason to warn before checking in, as [message key, params]. */
export function checkWarnings(task, site, payload, method, position, baseUrl) {
  const warnings = [];
  const scannedSite = method === 'typed' ? siteFromToken(payload) : null;
  const read = method === 'scan' ? readPayload(payload, baseUrl) : {kind: scannedSite ? 'ours' : 'malformed', site: scannedSite};
  if (read.kind === 'foreign') warnings.push(['fk.checkin.not_ours', {}]);
  else if (read.kind === 'malformed') warnings.push(['fk.checkin.malformed', {}]);
  else if (read.site !== task.site) warnings.push(['fk.checkin.wrong_site', {}]);
  if (method === 'typed') warnings.push(['fk.checkin.typed_unverified', {}]);
  const fence = geofence(position, site);
  if (fence.state === 'outside') warnings.push(['fk.checkin.outside', fence]);
  else if (fence.state === 'uncertain') warnings.push(['fk.checkin.uncertain', fence]);
  else if (fence.state === 'no_position') warnings.push(['fk.checkin.no_position', {}]);
  const day = today();
  if (day < task.window.start || day > task.window.end) warnings.push(['fk.checkin.outside_window', task.window]);
  return warnings;
}

function offerOverride(view, app, ctx) {
  const reason = h('textarea', {name: 'override_reason', rows: 3, maxLength: 300, required: true});
  const error = h('p.error', {role: 'alert'});
  show(view,
    h('h1', {}, t('fk.checkin.warning_title')),
    h('ul.warnings', {'data-t': 'warnings'}, ctx.warnings.map(([key, params]) => h('li', {dataset: {w: key}}, t(key, params)))),
    h('form.card', {onsubmit: (e) => {
      e.preventDefault();
      if (reason.value.trim().length < 4) return show(error, t('fk.checkin.reason_short'));
      begin(app, ctx.task, ctx.site, ctx.payload, ctx.method, ctx.position, reason.value.trim());
    }}, field(t('fk.checkin.reason_label'), reason), error,
      h('button.warn', {type: 'submit', 'data-t': 'go-on'}, t('fk.checkin.go_on'))),
    button(t('fk.checkin.again'), () => app.render()));
}

async function begin(app, task, site, payload, method, position, reason) {
  const at = nowIso();
  const doc = await db.save({
    _id: `inspection:${crypto.randomUUID()}`, type: 'inspection', task: task._id, status: 'draft',
    checklist: task.checklist, started_at: at,
    checkin: {qr: String(payload).slice(0, 512), method, scanned_at: at, position, override_reason: reason},
    place: site?.name || '', purpose: '', manager: null, witness: null, experts: task.experts || [],
    answers: [], signatures: [],
  });
  app.go('inspection', doc._id);
}
