import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { APP_URL, assertNoErrors, launch, openPage, placeOrder, screenshot, signIn } from './browser.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

test('staff read the mail customers were sent, send one again and stop a customer’s surveys', async () => {
  const email = 'messages-page@example.com';
  const placed = await placeOrder(email);
  const page = await openPage(browser);
  await signIn(page);

  await page.goto(`${APP_URL}/messages?kind=ORDER_CONFIRMED&to=${encodeURIComponent(email)}`);
  const table = page.getByTestId('messages');
  const row = table.getByRole('row', { name: new RegExp(placed.order.number) });
  // The outbox makes the mail soon after the order's commit.
  for (let tries = 0; tries < 50 && !(await row.count()); tries += 1) {
    await page.waitForTimeout(200);
    await page.reload();
  }
  await row.first().waitFor();
  await row.first().getByRole('button', { name: /is confirmed/ }).click();
  const mail = page.frameLocator('iframe[title^="The mail"]');
  await mail.getByText('Hello Browser Test').waitFor();
  await page.getByRole('button', { name: 'As plain text' }).click();
  assert.match(await page.getByTestId('message-text').innerText(), /\/track\/#/);
  await screenshot(page, 'messages');

  await row.first().getByRole('button', { name: 'Send again' }).click();
  await table.getByRole('row', { name: /Order confirmed \(again\)/ }).first().waitFor();

  await page.goto(`${APP_URL}/orders/${placed.order.number}`);
  const outbox = page.getByTestId('order-messages');
  await outbox.getByRole('listitem').filter({ hasText: 'sent again' }).first().waitFor();
  assert.ok((await outbox.getByRole('listitem').count()) >= 2);
  await screenshot(page, 'order-messages');

  await page.goto(`${APP_URL}/customers?q=${encodeURIComponent(email)}`);
  await page.getByTestId('customers').getByRole('button', { name: 'Browser Test' }).click();
  const preferences = page.getByTestId('mail-preferences');
  await preferences.getByRole('button', { name: 'No more surveys' }).click();
  await preferences.getByText('asked for no surveys').waitFor();
  assertNoErrors(page);
});
