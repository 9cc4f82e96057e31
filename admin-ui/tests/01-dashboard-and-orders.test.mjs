import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { APP_URL, api, assertNoErrors, launch, openPage, placeOrder, screenshot, signIn } from './browser.mjs';

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

test('a cancellation whose answer was lost is sent again under the same key and happens once', async () => {
  const placed = await placeOrder('lost-answer@example.com');
  const page = await openPage(browser);
  await signIn(page);
  await page.goto(`${APP_URL}/orders/${placed.order.number}`);
  const keys = [];
  let dropped = false;
  await page.route('**/graphql', async (route) => {
    const body = route.request().postDataJSON();
    if (!body?.query?.includes('cancelOrder')) return route.continue();
    keys.push(body.variables.input.idempotencyKey);
    if (dropped) return route.continue();
    dropped = true;
    await route.fetch(); // the API cancels the order; its answer never reaches the app
    return route.abort('connectionreset');
  });
  await page.getByRole('button', { name: 'Cancel order' }).click();
  await page.getByLabel('Reason').fill('Customer asked');
  await page.getByRole('button', { name: 'Cancel the order' }).click();
  await page.getByText('REQUEST_FAILED').waitFor();
  await page.getByRole('button', { name: 'Cancel the order' }).click();
  await page.getByRole('button', { name: 'Cancel order' }).waitFor({ state: 'detached' });
  assert.equal(keys.length, 2);
  assert.ok(keys[0], 'the form sends a key');
  assert.equal(keys[0], keys[1], 'the resubmitted form kept its key');
  const { order } = await api('query($id: ID!) { order(id: $id) { status timeline { type } } }', {
    id: placed.order.id,
  });
  assert.equal(order.status, 'CANCELLED');
  assert.equal(order.timeline.filter((event) => event.type === 'ORDER_CANCELLED').length, 1);
  const unexpected = page.errors.filter((error) => !error.includes('Failed to load resource'));
  assert.deepEqual(unexpected, [], 'only the dropped answer failed');
});
