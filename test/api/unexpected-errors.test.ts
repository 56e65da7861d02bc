import { afterEach, describe, expect, it, vi } from "vitest";
import { call, createOrganisation, shardOf } from "../helpers";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("an unexpected error", () => {
  it("answers 500 without leaking anything, and logs the stack with the request id", async () => {
    const org = await createOrganisation();
    await (await shardOf(org.id)).exec("DROP TABLE suppliers");
    const errors: string[] = [];
    vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
      errors.push(args.map(String).join(" "));
    });
    const response = await call("GET", "/api/v1/suppliers", { token: org.token, headers: { "X-Request-Id": "boom-1" } });
    expect(response.status).toBe(500);
    expect(response.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      errors: [{ path: "request", error: "internal_error", message: "internal server error", type: "custom", request_id: "boom-1" }],
    });
    expect(text).not.toMatch(/suppliers|sqlite|D1|at /i);
    const logged = errors.map((e) => JSON.parse(e)).find((e) => e.request_id === "boom-1");
    expect(logged).toMatchObject({ error: "unhandled", type: expect.any(String) });
    expect(logged.stack.length).toBeGreaterThan(0);
  });
});
