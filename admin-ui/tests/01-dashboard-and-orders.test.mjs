import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { APP_URL, assertNoErrors, launch, openPage, placeOrder, screenshot, signIn } from './browser.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

test('a wrong password is refused with a message, the right one opens the app', async () => {
  const page = await openPage(browser);
  await page.goto(`${APP_URL}/orders`);
  await page.waitForURL(`${APP_URL}/login?next=%2Forders`);
  await page.getByLabel('Email').fill('admin@example.com');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /INVALID_CREDENTIALS/);
  await screenshot(page, 'login');
  await page.getByLabel('Password').fill('admin-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('orders').waitFor();
  assert.equal(new URL(page.url()).pathname, '/orders', 'back where the user was going');
  assertNoErrors(page);
});

test('the dashboard shows the KPIs as figures and charts, and orders arrive in its live feed', async () => {
  const page = await openPage(browser);
  await signIn(page);
  const figures = page.getByTestId('kpis');
  await figures.waitFor();
  assert.match(await figures.innerText(), /Orders[\s\S]*Revenue[\s\S]*Fill rate/);
  await page.locator('figure canvas').first().waitFor();
  assert.equal(await page.locator('figure canvas').count(), 4);
  await page.getByText('Live', { exact: true }).waitFor();

  const placed = await placeOrder('live-feed@example.com');
  const feed = page.getByTestId('live-feed');
  await feed.getByText(placed.order.number).first().waitFor({ timeout: 10_000 });
  assert.match(await feed.innerText(), /Order placed/);
  await screenshot(page, 'dashboard');
  assertNoErrors(page);
});

test('an order placed elsewhere appears in the orders list without a reload, and opens with its routing decision', async () => {
  const page = await openPage(browser);
  await signIn(page);
  await page.getByRole('link', { name: 'Orders' }).click();
  const table = page.getByTestId('orders');
  await table.waitFor();
  await page.evaluate(() => (window.notReloaded = true));

  const placed = await placeOrder('orders-list@example.com');
  const row = table.getByRole('link', { name: placed.order.number });
  await row.waitFor({ timeout: 10_000 });
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'the page did not reload');
  await screenshot(page, 'orders');

  await row.click();
  await page.waitForURL(`${APP_URL}/orders/${placed.order.number}`);
  const reason = page.getByTestId('routing-reason');
  await reason.waitFor();
  assert.ok((await reason.innerText()).length > 10, 'the routing decision says why');
  const chosen = placed.order.allocations[0].location.name;
  assert.match(await page.locator('tr.chosen').innerText(), new RegExp(chosen));
  await screenshot(page, 'order');
  assertNoErrors(page);
});

test('the orders page works at tablet width and from a deep link', async () => {
  const page = await openPage(browser, { width: 820, height: 1180 });
  await signIn(page);
  await page.goto(`${APP_URL}/orders?status=CONFIRMED`);
  await page.getByTestId('orders').waitFor();
  assert.equal(await page.getByLabel('Status').inputValue(), 'CONFIRMED');
  const overflow = await page.evaluate(() => document.body.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  await screenshot(page, 'orders-tablet');
  assertNoErrors(page);
});
