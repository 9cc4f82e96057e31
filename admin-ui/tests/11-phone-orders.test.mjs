import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, APP_URL, assertNoErrors, fulfil, launch, openPage, placeOrder, screenshot, signIn } from './browser.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

async function skuInStock() {
  const { inventoryLevels } = await api(
    '{ inventoryLevels(first: 100) { nodes { available sku { code active } } } }',
  );
  const level = inventoryLevels.nodes.find((node) => node.available > 10 && node.sku.active);
  assert.ok(level, 'the demo data holds stock');
  return level.sku.code;
}

test('staff take an order by phone, cancel a unit of it and send it elsewhere', async () => {
  const sku = await skuInStock();
  const page = await openPage(browser);
  await signIn(page);
  await page.getByRole('link', { name: 'Orders' }).first().click();
  await page.getByRole('link', { name: 'Take an order by phone →' }).click();
  const form = page.getByRole('form', { name: 'Phone order' });
  await form.getByLabel('Customer name').fill('Phone Caller');
  await form.getByLabel('Customer email').fill('phone.caller@example.com');
  await form.getByLabel('Street').fill('Unter den Linden 1');
  await form.getByLabel('Postal code').fill('10117');
  await form.getByLabel('City').fill('Berlin');
  await form.getByLabel('Country').fill('de');
  await form.getByLabel('SKU').fill(sku);
  await form.getByLabel('Quantity').fill('3');
  await form.getByLabel('Card payment token').fill('tok_visa');
  await form.getByRole('button', { name: 'Where would it ship from?' }).click();
  await page.getByTestId('preview-totals').waitFor();
  assert.match(await page.getByTestId('routing-reason').innerText(), /\S/);
  await screenshot(page, 'phone-order-preview');

  await form.getByRole('button', { name: 'Place the order' }).click();
  await page.getByRole('heading', { name: /^Order SO-/ }).waitFor();
  const number = decodeURIComponent(new URL(page.url()).pathname.split('/').at(-1));

  await page.getByRole('button', { name: 'Cancel units…' }).click();
  const cancel = page.getByRole('form', { name: 'Cancel units' });
  await cancel.getByLabel(new RegExp(`^${sku}`)).fill('1');
  await cancel.getByLabel('Reason').fill('Caller wants two');
  await cancel.getByRole('button', { name: 'Cancel these units' }).click();
  await cancel.waitFor({ state: 'detached' });

  await page.getByRole('button', { name: 'Change address' }).click();
  const address = page.getByRole('form', { name: 'Change address' });
  await address.getByLabel('Street').fill('Jungfernstieg 1');
  await address.getByLabel('Postal code').fill('20354');
  await address.getByLabel('City').fill('Hamburg');
  await address.getByRole('button', { name: 'Save the address' }).click();
  await address.waitFor({ state: 'detached' });
  await page.locator('address', { hasText: 'Hamburg' }).waitFor();

  const { orders } = await api(
    `query($query: String) { orders(first: 1, filter: { query: $query }) { nodes {
       email shippingAddress { city } lines { quantity quantityCancelled } } } }`,
    { query: number },
  );
  assert.deepEqual(orders.nodes[0], {
    email: 'phone.caller@example.com',
    shippingAddress: { city: 'Hamburg' },
    lines: [{ quantity: 3, quantityCancelled: 1 }],
  });
  assertNoErrors(page);
});

test('staff request a return for a customer who called', async () => {
  const placed = await placeOrder('returns.by.phone@example.com');
  await fulfil(placed);
  const page = await openPage(browser);
  await signIn(page);
  await page.goto(`${APP_URL}/orders/${encodeURIComponent(placed.order.number)}`);
  await page.getByRole('button', { name: 'Request a return' }).click();
  const form = page.getByRole('form', { name: 'Request a return' });
  const sku = placed.order.lines[0].sku.code;
  await form.getByLabel(`${sku} — units back (up to 1)`).fill('1');
  await form.getByLabel(`Why ${sku}`).selectOption('DAMAGED');
  await form.getByRole('button', { name: 'Request the return' }).click();
  await page.waitForURL(/\/returns\//);
  await page.getByText('Damaged').first().waitFor();
  await screenshot(page, 'return-requested-by-staff');

  const { order } = await api('query($id: ID!) { order(id: $id) { returns { status lines { quantity reason } } } }', {
    id: placed.order.id,
  });
  assert.deepEqual(order.returns, [{ status: 'REQUESTED', lines: [{ quantity: 1, reason: 'DAMAGED' }] }]);
  assertNoErrors(page);
});
