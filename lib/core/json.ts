/** Any value JSON can hold: what a jsonb column stores when nothing narrower is known (a model's parsed answer). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
