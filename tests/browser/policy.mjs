// Browser test of the policy import: upload the reference document, check the preview (source
// beside the parsed measures), confirm, and see every measure with its task on the policy page;
// then open a task and the lights. Fails on any console error (a CSP violation shows up as one).
//
// usage: node policy.mjs BASE_URL USERNAME PASSWORD DOCUMENT MEASURES SCREENSHOT_DIR
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const [base, username, password, doc, measures, shots] = process.argv.slice(2);
const expected = Number(measures);
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

  await page.goto(`${base}/login`);
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForURL(`${base}/`), page.click("button[type=submit]")]);

  await page.goto(`${base}/policies/import`);
  await page.setInputFiles("input[name=file]", doc);
  await Promise.all([page.waitForLoadState("load"), page.click("form button.primary")]);
  await page.waitForSelector("textarea[name=source_text]");
  const forms = await page.locator("fieldset.measure-form").count();
  if (forms !== expected) problems.push(`preview shows ${forms} measures, expected ${expected}`);
  const source = await page.inputValue("textarea[name=source_text]");
  if (!source.includes("责任单位")) problems.push("the source text is not beside the preview");
  await page.screenshot({ path: `${shots}/policy-preview.png`, fullPage: false });

  await Promise.all([page.waitForURL(/\/policies\/\d+/), page.click(".sticky-actions button.primary")]);
  const sections = await page.locator("section.measure").count();
  if (sections !== expected) problems.push(`policy page shows ${sections} measures, expected ${expected}`);
  const tasks = await page.locator("section.measure tbody tr").count();
  if (tasks !== expected) problems.push(`policy page shows ${tasks} tasks, expected ${expected}`);
  await page.screenshot({ path: `${shots}/policy.png`, fullPage: true });

  await page.click("section.measure:nth-of-type(1) tbody a");
  await page.waitForSelector("#timeline");
  if (!(await page.locator("blockquote.clause").count())) problems.push("the task page does not show its clause");
  await page.screenshot({ path: `${shots}/task.png`, fullPage: true });

  await page.goto(`${base}/tasks/lights`);
  if ((await page.locator(".lights-table tbody tr").count()) < 2) problems.push("lights by unit is empty");
  await page.screenshot({ path: `${shots}/lights.png`, fullPage: true });
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log("policy browser test passed");
