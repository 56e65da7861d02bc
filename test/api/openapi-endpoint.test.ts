/** GET /api/v1/openapi.json: served without a token, the document the schemas generate. */
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "../../src/openapi/document";
import { call, json } from "../helpers";

describe("GET /api/v1/openapi.json", () => {
  it("serves the generated document without a token", async () => {
    const response = await call("GET", "/api/v1/openapi.json");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=300");
    expect(await json(response)).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
  });
});
