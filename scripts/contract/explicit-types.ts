/** The JSON type of a value, as JSON Schema names it. */
const jsonTypeOf = (value: unknown) => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
};

/** The one JSON type all these values share, if they share one. */
const sharedType = (values: unknown[]) => {
  const types = new Set(values.map(jsonTypeOf));
  return types.size === 1 ? [...types][0] : undefined;
};

type Node = Record<string, unknown>;
const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Keys whose value maps names to schemas: the map itself is no schema (a property may be called `enum`). */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'dependentSchemas']);
/** Keys of a schema whose value is data. */
const DATA = new Set(['example', 'examples', 'default', 'const', 'enum']);

const typedSchema = (node: Node): Node => {
  const typed = Object.fromEntries(
    Object.entries(node).map(([key, value]) => {
      if (DATA.has(key)) return [key, value];
      if (SCHEMA_MAPS.has(key) && isNode(value)) {
        return [key, Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]))];
      }
      return [key, walk(value)];
    }),
  );
  if (typed.type === undefined && typed.$ref === undefined) {
    const type =
      'const' in typed
        ? jsonTypeOf(typed.const)
        : Array.isArray(typed.enum)
          ? sharedType(typed.enum)
          : undefined;
    if (type) typed.type = type;
  }
  if (typeof typed.type === 'string' && Array.isArray(typed.allOf)) {
    typed.allOf = typed.allOf.map((member) =>
      isNode(member) && member.type === undefined && member.$ref === undefined
        ? { ...member, type: typed.type }
        : member,
    );
  }
  return typed;
};

const walk = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(walk);
  return isNode(value) ? typedSchema(value) : value;
};

/**
 * Where a document holds schemas: `schema` (OpenAPI parameters, media types, headers), `payload`
 * (AsyncAPI messages) and `components.schemas`. Nothing else is touched: server variables and
 * AsyncAPI parameters have an `enum` of their own.
 */
const walkDocument = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(walkDocument);
  if (!isNode(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, child]) => {
      if (key === 'schema' || key === 'payload') return [key, walk(child)];
      if (key === 'schemas' && isNode(child)) {
        return [key, Object.fromEntries(Object.entries(child).map(([k, v]) => [k, walk(v)]))];
      }
      if (key === 'example' || key === 'examples') return [key, child];
      return [key, walkDocument(child)];
    }),
  );
};

/**
 * A copy of a document whose schemas say their `type` wherever code generators would otherwise
 * guess: beside every `const` and `enum` whose values share one (Modelina makes `{const: 1}` a
 * Java double), and in each untyped `allOf` member of a typed schema (hey-api makes an untyped
 * member, and so the whole, `unknown`). Validation is unchanged: each type added is one the
 * schema's values already had.
 */
export const withExplicitTypes = <T>(document: T): T => walkDocument(document) as T;
