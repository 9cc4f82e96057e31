import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, APP_URL, assertNoErrors, launch, openPage, screenshot, signIn } from './browser.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

test('a purchase order is drafted, ordered and received, and its units reach the inventory', async () => {
  const { inventoryLevels } = await api(
    '{ inventoryLevels(first: 1) { nodes { onHand location { code name } sku { code } } } }',
  );
  const [level] = inventoryLevels.nodes;
  const page = await openPage(browser);
  await signIn(page);
  await page.getByRole('link', { name: 'Purchasing' }).click();

  const supplier = page.getByRole('form', { name: 'Add a supplier' });
  await supplier.getByLabel('Code').fill('BROWSER-SUP');
  await supplier.getByLabel('Name').fill('Browser Supplies');
  await supplier.getByRole('button', { name: 'Add the supplier' }).click();

  const draft = page.getByRole('form', { name: 'Create a purchase order' });
  await draft.getByRole('combobox').nth(0).selectOption({ label: 'Browser Supplies (BROWSER-SUP)' });
  await draft.getByRole('combobox').nth(1).selectOption({ label: `${level.location.name} (${level.location.code})` });
  await draft.getByLabel('SKU').fill(level.sku.code);
  await draft.getByLabel('Units').fill('7');
  await draft.getByLabel(/Unit cost/).fill('4.50');
  await draft.getByRole('button', { name: 'Create the draft' }).click();

  const row = page.getByTestId('purchase-orders').getByRole('row').filter({ hasText: 'Browser Supplies' });
  await row.getByRole('button', { name: 'Order' }).click();
  await row.getByRole('button', { name: 'Receive all' }).click();
  await row.getByText('Received').waitFor();
  assert.match(await row.innerText(), new RegExp(`7/7 × ${level.sku.code}`));
  await screenshot(page, 'purchasing');

  await page.goto(`${APP_URL}/inventory?sku=${level.sku.code}`);
  const stock = page.locator(`[data-testid=inventory] tr[data-sku="${level.sku.code}"][data-location="${level.location.code}"]`);
  await stock.waitFor();
  assert.equal(Number(await stock.locator('td').nth(2).innerText()), level.onHand + 7);
  assertNoErrors(page);
});
