// Diagnostic preload for the embedded pouchdb-server (issue 17): where a request's time goes. Not loaded by
// anything in the project; a person loads it into a benchmark run:
//
//   POUCH_PROF_OUT=/tmp/pouch NODE_OPTIONS="--require $PWD/bench/pouchdb_profile.js" \
//       .venv/bin/python bench/load.py --steps 1000 --window 90 --ready-timeout 600
//
// and sends the pouchdb-server process SIGUSR2 once to start measuring and once more to stop
// (`pkill -USR2 -f pouchdb-server/bin`). On the second it writes, next to POUCH_PROF_OUT:
//   .cpuprofile    a V8 CPU profile (bench/cpuprofile_summary.py sums it by package and function);
//   .requests.tsv  per route: count, total, mean and max ms from headers to answer, and event-loop lag;
//   .layers.tsv    per express middleware: how long requests stayed in it before it passed them on;
//   .leveldb.tsv   per LevelDB operation: count and callback latency;
//   .created.txt   PouchDB objects made (each one a task in pouchdb-all-dbs' queue) and allDbs waits.
// Other Node processes (the bench's phones) ignore it. It found the 764 ms pouchdb-all-dbs queue
// (sync/pouchdb_couch_api.js, 4) and ruled out LevelDB (4.5 ms mean) and the CPU (64-70 % idle).
if (process.argv.some(a => a.includes('pouchdb-server'))) {
  const inspector = require('inspector'); const fs = require('fs'); const http = require('http');
  const out = process.env.POUCH_PROF_OUT || '/tmp/pouch';
  const s = new inspector.Session(); s.connect();
  let on = false; let stats = new Map(); let lagMax = 0; let lagSum = 0; let lagN = 0;
  const norm = (m, u) => {
    let p = u.replace(/\?.*$/, (q) => { const f = /feed=(\w+)/.exec(q); const st = /style=|include_docs=true/.exec(q); return (f ? '?feed=' + f[1] : '') + (st ? '&' + st[0] : ''); });
    p = p.replace(/load[0-9a-f]{6}_/, '').replace(/inspector_[0-9a-f]+/, 'inspector_X').replace(/\/([^/_?][^/?]*)(?=[/?]|$)/g, (x, seg, off) => off === 0 ? x : '/DOC');
    return m + ' ' + p;
  };
  const orig = http.Server.prototype.emit;
  http.Server.prototype.emit = function (ev, req, res) {
    if (ev === 'request' && on) {
      const t = process.hrtime.bigint(); const k = norm(req.method, req.url) + ' [' + String(req.headers['user-agent'] || '-').slice(0, 24) + ']';
      let body = null;
      req.on('end', () => { body = Number(process.hrtime.bigint() - t) / 1e6; });
      res.on('finish', () => {
        const d = Number(process.hrtime.bigint() - t) / 1e6;
        const e = stats.get(k) || { n: 0, ms: 0, max: 0, body: 0, nobody: 0, slow: 0 }; e.n++; e.ms += d; e.max = Math.max(e.max, d);
        if (body === null) e.nobody++; else e.body += body; if (d > 1000) e.slow++; stats.set(k, e);
      });
    }
    return orig.apply(this, arguments);
  };
  let last = process.hrtime.bigint();
  setInterval(() => { const now = process.hrtime.bigint(); const lag = Number(now - last) / 1e6 - 100; last = now; if (on) { lagMax = Math.max(lagMax, lag); lagSum += lag; lagN++; } }, 100).unref();
  process.on('SIGUSR2', () => {
    if (!on) {
      stats = new Map(); lagMax = 0; lagSum = 0; lagN = 0;
      s.post('Profiler.enable', () => s.post('Profiler.setSamplingInterval', { interval: 500 }, () => s.post('Profiler.start', () => { on = true; })));
    } else {
      on = false;
      s.post('Profiler.stop', (err, r) => {
        fs.writeFileSync(out + '.cpuprofile', JSON.stringify(r.profile));
        const rows = [...stats.entries()].sort((a, b) => b[1].ms - a[1].ms).map(([k, e]) => `${e.n}\t${e.ms.toFixed(0)}\t${(e.ms / e.n).toFixed(1)}\t${e.max.toFixed(0)}\tbody_mean=${(e.body / Math.max(1, e.n - e.nobody)).toFixed(1)} nobody=${e.nobody} over1s=${e.slow}\t${k}`);
        fs.writeFileSync(out + '.requests.tsv', `lag_mean_ms=${(lagSum / Math.max(lagN, 1)).toFixed(1)} lag_max_ms=${lagMax.toFixed(0)}\nn\ttotal_ms\tmean_ms\tmax_ms\troute\n` + rows.join('\n') + '\n');
      });
    }
  });
}
// LevelDB operation latency (callback time), by operation, for every leveldown copy loaded.
if (process.argv.some(a => a.includes('pouchdb-server'))) {
  const Module = require('module'); const fs = require('fs');
  const out = process.env.POUCH_PROF_OUT || '/tmp/pouch';
  const ops = new Map(); let active = false; const patched = new Set();
  const origLoad = Module._load;
  Module._load = function (request, parent) {
    const m = origLoad.apply(this, arguments);
    if (/leveldown$/.test(request) && typeof m === 'function' && m.prototype && m.prototype._get && !patched.has(m)) {
      patched.add(m);
      for (const name of ['_open', '_close', '_put', '_get', '_del', '_batch']) {
        const f = m.prototype[name];
        m.prototype[name] = function () {
          const args = [...arguments]; const cb = args[args.length - 1]; const t = process.hrtime.bigint();
          args[args.length - 1] = function () {
            if (active) { const d = Number(process.hrtime.bigint() - t) / 1e6; const e = ops.get(name) || { n: 0, ms: 0, max: 0 }; e.n++; e.ms += d; e.max = Math.max(e.max, d); ops.set(name, e); }
            return cb.apply(this, arguments);
          };
          return f.apply(this, args);
        };
      }
    }
    return m;
  };
  process.on('SIGUSR2', () => {
    if (!active) { ops.clear(); active = true; return; }
    active = false;
    fs.writeFileSync(out + '.leveldb.tsv', [...ops.entries()].map(([k, e]) => `${k}\t${e.n}\t${e.ms.toFixed(0)}\t${(e.ms / e.n).toFixed(2)}\t${e.max.toFixed(0)}`).join('\n') + '\n');
  });
}
// Express middleware hold times: from a layer's entry to its next() call (or to the response's end).
if (process.argv.some(a => a.includes('pouchdb-server'))) {
  const fs = require('fs'); const out = process.env.POUCH_PROF_OUT || '/tmp/pouch';
  const Layer = require(require.resolve('express/lib/router/layer.js', { paths: [require('path').join(__dirname, '..', 'node_modules')] }));
  const held = new Map(); let active = false;
  const note = (k, d) => { const e = held.get(k) || { n: 0, ms: 0, max: 0, over1s: 0 }; e.n++; e.ms += d; e.max = Math.max(e.max, d); if (d > 1000) e.over1s++; held.set(k, e); };
  const orig = Layer.prototype.handle_request;
  Layer.prototype.handle_request = function (req, res, next) {
    if (!active) return orig.call(this, req, res, next);
    const t = process.hrtime.bigint(); const name = (this.name || 'anon') + (this.route ? ' ' + this.route.path : '') + ' ' + (this.regexp && this.regexp.source || '').slice(0, 30);
    let done = false;
    const fin = (how) => { if (!done) { done = true; note(name + ' ->' + how, Number(process.hrtime.bigint() - t) / 1e6); } };
    res.once('finish', () => fin('end'));
    return orig.call(this, req, res, function () { fin('next'); return next.apply(this, arguments); });
  };
  process.on('SIGUSR2', () => {
    if (!active) { held.clear(); active = true; return; }
    active = false;
    fs.writeFileSync(out + '.layers.tsv', [...held.entries()].sort((a, b) => b[1].ms - a[1].ms).map(([k, e]) => `${e.n}\t${e.ms.toFixed(0)}\t${(e.ms / e.n).toFixed(1)}\t${e.max.toFixed(0)}\t${e.over1s}\t${k}`).join('\n') + '\n');
  });
}
// Who makes PouchDB objects ('created' events: each one a task in pouchdb-all-dbs' serial queue), and allDbs wait.
if (process.argv.some(a => a.includes('pouchdb-server'))) {
  const Module = require('module'); const fs = require('fs'); const out = process.env.POUCH_PROF_OUT || '/tmp/pouch';
  const created = new Map(); const stacks = new Map(); let active = false; const wait = { n: 0, ms: 0, max: 0 };
  const origLoad = Module._load;
  Module._load = function (request, parent) {
    const m = origLoad.apply(this, arguments);
    if (request === 'pouchdb-all-dbs' && typeof m === 'function' && !m.__prof) {
      const wrapped = function (Pouch) {
        const r = m.apply(this, arguments);
        Pouch.on('created', (name) => {
          if (!active) return; const k = String(name).replace(/inspector_[0-9a-f]+/, 'inspector_X').replace(/load[0-9a-f]{6}_/, '');
          created.set(k, (created.get(k) || 0) + 1);
          const st = new Error().stack.split('\n').slice(2, 12).map(l => l.trim().replace(/\(.*node_modules\//, '(')).join(' < ');
          stacks.set(st, (stacks.get(st) || 0) + 1);
        });
        const all = Pouch.allDbs;
        Pouch.allDbs = function (cb) {
          const t = process.hrtime.bigint();
          const done = () => { if (active) { const d = Number(process.hrtime.bigint() - t) / 1e6; wait.n++; wait.ms += d; wait.max = Math.max(wait.max, d); } };
          if (typeof cb === 'function') return all.call(this, function () { done(); return cb.apply(this, arguments); });
          const p = all.call(this); p.then(done, done); return p;
        };
        return r;
      };
      wrapped.__prof = true; return wrapped;
    }
    return m;
  };
  process.on('SIGUSR2', () => {
    if (!active) { created.clear(); stacks.clear(); wait.n = wait.ms = wait.max = 0; active = true; return; }
    active = false;
    fs.writeFileSync(out + '.created.txt', `allDbs n=${wait.n} mean_ms=${(wait.ms / Math.max(1, wait.n)).toFixed(1)} max_ms=${wait.max.toFixed(0)}\n` +
      [...created.entries()].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n}\t${k}`).join('\n') + '\n--- stacks\n' +
      [...stacks.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, n]) => `${n}\t${k}`).join('\n\n') + '\n');
  });
}
