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
const cdp = await lp.context().newCDPSession(lp);
await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
await cdp.send('Profiler.start');
await lp.waitForTimeout(4000);
const { profile } = await cdp.send('Profiler.stop');
const self = new Map(); const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const dt = {}; for (let i = 0; i < profile.samples.length; i++) dt[profile.samples[i]] = (dt[profile.samples[i]] ?? 0) + (profile.timeDeltas[i] ?? 0);
// inclusive time: walk parents
const parent = new Map(); for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const incl = new Map();
for (const [id, t] of Object.entries(dt)) {
  const n = byId.get(Number(id)); const nm = n.callFrame.functionName || '(' + n.callFrame.url.split('/').pop() + ')';
  self.set(nm, (self.get(nm) ?? 0) + t);
  const seen = new Set(); let cur = Number(id);
  while (cur !== undefined) { const f = byId.get(cur).callFrame.functionName; if (!seen.has(f)) { seen.add(f); incl.set(f, (incl.get(f) ?? 0) + t); } cur = parent.get(cur); }
}
const total = Object.values(dt).reduce((a, b) => a + b, 0);
console.log('total ms', (total / 1000).toFixed(0));
console.log('--- self'); for (const [k, v] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 40)) console.log((v / 1000).toFixed(0).padStart(6), k.slice(0, 160));
console.log('--- inclusive'); for (const [k, v] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 60)) console.log((v / 1000).toFixed(0).padStart(6), k.slice(0, 160));
await browser.close(); server.kill();
