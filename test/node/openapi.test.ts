/**
 * The OpenAPI document: valid OpenAPI 3.1 by a maintained validator, its
 * references resolved, its shapes taken from the validators. (That it
 * matches what the app answers is test/openapi-conformance.ts's job, over
 * every exchange of the suite; that every route has a record,
 * test/api/route-records.test.ts's.)
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "../../src/openapi/document";
import { ALL_ROUTES } from "../../src/routes";

const document = buildOpenApiDocument(ALL_ROUTES, "public");
const operatorDocument = buildOpenApiDocument(ALL_ROUTES, "operator");

describe("the OpenAPI document", () => {
  it.each([
    ["public", document],
    ["operator", operatorDocument],
  ])("the %s document is valid OpenAPI 3.1", async (_, doc) => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(JSON.stringify(doc)));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it.each([
    ["public", document],
    ["operator", operatorDocument],
  ])("the %s document resolves every $ref (components do not rebase them with $id)", (_, doc) => {
    const text = JSON.stringify(doc);
    expect(text).not.toContain('"$id"');
    for (const [, name] of text.matchAll(/"\$ref":"#\/components\/(?:schemas|responses)\/([^"]+)"/g)) {
      expect({ ...doc.components.schemas, ...doc.components.responses }, name).toHaveProperty(name!);
    }
  });

  it("describes every error shape of the contract and each document its own bearer scheme", () => {
    expect(Object.keys(document.components.responses).sort()).toEqual(["400", "401", "403", "404", "409", "413", "415", "422", "429", "500", "503"]);
    // Each organisation operation names the key scope it needs: GETs `read`, everything else `write` (with its 403).
    for (const [path, item] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(item as Record<string, any>)) {
        if (!operation.security?.length) continue;
        const scope = method === "get" ? "read" : "write";
        expect(operation.security, `${method} ${path}`).toEqual([{ organisationToken: [scope] }]);
        expect(operation["x-scope"], `${method} ${path}`).toBe(scope);
        expect("403" in operation.responses, `${method} ${path}`).toBe(scope === "write");
      }
    }
    expect(Object.keys(document.components.securitySchemes)).toEqual(["organisationToken"]);
    expect(Object.keys(operatorDocument.components.securitySchemes)).toEqual(["operatorToken"]);
    expect(document.components.schemas).toHaveProperty("Customer");
    expect(document.components.schemas).toHaveProperty("CustomerCreateRequest");
    expect(document.components.schemas).not.toHaveProperty("OrganisationCreateRequest");
    expect(operatorDocument.paths["/admin/v1/organisations"]!.post).toMatchObject({ tags: ["Operator"], security: [{ operatorToken: [] }] });
  });

  it("takes its request schemas from the validators: the customer's required fields and enums", () => {
    const request = JSON.stringify(document.components.schemas.CustomerCreateRequest);
    expect(request).toContain('"enum":["mr","mrs"]');
    const profile = (document.components.schemas.CustomerCreateRequest as any).properties.customer.properties.profile;
    expect(profile.required).toEqual(["first_name", "last_name", "city", "street", "building", "postal_code", "title", "phone", "birth_date"]);
  });

  it("describes the webhook POST (OpenAPI 3.1 `webhooks`): the Event it carries and the three Standard Webhooks headers", () => {
    const post = (document as { webhooks?: Record<string, { post: Record<string, any> }> }).webhooks?.event?.post;
    expect(post?.requestBody.content["application/json"].schema).toEqual({ $ref: "#/components/schemas/Event" });
    expect(post?.parameters.map((p: { name: string; in: string }) => `${p.in} ${p.name}`)).toEqual([
      "header webhook-id",
      "header webhook-timestamp",
      "header webhook-signature",
    ]);
    expect(document.components.schemas).toHaveProperty("Event");
    expect(operatorDocument).not.toHaveProperty("webhooks");
  });

  it("is what `npm run openapi` writes to disk", async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "openapi-")), "openapi.json");
    await promisify(execFile)(process.execPath, ["scripts/openapi.mjs", file], { cwd: path.resolve(import.meta.dirname, "../..") });
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(JSON.parse(JSON.stringify(document)));
  });
});
