// Browser smoke test: sign in, open the main pages, filter a list live (htmx), and fail on any
// console error (a Content-Security-Policy violation shows up as one). Screenshots of each page
// are written to the directory given, as artifacts.
//
// usage: node smoke.mjs BASE_URL USERNAME PASSWORD SCREENSHOT_DIR
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
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: "zh-CN" });
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()}`));

  await page.goto(`${base}/`);
  if (!page.url().includes("/login")) problems.push(`not sent to sign-in: ${page.url()}`);
  await page.screenshot({ path: `${shots}/login.png` });
  await page.fill("input[name=username]", username);
  await page.fill("input[name=password]", password);
  await Promise.all([page.waitForURL(`${base}/`), page.click("button[type=submit]")]);
  const h1 = await page.textContent("h1");
  if (!h1 || !h1.includes("您好")) problems.push(`home heading: ${h1}`);
  await page.screenshot({ path: `${shots}/home.png`, fullPage: true });

  await page.goto(`${base}/org/units`);
  const before = await page.locator("#results tbody tr").count();
  await page.fill("input[name=q]", "投资");
  await page.waitForFunction((n) => document.querySelectorAll("#results tbody tr").length !== n, before, { timeout: 5000 })
    .catch(() => problems.push("live filter did not update the list"));
  if (!page.url().includes("q=")) problems.push(`filter not in the address: ${page.url()}`);
  await page.screenshot({ path: `${shots}/units.png`, fullPage: true });

  for (const [path, name] of [["/org/people", "people"], ["/org/regions", "regions"], ["/account", "account"], ["/admin/users", "users"], ["/api/docs", "api-docs"]]) {
    const resp = await page.goto(`${base}${path}`);
    if (!resp || resp.status() >= 400) problems.push(`${path}: ${resp && resp.status()}`);
    if (path === "/api/docs") {
      await page.waitForSelector(".swagger-ui .opblock", { timeout: 30000 })
        .catch(() => problems.push("API docs did not render"));
    }
    await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
  }
} finally {
  await browser.close();
}
if (problems.length) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log("browser smoke test passed");
