import { gzippedFile, staticFile, staticFilesHandler } from '../../http/static-files';
import asyncApiDocument from '../../portal/asyncapi.generated.json';
import docsHtml from '../../portal/docs.html' with { type: 'text' };
import initJs from '../../portal/docs-init.js' with { type: 'text' };
import eventsJs from '../../portal/events.js' with { type: 'text' };
import openApiDocument from '../../portal/openapi.generated.json';
import { swaggerUiFile } from '../../portal/swagger-ui';

/**
 * The OpenAPI document and Swagger UI rendering it, and the AsyncAPI document of the integration
 * events with a small page part listing them: all served from here, nothing from a CDN.
 */
export const handler = staticFilesHandler({
  '/openapi.json': staticFile('application/json', JSON.stringify(openApiDocument)),
  '/asyncapi.json': staticFile('application/json', JSON.stringify(asyncApiDocument)),
  '/docs/events.js': staticFile('text/javascript; charset=utf-8', eventsJs),
  '/docs/init.js': staticFile('text/javascript; charset=utf-8', initJs),
  '/docs': staticFile('text/html; charset=utf-8', docsHtml),
  '/docs/swagger-ui-bundle.js': gzippedFile('text/javascript; charset=utf-8', () =>
    swaggerUiFile('swagger-ui-bundle.js'),
  ),
  '/docs/swagger-ui.css': gzippedFile('text/css; charset=utf-8', () =>
    swaggerUiFile('swagger-ui.css'),
  ),
});
