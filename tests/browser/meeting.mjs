// Browser test of major project supervision: open a major project, raise a problem on it, hold
// this week's scheduling meeting and find the problem on its generated agenda, record a
// decision that becomes a task, and download the minutes. Fails on any console error.
//
// usage: node meeting.mjs BASE_URL USERNAME PASSWORD SCREENSHOT_DIR
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
const problem = "项目西侧规划道路未打通，施工车辆无法进场";
const decision = "县自然资源局牵头，两周内完成西侧道路规划调整";
const inDays = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);
try {
  const page = await browser.newPage({ viewport: { width: 1366, height: 900 }, locale: "zh-CN" });
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));

  await page.goto(`${base}/login`);
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForURL(`${base}/`), page.click("button[type=submit]")]);

  // A major project under construction, opened from the list of major projects.
  await page.goto(`${base}/projects?major=1&stage=started`);
  const first = page.locator("#results tbody a[href^='/projects/']").first();
  const name = (await first.textContent()).trim();
  await Promise.all([page.waitForURL(/\/projects\/\d+$/), first.click()]);
  for (const section of ["#problems", "#progress", "#approvals"]) {
    if (!(await page.locator(section).count())) problems.push(`the project page lacks ${section}`);
  }
  await page.screenshot({ path: `${shots}/major-project.png`, fullPage: true });

  // A problem raised on it for the land bureau.
  await Promise.all([page.waitForURL(/\/problems\/new$/), page.click("a[href$='/problems/new']")]);
  await page.selectOption("select[name=category]", "planning");
  await page.fill("textarea[name=description]", problem);
  await page.selectOption("select[name=unit_id]", { label: "县自然资源局" });
  await page.fill("input[name=deadline]", inDays(10));
  await Promise.all([page.waitForURL(/\/problems\/\d+/), page.click("form.form button.primary")]);

  // This week's meeting: its agenda names the new problem.
  await page.goto(`${base}/meetings`);
  await Promise.all([page.waitForURL(/\/meetings\/\d+\?ok=created/), page.click("form.form button.primary")]);
  const agenda = await page.locator("#agenda").textContent();
  if (!agenda.includes(problem) || !agenda.includes(name)) problems.push(`the agenda lacks the new problem: ${agenda}`);
  await page.screenshot({ path: `${shots}/meeting.png`, fullPage: true });

  // A decision that becomes a task for the land bureau.
  await page.fill("#decisions textarea[name=text]", decision);
  await page.selectOption("#decisions select[name=kind]", "task");
  await page.selectOption("#decisions select[name=unit_id]", { label: "县自然资源局" });
  await page.fill("#decisions input[name=deadline]", inDays(14));
  await Promise.all([page.waitForURL(/\/meetings\/\d+\?ok=saved/), page.click("#decisions button.primary")]);
  const task = page.locator("#decisions a[href^='/tasks/']").first();
  if (!(await page.locator("#decisions table").textContent()).includes(decision) || !(await task.count())) {
    problems.push("the decision is not recorded with its task");
  } else {
    await Promise.all([page.waitForURL(/\/tasks\/\d+/), task.click()]);
    if (!(await page.textContent("body")).includes(decision)) problems.push("the decision's task page lacks it");
  }

  // The minutes download as a Word document.
  await page.goBack();
  const href = await page.locator("a[href$='/minutes.docx']").getAttribute("href");
  const r = await page.request.get(`${base}${href}`);
  if (r.status() !== 200 || !r.headers()["content-type"].includes("wordprocessingml")) {
    problems.push(`the minutes do not download as DOCX: ${r.status()} ${r.headers()["content-type"]}`);
  }
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log("meeting browser test passed");
