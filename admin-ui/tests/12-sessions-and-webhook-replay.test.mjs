import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { api, API_URL, APP_URL, assertNoErrors, launch, openPage, placeOrder, screenshot, signIn } from './browser.mjs';

let browser;
before(async () => (browser = await launch()));
after(async () => browser?.close());

async function graphql(query, variables, token) {
  const response = await fetch(`${API_URL}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

test('an admin ends every session of a member of staff who lost a laptop', async () => {
  const email = `laptop.${Date.now()}@example.com`;
  const { createUser } = await api(
    'mutation($input: CreateUserInput!) { createUser(input: $input) { userErrors { message } } }',
    { input: { email, password: 'lost-laptop-password', role: 'SUPPORT', name: 'Lost Laptop' } },
  );
  assert.deepEqual(createUser.userErrors, []);
  const login = await graphql('mutation($input: LoginInput!) { login(input: $input) { token } }', {
    input: { email, password: 'lost-laptop-password' },
  });
  const token = login.data.login.token;
  const viewer = '{ viewer { user { email } } }';
  assert.equal((await graphql(viewer, {}, token)).data.viewer.user.email, email);

  const page = await openPage(browser);
  await signIn(page);
  await page.goto(`${APP_URL}/settings`);
  const row = page.getByTestId('users').locator('tr', { hasText: email });
  page.once('dialog', (dialog) => dialog.accept());
  await row.getByRole('button', { name: 'End sessions' }).click();
  await row.getByRole('status').getByText('Signed out everywhere').waitFor();

  const refused = await graphql(viewer, {}, token);
  assert.equal(refused.data.viewer?.user ?? null, null, 'the token no longer names its user');
  assertNoErrors(page);
});

test('a webhook gets every event after a delivery again', async () => {
  const { createWebhook } = await api(
    `mutation($input: CreateWebhookInput!) { createWebhook(input: $input) {
       webhook { id } userErrors { message } } }`,
    { input: { url: 'https://partner.example/hooks/oms', events: ['ORDER_PLACED'] } },
  );
  assert.deepEqual(createWebhook.userErrors, []);
  await placeOrder('replayed.one@example.com');
  await placeOrder('replayed.two@example.com');
  const deliveriesQuery = '{ webhooks { id deliveries { id status event { type } } } }';
  let deliveries = [];
  for (let attempt = 0; attempt < 50 && deliveries.length < 2; attempt += 1) {
    const { webhooks } = await api(deliveriesQuery);
    deliveries = webhooks.find((hook) => hook.id === createWebhook.webhook.id)?.deliveries ?? [];
    if (deliveries.length < 2) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.equal(deliveries.length, 2, 'the worker turned both orders into deliveries');

  const page = await openPage(browser);
  await signIn(page);
  await page.goto(`${APP_URL}/settings`);
  const card = page.locator('.card', { hasText: 'https://partner.example/hooks/oms' });
  await card.getByRole('button', { name: /Deliveries \(2\)/ }).click();
  const oldest = card.locator('tbody tr').last();
  await oldest.getByText('ORDER_PLACED').waitFor();
  page.once('dialog', (dialog) => dialog.accept());
  await oldest.getByRole('button', { name: 'Replay what followed' }).click();
  await oldest.getByRole('status').getByText('Replaying').waitFor();
  await screenshot(page, 'webhook-replay');
  assertNoErrors(page);
});
