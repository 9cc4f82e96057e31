import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, APP_URL, assertNoErrors, launch, openPage, placeOrder, screenshot, signIn } from './browser.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

test('a pick list is created, picked in walking order, packed and shipped, and the order follows live', async () => {
  const placed = await placeOrder('fulfilment@example.com');
  const location = placed.order.allocations[0].location;

  // One tab on the order (as support would watch it), one at the packing bench.
  const watcher = await openPage(browser);
  await signIn(watcher);
  await watcher.goto(`${APP_URL}/orders/${placed.order.number}`);
  await watcher.getByRole('heading', { name: `Order ${placed.order.number}` }).waitFor();
  assert.match(await watcher.getByRole('heading', { level: 1 }).innerText(), /Confirmed/);

  const bench = await openPage(browser);
  await signIn(bench);
  await bench.getByRole('link', { name: 'Fulfilment' }).click();
  const wave = bench.getByRole('form', { name: 'Create a pick list' });
  await wave.getByRole('combobox').selectOption({ label: `${location.name} (${location.code})` });
  await wave.getByLabel('Orders at most').fill('500');
  await screenshot(bench, 'fulfilment');
  await wave.getByRole('button', { name: 'Create pick list' }).click();
  await bench.waitForURL(/\/fulfilment\/pick-lists\//, { waitUntil: 'commit' });
  const tasks = bench.getByTestId('pick-tasks');
  await tasks.waitFor();
  const sequences = (await tasks.locator('tbody tr td:first-child').allInnerTexts()).map(Number);
  assert.deepEqual(sequences, [...sequences].sort((a, b) => a - b), 'tasks are listed in walking order');
  await screenshot(bench, 'pick-list');

  await bench.getByRole('button', { name: 'Confirm picks' }).click();
  await bench.getByRole('button', { name: 'Confirm picks' }).waitFor({ state: 'detached' });
  const shipment = bench.locator(`[data-testid=bench-shipment][data-order="${placed.order.number}"]`);
  const scan = shipment.getByLabel('Scan an item');
  await scan.fill('NOT-IN-THIS-BOX');
  await scan.press('Enter');
  await shipment.getByText('NOT-IN-THIS-BOX is not in this shipment').waitFor();
  assert.equal(await shipment.getByRole('button', { name: 'Pack' }).isDisabled(), true, 'a wrong item stops packing');
  await shipment.getByRole('button', { name: 'Scan again from the start' }).click();
  const sku = placed.order.lines[0].sku.code;
  await scan.fill(sku);
  await scan.press('Enter');
  await shipment.getByText(`${sku}: 1 of 1 scanned`).waitFor();
  await shipment.getByRole('button', { name: 'Add a parcel' }).click();
  await shipment.getByLabel('Parcel 1 weight (g)').fill('600');
  await shipment.getByLabel('Parcel 2 weight (g)').fill('400');
  await shipment.getByRole('button', { name: 'Pack' }).click();
  await shipment.getByRole('button', { name: 'Ship' }).click();
  await shipment.getByRole('link', { name: 'Print label' }).waitFor();
  assert.match(await shipment.innerText(), /Shipped/);
  const { order: packed } = await api('query($id: ID!) { order(id: $id) { shipments { packages { weightGrams } } } }', {
    id: placed.order.id,
  });
  assert.deepEqual(packed.shipments[0].packages, [{ weightGrams: 600 }, { weightGrams: 400 }]);
  await screenshot(bench, 'shipped');

  // The order page moved on by itself, and so did what the customer sees.
  await watcher.getByRole('heading', { level: 1 }).getByText('Shipped').waitFor({ timeout: 10_000 });
  assert.match(await watcher.getByTestId('shipment').innerText(), /tracking/);
  const { orderByTrackingToken } = await api(
    'query($token: String!) { orderByTrackingToken(token: $token) { status shipments { status trackingNumber } } }',
    { token: placed.trackingToken },
    null,
  );
  assert.equal(orderByTrackingToken.status, 'SHIPPED');
  assert.ok(orderByTrackingToken.shipments[0].trackingNumber);
  await screenshot(watcher, 'order-shipped');
  assertNoErrors(watcher);
  assertNoErrors(bench);
});

test('a bookmark of the old address opens the fulfilment page at its address now', async () => {
  const page = await openPage(browser);
  await signIn(page);
  await page.goto(`${APP_URL}/fulfillment`);
  await page.getByRole('heading', { level: 1, name: 'Fulfilment' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/fulfilment');
  assertNoErrors(page);
});
