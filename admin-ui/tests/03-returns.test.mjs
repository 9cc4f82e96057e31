import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, APP_URL, assertNoErrors, fulfil, launch, openPage, placeOrder, screenshot, signIn } from './browser.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

const LEVEL = `query($location: ID!, $sku: String!) {
  inventoryLevels(locationId: $location, sku: $sku) { nodes { damaged onHand } } }`;

test('a return received as damaged shows in the damaged stock of its location', async () => {
  const placed = await placeOrder('returns@example.com');
  await fulfil(placed);
  const [line] = placed.order.lines;
  const location = placed.order.allocations[0].location;
  const variables = { location: location.id, sku: line.sku.code };
  const [levelBefore] = (await api(LEVEL, variables)).inventoryLevels.nodes;
  const { requestReturn } = await api(
    `mutation($input: RequestReturnInput!) { requestReturn(input: $input) { return { id } userErrors { message } } }`,
    { input: { orderId: placed.order.id, lines: [{ orderLineId: line.id, quantity: 1, reason: 'DAMAGED' }] } },
  );
  assert.deepEqual(requestReturn.userErrors, []);

  const page = await openPage(browser);
  await signIn(page);
  await page.getByRole('link', { name: 'Returns' }).click();
  const queue = page.getByTestId('returns');
  await queue.waitFor();
  await screenshot(page, 'returns');
  await queue.getByRole('row', { name: new RegExp(placed.order.number) }).getByRole('link').first().click();
  await page.getByRole('button', { name: 'Approve and send a label' }).click();

  const receive = page.getByRole('form', { name: 'Receive the return' });
  await receive.waitFor();
  await receive.getByLabel('Condition').selectOption('DAMAGED');
  await receive.getByLabel('Disposition').selectOption('DAMAGED');
  await receive.getByRole('button', { name: 'Receive' }).click();
  await page.getByRole('heading', { level: 1 }).getByText('Inspected').waitFor();
  assert.match(await page.getByTestId('return-lines').innerText(), /Damaged/);
  await screenshot(page, 'return');

  await page.goto(`${APP_URL}/inventory?location=${encodeURIComponent(location.id)}&sku=${line.sku.code}`);
  const row = page.locator(`[data-testid=inventory] tr[data-sku="${line.sku.code}"][data-location="${location.code}"]`);
  await row.waitFor();
  assert.equal(Number(await row.getByTestId('damaged').innerText()), levelBefore.damaged + 1);
  await screenshot(page, 'inventory');
  assertNoErrors(page);
});
