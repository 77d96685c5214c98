// Browser test of the dashboard on the demo county: its charts are drawn (ECharts, no console
// errors), a figure's link leads to a list of the same count, and the big screen fits 1920×1080
// with its charts drawn; the reports page's figures lead to lists of the same count. Saves
// screenshots of the dashboard, its print view, the report and the big screen.
//
// usage: node dashboard.mjs BASE_URL USERNAME PASSWORD SCREENSHOT_DIR
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const [base, username, password, shots] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
const problems = [];
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, locale: "zh-CN" });
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));

  await page.goto(`${base}/login`);
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForURL(`${base}/`), page.click("button[type=submit]")]);

  // The dashboard from the menu; every chart drawn.
  await Promise.all([page.waitForURL(/\/dashboard$/), page.click("nav a[href='/dashboard']")]);
  const charts = await page.locator("[data-chart]").count();
  await page.waitForFunction(
    (n) => document.querySelectorAll("[data-chart][data-drawn]").length === n, charts, { timeout: 10000 },
  ).catch(() => problems.push("not every chart was drawn"));
  for (const el of await page.locator("[data-chart][data-error]").all()) {
    problems.push(`chart error: ${await el.getAttribute("data-error")}`);
  }
  if (charts < 3) problems.push(`expected the funnel, trend and lights charts, found ${charts}`);
  if ((await page.locator("[data-chart] svg").count()) < charts) problems.push("a chart has no drawing");
  await page.screenshot({ path: `${shots}/dashboard.png`, fullPage: true });
  await page.emulateMedia({ media: "print" });
  await page.screenshot({ path: `${shots}/dashboard-print.png`, fullPage: true });
  await page.emulateMedia({ media: "screen" });

  // A figure leads to a list of the same count: the projects, then the red tasks.
  for (const figure of ["projects", "tasks_red"]) {
    const link = page.locator(`#headline [data-figure=${figure}], #lights [data-figure=${figure}]`).first();
    const value = await link.getAttribute("data-value");
    await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/dashboard")), link.click()]);
    const total = await page.locator(".pager").first().getAttribute("data-total");
    if (total !== value) problems.push(`${figure}: the dashboard says ${value}, its list counts ${total}`);
    await page.goBack();
  }

  // The reports from the menu: the last month's table; the region's talks lead to a list of
  // as many activities.
  await Promise.all([page.waitForURL(/\/reports$/), page.click("nav a[href='/reports']")]);
  if ((await page.locator("#report-table tbody tr").count()) < 5) problems.push("the report has few lines");
  await page.screenshot({ path: `${shots}/report.png`, fullPage: true });
  const talks = page.locator("#report-table tfoot a[data-column=talks]");
  const said = await talks.getAttribute("data-value");
  await Promise.all([page.waitForURL((u) => u.pathname === "/activities"), talks.click()]);
  const counted = await page.locator(".pager").first().getAttribute("data-total");
  if (counted !== said) problems.push(`talks: the report says ${said}, its list counts ${counted}`);
  await page.goto(`${base}/dashboard`);

  // The big screen, at the command room's 1920×1080: dark, every chart drawn.
  const screen = await browser.newPage({ viewport: { width: 1920, height: 1080 }, locale: "zh-CN" });
  screen.on("console", (m) => { if (m.type() === "error") problems.push(`screen console: ${m.text()}`); });
  screen.on("pageerror", (e) => problems.push(`screen error: ${e.message}`));
  const href = await page.locator("#screen-link").getAttribute("href");
  await screen.context().addCookies(await page.context().cookies());
  await screen.goto(`${base}${href}`);
  const screenCharts = await screen.locator("[data-chart]").count();
  await screen.waitForFunction(
    (n) => document.querySelectorAll("[data-chart][data-drawn]").length === n, screenCharts, { timeout: 10000 },
  ).catch(() => problems.push("not every chart of the big screen was drawn"));
  if (screenCharts < 3) problems.push(`the big screen has ${screenCharts} charts`);
  const overflow = await screen.evaluate(() => document.documentElement.scrollHeight - window.innerHeight);
  if (overflow > 0) problems.push(`the big screen is ${overflow}px taller than 1080`);
  await screen.screenshot({ path: `${shots}/big-screen.png` });
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log("dashboard browser test passed");
