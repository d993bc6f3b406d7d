import { describe } from "vitest";
import { activityCases } from "./cases/activities.js";
import { applicationInfoCases } from "./cases/application-info.js";
import { authCases } from "./cases/auth.js";
import { boundaryEventCases } from "./cases/boundary-events.js";
import { callbackCases } from "./cases/callbacks.js";
import { compensationCases } from "./cases/compensation.js";
import { concurrencyCases } from "./cases/concurrency.js";
import { conditionalEventCases } from "./cases/conditional-events.js";
import { elementCases } from "./cases/elements.js";
import { errorCases } from "./cases/errors.js";
import { eventGatewayCases } from "./cases/event-gateway.js";
import { eventKindCases } from "./cases/event-kinds.js";
import { eventSubProcessScopeCases } from "./cases/event-sub-process-scopes.js";
import { eventSubProcessCases } from "./cases/event-sub-processes.js";
import { eventCases } from "./cases/events.js";
import { externalTaskCases } from "./cases/external-tasks.js";
import { formCases } from "./cases/forms.js";
import { inclusiveGatewayCases } from "./cases/inclusive-gateway.js";
import { instanceQueryCases } from "./cases/instance-queries.js";
import { joinCases } from "./cases/joins.js";
import { laneCases } from "./cases/lanes.js";
import { messageSendCases } from "./cases/message-sends.js";
import { moreNotificationCases } from "./cases/more-notifications.js";
import { notificationCases } from "./cases/notifications.js";
import { paginationCases } from "./cases/pagination.js";
import { payloadCases } from "./cases/payloads.js";
import { processModelCases } from "./cases/process-models.js";
import { referenceCases } from "./cases/references.js";
import { resultCases } from "./cases/results.js";
import { semanticsCases } from "./cases/semantics.js";
import { startCases } from "./cases/start.js";
import { startByNameCases } from "./cases/start-by-name.js";
import { systemEventLaneCases } from "./cases/system-event-lanes.js";
import { triggerByNameCases } from "./cases/trigger-by-name.js";
import { userTaskCases } from "./cases/user-tasks.js";
import type { ConformanceOptions } from "./options.js";

/** Every area, in reading order of SPEC. Each registers its own describe with its own api. */
export const areas: readonly ((options: ConformanceOptions) => void)[] = [
  processModelCases,
  startCases,
  callbackCases,
  eventCases,
  userTaskCases,
  formCases,
  payloadCases,
  resultCases,
  laneCases,
  authCases,
  errorCases,
  notificationCases,
  systemEventLaneCases,
  concurrencyCases,
  elementCases,
  semanticsCases,
  joinCases,
  referenceCases,
  boundaryEventCases,
  activityCases,
  paginationCases,
  instanceQueryCases,
  triggerByNameCases,
  moreNotificationCases,
  applicationInfoCases,
  eventGatewayCases,
  inclusiveGatewayCases,
  compensationCases,
  externalTaskCases,
  startByNameCases,
  messageSendCases,
  eventSubProcessCases,
  eventSubProcessScopeCases,
  eventKindCases,
  conditionalEventCases,
];

/**
 * Registers the conformance suite with vitest: call it at the top level of a test file, with a factory for
 * an implementation running on the shipped fixtures.
 */
export function suite(options: ConformanceOptions): void {
  describe(options.name, () => {
    for (const area of areas) area(options);
  });
}
