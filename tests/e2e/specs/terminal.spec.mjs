import { test, expect } from '@playwright/test';

test('the terminal runs the same interpreter as the command line', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('/?seed=7');
  const terminal = page.getByRole('textbox', { name: 'Terminal' });
  const log = page.getByRole('log', { name: 'Terminal output' });
  // the first visit opens the seed's echo-server Deployment behind a NodePort
  await terminal.fill('kubectl get deployments');
  await terminal.press('Enter');
  await expect(log).toContainText('echo');
  await expect(log).toContainText('READY');
  // a node's shell, and back
  await terminal.fill('minikube ssh');
  await terminal.press('Enter');
  await terminal.fill('hostname');
  await terminal.press('Enter');
  await expect(log).toContainText('docker@minikube:~$ hostname');
  await terminal.fill('exit');
  await terminal.press('Enter');
  await expect(log).toContainText('logout');
  // completion: commands, verbs, resources and names
  await terminal.fill('kubectl get deploy');
  await terminal.press('Tab');
  await expect(terminal).toHaveValue('kubectl get deployments ');
  await terminal.press('Tab');
  await expect(terminal).toHaveValue('kubectl get deployments echo ');
  await terminal.fill('exit');
  // history: the previous command comes back with the up arrow
  await terminal.press('ArrowUp');
  await expect(terminal).toHaveValue('exit');
  // user text is shown as text, never as HTML
  await terminal.fill('echo <b>bold</b>');
  await terminal.press('Enter');
  await expect(log).toContainText('<b>bold</b>');
  expect(errors).toEqual([]);
});

test('the manifest applies by itself, and a bad one keeps the last good cluster', async ({ page }) => {
  await page.goto('/?seed=7');
  const manifest = page.getByRole('textbox', { name: 'Manifest' });
  await expect(manifest).toHaveValue(/kind: Deployment/);
  const status = page.getByRole('status', { name: 'Manifest diagnostics' });
  await expect(status).toContainText('deployment.apps/echo created');
  await expect(page.locator('[data-pod^="default/echo-"]')).toHaveCount(3);
  await manifest.fill('apiVersion: v1\nkind: Service\nmetadata:\n  name: broken\nspec:\n  ports:\n  - port: 99999\n');
  await expect(status).toContainText('spec.ports[0].port: Invalid value: 99999');
  await expect(page.locator('[data-pod^="default/echo-"]')).toHaveCount(3);
  // objects removed from the text are deleted
  await manifest.fill('apiVersion: v1\nkind: Service\nmetadata:\n  name: echo\nspec:\n  type: NodePort\n  selector:\n    app: echo\n  ports:\n  - port: 8080\n    targetPort: 8080\n');
  await expect(status).toContainText('deployment.apps "echo" deleted');
  const terminal = page.getByRole('textbox', { name: 'Terminal' });
  await terminal.fill('kubectl get deployments');
  await terminal.press('Enter');
  await expect(page.getByRole('log', { name: 'Terminal output' })).toContainText('No resources found in default namespace.');
});

test('a namespace switched in the terminal applies to the terminal, not to the editor\'s objects', async ({ page }) => {
  await page.goto('/?seed=7');
  const manifest = page.getByRole('textbox', { name: 'Manifest' });
  await expect(page.locator('[data-pod^="default/echo-"]')).toHaveCount(3);
  const terminal = page.getByRole('textbox', { name: 'Terminal' });
  const log = page.getByRole('log', { name: 'Terminal output' });
  await terminal.fill('kubectl config set-context --current --namespace=kube-system');
  await terminal.press('Enter');
  await expect(log).toContainText('Context "minikube" modified.');
  await terminal.fill('kubectl get deploy');
  await terminal.press('Enter');
  await expect(log).toContainText('coredns');
  await manifest.fill((await manifest.inputValue()).replace('replicas: 3', 'replicas: 4'));
  await expect(page.locator('[data-pod^="default/echo-"]')).toHaveCount(4);
  await expect(page.locator('[data-pod^="kube-system/echo-"]')).toHaveCount(0);
});

test('a script pasted into the terminal runs line by line, a here-document with the line that opens it', async ({ page }) => {
  await page.goto('/?seed=7');
  const terminal = page.getByRole('textbox', { name: 'Terminal' });
  const log = page.getByRole('log', { name: 'Terminal output' });
  await expect(page.locator('[data-pod^="default/echo-"]')).toHaveCount(3);
  const script = 'cat <<EOF | kubectl apply -f -\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pasted\ndata:\n  a: b\nEOF\nkubectl get cm pasted -o jsonpath={.data.a}\nkubectl get pods';
  await terminal.evaluate((el, text) => {
    const data = new DataTransfer();
    data.setData('text', text);
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, script);
  await expect(log).toContainText('configmap/pasted created');
  await expect(log).toContainText('$ kubectl get cm pasted -o jsonpath={.data.a}');
  // the last line had no newline: it waits in the input, as in a terminal
  await expect(terminal).toHaveValue('kubectl get pods');
});
