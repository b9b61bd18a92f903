import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
const dir = process.env.DIR; const port = Number(process.env.PORT ?? 8094);
const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', dir], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 800));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const lp = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
await lp.goto(`http://127.0.0.1:${port}/?seed=1`); if (process.env.CSS) await lp.addStyleTag({ content: process.env.CSS });
await lp.getByRole('textbox', { name: 'Manifest' }).fill('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: echo\nspec:\n  replicas: 89\n  selector:\n    matchLabels:\n      app: echo\n  template:\n    metadata:\n      labels:\n        app: echo\n    spec:\n      containers:\n      - name: echo-server\n        image: kicbase/echo-server:1.0\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: echo\nspec:\n  type: NodePort\n  selector:\n    app: echo\n  ports:\n  - port: 8080\n    nodePort: 30080\n');
await lp.waitForFunction(() => document.querySelectorAll('[data-pod][data-ready="true"]').length >= 100, null, { timeout: 60000 });
await lp.getByRole('combobox', { name: 'Speed' }).selectOption('4');
await lp.getByRole('combobox', { name: 'Traffic source' }).selectOption({ index: 0 });
await lp.getByRole('combobox', { name: 'Traffic target' }).selectOption({ index: 1 });
const rate = lp.getByRole('spinbutton', { name: 'Requests per second' });
await rate.fill('200'); await rate.press('Enter');
await lp.getByRole('button', { name: 'Start traffic' }).click();
await lp.waitForTimeout(4000);
await browser.startTracing(lp, { categories: ['devtools.timeline', 'blink', 'cc', 'v8', 'toplevel', 'viz', 'gpu'] });
await lp.waitForTimeout(3000);
const buf = await browser.stopTracing();
const t = JSON.parse(buf.toString()); const ev = (t.traceEvents ?? t).filter((e) => e.ph === 'X' || e.ph === 'B' || e.ph === 'E');
const names = {}; for (const e of (t.traceEvents ?? t)) if (e.name === 'thread_name') names[e.pid + ':' + e.tid] = e.args.name;
const byThread = new Map();
for (const e of ev) { if (e.ph !== 'X') continue; const k = names[e.pid + ':' + e.tid] ?? (e.pid + ':' + e.tid); if (!byThread.has(k)) byThread.set(k, []); byThread.get(k).push(e); }
for (const [th, es] of byThread) {
  es.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const top = new Map(); let end = -1; let busy = 0;
  const child = new Map(); let curTop = null;
  for (const e of es) {
    if (e.ts >= end) { top.set(e.name, (top.get(e.name) ?? 0) + e.dur); end = e.ts + e.dur; busy += e.dur; curTop = e; }
    else if (curTop && curTop.name === 'ThreadControllerImpl::RunTask' && e.ts + e.dur <= end) { /* nested */ }
  }
  if (busy < 100000) continue;
  console.log(`== ${th}: busy ${(busy / 1000).toFixed(0)} ms`);
  for (const [k, v] of [...top].sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log('   ', (v / 1000).toFixed(0).padStart(6), k);
}
// second level under RunTask on the main thread
const main = byThread.get('CrRendererMain') ?? [];
const lvl2 = new Map(); let end = -1; let end2 = -1;
for (const e of main) { if (e.ts >= end) { end = e.ts + e.dur; end2 = -1; continue; } if (e.ts >= end2) { lvl2.set(e.name, (lvl2.get(e.name) ?? 0) + e.dur); end2 = e.ts + e.dur; } }
console.log('== main, level 2'); for (const [k, v] of [...lvl2].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log('   ', (v / 1000).toFixed(0).padStart(6), k);

function tree(es, rootName, depthMax) {
  const agg = new Map(); const stack = [];
  for (const e of es) {
    while (stack.length && e.ts >= stack[stack.length-1].ts + stack[stack.length-1].dur) stack.pop();
    stack.push(e);
    const i = stack.findIndex((x) => x.name === rootName);
    if (i >= 0 && stack.length - 1 - i >= 1 && stack.length - 1 - i <= depthMax) {
      const path = stack.slice(i + 1).map((x) => x.name).join(' > ');
      agg.set(path, (agg.get(path) ?? 0) + e.dur);
    }
  }
  return agg;
}
const lays = (t.traceEvents ?? t).filter((e) => e.name === 'Layout' && e.ph === 'X' && e.dur > 1500).slice(0, 6);
for (const l of lays) console.log('LAYOUT', (l.dur/1000).toFixed(1), JSON.stringify(l.args).slice(0, 600));
const longs = main.filter((e) => e.name === 'ThreadControllerImpl::RunTask' && e.dur > 12000);
console.log('long tasks', longs.length);
for (const L of longs.slice(0, 25)) {
  const kids = main.filter((e) => e.ts > L.ts && e.ts + e.dur <= L.ts + L.dur && e.dur > 1500 && e !== L);
  console.log((L.dur / 1000).toFixed(1), kids.slice(0, 8).map((k) => `${k.name}:${(k.dur / 1000).toFixed(1)}${k.args?.data?.functionName ? '(' + k.args.data.functionName + ')' : ''}`).join(' | '));
}
await browser.close(); server.kill();