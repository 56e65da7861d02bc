/** The EAN switching lifecycle: the operator moves an EAN's state (POST /admin/v1/eans/:id/state), a compare-and-set with its event. */
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, call, createCustomer, createOrganisation, eanFields, json, type TestOrganisation } from "../helpers";

let org: TestOrganisation;
beforeAll(async () => {
  org = await createOrganisation();
});

async function newEan() {
  const customer = await createCustomer(org);
  return json(await call("POST", `/api/v1/customers/${customer.id}/eans`, { token: org.token, body: { ean: eanFields() } }));
}
const move = (id: number, state: unknown) => call("POST", `/admin/v1/eans/${id}/state`, { token: ADMIN_TOKEN, body: { state } });
const refused = (from: string, to: string) => ({
  errors: [{ path: "state", error: "cannot_transition", message: `cannot change from ${from} to ${to}`, type: "params" }],
});

describe("POST /admin/v1/eans/:id/state", () => {
  it("moves ready → offered → switch_requested → switched, answering the Ean; each move writes ean.state_changed with previous_state", async () => {
    const ean = await newEan();
    expect(ean.state).toBe("ready");
    let previous = "ready";
    for (const state of ["offered", "switch_requested", "switched"]) {
      const response = await move(ean.id, state);
      expect(response.status).toBe(200);
      const moved = await json(response);
      expect(moved).toMatchObject({ id: ean.id, state });
      const events = (await json(await call("GET", "/api/v1/events?type=ean.state_changed&limit=100", { token: org.token }))).data;
      const last = events.at(-1);
      expect(last.data).toEqual({ object: moved, previous_state: previous });
      previous = state;
    }
    expect(await json(await call("GET", `/api/v1/customers/${ean.customer_id}/eans/${ean.id}`, { token: org.token }))).toMatchObject({ state: "switched" });
  });

  it("refuses a move the lifecycle does not allow, and any move from a final state", async () => {
    const ean = await newEan();
    expect(await json(await move(ean.id, "switched"))).toEqual(refused("ready", "switched"));
    expect((await move(ean.id, "cancelled")).status).toBe(200);
    expect(await json(await move(ean.id, "offered"))).toEqual(refused("cancelled", "offered"));
  });

  it("a value outside the list → must_be_one_of at state; an unknown EAN → 404", async () => {
    const ean = await newEan();
    expect((await json(await move(ean.id, "teleported"))).errors[0]).toMatchObject({ path: "state", error: "must_be_one_of" });
    expect((await move(999999, "offered")).status).toBe(404);
  });

  it("of two concurrent moves from the same state exactly one wins; the other gets cannot_transition", async () => {
    const ean = await newEan();
    const answers = await Promise.all([move(ean.id, "offered"), move(ean.id, "offered")]);
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 422]);
    const loser = answers.find((r) => r.status === 422)!;
    expect((await json(loser)).errors[0].error).toBe("cannot_transition");
    const events = (await json(await call("GET", "/api/v1/events?type=ean.state_changed&limit=100", { token: org.token }))).data;
    expect(events.filter((e: { data: { object: { id: number } } }) => e.data.object.id === ean.id)).toHaveLength(1);
  });
});
