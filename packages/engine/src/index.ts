// The embedded, persistence-first BPMN process engine (SQLite state, token interpreter).
export {};
