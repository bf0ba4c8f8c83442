// Files the portal serves, bundled as text (esbuild's `with { type: 'text' }`).
declare module '*.html' {
  const text: string;
  export default text;
}
declare module '*/console.js' {
  const text: string;
  export default text;
}
declare module '*/docs-init.js' {
  const text: string;
  export default text;
}
declare module '*/events.js' {
  const text: string;
  export default text;
}
declare module 'htm/preact/standalone.module.js' {
  const text: string;
  export default text;
}
