// Browser test of the investment pipeline: register a company (its credit code checked), add a
// project for it from the company's page, move the project to 签约 with its contract amount,
// and find it on the board in the 签约 column. Fails on any console error.
//
// usage: node pipeline.mjs BASE_URL USERNAME PASSWORD SCREENSHOT_DIR
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
const company = "高青示范绿色能源科技有限公司";
const project = "分布式光伏储能一体化项目";
try {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 }, locale: "zh-CN" });
  // The refused credit code answers 422 on purpose; any other failed load is a problem.
  page.on("console", (m) => { if (m.type() === "error" && !m.text().includes("status of 422")) problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));

  await page.goto(`${base}/login`);
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForURL(`${base}/`), page.click("button[type=submit]")]);

  // A company; a mistyped check character is refused on the form first.
  await page.goto(`${base}/companies/new`);
  await page.fill("input[name=name]", company);
  await page.fill("input[name=credit_code]", "91330100799655058C");
  await page.check("input[name=flag_headquarters]");
  await Promise.all([page.waitForLoadState("load"), page.click("form.form button.primary")]);
  if (!(await page.locator(".field-err").first().textContent() || "").includes("校验位")) {
    problems.push("a wrong credit code is not refused with its reason");
  }
  await page.fill("input[name=credit_code]", "91330100799655058B");
  await Promise.all([page.waitForURL(/\/companies\/\d+/), page.click("form.form button.primary")]);
  await page.screenshot({ path: `${shots}/company.png`, fullPage: true });

  // A project for it, from the company's page (the investor is filled in).
  await Promise.all([page.waitForURL(/\/projects\/new/), page.click(`a[href^="/projects/new"]`)]);
  if ((await page.inputValue("input[name=investor]")) !== company) problems.push("the investor is not filled in");
  await page.fill("input[name=name]", project);
  await page.fill("input[name=total_investment]", "36000");
  await page.fill("input[name=outside_investment]", "30000");
  await page.screenshot({ path: `${shots}/project-form.png`, fullPage: true });
  await Promise.all([page.waitForURL(/\/projects\/\d+/), page.click("form.form button.primary")]);

  // Moved to 签约 with its amount.
  await page.selectOption("select[name=stage]", "signed");
  await page.fill("input[name=contract_amount]", "36000");
  await Promise.all([page.waitForURL(/\/projects\/\d+\?ok=saved/), page.click("form.form button.primary")]);
  const facts = await page.locator("dl.facts").textContent();
  if (!facts.includes("签约") || !facts.includes("36000")) problems.push("the project page does not show the signing");
  if ((await page.locator("ol.timeline li").count()) !== 2) problems.push("the timeline does not show lead and signing");
  await page.screenshot({ path: `${shots}/project.png`, fullPage: true });

  // On the board, in the 签约 column; the list's 签约 count links to it.
  await page.goto(`${base}/projects/board`);
  const column = page.locator("section.board-column", { hasText: "签约" }).first();
  if (!(await column.textContent()).includes(project)) problems.push("the board's 签约 column lacks the project");
  await page.screenshot({ path: `${shots}/board.png`, fullPage: false });
  await page.goto(`${base}/projects?name=fbsgf`);
  if (!(await page.locator("#results tbody").textContent()).includes(project)) problems.push("pinyin initials do not find the project");
  await page.screenshot({ path: `${shots}/projects.png`, fullPage: false });
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log("pipeline browser test passed");
