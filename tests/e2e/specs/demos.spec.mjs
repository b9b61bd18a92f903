import { test, expect } from '@playwright/test';

// The seed's demos in the browser: scaling, a selector that matches nothing, externalTrafficPolicy
// Local, and the state surviving a reload.

// the first visit's Deployment (same template: no rollout), or another app
const deployment = (replicas, name = 'echo', image = 'kicbase/echo-server:1.0') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: ${name}
  template:
    metadata:
      labels:
        app: ${name}
    spec:
      containers:
      - name: ${name === 'echo' ? 'echo-server' : name}
        image: ${image}
        ports:
        - containerPort: 8080
`;
const service = (selector, extra = '', name = 'echo') => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
spec:
  type: NodePort${extra}
  selector:
    app: ${selector}
  ports:
  - port: 8080
    targetPort: 8080
    nodePort: 30080
`;

// the lab at `seed`, its cluster view and its editor
async function lab(page, seed) {
  await page.goto(`/?seed=${seed}`);
  return {
    view: page.getByRole('img', { name: 'Cluster view' }),
    manifest: page.getByRole('textbox', { name: 'Manifest' }),
  };
}

async function run(page, line) {
  const terminal = page.getByRole('textbox', { name: 'Terminal' });
  await terminal.fill(line);
  await terminal.press('Enter');
}

test('replicas 3 to 5 adds two pods and their endpoints; a selector matching nothing makes kube-proxy refuse', async ({ page }) => {
  const { view, manifest } = await lab(page, 11);
  await manifest.fill(`${deployment(3)}---\n${service('echo')}`);
  await expect(view.locator('[data-pod^="default/echo-"][data-ready="true"]')).toHaveCount(3);
  await manifest.fill(`${deployment(5)}---\n${service('echo')}`);
  await expect(view.locator('[data-pod^="default/echo-"][data-ready="true"]')).toHaveCount(5);
  await expect(view.locator('[data-link-service="default/echo"][data-endpoint-ready="true"]')).toHaveCount(5);
  await page.screenshot({ path: 'test-results/demo-five-replicas.png' });
  await manifest.fill(`${deployment(5)}---\n${service('nothing')}`);
  await expect(view.locator('[data-link-service="default/echo"]')).toHaveCount(0);
  await run(page, 'curl -sS 192.168.49.2:30080');
  await expect(page.getByRole('log', { name: 'Terminal output' })).toContainText('Failed to connect to 192.168.49.2 port 30080');
  await expect(view.locator('[data-request][data-state="refused"]')).toHaveCount(1);
  // it stops at the node's kube-proxy, and says why there
  await expect(view.locator('[data-request][data-state="refused"]').getByText(/^refused: default\/echo has no endpoints/)).toBeVisible();
  await view.locator('[data-request][data-state="refused"]').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/demo-refused.png' });
});

test('externalTrafficPolicy Local: a node without a local pod drops, one with a pod keeps the client address', async ({ page }) => {
  const { view, manifest } = await lab(page, 3);
  // the first visit's echo Deployment and Service go (pruned); web replaces them
  await manifest.fill(`${deployment(1, 'web', 'registry.k8s.io/echoserver:1.10')}---\n${service('web', '\n  externalTrafficPolicy: Local', 'web')}`);
  await expect(view.locator('[data-pod^="default/web-"][data-ready="true"]')).toHaveCount(1);
  await expect(view.locator('[data-service="default/echo"]')).toHaveCount(0);
  const ips = { minikube: '192.168.49.2', 'minikube-m02': '192.168.49.3', 'minikube-m03': '192.168.49.4' };
  const home = await view.locator('[data-node]').filter({ has: page.locator('[data-pod^="default/web-"]') }).getAttribute('data-node');
  const away = Object.keys(ips).find((n) => n !== home);
  const log = page.getByRole('log', { name: 'Terminal output' });
  await run(page, `curl -sS -m 2 ${ips[away]}:30080`);
  await expect(log).toContainText('curl: (28)');
  await expect(view.locator('[data-request][data-state="dropped"]')).toHaveCount(1);
  await expect(view.locator('[data-request][data-state="dropped"]').getByText('dropped: default/web has no local endpoints')).toBeVisible();
  await run(page, `curl -s ${ips[home]}:30080`);
  await expect(log).toContainText('client_address=192.168.49.1');
  await expect(view.locator('[data-request][data-state="served"]').last()).toHaveAttribute('data-served-by', /^default\/web-/);
  await page.screenshot({ path: 'test-results/demo-local-policy.png' });
});

test('the text and the cluster survive a reload', async ({ page }) => {
  const { view, manifest } = await lab(page, 11);
  await manifest.fill(`${deployment(4)}---\n${service('echo')}`);
  await expect(view.locator('[data-pod^="default/echo-"]')).toHaveCount(4);
  await page.reload();
  await expect(manifest).toHaveValue(/replicas: 4/);
  await expect(view.locator('[data-pod^="default/echo-"]')).toHaveCount(4);
  await expect(view.locator('[data-service="default/echo"]')).toBeVisible();
});
