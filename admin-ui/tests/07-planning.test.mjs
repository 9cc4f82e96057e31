import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, APP_URL, assertNoErrors, launch, openPage, screenshot, signIn } from './browser.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

test('a level that sells and has nothing available is suggested, and one click drafts its purchase order', async () => {
  const { orders } = await api(`{ orders(first: 20, filter: { status: [CONFIRMED] }) { nodes {
    lines { sku { code } allocations { status location { id code } } } } } }`);
  const line = orders.nodes
    .flatMap((order) => order.lines)
    .find((candidate) => candidate.allocations.some((allocation) => allocation.status === 'RESERVED'));
  const { location } = line.allocations.find((allocation) => allocation.status === 'RESERVED');
  const sku = line.sku.code;
  // Everything on hand held back: nothing is available where it sells.
  await api(
    `mutation($input: SetSafetyStockInput!) { setSafetyStock(input: $input) { userErrors { message } } }`,
    { input: { locationId: location.id, sku, quantity: 100000 } },
  );

  const page = await openPage(browser);
  await signIn(page);
  await page.getByRole('link', { name: 'Planning' }).click();
  await page.getByLabel('Location').selectOption(location.id);
  const row = page.locator(`[data-testid=replenishment] tr[data-sku="${sku}"]`);
  await row.waitFor();
  const cells = await row.locator('td').allInnerTexts();
  assert.equal(cells[2], '0', 'position');
  assert.match(cells[7], /^\d+ \(\d+ × \d+\)$/);
  await screenshot(page, 'planning');

  const group = page
    .locator('[data-testid=replenishment] tbody')
    .filter({ has: page.locator(`tr[data-sku="${sku}"]`) });
  await group.getByRole('button', { name: 'Draft a purchase order' }).click();
  await page.getByRole('status').filter({ hasText: /Drafted PO-\d+/ }).waitFor();
  await row.waitFor({ state: 'detached' });

  await page.goto(`${APP_URL}/purchasing?status=DRAFT`);
  const draft = page.getByTestId('purchase-orders').getByRole('row').filter({ hasText: sku });
  await draft.waitFor();
  assert.match(await draft.innerText(), new RegExp(`0/\\d+ × ${sku}`));
  assertNoErrors(page);
});
