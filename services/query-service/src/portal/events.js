// The integration events of /asyncapi.json, as a list above the API's reference in /docs:
// each message's detail-type, summary and detail fields. No framework, no CDN.
const section = document.getElementById('events');

const typeOf = (schema) =>
  schema.const !== undefined
    ? JSON.stringify(schema.const)
    : schema.enum
      ? schema.enum.map((value) => JSON.stringify(value)).join(' | ')
      : schema.type === 'array'
        ? `array of ${typeOf(schema.items ?? {})}`
        : (schema.type ?? (schema.format ? 'string' : 'any'));

const row = (cells) => {
  const tr = document.createElement('tr');
  for (const text of cells) {
    const td = document.createElement('td');
    td.textContent = text;
    tr.append(td);
  }
  return tr;
};

/** The document names its schemas: `#/components/schemas/X` is followed to X. */
let schemas = {};
const resolve = (schema) => (schema.$ref ? schemas[schema.$ref.split('/').pop()] : schema);

const fieldsOf = (schema, prefix = '') => {
  const object = resolve(schema);
  return Object.entries(object.properties ?? {}).flatMap(([name, named]) => {
    const property = resolve(named);
    const path = `${prefix}${name}`;
    const here = [
      path,
      typeOf(property),
      (object.required ?? []).includes(name) ? 'yes' : '',
      property.description ?? '',
    ];
    return property.type === 'object' && property.properties
      ? [here, ...fieldsOf(property, `${path}.`)]
      : [here];
  });
};

const render = (document_) => {
  schemas = document_.components.schemas ?? {};
  const title = document.createElement('h2');
  title.textContent = `${document_.info.title} (AsyncAPI ${document_.asyncapi}, contract ${document_.info.version})`;
  const intro = document.createElement('p');
  intro.textContent = document_.info.description;
  section.append(title, intro);
  for (const message of Object.values(document_.components.messages)) {
    const details = document.createElement('details');
    details.dataset.message = message.name;
    const summary = document.createElement('summary');
    summary.textContent = `${message.name}: ${message.summary}`;
    const table = document.createElement('table');
    table.append(row(['detail field', 'type', 'required', 'meaning']));
    const detail = resolve(resolve(message.payload).properties.detail);
    for (const cells of fieldsOf(detail)) table.append(row(cells));
    details.append(summary, table);
    section.append(details);
  }
};

fetch('/asyncapi.json')
  .then((response) => response.json())
  .then(render)
  .catch((error) => {
    section.textContent = `The integration events could not be shown: ${error.message}`;
  });
