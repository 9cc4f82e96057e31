import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { api, APP_URL, assertNoErrors, fulfil, launch, openPage, placeOrder, screenshot } from './browser.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

const PHONE = { width: 390, height: 844 };
const MAILDIR = process.env.MAILDIR;

/** The mail the shop sent `address` whose subject matches, once it has arrived. */
async function mailTo(address, subject) {
  assert.ok(MAILDIR, 'the API sends its mail to the tests’ mail server');
  for (let tries = 0; tries < 200; tries += 1) {
    for (const name of readdirSync(MAILDIR).sort()) {
      const mail = JSON.parse(readFileSync(join(MAILDIR, name), 'utf8'));
      if (mail.to.includes(address) && subject.test(mail.subject)) return mail;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no mail to ${address} about ${subject}`);
}

function pageLink(mail) {
  const found = mail.text.match(new RegExp(`${APP_URL}/track/#\\S+`));
  assert.ok(found, `the mail links to the order's page: ${mail.text}`);
  return found[0];
}

async function track(trackingNumber, status, description) {
  const { recordTrackingEvent } = await api(
    `mutation($input: RecordTrackingEventInput!) { recordTrackingEvent(input: $input) { userErrors { message } } }`,
    { input: { trackingNumber, status, occurredAt: new Date().toISOString(), description } },
  );
  assert.deepEqual(recordTrackingEvent.userErrors, []);
}

test('a customer follows the order from the mail, asks for a return and rates it', async () => {
  const email = 'customer-page@example.com';
  const placed = await placeOrder(email);
  const confirmation = await mailTo(email, /is confirmed/);
  assert.ok(confirmation.subject.includes(placed.order.number));
  const link = pageLink(confirmation);

  const page = await openPage(browser, PHONE);
  await page.goto(link);
  await page.getByRole('heading', { name: `Order ${placed.order.number}` }).waitFor();
  await page.getByText('Confirmed', { exact: true }).waitFor();
  await screenshot(page, 'customer-page-confirmed');

  // The parcel moves while the page stays open: no reload.
  await fulfil(placed);
  const parcel = page.locator('.parcel');
  await parcel.locator('.parcel-status', { hasText: 'Shipped' }).waitFor();
  const shipped = await mailTo(email, /has shipped/);
  const { order } = await api('query($id: ID!) { order(id: $id) { shipments { trackingNumber } } }', { id: placed.order.id });
  const trackingNumber = order.shipments[0].trackingNumber;
  assert.ok(shipped.text.includes(trackingNumber), 'the shipped mail names the tracking number');
  await track(trackingNumber, 'OUT_FOR_DELIVERY', 'with the driver');
  await parcel.locator('.parcel-status', { hasText: 'Out for delivery' }).waitFor();
  await page.getByText('with the driver').waitFor();
  await track(trackingNumber, 'DELIVERED', 'left with a neighbour');
  await page.locator('.status', { hasText: 'Delivered' }).waitFor();
  await screenshot(page, 'customer-page-delivered');

  // The survey mail opens the same page; a return is asked for, approved by staff, its label shown.
  const survey = await mailTo(email, /How was your order/);
  assert.match(survey.text, /unsubscribe/);
  await page.goto(pageLink(survey));
  const sendBack = page.getByRole('region', { name: 'Send something back' });
  await sendBack.getByRole('combobox', { name: /Units of/ }).first().selectOption('1');
  await sendBack.getByLabel('Why').selectOption('CHANGED_MIND');
  await sendBack.getByRole('button', { name: 'Ask for a return' }).click();
  await page.getByText('We have your request').waitFor();
  const { order: withReturn } = await api('query($id: ID!) { order(id: $id) { returns { id } } }', { id: placed.order.id });
  await api(`mutation($input: ReturnIdInput!) { approveReturn(input: $input) { userErrors { message } } }`, {
    input: { returnId: withReturn.returns[0].id },
  });
  await page.getByRole('link', { name: 'Print your return label' }).waitFor();
  await mailTo(email, /return .* is approved/i);

  const rate = page.getByRole('region', { name: 'How did we do?' });
  await rate.getByRole('radio', { name: '4 of 5' }).click();
  await rate.getByLabel('Anything to add?').fill('Quick, and the parcel was well packed.');
  await rate.getByRole('button', { name: 'Send' }).click();
  await page.getByText('Thank you: you gave us 4 of 5.').waitFor();
  await screenshot(page, 'customer-page-rated');

  const { order: rated } = await api('query($id: ID!) { order(id: $id) { feedback { rating comment } } }', { id: placed.order.id });
  assert.deepEqual(rated.feedback, { rating: 4, comment: 'Quick, and the parcel was well packed.' });
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `the page fits a phone's width (${width} px)`);
  assertNoErrors(page);
});

test('a link that is not one of the shop’s opens nothing', async () => {
  const page = await openPage(browser, PHONE);
  await page.goto(`${APP_URL}/track/#1.forged`);
  await page.getByRole('alert').getByText('We could not find an order for this link').waitFor();
  assertNoErrors(page);
});
