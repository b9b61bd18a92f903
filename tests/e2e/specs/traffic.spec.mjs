import { test, expect } from '@playwright/test';

test('traffic from the trainer\'s machine to a NodePort spreads over the three pods', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('/?seed=7');
  const view = page.getByRole('img', { name: 'Cluster view' });
  await expect(view.locator('[data-pod^="default/echo-"][data-ready="true"]')).toHaveCount(3);
  await page.getByRole('combobox', { name: 'Traffic source' }).selectOption({ index: 0 });
  const target = page.getByRole('combobox', { name: 'Traffic target' });
  await expect(target.locator('option').nth(1)).toContainText('default/echo NodePort 192.168.49.2:');
  await target.selectOption({ index: 1 });
  await page.getByRole('spinbutton', { name: 'Requests per second' }).fill('40');
  await page.getByRole('spinbutton', { name: 'Requests per second' }).press('Enter');
  await page.getByRole('button', { name: 'Start traffic' }).click();
  const bars = page.getByRole('list', { name: 'Responses per pod' }).locator('[data-pod-count]');
  await expect(bars).toHaveCount(3, { timeout: 10000 });
  await expect(view.locator('[data-request][data-state="in-flight"]').first()).toBeAttached();
  await page.getByRole('button', { name: 'Stop traffic' }).click();
  // once the last requests land, each shows the pod that served it
  await expect(view.locator('[data-request][data-state="served"]').first()).toHaveAttribute('data-served-by', /^default\/echo-/);
  // playback controls
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('button', { name: 'Play' })).toBeEnabled();
  await page.getByRole('button', { name: 'Step' }).click();
  await page.getByRole('button', { name: 'Play' }).click();
  expect(errors).toEqual([]);
});
