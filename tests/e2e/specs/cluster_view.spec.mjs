import { test, expect } from '@playwright/test';

test('the cluster view draws nodes, pods, Services and the requests typed in the terminal', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('/?seed=7');
  const view = page.getByRole('img', { name: 'Cluster view' });
  for (const node of ['minikube', 'minikube-m02', 'minikube-m03']) {
    await expect(view.locator(`[data-node="${node}"]`)).toHaveCount(1);
  }
  await expect(view.locator('[data-service="default/echo"]')).toContainText('NodePort');
  await expect(view.locator('[data-service="kube-system/kube-dns"]')).toContainText('10.96.0.10');
  // the cluster's DNS is named as such, and only it
  await expect(view.getByRole('button', { name: 'Service kube-system/kube-dns (cluster DNS, served by CoreDNS)' })).toHaveAttribute('data-dns', 'true');
  await expect(view.locator('[data-dns="true"]')).toHaveCount(1);
  await expect(view.locator('[data-pod^="default/echo-"][data-ready="true"]')).toHaveCount(3);
  const terminal = page.getByRole('textbox', { name: 'Terminal' });
  await terminal.fill(`kubectl patch svc echo -p '{"spec":{"ports":[{"port":8080,"nodePort":30080}]}}'`);
  await terminal.press('Enter');
  await terminal.fill('curl -s 192.168.49.2:30080');
  await terminal.press('Enter');
  // the request travels first, then lands on the pod that served it
  await expect(view.locator('[data-request][data-state="in-flight"]')).toHaveCount(1);
  const served = view.locator('[data-request][data-state="served"]');
  await expect(served).toHaveCount(1);
  await expect(served).toHaveAttribute('data-served-by', /^default\/echo-/);
  // a Service without endpoints refuses at once
  await terminal.fill('kubectl create service nodeport nothing --tcp=80:80 --node-port=30081');
  await terminal.press('Enter');
  await terminal.fill('curl -s 192.168.49.2:30081');
  await terminal.press('Enter');
  await expect(view.locator('[data-request][data-state="refused"]')).toHaveCount(1);
  // the inspector: a request's hops and the rules it matched, marked in the node's iptables
  const inspector = page.getByRole('region', { name: 'Inspector' });
  await served.locator('circle').click();
  await expect(inspector).toContainText('svclab trace');
  await expect(inspector).toContainText('nat KUBE-NODEPORTS');
  expect(await inspector.locator('[data-rule-hit="true"]').count()).toBeGreaterThan(2);
  // a pod, as kubectl get -o yaml shows it, with its resolv.conf
  await view.locator('[data-pod^="default/echo-"]').first().click();
  await expect(inspector).toContainText('kind: Pod');
  await expect(inspector).toContainText('nameserver 10.96.0.10');
  // the selection follows the cluster: a label added in the terminal shows up
  const pod = (await view.locator('[data-pod^="default/echo-"]').first().getAttribute('data-pod')).split('/')[1];
  await terminal.fill(`kubectl label pod ${pod} lesson=one`);
  await terminal.press('Enter');
  await expect(inspector).toContainText('lesson: one');
  // keyboard: a Service is selected with Enter
  await view.locator('[data-service="kube-system/kube-dns"]').focus();
  await page.keyboard.press('Enter');
  await expect(inspector).toContainText('kubernetes.io/service-name=kube-dns');
  expect(errors).toEqual([]);
});

test('a LoadBalancer Service waits for an address; a cloud\'s load balancer is drawn, minikube tunnel routes to the ClusterIP until Ctrl-C', async ({ page }) => {
  await page.goto('/?seed=5');
  const view = page.getByRole('img', { name: 'Cluster view' });
  const log = page.getByRole('log', { name: 'Terminal output' });
  await expect(view.locator('[data-pod^="default/echo-"][data-ready="true"]')).toHaveCount(3);
  await expect(view.locator('[data-load-balancer]')).toHaveCount(0);
  const terminal = page.getByRole('textbox', { name: 'Terminal' });
  const type = async (line) => { await terminal.fill(line); await terminal.press('Enter'); };
  await type('kubectl expose deployment echo --name=echo-lb --type=LoadBalancer --port=80 --target-port=8080');
  await type('kubectl get svc echo-lb');
  await expect(log).toContainText('<pending>');
  await expect(view.locator('[data-service="default/echo-lb"]')).toContainText('<pending>');
  await expect(view.locator('[data-load-balancer]')).toHaveCount(0);
  // a cloud controller's work, by hand: the load balancer appears and requests pass it
  await type(`kubectl patch svc echo-lb --subresource=status --type=merge -p '{"status":{"loadBalancer":{"ingress":[{"ip":"203.0.113.10"}]}}}'`);
  await expect(view.locator('[data-load-balancer]')).toContainText('203.0.113.10');
  await type('curl -s 203.0.113.10');
  await expect(log).toContainText('Request served by echo-');
  await expect(view.locator('[data-request][data-state="served"]').last()).toHaveAttribute('data-served-by', /^default\/echo-/);
  await page.screenshot({ path: 'test-results/load-balancer.png' });
  // minikube tunnel: the ingress becomes the ClusterIP, reached through the control-plane node
  await type('minikube tunnel');
  await expect(log).toContainText('route: 10.96.0.0/12 -> 192.168.49.2');
  await expect(view.locator('[data-tunnel]')).toContainText('10.96.0.0/12 via 192.168.49.2');
  await expect(view.locator('[data-load-balancer]')).toHaveCount(0);
  await type(`curl -s $(kubectl get svc echo-lb -o jsonpath='{.status.loadBalancer.ingress[0].ip}')`);
  await expect(log.getByText('Request served by echo-')).toHaveCount(2);
  await terminal.press('Control+c');
  await expect(log).toContainText('$ ^C');
  await expect(view.locator('[data-tunnel]')).toHaveCount(0);
  await type('kubectl get svc echo-lb');
  await expect(log.locator('pre').last()).toContainText('<pending>');
});

test('a lookup by name is drawn: a name that does not exist fails; one that exists goes to CoreDNS, comes back as from the ClusterIP, then connects', async ({ page }) => {
  await page.goto('/?seed=5');
  const view = page.getByRole('img', { name: 'Cluster view' });
  await expect(view.locator('[data-pod^="default/echo-"][data-ready="true"]')).toHaveCount(3);
  const terminal = page.getByRole('textbox', { name: 'Terminal' });
  for (const line of ['kubectl run client --image=busybox:1.36 -- sleep 3600', 'sleep 5', 'kubectl exec client -- wget -qO- nosuch']) {
    await terminal.fill(line);
    await terminal.press('Enter');
  }
  await expect(page.getByRole('log', { name: 'Terminal output' })).toContainText("wget: bad address 'nosuch'");
  await expect(view.locator('[data-request][data-state="failed"]')).toHaveCount(1);
  // a name that exists: the query goes to the kube-dns ClusterIP, is sent on to CoreDNS, and
  // the answer comes back as from the ClusterIP; then the connection goes to the Service
  await terminal.fill('kubectl exec client -- wget -qO- echo:8080');
  await terminal.press('Enter');
  const byName = view.locator('[data-request][data-state="in-flight"]');
  await expect(byName.getByText(/^10\.244\.\d+\.\d+ → 10\.96\.0\.10:53$/)).toBeAttached();
  await expect(byName.getByText(/^DNAT: 10\.244\.\d+\.\d+ → 10\.244\.0\.2:53$/)).toBeAttached();
  await expect(byName.getByText(/^answer: 10\.96\.0\.10:53 → 10\.244\.\d+\.\d+$/)).toBeAttached();
  await expect(byName.getByText(/^10\.244\.\d+\.\d+ → 10\.(9[6-9]|10\d|11[01])\.\d+\.\d+:8080$/)).toBeAttached();
  await expect(byName.getByText(/^DNAT: 10\.244\.\d+\.\d+ → 10\.244\.\d+\.\d+:8080$/)).toBeAttached();
});

test('kubectl port-forward runs beside the prompt: curl localhost reaches the one pod it picked, past the Service rules, until Ctrl-C', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('/?seed=5');
  const view = page.getByRole('img', { name: 'Cluster view' });
  const log = page.getByRole('log', { name: 'Terminal output' });
  await expect(view.locator('[data-pod^="default/echo-"][data-ready="true"]')).toHaveCount(3);
  const terminal = page.getByRole('textbox', { name: 'Terminal' });
  const type = async (line) => { await terminal.fill(line); await terminal.press('Enter'); };
  await type('kubectl port-forward svc/echo 9090:8080');
  await expect(log).toContainText('Forwarding from 127.0.0.1:9090 -> 8080');
  await expect(log).toContainText('Forwarding from [::1]:9090 -> 8080');
  // every request goes to the same pod: a stream through the API server, not kube-proxy
  await type('curl -s localhost:9090 && curl -s localhost:9090');
  await expect(log.getByText('Handling connection for 9090')).toHaveCount(2);
  const served = view.locator('[data-request][data-state="served"]');
  await expect(served).toHaveCount(2);
  const first = await served.first().getAttribute('data-served-by');
  expect(first).toMatch(/^default\/echo-/);
  await expect(served.last()).toHaveAttribute('data-served-by', first);
  await page.screenshot({ path: 'test-results/port-forward.png' });
  await type('svclab trace');
  await expect(log).toContainText('kube-apiserver');
  await expect(log).toContainText('the server saw the request come from 127.0.0.1');
  await terminal.press('Control+c');
  await type('curl -s localhost:9090 || echo refused');
  await expect(log.locator('pre').last()).toContainText('refused');
  await expect(view.locator('[data-request][data-state="refused"]')).toHaveCount(1);
  expect(errors).toEqual([]);
});
