// Browser test of assessment: the supervisor opens the demo's scheme, computes the last
// complete quarter, sees the ranking with the rows behind a figure, publishes it and sees the
// red and black lists and the recomputation check. Fails on any console error.
//
// usage: node assessment.mjs BASE_URL USERNAME PASSWORD SCREENSHOT_DIR
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
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 }, locale: "zh-CN" });
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("dialog", (d) => d.accept());

  await page.goto(`${base}/login`);
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForURL(`${base}/`), page.click("button[type=submit]")]);

  // The scheme, from the menu.
  await Promise.all([page.waitForURL(`${base}/assessments`), page.click("nav a[href='/assessments']")]);
  await Promise.all([page.waitForURL(/\/assessments\/\d+$/), page.click("table a[href^='/assessments/']")]);
  const period = await page.inputValue("#compute input[name=period]");
  if (!/^\d{4}-Q[1-4]$/.test(period)) problems.push(`the form does not offer the last quarter: ${period}`);

  // Computed: a ranking per group, each figure's points under it.
  await Promise.all([page.waitForURL(/\/assessment-runs\/\d+\?ok=saved/), page.click("#compute button.primary")]);
  const tables = page.locator("section.ranking table");
  if ((await tables.count()) < 3) problems.push(`expected three groups ranked, got ${await tables.count()}`);
  const firstRank = (await page.locator("section.ranking tbody tr td").first().textContent()).trim();
  if (firstRank !== "1") problems.push(`the ranking does not start at 1: ${firstRank}`);
  const linked = page.locator("section.ranking tbody td a[href*='as_of=']").first();
  if (!(await linked.count())) problems.push("no figure links to its list as of the period's end");
  await page.screenshot({ path: `${shots}/assessment-draft.png`, fullPage: true });

  // Published: frozen, with its red and black lists, and recomputed identically.
  await Promise.all([page.waitForURL(/ok=saved/), page.click("form[action$='/publish'] button")]);
  const body = await page.textContent("body");
  for (const text of ["已发布", "红榜", "黑榜", "结果完全一致"]) {
    if (!body.includes(text)) problems.push(`the published run lacks ${text}`);
  }
  await page.screenshot({ path: `${shots}/assessment-published.png`, fullPage: true });

  // A figure leads to the list that counts it, with as many rows.
  const cell = page.locator("section.ranking tbody td a[href^='/activities']").first();
  if (await cell.count()) {
    const value = Number((await cell.textContent()).trim());
    await Promise.all([page.waitForURL(/\/activities\?/), cell.click()]);
    const rows = await page.locator("#results tbody tr:not(:has(td.empty))").count();
    if (rows !== value) problems.push(`the figure ${value} leads to ${rows} rows`);
  } else {
    problems.push("no activity figure links to its list");
  }
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log("assessment browser test passed");
