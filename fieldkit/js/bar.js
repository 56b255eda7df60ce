// The bar at the top (sync state at a glance) and the banners under it (offline, sign in again, update).
import * as db from './db.js';
import {firstProgress, shownStatus} from './firstsync.js';
import {loadLocale, locale, showTime, t} from './i18n.js';
import {button, h, show} from './ui.js';

let banner = null;

export function setBanner(kind, app) {
  if (kind === null && banner === 'update') return renderBanner(app);  // an update offer stays until used
  banner = kind;
  renderBanner(app);
}

function renderBanner(app) {
  const el = document.getElementById('banners');
  const kinds = [];
  if (banner === 'offline' || !app.online) kinds.push(h('div.banner.offline', {'data-t': 'banner-offline'}, t('fk.banner.offline')));
  if (banner === 'signin' || (app.profile && app.online && !app.signedIn && banner !== 'offline')) {
    kinds.push(h('div.banner.signin', {'data-t': 'banner-signin'}, t('fk.banner.signin'),
                 button(t('fk.banner.signin_button'), () => app.go('login'))));
  }
  if (app.updateReady) {
    kinds.push(h('div.banner.update', {'data-t': 'banner-update'}, t('fk.banner.update'),
                 button(t('fk.banner.update_button'), () => app.updateReady.postMessage('activate-update'))));
  }
  show(el, kinds);
}

function syncBadge(state) {
  const waiting = state.pendingDocs;
  const status = shownStatus(state);
  const label = {synced: t('fk.sync.synced'), active: t('fk.sync.active'), retrying: t('fk.sync.retrying'),
                 offline: t('fk.sync.offline'), error: t('fk.sync.error'), unauthorized: t('fk.sync.unauthorized'),
                 first_sync: t('fk.sync.first_sync')}[status]
    || t('fk.sync.offline');
  const done = state.totalDocs ? (state.totalDocs - state.pendingDocs) / state.totalDocs : 1;
  return h('a.sync', {href: '#/sync', 'data-t': 'sync-badge', dataset: {status, waiting: String(waiting)}},
           h('span.status', {}, label),
           status === 'first_sync' ? firstSyncProgress(state) : null,
           waiting ? h('span.count', {'data-t': 'waiting'}, t('fk.sync.waiting', {n: waiting})) : null,
           state.status === 'active' && state.totalDocs
             ? h('progress', {max: 100, value: Math.round(done * 100), 'data-t': 'progress'}) : null,
           state.status === 'active' && state.pendingBytes
             ? h('span.bytes', {'data-t': 'bytes-left'}, t('fk.sync.bytes_left', {mb: (state.pendingBytes / 1048576).toFixed(1)})) : null,
           state.lastSync ? h('span.last', {}, t('fk.sync.last', {at: showTime(state.lastSync)})) : null);
}

/** A fresh phone's first download: how many documents of how many, and a bar once the total is known. */
function firstSyncProgress(state) {
  const percent = firstProgress(state.firstRead || 0, state.firstTotal);
  return h('span.first', {'data-t': 'first-sync'},
           percent === null ? t('fk.sync.first_starting')
             : [h('progress', {max: 100, value: percent, 'data-t': 'first-progress'}),
                t('fk.sync.first_progress', {n: state.firstRead || 0, total: state.firstTotal})]);
}

export function renderBar(app) {
  const bar = document.getElementById('bar');
  const other = locale() === 'zh_CN' ? 'en' : 'zh_CN';
  show(bar,
    h('a.title', {href: '#/'}, t('fk.app.title')),
    app.profile ? syncBadge(db.syncState()) : null,
    button(other === 'en' ? 'English' : '中文', async () => { await loadLocale(other); app.render(); renderBanner(app); },
           'lang'));
  renderBanner(app);
}
