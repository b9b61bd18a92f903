import { test, expect } from '@playwright/test';

// The Manifest editor: errors at their lines, the browser's undo, `kubectl edit` opening objects.

test('each error of an apply is listed at its line of the text', async ({ page }) => {
  await page.goto('/?seed=3');
  const manifest = page.getByRole('textbox', { name: 'Manifest' });
  await expect(manifest).toHaveValue(/kind: Deployment/);
  await manifest.fill('apiVersion: v1\nkind: Service\nmetadata:\n  name: broken\nspec:\n  ports:\n  - port: 99999\n    protocol: HTTP\n');
  const status = page.getByRole('status', { name: 'Manifest diagnostics' });
  await expect(status.getByRole('button', { name: /Line 7: .*spec\.ports\[0\]\.port: Invalid value: 99999/ })).toBeVisible();
  await expect(status.getByRole('button', { name: /Line 8: .*spec\.ports\[0\]\.protocol: Unsupported value: "HTTP"/ })).toBeVisible();
  // choosing a diagnostic puts the caret on its line
  await status.getByRole('button', { name: /Line 8:/ }).click();
  const selected = await manifest.evaluate((t) => t.value.slice(t.selectionStart, t.selectionEnd));
  expect(selected).toContain('protocol: HTTP');
  await page.screenshot({ path: 'test-results/editor-diagnostics.png' });
});

test('undo takes back what was typed', async ({ page }) => {
  await page.goto('/?seed=3');
  const manifest = page.getByRole('textbox', { name: 'Manifest' });
  await expect(manifest).toHaveValue(/kind: Deployment/);
  const before = await manifest.inputValue();
  await manifest.focus();
  await page.keyboard.press('Control+End');
  await page.keyboard.insertText('# a note\n');
  await expect(manifest).toHaveValue(/# a note/);
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(manifest).toHaveValue(before);
  await page.getByRole('button', { name: 'Redo' }).click();
  await expect(manifest).toHaveValue(/# a note/);
});

test('kubectl edit opens the object in the editor', async ({ page }) => {
  await page.goto('/?seed=3');
  const manifest = page.getByRole('textbox', { name: 'Manifest' });
  await expect(manifest).toHaveValue(/kind: Deployment/);
  const terminal = page.getByRole('textbox', { name: 'Terminal' });
  // declared in the text: its document is selected
  await terminal.fill('kubectl edit svc echo');
  await terminal.press('Enter');
  await expect(page.getByRole('log', { name: 'Terminal output' })).toContainText('service/echo is open in the Manifest editor');
  const selected = await manifest.evaluate((t) => t.value.slice(t.selectionStart, t.selectionEnd));
  expect(selected).toContain('kind: Service');
  expect(selected).not.toContain('kind: Deployment');
  // not declared: added at the end, and it applies
  await terminal.fill('kubectl edit svc kube-dns -n kube-system');
  await terminal.press('Enter');
  await expect(manifest).toHaveValue(/name: kube-dns[\s\S]*clusterIP: 10\.96\.0\.10/);
  await expect(page.getByRole('status', { name: 'Manifest diagnostics' })).toContainText('service/kube-dns configured');
});

test('a long manifest draws only the lines in view, and they follow the scroll', async ({ page }) => {
  await page.goto('/?seed=3');
  const manifest = page.getByRole('textbox', { name: 'Manifest' });
  await expect(manifest).toHaveValue(/kind: Deployment/);
  let text = '';
  for (let i = 0; i < 300; i++) text += `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg-${i}\ndata:\n  key: value-${i}\n---\n`;
  text += 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: last\ndata:\n  bad: [\n';
  await manifest.fill(text);
  const lines = text.split('\n').length;
  // the YAML error on the last lines is listed
  const status = page.getByRole('status', { name: 'Manifest diagnostics' });
  await expect(status.getByRole('button', { name: /Line \d+:/ })).toBeVisible();
  // scrolled to the top: the first lines are drawn and numbered, the last are not
  await manifest.evaluate((t) => { t.scrollTop = 0; });
  await expect(page.locator('[data-gutter-line="1"]')).toHaveCount(1);
  await expect(page.locator('[data-text-line="4"]')).toHaveText('  name: cfg-0');
  await expect(page.locator(`[data-gutter-line="${lines}"]`)).toHaveCount(0);
  expect(await page.locator('[data-text-line]').count()).toBeLessThan(60);
  // scrolled to the end: the last line is drawn and numbered, the first is not
  await manifest.evaluate((t) => { t.scrollTop = t.scrollHeight; });
  await expect(page.locator(`[data-gutter-line="${lines}"]`)).toHaveCount(1);
  await expect(page.locator(`[data-text-line="${lines - 1}"]`)).toContainText('bad: [');
  await expect(page.locator('[data-gutter-line="1"]')).toHaveCount(0);
  expect(await page.locator('[data-text-line]').count()).toBeLessThan(60);
  // choosing the error scrolls its line into view and marks it
  await status.getByRole('button', { name: /Line \d+:/ }).first().click();
  await expect(page.locator('[data-text-line][data-error="true"]')).toHaveCount(1);
  await page.screenshot({ path: 'test-results/editor-long.png' });
});
