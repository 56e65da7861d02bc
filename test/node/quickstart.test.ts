/** examples/quickstart.ts, the typed-client walkthrough, run against a real `wrangler dev`. */
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

describe("examples/quickstart.ts", () => {
  it("runs the whole flow and prints each step", async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ["examples/quickstart.ts"], {
      cwd: ROOT,
      env: { ...process.env, ENBRO_URL: server.baseUrl, ENBRO_ADMIN_TOKEN: server.adminToken },
    });
    for (const title of [
      "Operator creates a supplier",
      "Operator creates an organisation",
      "Organisation creates a customer",
      "…adds an EAN",
      "…adds two EANs in bulk",
      "…lists the customer's EANs",
      "…lists its customers",
      "✔ quickstart done",
    ]) {
      expect(stdout).toContain(title);
    }
    expect(stdout).toContain('"phone": "+3256980144"');
  });
});
