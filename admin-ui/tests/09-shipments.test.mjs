import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, APP_URL, assertNoErrors, fulfil, launch, openPage, placeOrder, screenshot, signIn } from './browser.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

test('a carrier exception is recorded by hand, queued, then the delivery that ends it', async () => {
  const placed = await placeOrder('shipments.queue@example.com');
  await fulfil(placed);
  const number = placed.order.number;

  const page = await openPage(browser);
  await signIn(page, 'warehouse');
  await page.getByRole('link', { name: 'Fulfilment' }).click();
  await page.getByRole('link', { name: /Shipments and carrier exceptions/ }).click();
  await page.getByRole('combobox', { name: 'Status' }).selectOption('SHIPPED');

  const row = page.locator(`[data-testid=shipments] tr[data-order="${number}"]`);
  await row.getByRole('button', { name: 'Record a report' }).click();
  const report = page.getByRole('form', { name: 'Carrier report' });
  await report.getByLabel('Reported status').selectOption('EXCEPTION');
  await report.getByLabel('What the carrier said').fill('Parcel damaged at the depot');
  await report.getByRole('button', { name: 'Record' }).click();
  await report.waitFor({ state: 'detached' });

  await page.getByRole('combobox', { name: 'Status' }).selectOption('EXCEPTION');
  const queued = page.locator(`[data-testid=shipments] tr[data-order="${number}"]`);
  await queued.getByText('Exception: Parcel damaged at the depot').waitFor();
  await screenshot(page, 'shipments-exceptions');

  await queued.getByRole('button', { name: 'Record a report' }).click();
  await report.getByLabel('Reported status').selectOption('DELIVERED');
  await report.getByRole('button', { name: 'Record' }).click();
  await queued.waitFor({ state: 'detached' });

  const { order } = await api('query($id: ID!) { order(id: $id) { status shipments { status trackingEvents { status } } } }', {
    id: placed.order.id,
  });
  assert.equal(order.status, 'DELIVERED');
  assert.deepEqual(order.shipments[0].trackingEvents.map((event) => event.status), ['EXCEPTION', 'DELIVERED']);

  await page.goto(`${APP_URL}/fulfilment/shipments?status=DELIVERED`);
  await page.locator(`[data-testid=shipments] tr[data-order="${number}"]`).getByText('Delivered').first().waitFor();
  assertNoErrors(page);
});
