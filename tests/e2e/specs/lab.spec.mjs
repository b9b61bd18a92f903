import { test, expect } from '@playwright/test';

test('the default cluster: three minikube nodes with their system pods', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('/?seed=7');
  for (const node of ['minikube', 'minikube-m02', 'minikube-m03']) {
    await expect(page.locator(`[data-node="${node}"]`)).toBeVisible();
  }
  const coredns = page.locator('[data-pod^="kube-system/coredns-"]');
  await expect(coredns).toHaveCount(1);
  await expect(coredns).toHaveAttribute('data-ready', 'true');
  await expect(page.locator('[data-node="minikube"] [data-pod^="kube-system/coredns-"]')).toContainText('10.244.0.2');
  // each pod shows its labels (what a Service's selector is matched against)
  await expect(coredns).toContainText('k8s-app=kube-dns');
  await expect(page.locator('[data-pod^="default/echo-"]').first()).toContainText(/app=echo,pod-template-hash=[a-z0-9]+/);
  // the page runs the same interpreter as the CLI
  const services = page.getByRole('region', { name: 'kubectl get services -A -o wide' });
  await expect(services).toContainText('kube-dns');
  await expect(services).toContainText('10.96.0.10');
  await expect(services).toContainText('53/UDP,53/TCP,9153/TCP');
  await page.screenshot({ path: 'test-results/default-cluster.png', fullPage: true });
  expect(errors).toEqual([]);
});
