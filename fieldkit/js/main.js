// Boot: register the service worker, load settings and language, open the phone's database, connect
// (sign-in check, then live sync), and render the screen the address names.
import * as db from './db.js';
import {loadLocale, savedLocale, t} from './i18n.js';
import {savedProfile, whoAmI} from './session.js';
import {renderBar, setBanner} from './bar.js';
import {show} from './ui.js';
import {loginScreen} from './screens/login.js';
import {tasksScreen} from './screens/tasks.js';
import {taskScreen} from './screens/task.js';
import {checkinScreen} from './screens/checkin.js';
import {inspectionScreen} from './screens/inspection.js';
import {hazardScreen} from './screens/hazard.js';
import {signScreen} from './screens/sign.js';
import {syncScreen} from './screens/sync.js';

const SCREENS = {'': tasksScreen, task: taskScreen, checkin: checkinScreen, inspection: inspectionScreen,
                 hazard: hazardScreen, sign: signScreen, sync: syncScreen};

export const app = {settings: null, profile: null, csrf: null, signedIn: false, online: navigator.onLine,
                    go, render, connect, afterLogin, updateReady: null};

function go(...parts) { location.hash = '#/' + parts.map(encodeURIComponent).join('/'); }

function route() {
  const [name = '', ...args] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  return {name, args};
}

let rendering = Promise.resolve();
/** Render the current route (one at a time, so quick taps never interleave two screens). */
function render() {
  rendering = rendering.then(async () => {
    const view = document.getElementById('view');
    const {name, args} = route();
    renderBar(app);
    if (!app.profile || name === 'login') return loginScreen(view, app);
    const screen = SCREENS[name] || tasksScreen;
    try {
      await screen(view, app, ...args);
    } catch (err) {
      console.error(err);
      show(view, t(err.message?.startsWith('fk.') ? err.message : 'fk.error.generic'));
    }
    document.body.dataset.screen = name || 'tasks';
  });
  return rendering;
}

/** Ask the server whether the session still holds; start syncing if so, else say a sign-in is needed. */
async function connect() {
  if (!app.profile) return;
  const who = await whoAmI();
  app.online = who.online;
  if (!who.online) { setBanner('offline', app); return renderBar(app); }
  setBanner(null, app);
  if (who.user && who.user.username === app.profile.username) {
    app.signedIn = true;
    app.csrf = who.csrf;
    db.startSync({csrf: app.csrf, settings: app.settings, onUnauthorized: sessionEnded});
  } else {
    sessionEnded();
  }
  renderBar(app);
}

function sessionEnded() {
  app.signedIn = false;
  app.csrf = null;
  setBanner('signin', app);
}

function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('sw.js', {scope: './'}).then((reg) => {
    const offer = (worker) => { app.updateReady = worker; setBanner('update', app); };
    if (reg.waiting && navigator.serviceWorker.controller) offer(reg.waiting);
    reg.addEventListener('updatefound', () => {
      const incoming = reg.installing;
      incoming?.addEventListener('statechange', () => {
        if (incoming.state === 'installed' && navigator.serviceWorker.controller) offer(incoming);
      });
    });
  });
  let reloaded = false;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (reloaded || !app.updateReady) return;
    reloaded = true;
    location.reload();
  });
}

async function boot() {
  registerServiceWorker();
  const [settings] = await Promise.all([fetch('config.json').then((r) => r.json()), loadLocale(savedLocale())]);
  app.settings = settings;
  app.profile = savedProfile();
  if (app.profile) {
    db.open(app.profile);
    navigator.storage?.persist?.().then((granted) => { app.persisted = granted; });
  }
  db.onChange((origin, _state, docs) => { renderBar(app); if (origin === 'pull') refreshListing(docs); });
  window.addEventListener('hashchange', render);
  window.addEventListener('online', () => { app.online = true; connect(); });
  window.addEventListener('offline', () => { app.online = false; setBanner('offline', app); renderBar(app); });
  await render();
  performance.mark('fk-usable');  // the first screen is on (bench/fieldkit.py reads this)
  document.body.dataset.ready = '1';
  connect();
}

// New tasks, reviews and rejections arriving by sync show at once on the screens that list them; a
// screen being filled in is drawn again only for what concerns it (a review, a rejection), never mid-typing.
const RELEVANT = {'': ['task:', 'review:', 'rejection:', 'site:'], task: ['task:', 'review:', 'rejection:'],
                  inspection: ['review:', 'rejection:'], sync: ['rejection:']};
let pullTimer = null;
function refreshListing(docs) {
  const prefixes = RELEVANT[route().name];
  if (!prefixes || !docs.some((d) => prefixes.some((p) => String(d._id).startsWith(p)))) return;
  if (document.activeElement?.matches('input,textarea,select')) return;
  clearTimeout(pullTimer);
  pullTimer = setTimeout(render, 300);
}

async function afterLogin(profile, csrf) {
  if (app.profile?.db !== profile.db) db.open(profile);
  app.profile = profile;
  app.signedIn = true;
  app.csrf = csrf;
  setBanner(null, app);
  db.startSync({csrf, settings: app.settings, onUnauthorized: sessionEnded});
  navigator.storage?.persist?.().then((granted) => { app.persisted = granted; });
  go('');
  render();
}

boot();
