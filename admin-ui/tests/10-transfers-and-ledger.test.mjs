import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, APP_URL, assertNoErrors, launch, openPage, screenshot, signIn } from './browser.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

/** A level with stock to spare, and another location to send some to. */
async function stockAndElsewhere() {
  const { inventoryLevels, locations } = await api(
    `{ inventoryLevels(first: 100) { nodes { onHand reserved discrepancy sku { code } location { id code } } }
       locations(first: 20) { nodes { id code } } }`,
  );
  const level = inventoryLevels.nodes
    .filter((candidate) => candidate.onHand - candidate.reserved >= 10 && candidate.discrepancy === 0)
    .at(-1);
  const other = locations.nodes.find((location) => location.id !== level.location.id);
  return { level, other };
}

test('a transfer is received in two parts at its destination', async () => {
  const { level, other } = await stockAndElsewhere();
  const sku = level.sku.code;
  const { transferInventory } = await api(
    `mutation($input: TransferInventoryInput!) { transferInventory(input: $input) {
       transfer { id } userErrors { message } } }`,
    { input: { fromLocationId: level.location.id, toLocationId: other.id, sku, quantity: 3, reference: 'browser rebalance' } },
  );
  assert.deepEqual(transferInventory.userErrors, []);

  const page = await openPage(browser);
  await signIn(page, 'warehouse');
  await page.getByRole('link', { name: 'Inventory' }).click();
  await page.getByRole('link', { name: 'Transfers between locations →' }).click();
  await page.getByLabel('SKU code').fill(sku);
  await page.getByRole('button', { name: 'Filter' }).click();
  const row = page.locator(`[data-testid=transfers] tr[data-sku="${sku}"][data-to="${other.code}"]`);
  await row.getByText('browser rebalance').waitFor();
  await row.getByRole('button', { name: 'Receive…' }).click();
  const form = page.getByRole('form', { name: 'Receive transfer' });
  await form.getByLabel(/Units arrived/).fill('1');
  await form.getByRole('button', { name: 'Receive' }).click();
  await form.waitFor({ state: 'detached' });
  await row.locator('td', { hasText: /^1$/ }).waitFor();
  await screenshot(page, 'transfers');

  await row.getByRole('button', { name: 'Receive…' }).click();
  assert.equal(await form.getByLabel(/Units arrived/).inputValue(), '2');
  await form.getByRole('button', { name: 'Receive' }).click();
  await row.waitFor({ state: 'detached' });
  await page.getByLabel('Status').selectOption('RECEIVED');
  await row.getByText('Received', { exact: true }).waitFor();

  const { transfers } = await api(
    `query($sku: String) { transfers(sku: $sku, first: 1) { nodes { id status receivedQuantity } } }`,
    { sku },
  );
  assert.deepEqual(transfers.nodes[0], { id: transferInventory.transfer.id, status: 'RECEIVED', receivedQuantity: 3 });
  assertNoErrors(page);
});

test('a count settles units a picker did not find, and the ledger shows every change', async () => {
  const { level } = await stockAndElsewhere();
  const sku = level.sku.code;
  const { moveInventoryState } = await api(
    `mutation($input: MoveInventoryStateInput!) { moveInventoryState(input: $input) { userErrors { message } } }`,
    { input: { locationId: level.location.id, sku, quantity: 2, from: 'AVAILABLE', to: 'DISCREPANCY', reason: 'short pick' } },
  );
  assert.deepEqual(moveInventoryState.userErrors, []);

  const page = await openPage(browser);
  await signIn(page);
  await page.goto(`${APP_URL}/inventory?sku=${encodeURIComponent(sku)}`);
  const row = page.locator(`[data-testid=inventory] tr[data-sku="${sku}"][data-location="${level.location.code}"]`);
  await row.getByTestId('discrepancy').getByText('2', { exact: true }).waitFor();
  await row.getByRole('button', { name: 'Change…' }).click();
  const actions = page.getByRole('form', { name: `Stock of ${sku} at ${level.location.code}` });
  await actions.getByLabel('Settle missing units').check();
  await actions.getByLabel('Found on the shelf').fill('1');
  await actions.getByLabel('Not found: write off').fill('1');
  await actions.getByLabel(/^Note/).fill('aisle 3 count');
  await actions.getByRole('button', { name: 'Apply' }).click();
  await actions.getByRole('status').filter({ hasText: 'Settle missing units done.' }).waitFor();
  await row.getByTestId('discrepancy').getByText('0', { exact: true }).waitFor();

  await actions.getByRole('link', { name: 'Ledger history of this level →' }).click();
  await page.getByRole('heading', { name: `${sku} at ${level.location.code}` }).waitFor();
  const ledger = page.getByTestId('ledger');
  await ledger.getByText('aisle 3 count').first().waitFor();
  const rows = await ledger.locator('tbody tr').allInnerTexts();
  assert.match(rows[0], /On hand\s+\+1\s+Discrepancy settled/);
  assert.match(rows[1], /Discrepancy\s+-2\s+Discrepancy settled/);
  assert.match(rows[2], /Discrepancy\s+\+2\s+State move/);

  const stockAt = page.getByRole('form', { name: 'Stock at a moment' });
  const snapshot = page.getByTestId('level-at');
  await stockAt.getByLabel('Stock at').fill('2001-01-01T00:00');
  await stockAt.getByRole('button', { name: 'Show' }).click();
  await snapshot.locator('div', { hasText: 'On hand' }).getByText('0', { exact: true }).waitFor();
  const inAMinute = new Date(Date.now() + 60_000 - new Date().getTimezoneOffset() * 60_000);
  await stockAt.getByLabel('Stock at').fill(inAMinute.toISOString().slice(0, 16));
  await stockAt.getByRole('button', { name: 'Show' }).click();
  const onHandNow = await page.getByTestId('level-now').locator('div', { hasText: 'On hand' }).locator('dd').innerText();
  await snapshot.locator('div', { hasText: 'On hand' }).getByText(onHandNow, { exact: true }).waitFor();
  await snapshot.locator('div', { hasText: 'Missing' }).getByText('0', { exact: true }).waitFor();
  await screenshot(page, 'ledger');
  assertNoErrors(page);
});
