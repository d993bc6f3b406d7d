// xsd:IDREF and xsd:QName values have whiteSpace="collapse": `<bpmn:incoming> Flow_1 </bpmn:incoming>` and
// `sourceRef=" A "` name "Flow_1" and "A". bpmn-moddle resolves references by the raw text, so a valid model
// with padded ids would not load; the references are collapsed before parsing. CDATA sections and comments
// (script bodies, documentation) are left exactly as they are.

/** BPMN 2.0.2 elements whose text content is an IDREF or QName. */
const REFERENCE_ELEMENTS = [
  "incoming",
  "outgoing",
  "flowNodeRef",
  "sourceRef",
  "targetRef",
  "eventDefinitionRef",
  "dataInputRefs",
  "dataOutputRefs",
  "optionalInputRefs",
  "optionalOutputRefs",
  "whileExecutingInputRefs",
  "whileExecutingOutputRefs",
  "inputSetRefs",
  "outputSetRefs",
  "supportedInterfaceRef",
  "interfaceRef",
  "participantRef",
  "messageFlowRef",
  "resourceRef",
  "categoryValueRef",
  "correlationPropertyRef",
];

/** BPMN 2.0.2 (and DI) attributes whose value is an IDREF or QName. */
const REFERENCE_ATTRIBUTES = [
  "sourceRef",
  "targetRef",
  "default",
  "attachedToRef",
  "messageRef",
  "signalRef",
  "errorRef",
  "escalationRef",
  "operationRef",
  "processRef",
  "calledElement",
  "activityRef",
  "dataObjectRef",
  "dataStoreRef",
  "itemSubjectRef",
  "structureRef",
  "categoryValueRef",
  "implementationRef",
  "inMessageRef",
  "outMessageRef",
  "bpmnElement",
  "sourceElement",
  "targetElement",
];

const PREFIX = "(?:[A-Za-z_][\\w.-]*:)?";
const ELEMENT_TEXT = new RegExp(
  `(<${PREFIX}(?:${REFERENCE_ELEMENTS.join("|")})(?:\\s[^>]*)?>)([^<]*)(</)`,
  "g",
);
const ATTRIBUTE = new RegExp(
  `(\\s(?:${REFERENCE_ATTRIBUTES.join("|")})\\s*=\\s*)(?:"([^"]*)"|'([^']*)')`,
  "g",
);
const START_TAG = /<[A-Za-z_][^>]*>/g;
const UNTOUCHED = /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->/g;

const collapse = (text: string) => text.replace(/[\t\n\r ]+/g, " ").trim();

export function collapseReferences(source: string): string {
  let out = "";
  let last = 0;
  for (const match of source.matchAll(UNTOUCHED)) {
    out += collapseMarkup(source.slice(last, match.index)) + match[0];
    last = match.index + match[0].length;
  }
  return out + collapseMarkup(source.slice(last));
}

function collapseMarkup(markup: string): string {
  return markup
    .replace(ELEMENT_TEXT, (_, open: string, text: string, close: string) => open + collapse(text) + close)
    .replace(START_TAG, (tag) =>
      tag.replace(
        ATTRIBUTE,
        (_, name: string, double: string | undefined, single: string | undefined) =>
          `${name}"${collapse(double ?? single ?? "").replace(/"/g, "&quot;")}"`,
      ),
    );
}
