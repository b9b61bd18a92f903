// The lab's browser budgets, measured (not asserted): run after `trunk build --release`
//   cd tests/e2e && node measure.mjs
// prints what everything shipped weighs gzipped, how long the first render of the default lab
// takes after navigation, and how long an edit of a 200-object manifest takes until the views
// are updated (apply + render, p95), and the frame times and JS heap with 100 pods on 3 nodes
// and about 1,000 requests in flight (200 requests/s at 4×, each dot flies 1.2 s).
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';

const dist = new URL('../../dist/', import.meta.url).pathname;
const port = Number(process.env.MEASURE_PORT ?? 8093);

function bundle() {
  let raw = 0, gz = 0;
  const rows = [];
  for (const f of readdirSync(dist)) {
    const p = join(dist, f);
    if (!statSync(p).isFile() || f.endsWith('.html')) continue;
    const data = readFileSync(p);
    const z = gzipSync(data, { level: 9 }).length;
    raw += data.length; gz += z;
    rows.push(`  ${f.padEnd(48)} ${(data.length / 1024).toFixed(1).padStart(8)} KB raw ${(z / 1024).toFixed(1).padStart(8)} KB gzip`);
  }
  return { raw, gz, rows };
}

function manifest(n, replicas) {
  let m = '';
  for (let i = 0; i < n / 4; i++) {
    m += `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${i}\nspec:\n  replicas: ${i === 0 ? replicas : 1}\n  selector:\n    matchLabels:\n      app: app-${i}\n  template:\n    metadata:\n      labels:\n        app: app-${i}\n    spec:\n      containers:\n      - name: web\n        image: kicbase/echo-server:1.0\n---\n`;
    m += `apiVersion: v1\nkind: Service\nmetadata:\n  name: app-${i}\nspec:\n  type: NodePort\n  selector:\n    app: app-${i}\n  ports:\n  - port: 80\n    targetPort: 8080\n---\n`;
    m += `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg-${i}\ndata:\n  key: value-${i}\n---\n`;
    m += `apiVersion: v1\nkind: Pod\nmetadata:\n  name: client-${i}\nspec:\n  containers:\n  - name: c\n    image: busybox:1.36\n    command: ["sleep", "3600"]\n---\n`;
  }
  return m;
}

// MEASURE_ONLY=bundle|first|edit|load runs one of the measurements
const only = process.env.MEASURE_ONLY;
const runs = (what) => !only || only === what;

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };

const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', dist], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 800));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--enable-precise-memory-info'],
});
try {
  if (runs('bundle')) {
  const b = bundle();
  console.log(`everything shipped: ${(b.raw / 1024).toFixed(1)} KB raw, ${(b.gz / 1024).toFixed(1)} KB gzip (budget 350 KB gzip)`);
  b.rows.forEach((r) => console.log(r));
  }

  if (runs('first')) {
  const firsts = [], fetched = [], marks = {};
  for (let i = 0; i < 11; i++) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`http://127.0.0.1:${port}/?seed=1`, { waitUntil: 'commit' });
    const h = await page.waitForFunction(() => document.querySelectorAll('[data-node]').length === 3 ? performance.now() : false, null, { polling: 'raf' });
    firsts.push(await h.jsonValue());
    // where the time went: the wasm's download, then its compilation and the lab's start
    fetched.push(await page.evaluate(() => Math.max(...performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')).map((e) => e.responseEnd))));
    // the app's own User Timing marks (src/ui: start, cluster built, manifest applied, mounted)
    for (const m of await page.evaluate(() => performance.getEntriesByType('mark').map((m) => [m.name, m.startTime]))) {
      (marks[m[0]] ??= []).push(m[1]);
    }
    await ctx.close();
  }
  console.log(`first render of the default lab: median ${pct(firsts, 0.5).toFixed(0)} ms, max ${Math.max(...firsts).toFixed(0)} ms after navigation (budget 300 ms; ${firsts.length} loads); the wasm was downloaded at ${pct(fetched, 0.5).toFixed(0)} ms (median)`);
  console.log(`  where it went (medians): ${Object.entries(marks).map(([k, v]) => `${k} at ${pct(v, 0.5).toFixed(0)} ms`).join(', ')}, drawn at ${pct(firsts, 0.5).toFixed(0)} ms`);
  }

  if (runs('edit')) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(`http://127.0.0.1:${port}/?seed=1`); if (process.env.CSS) await page.addStyleTag({ content: process.env.CSS }); if (process.env.FREEZE) await page.evaluate((a) => { const orig = Element.prototype.setAttribute; Element.prototype.setAttribute = function (n, v) { if (this.classList?.contains('viz') && a.includes(n)) return; return orig.call(this, n, v); }; }, process.env.FREEZE.split(','));
  const editor = page.getByRole('textbox', { name: 'Manifest' });
  const times = [];
  // the whole text is replaced as a paste does it (one input event; Playwright's fill inserts
  // a long text line by line, thousands of input events, 13 s per edit)
  await page.evaluate(() => { window.svgMut = []; const svg = document.querySelector('svg.viz');
    new MutationObserver((ms) => { for (const m of ms) window.svgMut.push(`${performance.now().toFixed(0)} ${m.attributeName}=${svg.getAttribute(m.attributeName)}`); }).observe(svg, { attributes: true }); });
  for (let i = 0; i < 41; i++) {
    if (i === 1) await browser.startTracing(page, { categories: ['devtools.timeline', 'blink', 'v8', 'toplevel'] });
    const before = await page.evaluate(() => (window.svclabEditTimes ?? []).length);
    await editor.evaluate((ta, text) => {
      ta.value = text;
      ta.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));
    }, manifest(200, 1 + (i % 3)));
    await page.waitForFunction((n) => (window.svclabEditTimes ?? []).length > n, before);
    if (i > 0) times.push(await page.evaluate(() => window.svclabEditTimes.at(-1)));
  }
  const buf = await browser.stopTracing();
  const t = JSON.parse(buf.toString()); const ev = t.traceEvents ?? t;
  const names = {}; for (const e of ev) if (e.name === 'thread_name') names[e.pid + ':' + e.tid] = e.args.name;
  const main = ev.filter((e) => e.ph === 'X' && names[e.pid + ':' + e.tid] === 'CrRendererMain').sort((a, b) => a.ts - b.ts);
  const tops = []; let end = -1; for (const e of main) { if (e.ts >= end) { tops.push(e); end = e.ts + e.dur; } }
  // the apply task: the top task holding a TimerFire longer than 3 ms
  for (let i = 0; i < tops.length; i++) {
    const T = tops[i]; if (T.dur < 3000) continue;
    const kids = main.filter((e) => e.ts >= T.ts && e.ts + e.dur <= T.ts + T.dur && e !== T);
    const kind = kids.find((k) => k.name === 'TimerFire') ? 'timer' : kids.find((k) => k.name.includes('BeginMainFrame')) ? 'frame' : kids.find((k)=>k.name==='EventDispatch') ? 'event' : (kids[0]?.name ?? '?');
    const big = kids.filter((k) => ['UpdateLayoutTree','Layout','Paint','PrePaint','Layerize','v8.callFunction','FunctionCall','MajorGC','MinorGC','V8.GC_MC_BACKGROUND_MARKING','UpdateLayer','Commit','RasterTask','ParseHTML','HitTest','IntersectionObserverController::computeIntersections'].includes(k.name) && k.dur > 1000).map((k) => `${k.name}:${(k.dur/1000).toFixed(1)}`);
    const lay = kids.filter((k) => k.name === 'Layout' && k.dur > 1500).map((k) => JSON.stringify(k.args.beginData?.dirtyObjects) + '/' + JSON.stringify(k.args.beginData?.totalObjects) + ' roots ' + JSON.stringify((k.args.endData?.layoutRoots ?? []).map((r) => r.nodeName ?? r.nodeId)).slice(0, 200));
    if (kind === 'frame' && lay.length) console.log('      layout', lay.join(' ; '));
    console.log(`${((T.ts - tops[0].ts)/1000).toFixed(0).padStart(7)} ${kind.padEnd(8)} ${(T.dur/1000).toFixed(1).padStart(6)}  ${[...new Set(big)].slice(0,8).join(' ')}`);
  }
  { const rows = []; let last = null;
    for (const T of tops) {
      const kids = main.filter((e) => e.ts >= T.ts && e.ts + e.dur <= T.ts + T.dur && e !== T);
      if (T.dur > 3000 && kids.find((k) => k.name === 'TimerFire')) { last = { apply: T.dur / 1000, at: T.ts }; continue; }
      if (last && kids.find((k) => k.name.includes('BeginMainFrame'))) {
        const lay = kids.filter((k) => k.name === 'Layout').reduce((a, k) => a + k.dur, 0) / 1000;
        rows.push(`${last.apply.toFixed(1)}+${(T.dur / 1000).toFixed(1)}(L${lay.toFixed(1)})`); last = null;
      }
    }
    console.log('apply+frame:', rows.join(' ')); }
  console.log((await page.evaluate(() => window.svgMut)).join('\n'));
  console.log(`edit of a 200-object manifest until the views are updated: median ${pct(times, 0.5).toFixed(1)} ms, p95 ${pct(times, 0.95).toFixed(1)} ms (budget p95 16 ms; ${times.length} edits)`);
  await ctx.close();
  }

  if (runs('load')) {
  // 100 pods on 3 nodes (89 echo servers + the 11 system pods), traffic at 200/s and 4x
  const load = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
  const lp = await load.newPage();
  await lp.goto(`http://127.0.0.1:${port}/?seed=1`);
  const ed = lp.getByRole('textbox', { name: 'Manifest' });
  await ed.fill('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: echo\nspec:\n  replicas: 89\n  selector:\n    matchLabels:\n      app: echo\n  template:\n    metadata:\n      labels:\n        app: echo\n    spec:\n      containers:\n      - name: echo-server\n        image: kicbase/echo-server:1.0\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: echo\nspec:\n  type: NodePort\n  selector:\n    app: echo\n  ports:\n  - port: 8080\n    nodePort: 30080\n');
  await lp.waitForFunction(() => document.querySelectorAll('[data-pod][data-ready="true"]').length >= 100, null, { timeout: 60000 });
  await lp.getByRole('combobox', { name: 'Speed' }).selectOption('4');
  await lp.getByRole('combobox', { name: 'Traffic source' }).selectOption({ index: 0 });
  await lp.getByRole('combobox', { name: 'Traffic target' }).selectOption({ index: 1 });
  const rate = lp.getByRole('spinbutton', { name: 'Requests per second' });
  await rate.fill('200');
  await rate.press('Enter');
  await lp.getByRole('button', { name: 'Start traffic' }).click();
  // the frames are only worth their number if the dots are on screen: how much of the
  // cluster view the viewport shows (a layout that pushed it below the fold once flattered them)
  const shown = await lp.getByRole('img', { name: 'Cluster view' }).evaluate((svg) => {
    const r = svg.getBoundingClientRect();
    const box = svg.parentElement.getBoundingClientRect(); // it may scroll inside its place
    const seen = Math.max(0, Math.min(r.bottom, box.bottom, innerHeight) - Math.max(r.top, box.top, 0));
    return `${seen.toFixed(0)} of its ${r.height.toFixed(0)} px tall, from ${r.top.toFixed(0)} px`;
  });
  const frames = (ms) => lp.evaluate((ms) => new Promise((done) => {
    const deltas = []; let last = performance.now(); let peak = 0;
    const end = last + ms;
    const tick = (t) => {
      deltas.push(t - last); last = t;
      peak = Math.max(peak, document.querySelectorAll('[data-request][data-state="in-flight"]').length);
      if (t < end) requestAnimationFrame(tick); else done({ deltas, peak });
    };
    requestAnimationFrame(tick);
  }), ms);
  const heap = () => lp.evaluate(() => performance.memory ? performance.memory.usedJSHeapSize / 1048576 : NaN);
  await lp.waitForTimeout(3000);
  const f = await frames(10000);
  const h10 = await heap();
  console.log(`100 pods, traffic 200/s at 4x: up to ${f.peak} requests in flight; frame time p95 ${pct(f.deltas, 0.95).toFixed(1)} ms, median ${pct(f.deltas, 0.5).toFixed(1)} ms over ${f.deltas.length} frames, ${f.deltas.filter((d) => d > 20).length} of them longer than 20 ms, i.e. a missed vsync at 60 Hz (budget p95 16.7 ms); the cluster view in the viewport: ${shown}`);
  // MEASURE_SHORT=1 skips the minute of load (for quick comparisons)
  if (!process.env.MEASURE_SHORT) {
    await lp.waitForTimeout(47000);
    const g = await frames(3000);
    const h60 = await heap();
    console.log(`after 60 s of load: frame time p95 ${pct(g.deltas, 0.95).toFixed(1)} ms; JS heap ${h10.toFixed(1)} MB after 13 s, ${h60.toFixed(1)} MB after 60 s (budget 30 MB, not growing)`);
  }
  await load.close();
  }
} finally {
  await browser.close();
  server.kill();
}
