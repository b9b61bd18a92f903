import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
const dist = process.env.DIST;
const port = 8097;
const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', dist], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 800));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
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
try {
  const page = await browser.newPage(); page.on('console', (m) => console.log('console:', m.text().slice(0, 300))); page.on('pageerror', (e) => console.log('pageerror:', String(e).slice(0, 300)));
  const cdp = await page.context().newCDPSession(page);
  const mode = process.env.MODE ?? 'edit';
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  if (mode === 'first') await cdp.send('Profiler.start');
  await page.goto(`http://127.0.0.1:${port}/?seed=1`);
  await page.waitForFunction(() => document.querySelectorAll('[data-node]').length === 3);
  if (mode === 'edit') {
    const editor = page.getByRole('textbox', { name: 'Manifest' });
    await editor.fill(manifest(200, 1));
    await page.waitForFunction(() => (window.svclabEditTimes ?? []).length > 0);
    await cdp.send('Profiler.start');
    for (let i = 0; i < 10; i++) {
      const before = await page.evaluate(() => (window.svclabEditTimes ?? []).length);
      await editor.fill(manifest(200, 2 + (i % 2)));
      await page.waitForFunction((n) => (window.svclabEditTimes ?? []).length > n, before);
    }
    console.log(await page.evaluate(() => JSON.stringify(window.svclabEditTimes.map(Math.round))));
  }
  const { profile } = await cdp.send('Profiler.stop');
  // self time per function, and inclusive
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map(), incl = new Map();
  const dt = profile.timeDeltas; let total = 0;
  profile.samples.forEach((id, i) => {
    const d = dt[i] / 1000; total += d;
    const n = byId.get(id); const name = n.callFrame.functionName || '(anon)';
    self.set(name, (self.get(name) ?? 0) + d);
    const seen = new Set(); let cur = id;
    while (cur !== undefined) { const nm = byId.get(cur).callFrame.functionName || '(anon)'; if (!seen.has(nm)) { seen.add(nm); incl.set(nm, (incl.get(nm) ?? 0) + d); } cur = parent.get(cur); }
  });
  console.log('total ms', total.toFixed(0));
  for (const focus of (process.env.FOCUS ?? '').split(',').filter(Boolean)) {
    const ch = new Map(); let tot = 0;
    profile.samples.forEach((id, i) => {
      const d = dt[i] / 1000;
      // walk up: find the outermost frame matching focus, and its child on this stack
      let cur = id, child = null, hit = false, below = null;
      while (cur !== undefined) { const nm = byId.get(cur).callFrame.functionName || '(anon)'; if (nm.includes(focus)) { hit = true; child = below; } below = nm; cur = parent.get(cur); }
      if (!hit) return; tot += d; const k = child ?? '<self>'; ch.set(k, (ch.get(k) ?? 0) + d);
    });
    console.log(`--- children of ${focus}: ${tot.toFixed(1)}`);
    [...ch].sort((a, b) => b[1] - a[1]).slice(0, 25).forEach(([k, v]) => console.log(v.toFixed(1).padStart(8), k.slice(0, 140)));
  }
  console.log('--- self');
  [...self].sort((a, b) => b[1] - a[1]).slice(0, 35).forEach(([k, v]) => console.log(v.toFixed(1).padStart(8), k.slice(0, 140)));
  console.log('--- inclusive');
  [...incl].filter(([k]) => k.includes('svclab') || k.includes('Shell')).sort((a, b) => b[1] - a[1]).slice(0, 50).forEach(([k, v]) => console.log(v.toFixed(1).padStart(8), k.slice(0, 140)));
} finally { await browser.close(); server.kill(); }
