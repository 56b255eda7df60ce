// Loaded with `node -r` before pouchdb-server: behaviours of Apache CouchDB 3 the embedded server lacks, and one
// of its own queues taken out of the way (4).
//
// 1. `POST /_dbs_info`. Why: the worker's sweep and the live backlog count (sync/worker/sweep.py,
// sync/backlog.py) read the update sequence of every inspector database. Apache CouchDB 3 answers up to 100 databases a request
// (`POST /_dbs_info {"keys": [...]}`); pouchdb-server has no such route, so at 1,000 phones that was a
// thousand `GET /<db>` per look, a quarter of the embedded server's requests (issue 17). Same request,
// same answer shape as CouchDB's (`[{key, info}]`, `{key, error: "not_found"}` for a missing database, 400
// beyond the 100-key limit), so the Python side has one code path for both servers.
//
// 2. `timeout=` on a long poll of `_changes`. pouchdb-server ignores it and waits until a change comes, so
// the sync gateway ended each phone's idle long poll by its own clock, cutting the connection: at 1,000
// live phones 40 connections a second were opened, cut and cleaned up (issue 17). Here a long poll with
// `timeout` (and no `heartbeat`, which on CouchDB overrides it) ends as CouchDB's does,
// `{"results":[],"last_seq":<the database's update_seq>}`, and the connection stays open for the next
// request. The gateway's clock stays as the bound.
//
// 3. `GET /_db_updates` (feed=normal or longpoll). pouchdb-server answers 400. Why: at 1,000 live phones the
// sync gateway and the worker must learn which phone databases changed without asking each one (issue 17;
// server/gateway/board.py, sync/worker/wake.py). Every successful write that reaches this server over HTTP
// is noted by database name, the way CouchDB's `_global_changes` does: creations, deletions, and writes
// to documents and attachments (not `_local` documents or `_security`, which are not in `_changes`
// either). The sequence is opaque, `<epoch>-<n>`, `epoch` this process's start: a client that comes back
// with another process's sequence, or one older than the last MAX_UPDATES notes, is told every database
// changed, a superset, never less.
'use strict';
const Module = require('module');
const path = require('path');

const MAX_KEYS = 100; // CouchDB's max_db_number_for_dbs_info_req default

function addRoute(app, libDir) {
  const utils = require(path.join(libDir, 'utils'));
  const getOrCreateDB = require(path.join(libDir, 'create-or-delete-dbs')).getOrCreateDB;
  app.post('/_dbs_info', utils.jsonParser, (req, res) => {
    const keys = req.body && req.body.keys;
    if (!Array.isArray(keys)) {
      return utils.sendJSON(res, 400, {error: 'bad_request', reason: '`keys` member must exist.'});
    }
    if (keys.length > MAX_KEYS) {
      return utils.sendJSON(res, 400, {error: 'bad_request', reason: 'Too many keys (max ' + MAX_KEYS + ').'});
    }
    req.PouchDB.allDbs((err, names) => {
      if (err) {
        return utils.sendError(res, err);
      }
      const present = new Set(names);
      Promise.all(keys.map((key) => {
        if (typeof key !== 'string' || !present.has(key)) {
          return {key: key, error: 'not_found'};
        }
        return getOrCreateDB(req.PouchDB, key)
          .then((db) => db.info())
          .then((info) => ({key: key, info: info}), () => ({key: key, error: 'not_found'}));
      })).then((rows) => utils.sendJSON(res, 200, rows), (e) => utils.sendError(res, e));
    });
  });
}

function addLongpollTimeout(app) {
  const handler = (req, res, next) => {
    const ms = Number(req.query && req.query.timeout);
    // as on CouchDB, a `heartbeat` keeps the feed open whatever the timeout
    if (!req.query || req.query.feed !== 'longpoll' || !(ms > 0) || !req.db || req.query.heartbeat !== undefined) {
      return next();
    }
    // The route's live feed is the second `changes` call it makes (the first asks for what is already
    // there); it is seen through a per-request view of the database.
    const db = req.db;
    let live = null;
    let timer = null;
    const view = Object.create(db);
    let completed = false;
    view.changes = function (opts) {
      const feed = db.changes.apply(db, arguments);
      if (opts && opts.live) {
        live = feed;
        feed.once('complete', () => { completed = true; });
      }
      return feed;
    };
    req.db = view;
    const stop = () => clearTimeout(timer);
    res.on('finish', stop);
    res.on('close', stop);
    const end = () => {
      if (res.writableEnded) {
        return;
      }
      if (!live) {            // still reading what was already there
        timer = setTimeout(end, 50);
        return;
      }
      const feed = live;
      live = {cancel: () => {}};
      // The route cleans up (its heartbeat timer, its listener on the connection) when the feed says
      // `complete`, which a cancelled feed never says (cancelling drops the listeners), and a kept-alive
      // connection is not closed: so `complete` first, then cancel.
      const finish = () => {
        if (!completed) {
          feed.emit('complete', {results: [], status: 'cancelled'});
        }
        feed.cancel();
      };
      db.info().then((info) => {
        if (!res.writableEnded) {
          res.write('],\n"last_seq":' + JSON.stringify(info.update_seq) + '}\n');
          res.end();
        }
        finish();
      }, () => { finish(); res.end(); });
    };
    timer = setTimeout(end, ms);
    next();
  };
  app.get('/:db/_changes', handler);
  app.post('/:db/_changes', handler);
}

const MAX_UPDATES = 10000;
const BATCH_MS = 100;
// POSTs that read; everything else that answers 2xx to a method other than GET/HEAD/OPTIONS wrote.
const READING = new Set(['_all_docs', '_bulk_get', '_changes', '_revs_diff', '_find', '_explain', '_temp_view',
  '_ensure_full_commit', '_compact', '_view_cleanup']);
const SILENT = new Set(['_local', '_security']);

function writtenDb(req, status) {
  if (status < 200 || status > 299 || ['GET', 'HEAD', 'OPTIONS'].includes(req.method)) {
    return null;
  }
  const parts = req.path.split('/').filter(Boolean);
  let name;
  try {
    name = decodeURIComponent(parts[0] || '');
  } catch (e) {
    return null;
  }
  if (!name || name.startsWith('_')) {
    return null;
  }
  const next = parts[1] || '';
  if (READING.has(next) || SILENT.has(next) || parts.includes('_view')) {
    return null;
  }
  if (parts.length === 1) {
    if (req.method === 'PUT') return {db_name: name, type: 'created'};
    if (req.method === 'DELETE') return {db_name: name, type: 'deleted'};
  }
  return {db_name: name, type: 'updated'};
}

function addDbUpdates(app, libDir) {
  const utils = require(path.join(libDir, 'utils'));
  const epoch = String(Date.now());
  const notes = [];        // {n, db_name, type}, oldest first, at most MAX_UPDATES
  let counter = 0;
  const waiting = new Set();
  const seqOf = (n) => epoch + '-' + n;

  app.use((req, res, next) => {
    res.on('finish', () => {
      const note = writtenDb(req, res.statusCode);
      if (!note) return;
      counter += 1;
      notes.push({n: counter, db_name: note.db_name, type: note.type});
      if (notes.length > MAX_UPDATES) notes.shift();
      for (const wake of Array.from(waiting)) wake();
    });
    next();
  });

  // The notes after `since`, one per database (its latest), or null when `since` cannot be answered exactly.
  const after = (since) => {
    const m = /^(\d+)-(\d+)$/.exec(since);
    if (!m || m[1] !== epoch || Number(m[2]) > counter || (notes.length && Number(m[2]) < notes[0].n - 1)) {
      return null;
    }
    const latest = new Map();     // newest first, from the end: a caught-up reader costs nothing
    for (let i = notes.length - 1; i >= 0 && notes[i].n > Number(m[2]); i--) {
      if (!latest.has(notes[i].db_name)) latest.set(notes[i].db_name, notes[i]);
    }
    return Array.from(latest.values()).reverse()
      .map((note) => ({db_name: note.db_name, type: note.type, seq: seqOf(note.n)}));
  };

  app.get('/_db_updates', (req, res) => {
    const feed = req.query.feed || 'normal';
    if (feed !== 'normal' && feed !== 'longpoll') {
      return utils.sendJSON(res, 400, {error: 'bad_request', reason: 'Only feed=normal and feed=longpoll are offered.'});
    }
    let since = req.query.since === undefined ? '0' : String(req.query.since);
    if (since === 'now') since = seqOf(counter);
    const send = (found = after(since)) => {
      const at = seqOf(counter);
      const results = found !== null ? Promise.resolve(found)
        : new Promise((resolve, reject) => req.PouchDB.allDbs((err, names) => err ? reject(err) : resolve(names)))
          .then((names) => names.filter((n) => !n.startsWith('_')).map((n) => ({db_name: n, type: 'updated', seq: at})));
      results.then((rows) => utils.sendJSON(res, 200, {results: rows, last_seq: at}), (e) => utils.sendError(res, e));
    };
    const ready = after(since);
    if (feed === 'normal' || ready === null || ready.length) {
      return send(ready);
    }
    const ms = Math.max(0, Math.min(Number(req.query.timeout) || 60000, 3600000));
    let timer = null;
    const done = () => {
      waiting.delete(woken);
      clearTimeout(timer);
      if (!res.writableEnded) send();
    };
    // A write wakes the poll a moment later, with the writes that follow it: one answer per burst, not
    // one per write (CouchDB's _global_changes batches too).
    const woken = () => {
      waiting.delete(woken);
      clearTimeout(timer);
      timer = setTimeout(done, BATCH_MS);
    };
    waiting.add(woken);
    timer = setTimeout(done, ms);
    res.on('close', () => { waiting.delete(woken); clearTimeout(timer); });
  });
}

// 4. The list of databases, asked before every request to a database (express-pouchdb's `setDBOnReq`).
// pouchdb-all-dbs answers it from memory, but through one queue shared by every request that runs one task per
// turn of the event loop (`setImmediate`), two tasks per request: with a hundred requests in flight on a busy
// server, each waited a second or more before its database was even looked up (at 1,000 live phones the mean
// was 764 ms, issue 17). Here concurrent asks share one answer, kept until a database is made or destroyed:
// those events reach pouchdb-all-dbs' queue first, so the next answer, asked after them, includes the change.
function sharedAllDbs(PouchDB) {
  const ask = PouchDB.allDbs;
  let known = null;        // the last answer, while no database was made or destroyed since it was asked
  let asking = null;       // callbacks waiting for the answer being asked (since the last make or destroy)
  let generation = 0;
  const forget = () => { generation += 1; known = null; asking = null; };
  PouchDB.on('created', forget);
  PouchDB.on('destroyed', forget);
  PouchDB.allDbs = function (callback) {
    const answer = new Promise((resolve, reject) => {
      if (known) {
        return resolve(known.slice());
      }
      if (asking) {
        return asking.push({resolve, reject});
      }
      const waiting = asking = [{resolve, reject}];
      const asked = generation;
      const done = () => {
        if (asking === waiting) {
          asking = null;
        }
      };
      ask.call(PouchDB).then((names) => {
        if (asked === generation) {
          known = names.slice();
        }
        done();
        waiting.forEach((w) => w.resolve(names.slice()));
      }, (err) => {
        done();
        waiting.forEach((w) => w.reject(err));
      });
    });
    if (typeof callback === 'function') {
      answer.then((names) => callback(null, names), callback);
    }
    return answer;
  };
}

// 5. No `disk_size` in a database's info. express-pouchdb's `disk-size` part walks the database's directory
// (a `stat` of each file) at every `GET /<db>` and for each database of a `_dbs_info`, on the 4 threads Node
// shares with every LevelDB read. Nothing here reads it, and Apache CouchDB 3 has no such field either
// (its sizes are `sizes.file` and `sizes.active`).
function withoutDiskSize(expressPouchDB) {
  return function (opts) {
    const own = opts || {};
    const mode = own.overrideMode || {};
    return expressPouchDB({...own, overrideMode: {...mode, exclude: [...(mode.exclude || []), 'disk-size']}});
  };
}

const originalLoad = Module._load;
Module._load = function (request, parent) {
  const loaded = originalLoad.apply(this, arguments);
  if (request === 'express-pouchdb' && parent && /[\\/]pouchdb-server[\\/]lib[\\/]index\.js$/.test(parent.filename)) {
    return withoutDiskSize(loaded);
  }
  if (!parent || !/[\\/]express-pouchdb[\\/]lib[\\/]index\.js$/.test(parent.filename)) {
    return loaded;
  }
  const libDir = path.dirname(parent.filename);
  if (request === 'pouchdb-all-dbs') {
    return function allDbsShared(PouchDB) {
      const out = loaded(PouchDB);
      sharedAllDbs(PouchDB);
      return out;
    };
  }
  if (request === './routes/all-dbs') {
    return function allDbsAndDbsInfo(app) {
      loaded(app);
      addRoute(app, libDir);
    };
  }
  if (request === './routes/changes') {
    return function changesWithTimeout(app) {
      addLongpollTimeout(app);
      loaded(app);
    };
  }
  if (request === './routes/db-updates') {
    return function dbUpdates(app) {
      addDbUpdates(app, libDir);
    };
  }
  return loaded;
};
