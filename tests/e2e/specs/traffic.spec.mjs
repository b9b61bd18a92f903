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

test('with many requests in flight, their dots are painted over the view, each request keeps its element and outcome, and a dot can be clicked', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('/?seed=11');
  const view = page.getByRole('img', { name: 'Cluster view' });
  await expect(view.locator('[data-pod^="default/echo-"][data-ready="true"]')).toHaveCount(3);
  await page.getByRole('combobox', { name: 'Speed' }).selectOption('4');
  const rate = page.getByRole('spinbutton', { name: 'Requests per second' });
  await rate.fill('200');
  await rate.press('Enter');
  await page.getByRole('button', { name: 'Start traffic' }).click();
  // far more than the few whose trails and addresses the SVG draws
  const flying = view.locator('[data-request][data-state="in-flight"]');
  await expect.poll(() => flying.count(), { timeout: 10000 }).toBeGreaterThan(100);
  // the canvas over the view has dots on it
  const painted = () => page.locator('[data-dots]').evaluate((c) => {
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < px.length; i += 4) n += px[i] > 0 ? 1 : 0;
    return n;
  });
  await expect.poll(painted).toBeGreaterThan(500);
  await page.getByRole('button', { name: 'Stop traffic' }).click();
  // every request lands, and says which pod served it
  await expect(flying).toHaveCount(0, { timeout: 10000 });
  const served = view.locator('[data-request][data-state="served"]');
  await expect(served.last()).toHaveAttribute('data-served-by', /^default\/echo-/);
  await page.screenshot({ path: test.info().outputPath('many-in-flight-landed.png') });
  // a painted dot takes a click: it selects its request for the inspector
  const spot = await page.locator('[data-dots]').evaluate((c) => {
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < px.length; i += 4) {
      if (px[i] > 200) {
        const p = (i - 3) / 4;
        const r = c.getBoundingClientRect();
        return { x: r.left + ((p % c.width) + 1) * r.width / c.width, y: r.top + (Math.floor(p / c.width) + 3) * r.height / c.height };
      }
    }
    return null;
  });
  expect(spot).not.toBeNull();
  await page.mouse.click(spot.x, spot.y);
  await expect(page.getByRole('region', { name: 'Inspector' })).toContainText(/request \d+: 192\.168\.49\.\d+:\d+/);
  expect(errors).toEqual([]);
});

test('on a projector the lab is one screen; traffic starts toward an address its source can reach, and a request chosen from the recent ones flies again into the inspector', async ({ page }) => {
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.goto('/?seed=7');
  const view = page.getByRole('img', { name: 'Cluster view' });
  await expect(view.locator('[data-pod^="default/echo-"][data-ready="true"]')).toHaveCount(3);
  expect(await page.evaluate(() => document.documentElement.scrollHeight <= window.innerHeight)).toBe(true);
  // from the trainer's machine a ClusterIP is not routed: the NodePort is the default target
  await expect(page.getByRole('combobox', { name: 'Traffic source' }).locator('option:checked')).toHaveText("the trainer's machine");
  await expect(page.getByRole('combobox', { name: 'Traffic target' }).locator('option:checked')).toContainText('default/echo NodePort 192.168.49.2:');
  await page.getByRole('spinbutton', { name: 'Requests per second' }).fill('20');
  await page.getByRole('spinbutton', { name: 'Requests per second' }).press('Enter');
  await page.getByRole('button', { name: 'Start traffic' }).click();
  const recent = page.getByRole('list', { name: 'Recent requests' }).getByRole('button');
  await expect(recent).toHaveCount(8, { timeout: 10000 });
  await page.getByRole('button', { name: 'Stop traffic' }).click();
  await expect(view.locator('[data-request][data-state="in-flight"]')).toHaveCount(0, { timeout: 10000 });
  await expect(recent.first()).toContainText(/served by default\/echo-/);
  // the oldest of the list landed long ago: chosen, it flies again and is inspected
  const oldest = recent.last();
  const id = await oldest.getAttribute('data-request-item');
  await oldest.click();
  await expect(oldest).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByRole('region', { name: 'Inspector' })).toContainText(`request ${id}: 192.168.49.2:`);
  await expect(view.locator(`[data-request="${id}"]`)).toHaveAttribute('data-state', 'in-flight');
  // the packet carries its addresses: as sent, then as the entry node's rules rewrote them
  const flying = view.locator(`[data-request="${id}"]`);
  await expect(flying.getByText(/^192\.168\.49\.1 → 192\.168\.49\.2:3\d{4}$/)).toBeAttached();
  await expect(flying.getByText(/^DNAT\+SNAT: [\d.]+ → 10\.244\.\d+\.\d+:8080$/)).toBeAttached();
  await expect(view.locator(`[data-request="${id}"]`)).toHaveAttribute('data-state', 'served');
  await expect(view.locator(`[data-request="${id}"]`)).toHaveAttribute('data-served-by', /^default\/echo-/);
  await page.screenshot({ path: 'test-results/one-screen-1920x1080.png' });
  expect(errors).toEqual([]);
});
