import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { APP_URL, assertNoErrors, launch, openPage, screenshot, signIn } from './browser.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

test('the reports show their first rows and download as CSV', async () => {
  const page = await openPage(browser);
  await signIn(page);
  await page.getByRole('link', { name: 'Reports' }).click();
  await page.getByRole('heading', { name: 'Low stock' }).waitFor();
  for (const table of ['low-stock', 'slow-movers', 'late-shipments', 'open-returns']) {
    await page.getByTestId(table).waitFor();
  }
  const location = page.getByLabel('Location');
  const [firstLocation] = await location.locator('option').evaluateAll((options) =>
    options.filter((option) => option.value).map((option) => ({ value: option.value, text: option.textContent })),
  );
  await location.selectOption(firstLocation.value);
  await page.waitForURL(/location=/);
  await screenshot(page, 'reports');

  const code = /\(([^)]+)\)$/.exec(firstLocation.text)[1];
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download slow movers CSV' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^slow-movers-\d{8}T\d{6}\.csv$/);
  const text = await readFile(await download.path(), 'utf8');
  const [header, ...rows] = text.trim().split(/\r?\n/);
  assert.match(header, /sku/i);
  for (const row of rows) assert.ok(row.includes(code), `every row is at ${code}: ${row}`);

  const [returns] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download open returns CSV' }).click(),
  ]);
  assert.match(returns.suggestedFilename(), /^open-returns-/);
  await page.goto(`${APP_URL}/reports?location=${encodeURIComponent(firstLocation.value)}`);
  assert.equal(await page.getByLabel('Location').inputValue(), firstLocation.value);
  assertNoErrors(page);
});
