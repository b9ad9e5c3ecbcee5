// PouchDB 9 pushing the same encounter documents Waymark pushes to
// pouchdb-server 4.2 in memory, on this machine: the reference the issue
// compares Waymark's sync with. Run by scripts/pouchdb-bench.sh, never by
// make test. Usage: node bench.js DOCS.jsonl WORKDIR
'use strict';
const fs = require('fs');
const path = require('path');
const net = require('net');
const { spawn } = require('child_process');
const PouchDB = require('pouchdb');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
    s.on('error', reject);
  });
}

async function waitUp(url) {
  for (let i = 0; i < 300; i++) {
    try { const r = await fetch(url); if (r.ok) return; } catch (e) { /* not yet */ }
    await new Promise(r => setTimeout(r, 100));
  }
  throw new Error('pouchdb-server did not start');
}

async function main() {
  const [docsFile, work] = process.argv.slice(2);
  const docs = fs.readFileSync(docsFile, 'utf8').split('\n').filter(Boolean).map(l => {
    const d = JSON.parse(l);
    d._id = d.id;
    return d;
  });
  const port = await freePort();
  const bin = path.join(__dirname, 'node_modules', '.bin', 'pouchdb-server');
  // pouchdb-server writes its config.json and log.txt where it runs.
  const serverDir = path.join(work, 'server');
  fs.mkdirSync(serverDir, { recursive: true });
  const srv = spawn(bin, ['--in-memory', '--port', String(port), '--host', '127.0.0.1', '--no-stdout-logs', '--dir', serverDir],
    { cwd: serverDir, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitUp(base + '/');
    const local = new PouchDB(path.join(work, 'device'));
    // Recorded before the clock starts, as the Waymark device records first.
    for (let i = 0; i < docs.length; i += 1000) {
      await local.bulkDocs(docs.slice(i, i + 1000));
    }
    const remote = new PouchDB(base + '/encounters');
    let t0 = process.hrtime.bigint();
    const push = await local.replicate.to(remote, { batch_size: 200 });
    const pushS = Number(process.hrtime.bigint() - t0) / 1e9;
    const back = new PouchDB(path.join(work, 'device-back'));
    t0 = process.hrtime.bigint();
    const pull = await back.replicate.from(remote, { batch_size: 200 });
    const pullS = Number(process.hrtime.bigint() - t0) / 1e9;
    const info = await remote.info();
    console.log(JSON.stringify({
      docs: docs.length, written: push.docs_written, stored: info.doc_count, pulled: pull.docs_written,
      push_s: pushS, push_per_s: docs.length / pushS, push_pull_per_s: docs.length / (pushS + pullS),
    }));
  } finally {
    srv.kill('SIGTERM');
  }
}

main().catch(e => { console.error(e); process.exit(1); });
