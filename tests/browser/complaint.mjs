// Browser test of reaching people: an investor files a complaint on the public form without an
// account (answering the sum), and follows it by its tracking code; the supervisor sends it to
// a unit; the unit's clerk answers it; the investor reads the answer and rates it. Then the
// supervisor publishes the policy and the investor reads it on the portal, on a phone-sized
// screen. Fails on any console error.
//
// usage: node complaint.mjs BASE_URL SUPERVISOR CLERK PASSWORD UNIT_NAME SCREENSHOT_DIR
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";

const [base, supervisor, clerk, password, unit, shots] = process.argv.slice(2);
mkdirSync(shots, { recursive: true });

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
const problems = [];
const subject = "厂房施工许可超过承诺时限";
const answer = "已督促县行政审批服务局当日办结，施工许可证已送达企业。";
const watch = (page) => {
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
};
const newPage = async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "zh-CN" });
  const page = await context.newPage();
  watch(page);
  return page;
};
const signIn = async (page, username) => {
  await page.goto(`${base}/login`);
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForURL(`${base}/`), page.click("button[type=submit]")]);
};
try {
  // The investor, on a phone-sized screen, without an account.
  const investor = await (await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN" })).newPage();
  watch(investor);
  await investor.goto(`${base}/public/complaints/new`);
  await investor.fill("input[name=company]", "山东某某新材料有限公司");
  await investor.fill("input[name=contact]", "王经理");
  await investor.fill("input[name=phone]", "13800000000");
  await investor.fill("input[name=subject]", subject);
  await investor.fill("textarea[name=body]", "材料已于上月提交齐全，超过承诺的 5 个工作日仍未办结。");
  const question = await investor.locator("label:has(input[name=answer])").textContent();
  const [, a, b] = question.match(/(\d+) 加 (\d+)/);
  await investor.fill("input[name=answer]", String(Number(a) + Number(b)));
  await investor.screenshot({ path: `${shots}/complaint-form.png`, fullPage: true });
  await Promise.all([investor.waitForURL(/\/public\/complaints\/track\?code=/), investor.click("form.form button.primary")]);
  const code = (await investor.locator("#tracking-code").textContent()).trim();
  if (!/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/.test(code)) problems.push(`no tracking code shown: ${code}`);
  if ((await investor.locator("#complaint-status").textContent()).trim() !== "待分派") problems.push("a new complaint is not waiting to be routed");

  // The supervisor sends it to the unit.
  const sup = await newPage();
  await signIn(sup, supervisor);
  await sup.goto(`${base}/complaints`);
  await Promise.all([sup.waitForURL(/\/complaints\/\d+$/), sup.click(`a:text("${subject}")`)]);
  await sup.selectOption("form[action$='/route'] select[name=unit_id]", { label: unit });
  await Promise.all([sup.waitForURL(/\/complaints\/\d+\?ok=saved/), sup.click("form[action$='/route'] button")]);
  const url = sup.url().split("?")[0];

  // The unit's clerk answers it.
  const unitPage = await newPage();
  await signIn(unitPage, clerk);
  await unitPage.goto(url);
  await unitPage.fill("form[action$='/answer'] textarea[name=answer]", answer);
  await Promise.all([unitPage.waitForURL(/\?ok=saved/), unitPage.click("form[action$='/answer'] button")]);
  await unitPage.screenshot({ path: `${shots}/complaint-staff.png`, fullPage: true });

  // The investor follows it by the code, reads the answer and rates it.
  await investor.goto(`${base}/public/complaints/track`);
  await investor.fill("input[name=code]", code.toLowerCase());
  await Promise.all([investor.waitForURL(/code=/), investor.click("form.filters button")]);
  if ((await investor.locator("#complaint-status").textContent()).trim() !== "已答复") problems.push("the answer is not shown as answered");
  if (!(await investor.locator("#complaint-answer").textContent()).includes(answer)) problems.push("the investor does not read the answer");
  await investor.check("input[name=satisfaction][value=satisfied]");
  await Promise.all([investor.waitForURL(/ok=saved/), investor.click("form[action='/public/complaints/rate'] button")]);
  if (!(await investor.textContent("main")).includes("满意")) problems.push("the rating is not shown");
  await investor.screenshot({ path: `${shots}/complaint-track.png`, fullPage: true });

  // The supervisor publishes the policy with its tasks' progress; the investor reads it.
  await sup.goto(`${base}/policies`);
  await Promise.all([sup.waitForURL(/\/policies\/\d+$/), sup.click("table a[href^='/policies/']")]);
  const title = (await sup.locator("h1").textContent()).trim();
  await Promise.all([sup.waitForURL(/ok=saved/), sup.click("#publish button")]);
  await investor.goto(`${base}/public`);
  await Promise.all([investor.waitForURL(/\/public\/policies\/\d+$/), investor.click(`a:has-text("${title}")`)]);
  if ((await investor.locator(".public-task").count()) === 0) problems.push("the published policy shows no task");
  await investor.screenshot({ path: `${shots}/portal.png`, fullPage: true });
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log("complaint: ok");
