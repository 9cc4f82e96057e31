import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, APP_URL, assertNoErrors, launch, openPage, screenshot, signIn } from './browser.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

const SKU = 'BROWSER-MUG-L';

test('a product is added, its SKU repriced, retired and given supplier terms, with its demand shown', async () => {
  const page = await openPage(browser);
  await signIn(page);
  await page.getByRole('link', { name: 'Catalogue' }).click();

  const form = page.getByRole('form', { name: 'Add a product' });
  await form.getByLabel('Product name').fill('Browser Mug');
  await form.getByLabel('SKU code').fill(SKU);
  await form.getByLabel('SKU name').fill('Browser Mug large');
  await form.getByLabel(/^Price/).fill('12.90');
  await form.getByLabel(/^Unit cost/).fill('4.10');
  await form.getByLabel('Barcode').fill('4009999000017');
  await form.getByRole('button', { name: 'Add the product' }).click();

  const row = page.locator(`[data-testid=skus] tr[data-sku="${SKU}"]`);
  await row.waitFor();
  assert.match(await row.innerText(), /Browser Mug large/);
  await row.getByRole('link', { name: SKU }).click();

  const edit = page.getByRole('form', { name: 'Edit the SKU' });
  await edit.getByLabel(/^Price/).fill('14.50');
  await edit.getByLabel('Takes backorders').check();
  await edit.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

  const terms = page.getByRole('form', { name: 'Supplier terms' });
  await terms.getByRole('combobox').selectOption('BALTWEAR');
  await terms.getByLabel('Pack size').fill('6');
  await terms.getByLabel(/^Unit cost/).fill('3.80');
  await terms.getByRole('button', { name: 'Set the terms' }).click();
  const offer = page.locator('[data-testid=supplier-skus] tr[data-supplier=BALTWEAR]');
  await offer.waitFor();
  assert.match(await offer.innerText(), /6/);
  await page.getByRole('img', { name: /Units sold a day/ }).waitFor();
  await screenshot(page, 'catalogue-sku');

  const { sku, suppliers } = await api(
    `query($code: String!) { sku(code: $code) { price { amount } allowBackorder active }
      suppliers { code skus { packSize unitCost { amount } sku { code } } } }`,
    { code: SKU },
  );
  assert.deepEqual(sku, { price: { amount: 1450 }, allowBackorder: true, active: true });
  const baltwear = suppliers.find((supplier) => supplier.code === 'BALTWEAR');
  assert.deepEqual(
    baltwear.skus.filter((terms) => terms.sku.code === SKU),
    [{ packSize: 6, unitCost: { amount: 380 }, sku: { code: SKU } }],
  );

  await offer.getByRole('button', { name: 'Remove' }).click();
  await offer.waitFor({ state: 'detached' });
  await edit.getByLabel('Active (sold)').uncheck();
  await edit.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();

  await page.goto(`${APP_URL}/catalogue?active=false`);
  await page.locator(`[data-testid=skus] tr[data-sku="${SKU}"]`).getByText('Retired').waitFor();
  assertNoErrors(page);
});
