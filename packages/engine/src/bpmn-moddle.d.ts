// bpmn-moddle ships its types only under "bpmn-moddle/types"; the package root has none. This is the
// small surface the loader uses. Elements are read through the loose `ModdleElement` shape in model-loader.ts.
declare module "bpmn-moddle" {
  export interface ParseWarning {
    message: string;
    element?: { id?: string; $type?: string };
  }

  export interface ParseResult {
    rootElement: unknown;
    warnings: ParseWarning[];
  }

  export class BpmnModdle {
    constructor(packages?: Record<string, unknown>, options?: Record<string, unknown>);
    fromXML(xml: string, typeName?: string): Promise<ParseResult>;
  }
}
