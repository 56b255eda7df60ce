import {runFirstPull} from './firstsync.js';
import {outbox} from './outbox.js';

// The one module that owns PouchDB: the phone's own database, what the screens read and write, and its
// replication with the server through the sync gateway (/sync/<db>, same origin, session cookie + CSRF).
const PHONE_TYPES = ['inspection:', 'hazard:', 'photo:'];
const listeners = new Set();
let local = null;
let profile = null;
let handle = null;
let unsent = null;
let state = {status: 'offline', pendingDocs: 0, pendingBytes: 0, totalDocs: 0, totalBytes: 0, lastSync: null};

export function open(who) {
  profile = who;
  local = new window.PouchDB('fk_' + who.db, {auto_compaction: true});
  state.lastSync = localStorage.getItem(key('lastSync'));
  state.firstPullDone = Boolean(localStorage.getItem(key('firstPull')));
  unsent = outbox(key('outbox'));
  recount();
  return local;
}

const key = (name) => `fk.${name}.${profile.db}`;
const byPrefix = async (prefix) => (await local.allDocs({include_docs: true, startkey: prefix, endkey: prefix + '\ufff0'}))
  .rows.map((r) => r.doc);

export const tasks = () => byPrefix('task:');
export const inspections = () => byPrefix('inspection:');
export const sitesById = async () => new Map((await byPrefix('site:')).map((s) => [s._id, s]));
export async function inspectionOf(taskId) {
  return (await inspections()).find((d) => d.task === taskId) || null;
}
export async function get(id) {
  try { return await local.get(id); } catch (err) { if (err.status === 404) return null; throw err; }
}

/** Reviews and rejections by the id of what they concern. */
export async function feedback() {
  const reviews = new Map((await byPrefix('review:')).map((r) => [r.inspection, r]));
  const rejections = new Map((await byPrefix('rejection:')).map((r) => [r.doc, r]));
  return {reviews, rejections};
}

export async function reference(task) {
  const ids = [task.site, `enterprise:${task.enterprise}`, task.checklist].filter(Boolean);
  const rows = (await local.allDocs({keys: ids, include_docs: true})).rows;
  const [site, enterprise, checklist] = ids.map((id) => rows.find((r) => r.id === id)?.doc || null);
  return {site, enterprise, checklist: task.checklist ? checklist : null};
}

export async function partsOf(inspectionId) {
  const hazards = (await byPrefix('hazard:')).filter((d) => d.inspection === inspectionId);
  const photos = (await byPrefix('photo:')).filter((d) => d.inspection === inspectionId);
  return {hazards, photos};
}

/** Write a document the phone owns; a finished inspection is read-only (see reopen). */
export async function save(doc) {
  if (doc.type === 'inspection' && doc._rev) {
    const stored = await get(doc._id);
    if (stored?.status === 'finished' && !doc.reopening) throw new Error('fk.error.read_only');
  }
  const {reopening, ...body} = doc;
  const res = await local.put(body);
  unsent.add(body._id, res.rev);
  changed('local');
  return {...body, _rev: res.rev};
}

const writing = new Map();
/** Change a document on its latest revision, one change at a time per document: a screen drawn again
 * (new tasks or a review arriving) never writes over a revision it has not seen. */
export const settled = (id) => (writing.get(id) || Promise.resolve()).catch(() => {});

export function update(id, change) {
  const next = settled(id).then(async () => {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const doc = await get(id);
      change(doc);
      try { return await save(doc); } catch (err) { if (err.status !== 409) throw err; }
    }
    throw new Error('fk.error.save');
  });
  writing.set(id, next);
  return next;
}

/** A returned record becomes editable again; the correction answers `review` (a new revision). */
export async function reopen(inspection, review, extra = {}) {
  return save({...inspection, status: 'draft', finished_at: null, corrects: review.ref, reopening: true, ...extra});
}

export async function savePhoto(meta, blob) {
  const doc = {...meta, _attachments: {'photo.jpg': {content_type: 'image/jpeg', data: blob}}};
  const res = await local.put(doc);
  unsent.add(doc._id, res.rev);
  changed('local');
  return {...meta, _rev: res.rev};
}

/** A signature PNG as an attachment of the inspection, in the same queue as the record's other writes. */
export function saveSignature(inspectionId, name, blob) {
  const next = settled(inspectionId).then(async () => {
    const doc = await get(inspectionId);
    const res = await local.putAttachment(inspectionId, name, doc._rev, blob, 'image/png');
    unsent.add(inspectionId, res.rev);
    changed('local');
  });
  writing.set(inspectionId, next);
  return next;
}

export async function attachmentUrl(id, name) {
  try { return URL.createObjectURL(await local.getAttachment(id, name)); } catch { return null; }
}

export function onChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }
function changed(origin, docs = []) {
  if (origin === 'local') recount();
  for (const fn of listeners) fn(origin, state, docs);
}

// A write on the phone changes what waits; count again shortly after (several writes, one count).
let recountTimer = null;
function recount() {
  clearTimeout(recountTimer);
  recountTimer = setTimeout(() => { if (local) refresh(); }, 150);
}

export function syncState() { return {...state}; }

/** What waits to go up: the outbox, with the bytes of its photos and signatures. */
async function pending() {
  const ids = unsent.ids();
  if (!ids.length) return {docs: 0, bytes: 0};
  const rows = (await local.allDocs({keys: ids, include_docs: true})).rows;
  const bytes = rows.reduce((sum, r) => sum + Object.values(r.doc?._attachments || {})
    .reduce((s, a) => s + (a.length || 0), 0), 0);
  return {docs: ids.length, bytes};
}

async function refresh(patch = {}) {
  const now = await pending();
  state = {...state, ...patch, pendingDocs: now.docs, pendingBytes: now.bytes};
  // The progress bar's whole: what was waiting when this run began, grown by anything written since.
  state.totalDocs = Math.max(state.totalDocs, now.docs);
  state.totalBytes = Math.max(state.totalBytes, now.bytes);
  changed('sync');
}

/** Live, retrying replication both ways. `onUnauthorized` runs once if the session has ended. */
let retryTimer = null;
let restart = () => {};

// Ids per _revs_diff: the gateway refuses more than SYNC_MAX_IDS (500) in one request, and a phone holds up to
// PHONE_DOC_BUDGET documents, so a long list is asked in parts.
const REVS_DIFF_IDS = 200;

async function inParts(entries, ask) {
  const missing = {};
  for (let start = 0; start < entries.length; start += REVS_DIFF_IDS) {
    Object.assign(missing, await ask(Object.fromEntries(entries.slice(start, start + REVS_DIFF_IDS))));
  }
  return missing;
}

/** The outbox entries the server does not hold yet ({} when it has everything; null when it cannot say). */
async function askServer(remote) {
  const box = Object.entries(unsent.entries()).map(([id, rev]) => [id, [rev]]);
  if (!box.length) return {};
  try {
    const missing = await inParts(box, (part) => remote.revsDiff(part));
    unsent.keepMissing(missing);
    return missing;
  } catch {
    return null;
  }
}

export function startSync(options) {
  const {settings} = options;
  stopSync();
  restart = () => startSync(options);
  const remote = remoteDb(options);
  if (!state.firstPullDone) return firstPull(remote, options);
  const maxDelay = settings.sync.max_retry_s * 1000;
  const live = local.sync(remote, {live: true, retry: true, batch_size: settings.sync.batch_size,
                                   back_off_function: (delay) => Math.min(maxDelay, delay ? delay * 2 : 1000)});
  handle = live;
  // A cancelled replication still reports (paused, complete): only the current one may move the state.
  const current = (fn) => (...args) => (handle === live ? fn(...args) : undefined);
  live.on('active', current(() => refresh({status: 'active'})));
  live.on('change', current((info) => {
    if (info.direction === 'push') unsent.written(info.change.docs || []);
    refresh({status: 'active'});
    if (info.direction === 'pull') changed('pull', info.change.docs || []);
  }));
  // "Paused" also follows a failed upload, so the server is asked what it still misses before "synced".
  live.on('paused', current(async (err) => {
    if (err || remote.refused) return refresh({status: navigator.onLine ? 'retrying' : 'offline'});
    const missing = await askServer(remote);
    if (missing === null || Object.keys(missing).length) {
      if (handle === live) retryTimer = setTimeout(() => handle === live && restart(), Math.min(maxDelay, 5000));
      return refresh({status: 'retrying'});
    }
    const at = new Date().toISOString();
    localStorage.setItem(key('lastSync'), at);
    return refresh({status: 'synced', lastSync: at, totalDocs: 0, totalBytes: 0});
  }));
  live.on('denied', current((err) => refresh({lastError: String(err?.reason || err)})));
  live.on('error', current((err) => refresh({status: 'error', lastError: String(err?.message || err)})));
  return handle;
}

/** The phone's database on the server, through the gateway; `refused` once the session has ended. */
function remoteDb({csrf, onUnauthorized}) {
  const remote = new window.PouchDB(`${location.origin}/sync/${profile.db}`, {
    skip_setup: true,
    fetch: async (url, opts) => {
      opts.credentials = 'same-origin';
      opts.headers.set('X-CSRFToken', csrf);
      const res = await window.PouchDB.fetch(url, opts);
      if (res.status === 401 && !remote.refused) {
        remote.refused = true;
        setTimeout(() => { stopSync(); refresh({status: 'unauthorized'}); onUnauthorized(); }, 0);
      }
      return res;
    },
  });
  return remote;
}

/** A fresh phone pulls everything once, showing its progress, before the live sync (and "synced") may start. */
function firstPull(remote, {settings}) {
  const pull = runFirstPull(local, remote, {
    batchSize: settings.sync.batch_size,
    onProgress: ({read, total}) => handle === pull && refresh({status: 'first_sync', firstRead: read, firstTotal: total}),
    onDocs: (docs) => handle === pull && changed('pull', docs),
  });
  handle = pull;
  refresh({status: 'first_sync', firstRead: 0, firstTotal: null});
  pull.done.then(() => {
    if (handle !== pull) return;
    localStorage.setItem(key('firstPull'), new Date().toISOString());
    state.firstPullDone = true;
    restart();                                   // now the live sync, both ways
  }, (err) => {
    if (handle !== pull || remote.refused) return;
    refresh({status: navigator.onLine ? 'retrying' : 'offline', lastError: String(err?.message || err)});
    retryTimer = setTimeout(() => handle === pull && restart(), Math.min(settings.sync.max_retry_s * 1000, 5000));
  });
  return handle;
}

export function stopSync() {
  clearTimeout(retryTimer);
  if (handle) handle.cancel();
  handle = null;
}

/** The phone documents the server does not hold yet, asked of the server itself (used before logout). */
export async function unsyncedOnServer(csrf) {
  const docs = (await local.allDocs()).rows.filter((r) => PHONE_TYPES.some((p) => r.id.startsWith(p)));
  if (!docs.length) return 0;
  const missing = await inParts(docs.map((r) => [r.id, [r.value.rev]]), async (part) => {
    const res = await fetch(`/sync/${profile.db}/_revs_diff`, {
      method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
      body: JSON.stringify(part),
    });
    if (!res.ok) throw new Error('fk.logout.check_failed');
    return res.json();
  });
  return Object.keys(missing).length;
}

export async function destroy() {
  stopSync();
  await local.destroy();
  unsent.clear();
  localStorage.removeItem(key('lastSync'));
  localStorage.removeItem(key('firstPull'));
  local = null;
}
