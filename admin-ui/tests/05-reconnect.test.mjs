import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { API_URL, assertNoErrors, launch, openPage, placeOrder, screenshot, signIn } from './browser.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

async function apiPid() {
  try {
    const response = await fetch(`${API_URL}/health`);
    return response.ok ? (await response.json()).pid : null;
  } catch {
    return null;
  }
}

async function until(condition, what, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  while (!(await condition())) {
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('the live feed comes back after the API restarts and misses no order placed meanwhile', async () => {
  const page = await openPage(browser);
  await signIn(page);
  const feed = page.getByTestId('live-feed');
  const status = page.getByRole('status').filter({ hasText: /Live|Reconnecting|Connecting/ });
  await status.getByText('Live').waitFor();
  const before = await placeOrder('before-restart@example.com');
  await feed.getByText(before.order.number).first().waitFor();

  const stopped = await apiPid();
  process.kill(stopped, 'SIGTERM');
  await status.getByText('Reconnecting').waitFor({ timeout: 20_000 });
  await until(async () => {
    const pid = await apiPid();
    return pid !== null && pid !== stopped;
  }, 'the API to start again');
  // Placed as soon as the API is back: the browser is most likely still waiting to retry,
  // so the order reaches it by replay from its last cursor rather than live.
  const meanwhile = await placeOrder('during-restart@example.com');

  await status.getByText('Live').waitFor({ timeout: 30_000 });
  await feed.getByText(meanwhile.order.number).first().waitFor({ timeout: 15_000 });
  const placedEntries = feed.locator('li').filter({ hasText: meanwhile.order.number }).filter({ hasText: 'Order placed' });
  assert.equal(await placedEntries.count(), 1, 'the order was placed once and shows once');
  await screenshot(page, 'reconnected');
  // The closed socket is logged by the browser itself while the API is down.
  page.errors = page.errors.filter((error) => !/WebSocket connection|ERR_CONNECTION_REFUSED/.test(error));
  assertNoErrors(page);
});
