// What every scenario shares: Chromium as the machine has it, sign-in, the API, screenshots,
// and a check that the page logged no error.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const APP_URL = process.env.APP_URL ?? 'http://127.0.0.1:5173';
export const API_URL = process.env.API_URL ?? 'http://127.0.0.1:8000';
const ARTEFACTS = process.env.ARTEFACTS ?? 'test-results';

export const LOGINS = {
  admin: ['admin@example.com', 'admin-password'],
  warehouse: ['warehouse@example.com', 'warehouse-password'],
};

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A fresh page that records console errors and uncaught exceptions, for `assertNoErrors`. */
export async function openPage(browser, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  page.errors = [];
  page.on('console', (message) => {
    if (message.type() === 'error') page.errors.push(message.text());
  });
  page.on('pageerror', (error) => page.errors.push(error.message));
  return page;
}

export function assertNoErrors(page) {
  assert.deepEqual(page.errors, [], `the page logged errors: ${page.errors.join('\n')}`);
}

export async function signIn(page, who = 'admin') {
  const [email, password] = LOGINS[who];
  await page.goto(`${APP_URL}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

export async function screenshot(page, name) {
  mkdirSync(ARTEFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTEFACTS, `${name}.png`), fullPage: true });
}

/** A GraphQL call to the API as the given user, outside the browser (the rest of the world). */
export async function api(query, variables = {}, who = 'admin') {
  const token = who ? await tokenOf(who) : null;
  const response = await fetch(`${API_URL}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}

const tokens = new Map();

async function tokenOf(who) {
  if (!tokens.has(who)) {
    const [email, password] = LOGINS[who];
    const response = await fetch(`${API_URL}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation($input: LoginInput!) { login(input: $input) { token } }',
        variables: { input: { email, password } },
      }),
    });
    tokens.set(who, (await response.json()).data.login.token);
  }
  return tokens.get(who);
}

const PLACE = `mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) {
    order { id number status lines { id sku { code } } allocations { location { id code name } } }
    trackingToken
    userErrors { code message }
  }
}`;

/** An order as a shop front places it: one unit of an in-stock SKU, paid by card. */
export async function placeOrder(email) {
  const { inventoryLevels } = await api(
    '{ inventoryLevels(first: 100) { nodes { available location { code } sku { code active } } } }',
  );
  const level = inventoryLevels.nodes.find((node) => node.available > 5 && node.sku.active);
  assert.ok(level, 'the demo data holds stock');
  const { placeOrder: placed } = await api(PLACE, {
    input: {
      channel: 'web',
      customer: { email, name: 'Browser Test' },
      lines: [{ sku: level.sku.code, quantity: 1 }],
      shippingAddress: { name: 'Browser Test', line1: 'Unter den Linden 1', city: 'Berlin', postalCode: '10117', country: 'DE' },
      payment: { method: 'card', token: 'tok_visa' },
    },
  });
  assert.deepEqual(placed.userErrors, []);
  return placed;
}

/** Picks, packs and ships an order through the API, as the warehouse would. */
export async function fulfil(placed) {
  const location = placed.order.allocations[0].location;
  const { createPickList } = await api(
    `mutation($input: CreatePickListInput!) { createPickList(input: $input) {
      pickList { id tasks { id quantity } } userErrors { message } } }`,
    { input: { locationId: location.id, maxOrders: 500 } },
  );
  assert.deepEqual(createPickList.userErrors, []);
  const list = createPickList.pickList;
  await api(
    `mutation($input: ConfirmPicksInput!) { confirmPicks(input: $input) { userErrors { message } } }`,
    { input: { pickListId: list.id, picks: list.tasks.map((task) => ({ taskId: task.id, quantity: task.quantity })) } },
  );
  const { order } = await api('query($id: ID!) { order(id: $id) { shipments { id } } }', { id: placed.order.id });
  for (const shipment of order.shipments) {
    await api(
      `mutation($input: PackShipmentInput!) { packShipment(input: $input) { userErrors { message } } }`,
      { input: { shipmentId: shipment.id, packages: [{ weightGrams: 800 }] } },
    );
    const { shipShipment } = await api(
      `mutation($input: ShipShipmentInput!) { shipShipment(input: $input) { userErrors { message } } }`,
      { input: { shipmentId: shipment.id } },
    );
    assert.deepEqual(shipShipment.userErrors, []);
  }
}
