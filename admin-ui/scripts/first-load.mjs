// Times the admin app's first load in Chromium with an empty cache, as bench/admin_app.py
// asks: the sign-in page until its form shows, the dashboard (signed in) until its KPI
// figures show, and a customer's order page (a mail's link) until the order shows. Prints one
// JSON line of the times in milliseconds.
import { chromium } from 'playwright-core';

const [appUrl, token, runs, customerLink] = [process.argv[2], process.argv[3], Number(process.argv[4] ?? 10), process.argv[5]];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
});

async function timed(path, selector, signedIn, viewport = { width: 1280, height: 720 }) {
  const context = await browser.newContext({ viewport });
  if (signedIn) await context.addInitScript((value) => localStorage.setItem('oms.token', value), token);
  const page = await context.newPage();
  const started = performance.now();
  await page.goto(path.startsWith('http') ? path : `${appUrl}${path}`);
  await page.locator(selector).first().waitFor();
  const elapsed = performance.now() - started;
  const transferred = await page.evaluate(() =>
    performance.getEntriesByType('resource').concat(performance.getEntriesByType('navigation'))
      .reduce((sum, entry) => sum + entry.transferSize, 0));
  await context.close();
  return { elapsed, transferred };
}

const result = { login: [], dashboard: [], track: [], loginBytes: 0, dashboardBytes: 0, trackBytes: 0 };
for (let run = 0; run < runs; run += 1) {
  const login = await timed('/login', 'button[type=submit]', false);
  const dashboard = await timed('/', '[data-testid=kpis]', true);
  result.login.push(login.elapsed);
  result.dashboard.push(dashboard.elapsed);
  result.loginBytes = login.transferred;
  result.dashboardBytes = dashboard.transferred;
  if (customerLink) {
    const track = await timed(customerLink, 'h1:has-text("Order")', false, { width: 390, height: 844 });
    result.track.push(track.elapsed);
    result.trackBytes = track.transferred;
  }
}
await browser.close();
console.log(JSON.stringify(result));
