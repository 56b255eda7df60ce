// Loaded with `node -r` before pouchdb-server: two behaviours of Apache CouchDB 3 the embedded server lacks.
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

const originalLoad = Module._load;
Module._load = function (request, parent) {
  const loaded = originalLoad.apply(this, arguments);
  if (request === './routes/all-dbs' && parent && /[\\/]express-pouchdb[\\/]lib[\\/]index\.js$/.test(parent.filename)) {
    const libDir = path.dirname(parent.filename);
    return function allDbsAndDbsInfo(app) {
      loaded(app);
      addRoute(app, libDir);
    };
  }
  if (request === './routes/changes' && parent && /[\\/]express-pouchdb[\\/]lib[\\/]index\.js$/.test(parent.filename)) {
    return function changesWithTimeout(app) {
      addLongpollTimeout(app);
      loaded(app);
    };
  }
  return loaded;
};
