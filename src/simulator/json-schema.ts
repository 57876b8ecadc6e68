/**
 * A value that fits a JSON Schema, for structured outputs and tool-call arguments.
 * Covers what SDK helpers (zod / JSON Schema response formats, function parameters) emit;
 * it is not a validator.
 *
 * @module
 */

type Schema = Record<string, unknown>;

const MAX_DEPTH = 8;

/**
 * Build a sample value for `schema`; every string in it is `text`, so the value still
 * depends on the request.
 *
 * @example
 * ```ts
 * sampleFromSchema({ type: "object", properties: { city: { type: "string" } }, required: ["city"] }, "Paris");
 * // → { city: "Paris" }
 * ```
 */
export function sampleFromSchema(schema: unknown, text: string): unknown {
  const root = isSchema(schema) ? schema : {};
  return sample(root, root, text, 0);
}

function sample(schema: Schema, root: Schema, text: string, depth: number): unknown {
  if (depth > MAX_DEPTH) return null;
  const ref = schema.$ref;
  if (typeof ref === "string") return sample(resolveRef(ref, root), root, text, depth + 1);
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const key of ["anyOf", "oneOf", "allOf"] as const) {
    const options = schema[key];
    if (Array.isArray(options)) {
      const first = options.find((option) => isSchema(option) && option.type !== "null") ?? options[0];
      if (isSchema(first)) return sample(first, root, text, depth + 1);
    }
  }
  switch (primaryType(schema)) {
    case "object":
      return sampleObject(schema, root, text, depth);
    case "array": {
      const items = isSchema(schema.items) ? schema.items : {};
      const count = Math.max(1, typeof schema.minItems === "number" ? schema.minItems : 1);
      return Array.from({ length: count }, () => sample(items, root, text, depth + 1));
    }
    case "integer":
      return typeof schema.minimum === "number" ? Math.ceil(schema.minimum) : 1;
    case "number":
      return typeof schema.minimum === "number" ? schema.minimum : 1.5;
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return text;
  }
}

function sampleObject(schema: Schema, root: Schema, text: string, depth: number): Record<string, unknown> {
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const result: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(properties)) {
    result[key] = sample(isSchema(property) ? property : {}, root, text, depth + 1);
  }
  // A bare object schema (json_object-like) still gets a field, so the answer carries the text.
  if (Object.keys(properties).length === 0) result.answer = text;
  return result;
}

function primaryType(schema: Schema): string | undefined {
  const type = schema.type;
  if (typeof type === "string") return type;
  if (Array.isArray(type)) return type.find((t) => t !== "null") ?? type[0];
  if (isSchema(schema.properties)) return "object";
  if (schema.items !== undefined) return "array";
  return undefined;
}

function resolveRef(ref: string, root: Schema): Schema {
  if (!ref.startsWith("#")) return {};
  let node: unknown = root;
  for (const part of ref.slice(1).split("/").filter(Boolean)) {
    if (!isSchema(node)) return {};
    node = node[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return isSchema(node) ? node : {};
}

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
