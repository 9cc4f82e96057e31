import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, APP_URL, assertNoErrors, launch, openPage, screenshot, signIn } from './browser.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

const csv = (name, text) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });

test('SKUs are checked, then imported, from a CSV file; a faulty file writes nothing', async () => {
  const page = await openPage(browser);
  await signIn(page);
  await page.goto(`${APP_URL}/catalogue`);
  const form = page.getByRole('form', { name: 'Import SKUs' });

  await form.getByLabel('CSV file').setInputFiles(csv('faulty.csv', 'sku,colour\nIMP-BAD,red\n'));
  await form.getByRole('button', { name: 'Import' }).click();
  await form.getByRole('alert').waitFor();
  assert.match(await form.getByRole('alert').innerText(), /colour/);

  await form.getByLabel('CSV file').setInputFiles(csv('mugs.csv', 'sku,name,price,currency\nIMP-MUG-1,Imported mug,1299,EUR\n'));
  await form.getByRole('button', { name: 'Check the file' }).click();
  await form.getByTestId('import-result').getByText('Would import 1 rows: 1 new, 0 changed, 0 unchanged.').waitFor();
  const { skus: checked } = await api('{ skus(query: "IMP-MUG-1", first: 5) { nodes { code } } }');
  assert.deepEqual(checked.nodes, [], 'a check writes nothing');

  await form.getByRole('button', { name: 'Import' }).click();
  await form.getByTestId('import-result').getByText('Imported 1 rows: 1 new, 0 changed, 0 unchanged.').waitFor();
  await screenshot(page, 'sku-import');
  const { skus: imported } = await api('{ skus(query: "IMP-MUG-1", first: 5) { nodes { code name price { amount } } } }');
  assert.deepEqual(imported.nodes, [{ code: 'IMP-MUG-1', name: 'Imported mug', price: { amount: 1299 } }]);
  assertNoErrors(page);
});

test('safety stock is set for a level from a CSV file', async () => {
  const { inventoryLevels } = await api('{ inventoryLevels(first: 1) { nodes { safetyStock sku { code } location { id code } } } }');
  const [level] = inventoryLevels.nodes;
  const wanted = level.safetyStock + 7;
  const page = await openPage(browser);
  await signIn(page, 'warehouse');
  await page.goto(`${APP_URL}/inventory`);
  const form = page.getByRole('form', { name: 'Import counts, safety stock and bins' });
  await form
    .getByLabel('CSV file')
    .setInputFiles(csv('safety.csv', `location,sku,safety_stock\n${level.location.code},${level.sku.code},${wanted}\n`));
  await form.getByRole('button', { name: 'Import' }).click();
  await form.getByTestId('import-result').getByText('Imported 1 rows: 0 new, 1 changed, 0 unchanged.').waitFor();
  const { inventoryLevels: after } = await api(
    'query($locationId: ID, $sku: String) { inventoryLevels(locationId: $locationId, sku: $sku, first: 1) { nodes { safetyStock } } }',
    { locationId: level.location.id, sku: level.sku.code },
  );
  assert.equal(after.nodes[0].safetyStock, wanted);
  assertNoErrors(page);
});
