// Generated from the zod schemas by `pnpm --filter @consumer-api/contracts generate`
// (src/generate/wire-schemas.ts): do not edit. contracts' wire-schemas test fails while it is stale.
import type { JsonSchemaDefs, JsonSchemaNode } from "../json-schema-check.js";

export const wireRoots: { readonly [name: string]: JsonSchemaNode } = {
  "BoundaryEventNotificationMessage": {
    "$ref": "#/$defs/BoundaryEventNotificationMessage"
  },
  "CatchEventNotificationMessage": {
    "$ref": "#/$defs/CatchEventNotificationMessage"
  },
  "ProblemDetails": {
    "$ref": "#/$defs/ProblemDetails"
  },
  "ProcessErrorNotificationMessage": {
    "$ref": "#/$defs/ProcessErrorNotificationMessage"
  },
  "ServerFrame": {
    "$ref": "#/$defs/ServerFrame"
  },
  "UserTaskNotificationMessage": {
    "$ref": "#/$defs/UserTaskNotificationMessage"
  },
  "fetchAndLockExternalTasks": {
    "$ref": "#/$defs/ExternalTaskList"
  },
  "getApplicationInfo": {
    "$ref": "#/$defs/ApplicationInfo"
  },
  "getEventsForCorrelation": {
    "$ref": "#/$defs/EventList"
  },
  "getEventsForProcessModel": {
    "$ref": "#/$defs/EventList"
  },
  "getEventsForProcessModelInCorrelation": {
    "$ref": "#/$defs/EventList"
  },
  "getProcessInstancesByIdentity": {
    "$ref": "#/$defs/ProcessInstanceList"
  },
  "getProcessModelByKey": {
    "$ref": "#/$defs/ProcessModel"
  },
  "getProcessModelByProcessInstanceId": {
    "$ref": "#/$defs/ProcessModel"
  },
  "getProcessModels": {
    "$ref": "#/$defs/ProcessModelList"
  },
  "getProcessResultForCorrelation": {
    "$ref": "#/$defs/CorrelationResult"
  },
  "getUserTasksForCorrelation": {
    "$ref": "#/$defs/UserTaskList"
  },
  "getUserTasksForProcessInstance": {
    "$ref": "#/$defs/UserTaskList"
  },
  "getUserTasksForProcessModel": {
    "$ref": "#/$defs/UserTaskList"
  },
  "getUserTasksForProcessModelInCorrelation": {
    "$ref": "#/$defs/UserTaskList"
  },
  "getWaitingUserTasksByIdentity": {
    "$ref": "#/$defs/UserTaskList"
  },
  "startProcessInstance": {
    "$ref": "#/$defs/ProcessStartResponsePayload"
  }
};

export const wireDefs: JsonSchemaDefs = {
  "ApplicationInfo": {
    "properties": {
      "capabilities": {
        "items": {
          "type": "string"
        },
        "type": "array"
      },
      "clustered": {
        "type": "boolean"
      },
      "name": {
        "type": "string"
      },
      "store": {
        "type": "string"
      },
      "version": {
        "type": "string"
      }
    },
    "required": [
      "name",
      "version",
      "store",
      "clustered",
      "capabilities"
    ],
    "type": "object"
  },
  "BoundaryEventNotificationMessage": {
    "properties": {
      "attached_to_key": {
        "type": "string"
      },
      "correlation_id": {
        "type": "string"
      },
      "event_key": {
        "type": "string"
      },
      "payload": {},
      "process_instance_id": {
        "type": "string"
      },
      "process_model_key": {
        "type": "string"
      }
    },
    "required": [
      "process_model_key",
      "event_key",
      "correlation_id",
      "process_instance_id",
      "attached_to_key"
    ],
    "type": "object"
  },
  "CatchEventNotificationMessage": {
    "properties": {
      "correlation_id": {
        "type": "string"
      },
      "event_id": {
        "type": "string"
      },
      "event_key": {
        "type": "string"
      },
      "payload": {},
      "process_instance_id": {
        "type": "string"
      },
      "process_model_key": {
        "type": "string"
      }
    },
    "required": [
      "process_model_key",
      "event_key",
      "correlation_id",
      "process_instance_id"
    ],
    "type": "object"
  },
  "CorrelationResult": {
    "properties": {
      "correlationId": {
        "type": "string"
      },
      "endEventKey": {
        "type": "string"
      },
      "processInstanceId": {
        "type": "string"
      },
      "processModelKey": {
        "type": "string"
      },
      "result": {}
    },
    "required": [
      "correlationId",
      "processModelKey",
      "processInstanceId",
      "endEventKey",
      "result"
    ],
    "type": "object"
  },
  "EndEventEntry": {
    "properties": {
      "data": {
        "additionalProperties": {},
        "propertyNames": {
          "type": "string"
        },
        "type": "object"
      },
      "key": {
        "type": "string"
      }
    },
    "required": [
      "key",
      "data"
    ],
    "type": "object"
  },
  "ErrorFrame": {
    "properties": {
      "detail": {
        "type": "string"
      },
      "id": {
        "type": [
          "string",
          "null"
        ]
      },
      "status": {
        "maximum": 9007199254740991,
        "minimum": -9007199254740991,
        "type": "integer"
      },
      "title": {
        "type": "string"
      },
      "type": {
        "const": "error",
        "type": "string"
      }
    },
    "required": [
      "type",
      "id",
      "status",
      "title",
      "detail"
    ],
    "type": "object"
  },
  "Event": {
    "properties": {
      "correlationId": {
        "type": "string"
      },
      "eventData": {
        "$ref": "#/$defs/EventData"
      },
      "eventId": {
        "type": "string"
      },
      "eventKey": {
        "type": "string"
      },
      "processInstanceId": {
        "type": "string"
      },
      "processModelKey": {
        "type": "string"
      }
    },
    "required": [
      "eventId",
      "eventKey",
      "processInstanceId",
      "processModelKey",
      "correlationId",
      "eventData"
    ],
    "type": "object"
  },
  "EventData": {
    "properties": {
      "attachedToKey": {
        "type": "string"
      },
      "eventName": {
        "type": "string"
      },
      "eventType": {
        "$ref": "#/$defs/EventType"
      }
    },
    "required": [
      "eventType",
      "eventName"
    ],
    "type": "object"
  },
  "EventList": {
    "properties": {
      "events": {
        "items": {
          "$ref": "#/$defs/Event"
        },
        "type": "array"
      },
      "totalCount": {
        "maximum": 9007199254740991,
        "minimum": 0,
        "type": "integer"
      }
    },
    "required": [
      "events"
    ],
    "type": "object"
  },
  "EventType": {
    "enum": [
      "message",
      "signal"
    ],
    "type": "string"
  },
  "ExternalTask": {
    "properties": {
      "correlationId": {
        "type": "string"
      },
      "flowNodeKey": {
        "type": "string"
      },
      "id": {
        "type": "string"
      },
      "lockExpirationTime": {
        "type": "string"
      },
      "payload": {},
      "processInstanceId": {
        "type": "string"
      },
      "processModelKey": {
        "type": "string"
      },
      "topic": {
        "type": "string"
      },
      "workerId": {
        "type": "string"
      }
    },
    "required": [
      "id",
      "workerId",
      "topic",
      "processModelKey",
      "processInstanceId",
      "correlationId",
      "flowNodeKey",
      "payload",
      "lockExpirationTime"
    ],
    "type": "object"
  },
  "ExternalTaskList": {
    "properties": {
      "externalTasks": {
        "items": {
          "$ref": "#/$defs/ExternalTask"
        },
        "type": "array"
      }
    },
    "required": [
      "externalTasks"
    ],
    "type": "object"
  },
  "NotificationFrame": {
    "properties": {
      "channel": {
        "type": "string"
      },
      "id": {
        "type": "string"
      },
      "message": {
        "$ref": "#/$defs/NotificationMessage"
      },
      "type": {
        "const": "notification",
        "type": "string"
      }
    },
    "required": [
      "type",
      "id",
      "channel",
      "message"
    ],
    "type": "object"
  },
  "NotificationMessage": {
    "properties": {
      "correlation_id": {
        "type": "string"
      },
      "event_key": {
        "type": "string"
      },
      "payload": {},
      "process_instance_id": {
        "type": "string"
      },
      "process_model_key": {
        "type": "string"
      }
    },
    "required": [
      "process_model_key",
      "event_key",
      "correlation_id",
      "process_instance_id"
    ],
    "type": "object"
  },
  "ProblemDetails": {
    "properties": {
      "detail": {
        "type": "string"
      },
      "status": {
        "maximum": 599,
        "minimum": 400,
        "type": "integer"
      },
      "title": {
        "type": "string"
      },
      "type": {
        "type": "string"
      }
    },
    "required": [
      "type",
      "title",
      "status",
      "detail"
    ],
    "type": "object"
  },
  "ProcessErrorNotificationMessage": {
    "properties": {
      "correlation_id": {
        "type": "string"
      },
      "error_code": {
        "type": "string"
      },
      "error_message": {
        "type": "string"
      },
      "event_key": {
        "type": "string"
      },
      "payload": {},
      "process_instance_id": {
        "type": "string"
      },
      "process_model_key": {
        "type": "string"
      }
    },
    "required": [
      "process_model_key",
      "event_key",
      "correlation_id",
      "process_instance_id",
      "error_message"
    ],
    "type": "object"
  },
  "ProcessInstance": {
    "properties": {
      "correlationId": {
        "type": "string"
      },
      "finishedAt": {
        "type": "string"
      },
      "processInstanceId": {
        "type": "string"
      },
      "processModelKey": {
        "type": "string"
      },
      "startedAt": {
        "type": "string"
      },
      "state": {
        "$ref": "#/$defs/ProcessInstanceState"
      }
    },
    "required": [
      "processInstanceId",
      "processModelKey",
      "correlationId",
      "state",
      "startedAt"
    ],
    "type": "object"
  },
  "ProcessInstanceList": {
    "properties": {
      "processInstances": {
        "items": {
          "$ref": "#/$defs/ProcessInstance"
        },
        "type": "array"
      },
      "totalCount": {
        "maximum": 9007199254740991,
        "minimum": 0,
        "type": "integer"
      }
    },
    "required": [
      "processInstances"
    ],
    "type": "object"
  },
  "ProcessInstanceState": {
    "enum": [
      "running",
      "finished",
      "terminated",
      "failed"
    ],
    "type": "string"
  },
  "ProcessModel": {
    "properties": {
      "endEvents": {
        "items": {
          "$ref": "#/$defs/EndEventEntry"
        },
        "type": "array"
      },
      "key": {
        "type": "string"
      },
      "startEvents": {
        "items": {
          "$ref": "#/$defs/StartEventEntry"
        },
        "type": "array"
      }
    },
    "required": [
      "key",
      "startEvents",
      "endEvents"
    ],
    "type": "object"
  },
  "ProcessModelList": {
    "properties": {
      "processModels": {
        "items": {
          "$ref": "#/$defs/ProcessModel"
        },
        "type": "array"
      },
      "totalCount": {
        "maximum": 9007199254740991,
        "minimum": 0,
        "type": "integer"
      }
    },
    "required": [
      "processModels"
    ],
    "type": "object"
  },
  "ProcessStartResponsePayload": {
    "properties": {
      "correlationId": {
        "type": "string"
      },
      "endEventKey": {
        "type": "string"
      },
      "processInstanceId": {
        "type": "string"
      },
      "tokenPayload": {}
    },
    "required": [
      "correlationId",
      "processInstanceId"
    ],
    "type": "object"
  },
  "ServerFrame": {
    "oneOf": [
      {
        "$ref": "#/$defs/SubscribedFrame"
      },
      {
        "$ref": "#/$defs/NotificationFrame"
      },
      {
        "$ref": "#/$defs/ErrorFrame"
      }
    ]
  },
  "StartEventEntry": {
    "properties": {
      "data": {
        "additionalProperties": {},
        "propertyNames": {
          "type": "string"
        },
        "type": "object"
      },
      "key": {
        "type": "string"
      }
    },
    "required": [
      "key",
      "data"
    ],
    "type": "object"
  },
  "SubscribedFrame": {
    "properties": {
      "id": {
        "type": "string"
      },
      "type": {
        "const": "subscribed",
        "type": "string"
      }
    },
    "required": [
      "type",
      "id"
    ],
    "type": "object"
  },
  "UserTask": {
    "properties": {
      "correlationId": {
        "type": "string"
      },
      "data": {
        "$ref": "#/$defs/UserTaskData"
      },
      "id": {
        "type": "string"
      },
      "key": {
        "type": "string"
      },
      "name": {
        "type": "string"
      },
      "processInstanceId": {
        "type": "string"
      },
      "processModelKey": {
        "type": "string"
      },
      "tokenPayload": {}
    },
    "required": [
      "id",
      "key",
      "processInstanceId",
      "processModelKey",
      "correlationId",
      "data",
      "tokenPayload"
    ],
    "type": "object"
  },
  "UserTaskData": {
    "properties": {
      "formFields": {
        "items": {
          "$ref": "#/$defs/UserTaskFormField"
        },
        "type": "array"
      }
    },
    "required": [
      "formFields"
    ],
    "type": "object"
  },
  "UserTaskEnumValue": {
    "properties": {
      "id": {
        "type": "string"
      },
      "name": {
        "type": "string"
      }
    },
    "required": [
      "id",
      "name"
    ],
    "type": "object"
  },
  "UserTaskFormField": {
    "properties": {
      "defaultValue": {},
      "enumValues": {
        "items": {
          "$ref": "#/$defs/UserTaskEnumValue"
        },
        "type": "array"
      },
      "id": {
        "type": "string"
      },
      "label": {
        "type": "string"
      },
      "required": {
        "type": "boolean"
      },
      "type": {
        "$ref": "#/$defs/UserTaskFormFieldType"
      }
    },
    "required": [
      "id",
      "type"
    ],
    "type": "object"
  },
  "UserTaskFormFieldType": {
    "enum": [
      "string",
      "long",
      "number",
      "boolean",
      "date",
      "enum"
    ],
    "type": "string"
  },
  "UserTaskList": {
    "properties": {
      "totalCount": {
        "maximum": 9007199254740991,
        "minimum": 0,
        "type": "integer"
      },
      "userTasks": {
        "items": {
          "$ref": "#/$defs/UserTask"
        },
        "type": "array"
      }
    },
    "required": [
      "userTasks"
    ],
    "type": "object"
  },
  "UserTaskNotificationMessage": {
    "properties": {
      "correlation_id": {
        "type": "string"
      },
      "event_key": {
        "type": "string"
      },
      "payload": {},
      "process_instance_id": {
        "type": "string"
      },
      "process_model_key": {
        "type": "string"
      },
      "user_task_id": {
        "type": "string"
      }
    },
    "required": [
      "process_model_key",
      "event_key",
      "correlation_id",
      "process_instance_id",
      "user_task_id"
    ],
    "type": "object"
  }
};
