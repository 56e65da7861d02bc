/** The API described: GET /api/v1/openapi.json (public, no token) and GET /admin/v1/openapi.json (operator only). */
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "../../src/openapi/document";
import { ALL_ROUTES } from "../../src/routes";
import { ADMIN_TOKEN, call, createOrganisation, json } from "../helpers";

describe("GET /api/v1/openapi.json", () => {
  it("serves the generated document without a token", async () => {
    const response = await call("GET", "/api/v1/openapi.json");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=300");
    expect(await json(response)).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument(ALL_ROUTES, "public"))));
  });

  it("does not advertise the operator API", async () => {
    const text = await (await call("GET", "/api/v1/openapi.json")).text();
    expect(text).not.toContain("/admin/");
    expect(text).not.toContain("operatorToken");
    expect(text).not.toContain("OrganisationCreateRequest");
    const paths = Object.keys((JSON.parse(text) as { paths: object }).paths);
    expect(paths.every((path) => path.startsWith("/api/v1/") || path.startsWith("/api/mind/"))).toBe(true);
  });
});

describe("GET /admin/v1/openapi.json", () => {
  it("describes the operator API, to the operator only", async () => {
    const response = await call("GET", "/admin/v1/openapi.json", { token: ADMIN_TOKEN });
    expect(response.status).toBe(200);
    const document = await json(response);
    expect(document).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument(ALL_ROUTES, "operator"))));
    expect(Object.keys(document.paths).every((path: string) => path.startsWith("/admin/v1/"))).toBe(true);
    expect(document.paths["/admin/v1/organisations"].post.security).toEqual([{ operatorToken: [] }]);
    expect((await call("GET", "/admin/v1/openapi.json")).status).toBe(401);
    expect((await call("GET", "/admin/v1/openapi.json", { token: (await createOrganisation()).token })).status).toBe(401);
  });
});
