// Browser test of the investment pipeline: register a company (its credit code checked) in a
// segment of an industry chain, add a project for it from the company's page, move the project
// to 签约 with its contract amount, find it on the board in the 签约 column, and on the chain's
// page: the tree drawn, the project in its segment's row, the company listed as a target for
// that segment's gap. Fails on any console error.
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
  // In the 光伏组件 segment of the demo's new-energy chain, where the county has no company yet.
  const segment = await page.locator("select[name=segment_ids] option", { hasText: "光伏组件" }).first().getAttribute("value");
  await page.selectOption("select[name=segment_ids]", [segment]);
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
  await page.selectOption("select[name=segment_id]", segment);
  await page.screenshot({ path: `${shots}/project-form.png`, fullPage: true });
  await Promise.all([page.waitForURL(/\/projects\/\d+/), page.click("form.form button.primary")]);

  // Moved to 签约 with its amount.
  await page.selectOption("select[name=stage]", "signed");
  await page.fill("input[name=contract_amount]", "36000");
  await Promise.all([page.waitForURL(/\/projects\/\d+\?ok=saved/), page.click("form.form button.primary")]);
  const facts = await page.locator("dl.facts").first().textContent();
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

  // On the chain's page: the tree drawn; the project in its segment's row, at 签约; the segment
  // a gap (缺链) with the company as the target to recruit for it.
  await page.goto(`${base}/chains`);
  await Promise.all([page.waitForURL(/\/chains\/\d+/), page.click("a:text('新能源新材料产业链')")]);
  await page.waitForSelector(".chart[data-drawn] svg", { timeout: 10000 });
  const row = await page.locator(`tr#segment-${segment}`).textContent();
  if (!row.includes(project) || !row.includes("签约")) problems.push(`the chain page's 光伏组件 row lacks the signed project: ${row}`);
  if (!row.includes("缺链")) problems.push("光伏组件 is not marked 缺链");
  const gaps = await page.locator("table", { hasText: "可招引的目标企业" }).textContent();
  if (!gaps.includes(company)) problems.push("the company is not listed as a target for the gap");
  await page.screenshot({ path: `${shots}/chain.png`, fullPage: true });
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log("pipeline browser test passed");
