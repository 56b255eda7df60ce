// A real PouchDB client for the sync gateway's tests and benchmark: replicates a local database with a remote.
//
// One JSON job on stdin (or as the first argument):
//   {"remote": "http://127.0.0.1:PORT/sync/inspector_x", "authorization": "Bearer fk_…" | "Basic …",
//    "direction": "push" | "pull" | "both" | "live", "docs": 200, "attachments": 5,
//    "attachment_bytes": 200000, "batch_size": 50, "prefix": "run1", "keep_alive": true,
//    "write": [...]}  ("write": these exact documents, attachments inline as base64, are pushed too)
// prints one JSON line: {"ok": true, "seconds": …, "docs_written": …, "docs_read": …, "photos": {id: sha256}}.
// "live" keeps a retrying push replication (or, with "live_direction": "sync", a two-way sync whose pull
// long-polls the gateway's _changes) running and takes commands, one per stdin line:
//   {"cmd": "write", "docs": N}  → writes N more documents and prints {"event": "written", …}
//   {"cmd": "count"}             → prints {"event": "count", "local_docs": …}
//   {"cmd": "stop"}              → prints the final result and exits.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const readline = require('readline');
const PouchDB = require('pouchdb');

function readJob() {
  if (process.argv[2]) return JSON.parse(process.argv[2]);
  // The first stdin line only: in "live" mode the following lines are commands.
  return new Promise((resolve) => {
    const lines = readline.createInterface({input: process.stdin});
    lines.once('line', (line) => resolve({job: JSON.parse(line), lines}));
  });
}

function remoteDb(job) {
  // Every request carries the caller's Authorization header; nothing else about the gateway is special.
  // Browsers keep their connections open between requests; PouchDB's node-fetch, given no agent, sends
  // `Connection: close` and opens a new one for each. "keep_alive": true makes it behave like the phone.
  const agent = job.keep_alive ? new http.Agent({keepAlive: true, maxSockets: 6}) : undefined;
  const fetch = (url, opts) => {
    opts.headers.set('Authorization', job.authorization);
    if (agent) opts.agent = agent;
    return PouchDB.fetch(url, opts);
  };
  return new PouchDB(job.remote, {fetch, skip_setup: false});
}

function jpegLike(size) {
  // Random bytes between a JPEG start-of-image and end-of-image marker: what a photo costs on the wire.
  const body = crypto.randomBytes(Math.max(0, size - 4));
  return Buffer.concat([Buffer.from([0xff, 0xd8]), body, Buffer.from([0xff, 0xd9])]);
}

function sha256(buffer) {
  return crypto.createHash('sha256').update(buffer).digest('hex');
}

async function writeDocs(db, job, count, from) {
  const docs = [];
  for (let i = from; i < from + count; i++) {
    docs.push({_id: `inspection:${job.prefix || 'x'}-${String(i).padStart(6, '0')}`, type: 'inspection',
      status: 'finished', answers: [{item: 'fire-6-5', value: 'no', note: `安全出口被堵 ${i}`}],
      finished_at: new Date().toISOString()});
  }
  for (let start = 0; start < docs.length; start += 500) {
    await db.bulkDocs(docs.slice(start, start + 500));
  }
  return docs.length;
}

async function writePhotos(db, job) {
  const photos = {};
  for (let i = 0; i < (job.attachments || 0); i++) {
    const data = jpegLike(job.attachment_bytes || 200000);
    const id = `photo:${job.prefix || 'x'}-${i}`;
    photos[id] = sha256(data);
    await db.put({_id: id, type: 'photo', sha256: photos[id],
      _attachments: {'photo.jpg': {content_type: 'image/jpeg', data}}});
  }
  return photos;
}

async function readPhotos(db) {
  const photos = {};
  const rows = await db.allDocs({startkey: 'photo:', endkey: 'photo:\ufff0'});
  for (const row of rows.rows) {
    const blob = await db.getAttachment(row.id, 'photo.jpg');
    photos[row.id] = sha256(blob);
  }
  return photos;
}

function options(job) {
  return {batch_size: job.batch_size || 100, batches_limit: 5};
}

async function oneShot(local, remote, job) {
  const result = {ok: true, docs_written: 0, docs_read: 0, photos: {}};
  if (job.direction === 'push' || job.direction === 'both') {
    if (job.write) await local.bulkDocs(job.write);
    await writeDocs(local, job, job.docs || 0, 0);
    result.photos = await writePhotos(local, job);
  }
  const started = process.hrtime.bigint();
  if (job.direction === 'push' || job.direction === 'both') {
    const pushed = await PouchDB.replicate(local, remote, options(job));
    result.docs_written = pushed.docs_written;
  }
  if (job.direction === 'pull' || job.direction === 'both') {
    const pulled = await PouchDB.replicate(remote, local, options(job));
    result.docs_read = pulled.docs_read;
  }
  result.seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (job.direction === 'pull') {
    result.photos = await readPhotos(local);
    result.local_docs = (await local.info()).doc_count;
  }
  return result;
}

async function live(local, remote, job, lines) {
  // retry: true with a capped back-off (PouchDB's default grows to minutes), as the field kit will use.
  const stats = {paused_with_error: 0, active: 0, denied: 0, errors: []};
  const replicate = job.live_direction === 'sync' ? PouchDB.sync : PouchDB.replicate;
  const replication = replicate(local, remote, {
    ...options(job), live: true, retry: true, back_off_function: (delay) => Math.min(1000, (delay || 100) * 2),
  });
  replication.on('paused', (err) => { if (err) stats.paused_with_error++; });
  replication.on('active', () => { stats.active++; });
  replication.on('denied', () => { stats.denied++; });
  replication.on('error', (err) => { stats.errors.push(String(err && (err.message || err.name))); });
  let written = await writeDocs(local, job, job.docs || 0, 0);
  console.log(JSON.stringify({event: 'written', written}));
  for await (const line of lines) {
    const cmd = JSON.parse(line);
    if (cmd.cmd === 'write') {
      written += await writeDocs(local, job, cmd.docs, written);
      console.log(JSON.stringify({event: 'written', written}));
    } else if (cmd.cmd === 'count') {
      console.log(JSON.stringify({event: 'count', local_docs: (await local.info()).doc_count}));
    } else if (cmd.cmd === 'stop') {
      break;
    }
  }
  replication.cancel();
  return {ok: stats.errors.length === 0, written, ...stats};
}

async function main() {
  const input = await readJob();
  const job = input.job || input;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pouch-client-'));
  const local = new PouchDB(path.join(dir, 'phone'));
  const remote = remoteDb(job);
  try {
    const result = job.direction === 'live' ? await live(local, remote, job, input.lines)
      : await oneShot(local, remote, job);
    console.log(JSON.stringify(result));
  } finally {
    await local.destroy();
    fs.rmSync(dir, {recursive: true, force: true});
  }
  process.exit(0);
}

main().catch((err) => {
  process.stderr.write(`pouch_client failed: ${err && (err.stack || JSON.stringify(err))}\n`);
  process.exit(1);
});
