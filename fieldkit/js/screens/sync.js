// Sync at a glance and in detail: what waits, progress, the last good sync, problems, and signing out
// (refused while anything has not reached the server).
import * as db from '../db.js';
import {shownStatus} from '../firstsync.js';
import {pick, showTime, t} from '../i18n.js';
import {forget, logout} from '../session.js';
import {button, h, show} from '../ui.js';

export async function syncScreen(view, app) {
  const state = db.syncState();
  const {rejections} = await db.feedback();
  const result = h('p.result', {role: 'alert', 'data-t': 'logout-result'});
  const mb = (bytes) => (bytes / 1048576).toFixed(1);
  show(view,
    h('h1', {}, t('fk.sync.title')),
    h('dl.facts', {'data-t': 'sync-facts'},
      h('dt', {}, t('fk.sync.state')), h('dd', {dataset: {status: shownStatus(state)}}, t(`fk.sync.${shownStatus(state)}`)),
      h('dt', {}, t('fk.sync.waiting_label')), h('dd', {'data-t': 'pending'}, t('fk.sync.pending', {n: state.pendingDocs, mb: mb(state.pendingBytes)})),
      h('dt', {}, t('fk.sync.last_label')), h('dd', {}, state.lastSync ? showTime(state.lastSync) : t('fk.sync.never')),
      state.lastError ? [h('dt', {}, t('fk.sync.error_label')), h('dd', {}, state.lastError)] : null),
    rejections.size ? h('section.rejections', {}, h('h2', {}, t('fk.rejection.list')),
      h('ul', {}, [...rejections.values()].map((r) => h('li', {'data-t': 'rejection'}, `${r.doc}: `, pick(r.message))))) : null,
    app.signedIn ? button(t('fk.sync.now'), () => app.connect(), 'primary') : button(t('fk.banner.signin_button'), () => app.go('login'), 'primary'),
    button(t('fk.logout.button'), () => tryLogout(app, result), 'logout'),
    result);
}

async function tryLogout(app, result) {
  if (!app.online || !app.signedIn) return show(result, t('fk.logout.need_connection'));
  let waiting;
  try {
    waiting = await db.unsyncedOnServer(app.csrf);  // the server's word, not the phone's estimate
  } catch {
    return show(result, t('fk.logout.need_connection'));
  }
  if (waiting > 0) {
    return show(result, t('fk.logout.refused', {n: waiting}),
                button(t('fk.sync.now'), () => app.connect(), 'primary'));
  }
  await logout(app.csrf);
  await db.destroy();
  forget();
  app.profile = null;
  app.signedIn = false;
  app.go('login');
}
