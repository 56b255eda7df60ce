// Loaded with `node -r` before pouchdb-server: CouchDB's `POST /_dbs_info` for the embedded server.
//
// Why: the worker's sweep and the live backlog count (sync/worker/sweep.py, sync/backlog.py) read the
// update sequence of every inspector database. Apache CouchDB 3 answers up to 100 databases a request
// (`POST /_dbs_info {"keys": [...]}`); pouchdb-server has no such route, so at 1,000 phones that was a
// thousand `GET /<db>` per look, a quarter of the embedded server's requests (issue 17). Same request,
// same answer shape as CouchDB's (`[{key, info}]`, `{key, error: "not_found"}` for a missing database, 400
// beyond the 100-key limit), so the Python side has one code path for both servers.
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
  return loaded;
};
