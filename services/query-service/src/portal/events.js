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

const fieldsOf = (schema, prefix = '') =>
  Object.entries(schema.properties ?? {}).flatMap(([name, property]) => {
    const path = `${prefix}${name}`;
    const here = [
      path,
      typeOf(property),
      (schema.required ?? []).includes(name) ? 'yes' : '',
      property.description ?? '',
    ];
    return property.type === 'object' && property.properties
      ? [here, ...fieldsOf(property, `${path}.`)]
      : [here];
  });

const render = (document_) => {
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
    for (const cells of fieldsOf(message.payload.properties.detail)) table.append(row(cells));
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
