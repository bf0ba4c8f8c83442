import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export type SwaggerUiFile = 'swagger-ui-bundle.js' | 'swagger-ui.css';

/**
 * Swagger UI's script and style sheet, gzipped (1.7 MB of text, 0.45 MB gzipped). In a deployed
 * function they are files beside its bundle, read on the first request that wants them (the
 * esbuild plugin `swagger-ui-beside-the-bundle` stands in for this module): a cold start parses
 * none of their bytes. Run from source, they are read from the package and gzipped here.
 */
export const swaggerUiFile = (name: SwaggerUiFile): Buffer =>
  gzipSync(readFileSync(require.resolve(`swagger-ui-dist/${name}`)));
