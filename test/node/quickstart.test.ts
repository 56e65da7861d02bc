/** Against a real `wrangler dev`: examples/quickstart.ts (the typed-client walkthrough), and /docs as the asset server answers it. */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// @ts-expect-error: a JavaScript module of the scripts folder
import { startLoadtestServer } from "../../scripts/loadtest-server.mjs";

const ROOT = path.resolve(import.meta.dirname, "../..");
let server: { baseUrl: string; adminToken: string; stop: () => Promise<void> };

beforeAll(async () => {
  server = await startLoadtestServer("quickstart-test");
});
afterAll(async () => {
  await server?.stop();
});

const runQuickstart = () =>
  promisify(execFile)(process.execPath, ["examples/quickstart.ts"], {
    cwd: ROOT,
    env: { ...process.env, ENBRO_URL: server.baseUrl, ENBRO_ADMIN_TOKEN: server.adminToken },
  });

describe("examples/quickstart.ts", () => {
  it("runs the whole flow and prints each step", async () => {
    const { stdout } = await runQuickstart();
    for (const title of [
      "Operator creates a supplier",
      "Operator creates an organisation",
      "Organisation creates a customer",
      "…adds an EAN",
      "…adds two EANs in bulk",
      "…lists the customer's EANs",
      "…lists its customers",
      "…makes a read-only key",
      "…which reads the customer, and may not erase it",
      "✔ quickstart done",
    ]) {
      expect(stdout).toContain(title);
    }
    expect(stdout).toContain('"phone": "+3256980144"');
  });

  it("runs again without creating a second supplier", async () => {
    const { stdout } = await runQuickstart();
    expect(stdout).toContain("Operator finds its supplier");
    expect(stdout).toContain("✔ quickstart done");
    const suppliers = (await (
      await fetch(`${server.baseUrl}/admin/v1/suppliers`, { headers: { Authorization: `Bearer ${server.adminToken}` } })
    ).json()) as Array<{ name: string }>;
    expect(suppliers.filter((s) => s.name === "Quickstart Energy")).toHaveLength(1);
  });
});

describe("/docs under wrangler dev", () => {
  it("is served with the security headers and a CSP that allows only its own assets", async () => {
    const response = await fetch(`${server.baseUrl}/docs`);
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toContain("text/html");
    expect(response.headers.get("X-Frame-Options")).toBe("DENY");
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(response.headers.get("Referrer-Policy")).toBe("no-referrer");
    expect(response.headers.get("Strict-Transport-Security")).toContain("max-age=");
    expect(response.headers.get("Cross-Origin-Resource-Policy")).toBe("same-origin");
    const csp = response.headers.get("Content-Security-Policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/https?:|\*/);
  });
});
