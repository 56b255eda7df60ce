// Many simulated field kits in one Node process, for bench/load.py (issue 17).
//
// Each phone runs the field kit's own replication (fieldkit/js/db.js: local.sync(remote, {live: true,
// retry: true, batch_size, back_off_function})) from an in-memory PouchDB, with its own keep-alive pool
// (a phone's browser keeps its connections; PouchDB's node-fetch would close each one).
// First stdin line: {"base": "http://127.0.0.1:PORT", "batch_size": 20, "max_retry_s": 30,
//                    "phones": [{"db": "inspector_…", "token": "fk_…"}]}
// then commands, one per line: {"cmd": "write", "db": …, "doc": {…}} and {"cmd": "stop"}.
// Prints JSON lines: {"event": "ready", "db"} after a phone's first sync, {"event": "written", "id"},
// {"event": "trouble", "db", "what"} for every error a phone sees, {"event": "stopped"}.
'use strict';

const http = require('http');
const readline = require('readline');
const PouchDB = require('pouchdb');
PouchDB.plugin(require('pouchdb-adapter-memory'));

const say = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');

function startPhone(job, phone) {
  const agent = new http.Agent({keepAlive: true, maxSockets: 6});
  const local = new PouchDB(`phone-${phone.db}`, {adapter: 'memory'});
  const remote = new PouchDB(`${job.base}/sync/${phone.db}`, {
    skip_setup: true,
    fetch: (url, opts) => {
      opts.headers.set('Authorization', `Bearer ${phone.token}`);
      opts.agent = agent;
      return PouchDB.fetch(url, opts);
    },
  });
  const maxDelay = job.max_retry_s * 1000;
  const live = local.sync(remote, {live: true, retry: true, batch_size: job.batch_size,
                                   back_off_function: (delay) => Math.min(maxDelay, delay ? delay * 2 : 1000)});
  let ready = false;
  live.on('paused', (err) => {
    if (err) return say({event: 'trouble', db: phone.db, what: String(err.status || err.message || err)});
    if (!ready) { ready = true; say({event: 'ready', db: phone.db}); }
  });
  live.on('denied', (err) => say({event: 'trouble', db: phone.db, what: 'denied ' + String(err && err.reason)}));
  live.on('error', (err) => say({event: 'trouble', db: phone.db, what: 'error ' + String(err && err.message)}));
  return {local, live, agent};
}

async function main() {
  const lines = readline.createInterface({input: process.stdin});
  const phones = new Map();
  for await (const line of lines) {
    const msg = JSON.parse(line);
    if (msg.phones) {
      for (const phone of msg.phones) phones.set(phone.db, startPhone(msg, phone));
    } else if (msg.cmd === 'write') {
      const phone = phones.get(msg.db);
      phone.local.put(msg.doc).then(() => say({event: 'written', id: msg.doc._id}),
        (err) => say({event: 'trouble', db: msg.db, what: 'local ' + String(err.message)}));
    } else if (msg.cmd === 'stop') {
      for (const phone of phones.values()) { phone.live.cancel(); phone.agent.destroy(); }
      say({event: 'stopped'});
      process.exit(0);
    }
  }
}

main();
