import preactHtm from 'htm/preact/standalone.module.js' with { type: 'text' };
import { staticFile, staticFilesHandler } from '../../http/static-files';
import consoleHtml from '../../portal/console.html' with { type: 'text' };
import consoleApp from '../../portal/console.js' with { type: 'text' };

/** The console's page and code (preact + htm, vendored): its data comes from the API. */
export const handler = staticFilesHandler({
  '/console': staticFile('text/html; charset=utf-8', consoleHtml),
  '/console/app.js': staticFile('text/javascript; charset=utf-8', consoleApp),
  '/console/preact-htm.js': staticFile('text/javascript; charset=utf-8', preactHtm),
});
