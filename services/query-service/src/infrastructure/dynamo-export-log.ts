import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ExportRecord } from '../application/export-user';

/**
 * Every export of a user's data, kept (who asked, when; no personal data): keyed by user and
 * time, so a data-protection officer lists a user's exports with one Query.
 */
export class DynamoExportLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly table: string,
  ) {}

  async record(entry: ExportRecord) {
    await this.client.send(
      new PutCommand({
        TableName: this.table,
        Item: {
          UserID: entry.userId,
          ExportedAt: `${entry.exportedAt}#${entry.exportId}`,
          ExportId: entry.exportId,
          RequestedBy: entry.requestedBy,
          ByAdministrator: entry.byAdministrator,
        },
      }),
    );
  }
}
