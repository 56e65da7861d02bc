/**
 * /docs in a real browser: Debian's chromium, driven by playwright-core,
 * against `wrangler dev`. The page renders, lists every endpoint, and "try it"
 * on GET /api/v1/ping shows {}, and its Content-Security-Policy refuses
 * nothing it needs. The screenshot goes to .wrangler/ (untracked);
 * `UPDATE_SCREENSHOT=1 npm run test:browser` refreshes docs/api-reference.png.
 */
import path from "node:path";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a JavaScript module of the scripts folder
import { startLoadtestServer } from "../../scripts/loadtest-server.mjs";
import { operationsFor } from "../../src/openapi/document";
import { ALL_ROUTES } from "../../src/routes";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ROOT = path.resolve(import.meta.dirname, "../..");
const SCREENSHOT = process.env.UPDATE_SCREENSHOT ? path.join(ROOT, "docs/api-reference.png") : path.join(ROOT, ".wrangler/api-reference.png");

let server: { baseUrl: string; stop: () => Promise<void> };
let browser: Browser;

beforeAll(async () => {
  server = await startLoadtestServer("browser-test");
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("GET /docs", () => {
  it("renders the reference, lists every endpoint, and tries ping", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1600 } });
    const external: string[] = [];
    page.on("request", (request) => {
      if (!request.url().startsWith(server.baseUrl)) external.push(request.url());
    });
    const refused: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
    });
    const response = await page.goto(`${server.baseUrl}/docs`);
    expect(response?.headers()["content-security-policy"]).toContain("default-src 'none'");
    expect(response?.status()).toBe(200);
    await page.waitForSelector(".opblock", { timeout: 30_000 });
    // Swagger UI shows resolver errors (a broken $ref) in this box.
    expect(await page.locator(".errors-wrapper").count()).toBe(0);

    const blocks = await page.$$eval(".opblock", (found) => found.map((b) => ({ id: b.id, webhook: b.closest(".webhooks") !== null })));
    // The webhook POST (OpenAPI's `webhooks`) is shown in its own section.
    expect(blocks.filter((b) => b.webhook)).toHaveLength(1);
    const listed = blocks.filter((b) => !b.webhook).map((b) => b.id);
    // The public operations only: the operator API is described behind its secret.
    const operations = operationsFor(ALL_ROUTES, "public");
    expect(listed).toHaveLength(operations.length);
    for (const operation of operations) {
      expect(
        listed.some((id) => id.endsWith(`-${operation.operationId}`)),
        operation.operationId,
      ).toBe(true);
    }

    const ping = page.locator('[id$="-ping"]');
    await ping.locator(".opblock-summary").click();
    await ping.locator("button.try-out__btn").click();
    await ping.locator("button.execute").click();
    const body = ping.locator(".responses-wrapper .live-responses-table .response-col_description .microlight").first();
    await body.waitFor({ timeout: 15_000 });
    expect((await body.textContent())?.replace(/\s/g, "")).toBe("{}");
    await expect(ping.locator(".live-responses-table tbody .response-col_status").first().textContent()).resolves.toContain("200");

    // A pasted token is not kept in the browser's storage.
    const stored = await page.evaluate("JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })");
    expect(stored).not.toContain("authorized");
    expect(await page.evaluate("window.ui.getConfigs().persistAuthorization")).toBe(false);

    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(external).toEqual([]);
    expect(refused).toEqual([]);
  });
});
