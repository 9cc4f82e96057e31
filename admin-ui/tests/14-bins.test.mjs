import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, assertNoErrors, launch, openPage, screenshot, signIn } from './browser.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

test('a bin is added at a location and a SKU is put in it', async () => {
  const page = await openPage(browser);
  await signIn(page);
  await page.getByRole('link', { name: 'Inventory' }).click();
  await page.getByRole('link', { name: 'Bins →' }).click();
  await page.waitForURL(/location=/);
  const locationId = new URL(page.url()).searchParams.get('location');

  const form = page.getByRole('form', { name: 'Add a bin' });
  await form.getByLabel('Bin code').fill('Z-99-1');
  await form.getByLabel('Aisle').fill('99');
  await form.getByLabel('Bay').fill('1');
  await form.getByLabel('Shelf level').fill('1');
  await form.getByRole('button', { name: 'Add bin' }).click();
  const row = page.locator('[data-testid=bins] tr[data-bin="Z-99-1"]');
  await row.waitFor();
  assert.equal(await page.locator('[data-testid=bins] tbody tr').last().getAttribute('data-bin'), 'Z-99-1', 'aisle 99 is walked last');

  const level = page.locator('[data-testid=level-bins] tbody tr').first();
  const sku = await level.getAttribute('data-sku');
  await level.getByLabel(`Bin of ${sku}`).selectOption('Z-99-1');
  await screenshot(page, 'bins');

  let assigned = null;
  for (let attempt = 0; attempt < 20 && assigned !== 'Z-99-1'; attempt += 1) {
    const { inventoryLevels } = await api(
      'query($locationId: ID, $sku: String) { inventoryLevels(locationId: $locationId, sku: $sku, first: 1) { nodes { bin { code } } } }',
      { locationId, sku },
    );
    assigned = inventoryLevels.nodes[0].bin?.code ?? null;
    if (assigned !== 'Z-99-1') await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(assigned, 'Z-99-1');
  await page.reload();
  assert.equal(await page.getByLabel(`Bin of ${sku}`).inputValue(), 'Z-99-1');
  assertNoErrors(page);
});
