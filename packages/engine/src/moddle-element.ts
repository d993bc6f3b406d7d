/**
 * The loose shape of a bpmn-moddle element as the loader reads it. bpmn-moddle's generated types are not
 * reachable from the package root, and only these properties matter here.
 */
export interface ModdleElement {
  $type: string;
  id?: string;
  name?: string;
  isExecutable?: boolean;
  triggeredByEvent?: boolean;
  rootElements?: ModdleElement[];
  flowElements?: ModdleElement[];
  laneSets?: ModdleElement[];
  laneSet?: ModdleElement;
  lanes?: ModdleElement[];
  flowNodeRef?: ModdleElement[];
  childLaneSet?: ModdleElement;
  eventDefinitions?: ModdleElement[];
  eventDefinitionRef?: ModdleElement[];
  startQuantity?: number;
  completionQuantity?: number;
  isForCompensation?: boolean;
  parallelMultiple?: boolean;
  isInterrupting?: boolean;
  language?: string;
  resultVariable?: string;
  resource?: string;
  ioSpecification?: ModdleElement;
  dataInputAssociations?: ModdleElement[];
  dataOutputAssociations?: ModdleElement[];
  properties?: ModdleElement[];
  attachedToRef?: ModdleElement;
  escalationRef?: ModdleElement;
  instantiate?: boolean;
  eventGatewayType?: string;
  escalationCode?: string;
  cancelActivity?: boolean;
  sourceRef?: ModdleElement;
  targetRef?: ModdleElement;
  conditionExpression?: ModdleElement;
  body?: string;
  default?: ModdleElement;
  script?: string;
  scriptFormat?: string;
  messageRef?: ModdleElement;
  signalRef?: ModdleElement;
  errorRef?: ModdleElement;
  errorCode?: string;
  timeDuration?: ModdleElement;
  timeDate?: ModdleElement;
  timeCycle?: ModdleElement;
  loopCharacteristics?: ModdleElement;
  extensionElements?: ModdleElement;
  values?: ModdleElement[];
  fields?: ModdleElement[];
  label?: string;
  type?: string;
  topic?: string;
  class?: string;
  expression?: string;
  delegateExpression?: string;
  defaultValue?: string;
  validation?: ModdleElement;
  constraints?: ModdleElement[];
  config?: string;
  /** camunda: on a conditionalEventDefinition, the variables whose changes alone trigger it. */
  variableName?: string;
  variableEvents?: string;
  /** A conditionalEventDefinition's condition (a formal expression). */
  condition?: ModdleElement;
  artifacts?: ModdleElement[];
  activityRef?: ModdleElement;
  waitForCompletion?: boolean;
  method?: string;
}
