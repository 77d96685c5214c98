// Browser test of the trip green channel: the demo's clerk registers a trip out (a company line
// that names nothing is refused first, with the line) and uploads a bad workbook (refused in
// place), the leader sees the trip waiting, approves it, and on the monthly statistics the
// unit's trip figure opens the list holding the trip. Fails on any console error.
//
// usage: node activities.mjs BASE_URL CLERK LEADER PASSWORD SCREENSHOT_DIR
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const [base, clerk, leader, password, shots] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
const problems = [];
const title = "赴合肥对接新能源汽车零部件企业";

async function signIn(username) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "zh-CN" });
  const page = await context.newPage();
  // The refused line answers 422 on purpose; any other failed load is a problem.
  page.on("console", (m) => { if (m.type() === "error" && !m.text().includes("status of 422")) problems.push(`console (${username}): ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error (${username}): ${e.message}`));
  await page.goto(`${base}/login`);
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForURL(`${base}/`), page.click("button[type=submit]")]);
  return page;
}

try {
  // The clerk registers a trip five days ahead.
  const page = await signIn(clerk);
  await page.goto(`${base}/activities`);
  await Promise.all([page.waitForURL(/\/activities\/new\?kind=trip/), page.click("a[href='/activities/new?kind=trip']")]);
  const ahead = new Date(Date.now() + 5 * 86400000).toISOString().slice(0, 10);
  await page.fill("input[name=title]", title);
  await page.fill("input[name=place]", "安徽合肥");
  await page.fill("input[name=starts_on]", ahead);
  await page.fill("input[name=ends_on]", ahead);
  await page.fill("textarea[name=purpose]", "拜访两家零部件企业，推介开发区载体");
  const first = await page.locator("select[name=leader_ids] option").first().getAttribute("value");
  await page.selectOption("select[name=leader_ids]", [first]);
  await page.fill("textarea[name=companies]", "查无此企业有限公司");
  await Promise.all([page.waitForLoadState("load"), page.click("form.form button.primary")]);
  if (!((await page.locator(".field-err").allTextContents()).join(" ")).includes("查无此企业有限公司")) {
    problems.push("an unknown company line is not refused with the line");
  }
  await page.fill("textarea[name=companies]", "");
  await Promise.all([page.waitForURL(/\/activities\/\d+\?ok=created/), page.click("form.form button.primary")]);
  const trip = page.url().split("?")[0];
  if (!(await page.locator("dl.facts").textContent()).includes("待审批")) problems.push("the trip is not waiting for approval");
  if (await page.locator("input[name=status][value=approved]").count()) problems.push("the clerk is offered the approval");
  await page.screenshot({ path: `${shots}/trip.png`, fullPage: true });

  // An upload answers in place: a file that is not a workbook is refused with the reason, the
  // page stays, the form is ready again.
  await page.goto(`${base}/activities/import`);
  await page.setInputFiles("input[name=file]", {
    name: "活动.xlsx",
    mimeType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    buffer: Buffer.from("not a workbook"),
  });
  await page.click("form[data-upload-progress] button[type=submit]");
  await page.waitForSelector("#import-outcome .flash.err", { timeout: 10000 });
  if (!page.url().endsWith("/activities/import")) problems.push(`the upload left the page: ${page.url()}`);
  if (await page.locator("form[data-upload-progress] button[type=submit]").isDisabled()) problems.push("the upload button stays disabled");
  await page.screenshot({ path: `${shots}/import.png`, fullPage: true });

  // The leader sees it waiting and approves it.
  const boss = await signIn(leader);
  await boss.goto(`${base}/activities`);
  const notice = await boss.locator(".flash.info").textContent();
  if (!/\d+ 项外出报备待审批/.test(notice || "")) problems.push(`no waiting notice: ${notice}`);
  await boss.goto(trip);
  await Promise.all([boss.waitForURL(/\?ok=saved/), boss.click("form:has(input[value=approved]) button")]);
  if (!(await boss.locator("dl.facts").textContent()).includes("已批准")) problems.push("the trip is not approved");
  await boss.screenshot({ path: `${shots}/trip-approved.png`, fullPage: true });

  // The statistics of its month: the clerk's unit's trip figure opens the list with the trip.
  await boss.goto(`${base}/activities/stats?month=${ahead.slice(0, 7)}`);
  const row = boss.locator("tr", { hasText: "县发展和改革局" }).first();
  const figure = row.locator("td").first().locator("a");
  if (!(await figure.count())) {
    problems.push(`no trip figure for the unit: ${await row.textContent()}`);
  } else {
    const n = Number(await figure.textContent());
    await Promise.all([boss.waitForURL(/\/activities\?/), figure.click()]);
    const rows = await boss.locator("#results tbody tr").count();
    if (rows !== n) problems.push(`the figure says ${n}, its list shows ${rows}`);
    if (!(await boss.locator("#results").textContent()).includes(title)) problems.push("the figure's list lacks the trip");
    await boss.screenshot({ path: `${shots}/trip-list.png`, fullPage: true });
  }
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log("activities browser test passed");
