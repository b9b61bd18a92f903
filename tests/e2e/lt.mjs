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
await browser.startTracing(lp, { categories: ['devtools.timeline', 'blink', 'cc', 'v8'] });
await lp.waitForTimeout(3000);
const buf = await browser.stopTracing();
const t = JSON.parse(buf.toString()); const ev = t.traceEvents ?? t;
const names = {}; for (const e of ev) if (e.name === 'thread_name') names[e.pid + ':' + e.tid] = e.args.name;
const agg = new Map();
for (const e of ev) {
  if (e.ph !== 'X' || names[e.pid + ':' + e.tid] !== 'CrRendererMain') continue;
  agg.set(e.name, (agg.get(e.name) ?? 0) + (e.dur ?? 0));
}
console.log(['v8.callFunction','WebFrameWidgetImpl::UpdateLifecycle','Paint','PrePaint','Layerize','LocalFrameView::UpdateStyleAndLayout'].map((k) => k.split(':').pop() + ' ' + ((agg.get(k) ?? 0) / 1000).toFixed(0)).join('  '));
await browser.close(); server.kill();
