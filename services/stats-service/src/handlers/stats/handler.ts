import { httpHandler, jsonResponse } from '@users/shared/http';
import { NO_FIGURES } from '../../domain/daily-figures';
import { daysBetween } from '../../http/date-range';
import { validateStatsRequest } from '../../http/stats-validator';
import { statsStore } from '../dependencies';

/** GET /stats?from&to: every day's figures, administrators only. */
export const handler = httpHandler(
  { authorize: (_, caller) => caller.admin, schema: validateStatsRequest },
  async ({ queryStringParameters: { from, to } }) => {
    const days = daysBetween(from, to);
    const figures = await statsStore.figuresBetween(from, to);
    return jsonResponse(200, {
      from,
      to,
      days: days.map((day) => {
        const f = figures.get(day) ?? NO_FIGURES;
        return {
          day,
          registered: f.registered,
          deleted: f.deleted,
          erased: f.erased,
          balance_changes: f.balanceChanges,
          balance_volume: f.balanceVolume,
          erasure_requests: f.erasureRequests,
          erasure_cancellations: f.erasureCancellations,
        };
      }),
    });
  },
);
