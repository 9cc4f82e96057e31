import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { API_URL, APP_URL, api, assertNoErrors, fulfil, launch, openPage, placeOrder, screenshot, signIn } from './browser.mjs';

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

test('signing out ends the session on the server, and an admin deactivates a leaver', async () => {
  const created = await api(
    `mutation { createUser(input: {email: "leaver@example.com", password: "leaver-password",
      role: SUPPORT}) { user { id } userErrors { code } } }`,
  );
  assert.deepEqual(created.createUser.userErrors, []);

  const leaver = await openPage(browser);
  await leaver.goto(`${APP_URL}/login`);
  await leaver.getByLabel('Email').fill('leaver@example.com');
  await leaver.getByLabel('Password').fill('leaver-password');
  await leaver.getByRole('button', { name: 'Sign in' }).click();
  await leaver.getByRole('button', { name: 'Sign out' }).waitFor();
  const token = await leaver.evaluate(() => localStorage.getItem('oms.token'));
  await leaver.getByRole('button', { name: 'Sign out' }).click();
  await leaver.getByRole('button', { name: 'Sign in' }).waitFor();
  const viewer = await fetch(`${API_URL}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ viewer { kind } }' }),
  });
  assert.equal((await viewer.json()).data.viewer, null, 'the signed-out token is refused');

  await leaver.getByLabel('Email').fill('leaver@example.com');
  await leaver.getByLabel('Password').fill('leaver-password');
  await leaver.getByRole('button', { name: 'Sign in' }).click();
  await leaver.getByRole('button', { name: 'Sign out' }).waitFor();

  const admin = await openPage(browser);
  await signIn(admin);
  await admin.goto(`${APP_URL}/settings`);
  const row = admin.getByTestId('users').getByRole('row').filter({ hasText: 'leaver@example.com' });
  admin.once('dialog', (dialog) => dialog.accept());
  await row.getByRole('button', { name: 'Deactivate' }).click();
  await row.getByRole('button', { name: 'Reactivate' }).waitFor();
  await screenshot(admin, 'user-deactivated');

  // The leaver's open app loses its session at its next request.
  await leaver.goto(`${APP_URL}/orders`);
  await leaver.getByRole('button', { name: 'Sign in' }).waitFor();
  assertNoErrors(admin);
});
