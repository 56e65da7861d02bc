/** The operator API: organisations and their tokens, suppliers; and the clients' supplier list. */
import { describe, expect, it } from "vitest";
import { ADMIN_TOKEN, call, createOrganisation, ISO_TIMESTAMP, json } from "../helpers";

const admin = (method: string, path: string, body?: unknown) => call(method, `/admin/v1${path}`, { token: ADMIN_TOKEN, body });

describe("POST /admin/v1/organisations", () => {
  it("creates the organisation with its first token, shown once; the domain defaults to <slug>-<id>", async () => {
    const response = await admin("POST", "/organisations", { name: "  Acceptance Org 7 " });
    expect(response.status).toBe(201);
    const body = await json(response);
    expect(body).toEqual({
      organisation: {
        id: expect.any(Number),
        name: "Acceptance Org 7",
        domain: `acceptance-org-7-${body.organisation.id}`,
        created_at: expect.stringMatching(ISO_TIMESTAMP),
      },
      token: { id: expect.any(Number), token: expect.stringMatching(/^enbro_[0-9a-f]{64}$/) },
    });
    const me = await call("GET", "/api/v1/me", { token: body.token.token });
    expect(await json(me)).toEqual(body.organisation);
  });

  it.each([
    ["Runolfsdottir-Cassin", "runolfsdottir-cassin"],
    ["Cronin, Cremin and Gutmann", "cronin-cremin-and-gutmann"],
    ["--Ünïcode & Co.--", "n-code-co"],
    ["!!!", "organisation"],
  ])("slugs %s as %s", async (name, slug) => {
    const body = await json(await admin("POST", "/organisations", { name }));
    expect(body.organisation.domain).toBe(`${slug}-${body.organisation.id}`);
  });

  it("keeps a given domain", async () => {
    const domain = `quitzonrau-kiehn-${crypto.randomUUID().slice(0, 8)}`;
    const body = await json(await admin("POST", "/organisations", { name: "Pouros Group", domain }));
    expect(body.organisation.domain).toBe(domain);
  });

  it.each([
    ["../../x", "is_in_invalid_format", "is in invalid format"],
    ["Acme", "is_in_invalid_format", "is in invalid format"],
    ["acme--7", "is_in_invalid_format", "is in invalid format"],
    ["-acme", "is_in_invalid_format", "is in invalid format"],
    ["acme.be", "is_in_invalid_format", "is in invalid format"],
    ["", "must_be_filled", "must be filled"],
    ["   ", "must_be_filled", "must be filled"],
  ])("refuses the domain %j: a lowercase slug or nothing", async (domain, error, message) => {
    const response = await admin("POST", "/organisations", { name: "Slug Org", domain });
    expect(response.status).toBe(422);
    expect(await json(response)).toEqual({ errors: [{ path: "domain", error, message, type: "params" }] });
  });

  it("a domain names one organisation: a taken one is 422 has_already_been_taken, also under concurrent creates", async () => {
    const domain = `taken-${crypto.randomUUID().slice(0, 8)}`;
    const responses = await Promise.all(Array.from({ length: 5 }, () => admin("POST", "/organisations", { name: "Twin", domain })));
    expect(responses.map((r) => r.status).sort()).toEqual([201, 422, 422, 422, 422]);
    for (const response of responses.filter((r) => r.status === 422)) {
      expect(await json(response)).toEqual({
        errors: [{ path: "domain", error: "has_already_been_taken", message: "has already been taken", type: "params" }],
      });
    }
  });

  it("a default domain that someone chose already gets a suffix instead of failing", async () => {
    const next = (await json(await admin("POST", "/organisations", { name: "Probe" }))).organisation.id + 1;
    const slug = `clash-${crypto.randomUUID().slice(0, 8)}`;
    expect((await admin("POST", "/organisations", { name: "Squatter", domain: `${slug}-${next + 1}` })).status).toBe(201);
    const clashing = await json(await admin("POST", "/organisations", { name: slug }));
    expect(clashing.organisation.id).toBe(next + 1);
    expect(clashing.organisation.domain).toMatch(new RegExp(`^${slug}-${next + 1}-[0-9a-f]{8}$`));
  });

  it("422 without a name, field paths unprefixed", async () => {
    const response = await admin("POST", "/organisations", { domain: 5 });
    expect(response.status).toBe(422);
    expect(await json(response)).toEqual({
      errors: [
        { path: "name", error: "is_missing", message: "is missing", type: "params" },
        { path: "domain", error: "must_be_a_string", message: "must be a string", type: "params" },
      ],
    });
  });
});

describe("tokens", () => {
  it("issues another token for an organisation; both work; revoking one leaves the other", async () => {
    const org = await createOrganisation();
    const response = await admin("POST", `/organisations/${org.id}/tokens`);
    expect(response.status).toBe(201);
    const second = await json(response);
    expect(second).toEqual({ id: expect.any(Number), token: expect.stringMatching(/^enbro_[0-9a-f]{64}$/) });
    expect(second.token).not.toBe(org.token);
    expect((await call("GET", "/api/v1/me", { token: second.token })).status).toBe(200);
    expect((await admin("DELETE", `/tokens/${org.tokenId}`)).status).toBe(204);
    expect((await call("GET", "/api/v1/me", { token: org.token })).status).toBe(401);
    expect(await json(await call("GET", "/api/v1/me", { token: second.token }))).toMatchObject({ id: org.id });
  });

  it("404 for an unknown organisation", async () => {
    const response = await admin("POST", "/organisations/987654/tokens");
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('"Not found"');
  });
});

describe("suppliers", () => {
  it("are created by the operator and listed, by id, to operators and clients", async () => {
    const a = await json(await admin("POST", "/suppliers", { name: "Beer LLC 1" }));
    const b = await json(await admin("POST", "/suppliers", { name: "Kunze-Bayer 6" }));
    expect(a).toEqual({ id: expect.any(Number), name: "Beer LLC 1" });
    const adminList = await json(await admin("GET", "/suppliers"));
    const org = await createOrganisation();
    const clientList = await json(await call("GET", "/api/v1/suppliers", { token: org.token }));
    expect(clientList).toEqual(adminList);
    expect(clientList.slice(-2)).toEqual([a, b]);
    expect(clientList.map((s: { id: number }) => s.id)).toEqual([...clientList.map((s: { id: number }) => s.id)].sort((x, y) => x - y));
  });

  it("names are unique, case-insensitively, also under concurrent creates", async () => {
    expect((await admin("POST", "/suppliers", { name: "Luminus" })).status).toBe(201);
    for (const name of ["Luminus", "luminus", " LUMINUS "]) {
      const response = await admin("POST", "/suppliers", { name });
      expect(response.status, name).toBe(422);
      expect(await json(response)).toEqual({
        errors: [{ path: "name", error: "has_already_been_taken", message: "has already been taken", type: "params" }],
      });
    }
    const racing = await Promise.all(Array.from({ length: 5 }, () => admin("POST", "/suppliers", { name: "Bolt Racing" })));
    expect(racing.map((r) => r.status).sort()).toEqual([201, 422, 422, 422, 422]);
    const listed = await json(await admin("GET", "/suppliers"));
    expect(listed.filter((s: { name: string }) => s.name.toLowerCase() === "luminus")).toHaveLength(1);
  });

  it("422 for a blank name", async () => {
    const response = await admin("POST", "/suppliers", { name: " " });
    expect(await json(response)).toEqual({ errors: [{ path: "name", error: "must_be_filled", message: "must be filled", type: "params" }] });
  });
});
