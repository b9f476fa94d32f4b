// A patient's journey written against the client generated from docs/openapi.yaml.
// CI type-checks it (`npm run check`): a field renamed, retyped or left untyped in the
// schema breaks this file. It holds no type assertion and no untyped escape hatch:
// .ci/run refuses both.
import createClient from "openapi-fetch";

import type { components, paths } from "./schema";

type SymptomLogInput = components["schemas"]["SymptomLogInputRequest"];
type SyncChanges = components["schemas"]["SyncChanges"];

export interface Replica {
  checkpoint: string | null;
  logs: Map<string, components["schemas"]["SymptomLog"]>;
  plans: Map<string, components["schemas"]["Plan"]>;
}

export async function journey(baseUrl: string): Promise<Replica> {
  const api = createClient<paths>({ baseUrl });
  const email = `patient-${Date.now()}@example.org`;
  const password = "a-long-enough-passphrase";

  const registered = await api.POST("/api/v1/auth/register/", {
    body: { email, password, timezone: "Europe/London" },
  });
  if (registered.error) throw new Error(registered.error.errors[0]?.code ?? "register");

  const tokens = await api.POST("/api/v1/auth/token/", { body: { email, password } });
  if (!tokens.data) throw new Error("no token");
  const headers = { Authorization: `Bearer ${tokens.data.access}` };

  const me = await api.GET("/api/v1/me/", { headers });
  if (!me.data) throw new Error("no profile");
  const quietStart: string | null = me.data.quiet_hours_start ?? null;

  const log: SymptomLogInput = {
    client_id: crypto.randomUUID(),
    recorded_at: new Date().toISOString(),
    pain_score: 6,
    locations: ["calf"],
    qualities: ["aching"],
    redness: true,
  };
  const logged = await api.POST("/api/v1/symptom-logs/", { body: log, headers });
  if (!logged.data) throw new Error("not logged");
  const level: string = logged.data.triage.level;
  const firstLocation: string | undefined = logged.data.locations[0];

  const today = await api.GET("/api/v1/today/", { headers });
  if (!today.data) throw new Error("no today");
  const remaining = today.data.items.reduce((sum, item) => sum + item.remaining, 0);
  const planTitle: string | null = today.data.plan?.title ?? null;

  const replica: Replica = { checkpoint: null, logs: new Map(), plans: new Map() };
  await pull(api, headers, replica);

  // Written offline, then pushed in one request: one result per item, in order.
  const pushed = await api.POST("/api/v1/sync/", {
    body: {
      symptom_logs: [{ ...log, client_id: crypto.randomUUID(), pain_score: 3, redness: false }],
      care_sessions: [
        {
          client_id: crypto.randomUUID(),
          kind: "ice",
          started_at: new Date().toISOString(),
          planned_minutes: 15,
        },
      ],
    },
    headers,
  });
  if (!pushed.data) throw new Error("push failed");
  for (const result of pushed.data.results.symptom_logs) {
    if (result.status === "invalid") throw new Error(result.errors?.[0]?.code ?? "invalid");
    if (result.log) replica.logs.set(result.log.id, result.log);
  }
  const iceEndsAt: string | undefined = pushed.data.results.care_sessions[0]?.session?.ends_at;
  // The pull's own checkpoint, not the push's: what others changed meanwhile comes too.
  await pull(api, headers, replica);

  // An alert's figures, typed per code: the rise behind `pain_rising`, if it fired.
  const alerts = await api.GET("/api/v1/alerts/", {
    params: { query: { status: "open" } },
    headers,
  });
  if (!alerts.data) throw new Error("no alerts");
  const rise: number | undefined = alerts.data.results
    .map((alert) => alert.details.pain_rising?.rise)
    .find((figure) => figure !== undefined);

  // The patient's own copy of everything: each kind of record typed by its columns.
  const exported = await api.GET("/api/v1/me/export/", { headers });
  if (!exported.data) throw new Error("no export");
  const firstPain: number | undefined = exported.data.symptom_logs[0]?.pain_score;
  const alertCodes: string[] = exported.data.alerts.flatMap((alert) => alert.codes);

  console.log(level, firstLocation, quietStart, remaining, planTitle, iceEndsAt);
  console.log(rise, firstPain, alertCodes.length);
  return replica;
}

async function pull(
  api: ReturnType<typeof createClient<paths>>,
  headers: { Authorization: string },
  replica: Replica,
): Promise<void> {
  for (;;) {
    const query = replica.checkpoint === null ? {} : { checkpoint: replica.checkpoint };
    const page = await api.GET("/api/v1/sync/", { params: { query }, headers });
    if (page.response.status === 410) {
      replica.checkpoint = null; // the server no longer keeps our changes: start again
      continue;
    }
    if (!page.data) throw new Error("sync failed");
    apply(replica, page.data.changes, page.data.deleted);
    replica.checkpoint = page.data.checkpoint;
    if (!page.data.has_more) return;
  }
}

function apply(
  replica: Replica,
  changes: SyncChanges,
  deleted: components["schemas"]["Tombstone"][],
): void {
  for (const log of changes.symptom_logs) replica.logs.set(log.id, log);
  for (const plan of changes.plans) replica.plans.set(plan.id, plan);
  for (const gone of deleted) {
    if (gone.type === "symptom_logs") replica.logs.delete(gone.id);
    if (gone.type === "plans") replica.plans.delete(gone.id);
  }
}
