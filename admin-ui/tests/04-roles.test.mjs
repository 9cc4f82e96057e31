import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { APP_URL, assertNoErrors, fulfil, launch, openPage, placeOrder, screenshot, signIn } from './browser.mjs';

let browser;
let shipped;
before(async () => {
  browser = await launch();
  shipped = await placeOrder('roles@example.com');
  await fulfil(shipped);
});
after(async () => browser?.close());

test('a warehouse user works fulfilment and stock but cannot reach refunds or customers', async () => {
  const page = await openPage(browser);
  await signIn(page, 'warehouse');
  const sections = await page.getByRole('navigation', { name: 'Sections' }).innerText();
  assert.match(sections, /Fulfilment/);
  assert.match(sections, /Inventory/);
  assert.doesNotMatch(sections, /Customers/);

  await page.goto(`${APP_URL}/orders/${shipped.order.number}`);
  await page.getByRole('heading', { name: new RegExp(shipped.order.number) }).waitFor();
  await page.getByRole('group', { name: 'Order actions' }).waitFor({ state: 'attached' });
  assert.equal(await page.getByRole('button', { name: 'Refund' }).count(), 0);
  assert.equal(await page.getByRole('button', { name: 'Cancel order' }).count(), 0);

  await page.goto(`${APP_URL}/customers`);
  await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
  await screenshot(page, 'warehouse-not-allowed');
  assertNoErrors(page);
});

test('an admin may refund the same order, and sees customers and settings', async () => {
  const page = await openPage(browser);
  await signIn(page);
  await page.goto(`${APP_URL}/orders/${shipped.order.number}`);
  await page.getByRole('button', { name: 'Refund' }).waitFor();

  await page.getByRole('link', { name: 'Customers' }).click();
  await page.getByTestId('customers').waitFor();
  await screenshot(page, 'customers');
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByTestId('locations').waitFor();
  await page.getByTestId('api-keys').waitFor();
  await screenshot(page, 'settings');
  assertNoErrors(page);
});
