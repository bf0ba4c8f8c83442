/** A broken promise: which one, and what showed it. */
export type Violation = { invariant: string; detail: string };

/** One HTTP attempt of a command, as its client saw it. */
export type Attempt = {
  commandId: string;
  correlationId: string;
  userId: string;
  eventType: string;
  status: number;
  body: unknown;
  answeredAt: number;
};

/**
 * What the clients and the stream saw while the run went on, and the promises broken as soon as
 * something showed it (a reader seeing personal data it must not, a version going back).
 */
export class Observations {
  readonly attempts: Attempt[] = [];
  readonly violations: Violation[] = [];
  /** Every name and email ever sent for a user: none may be read after its erasure. */
  readonly personalData = new Map<string, Set<string>>();
  /** When the live projector first applied a batch holding the user's erasure. */
  readonly erasureHeld = new Map<string, number>();
  /** The highest version of a user any /detail answer showed, and when it was answered. */
  private readonly highestSeen = new Map<string, number>();
  /** /detail answered 404 for a user after a version of it was seen: fine only if gone since. */
  readonly notFoundAfterSeen: { userId: string; seen: number }[] = [];
  /** Erasure receipts a reader was answered complete. */
  completeReceipts = 0;

  violate(invariant: string, detail: string) {
    this.violations.push({ invariant, detail });
  }

  rememberPersonalData(userId: string, ...values: (string | undefined)[]) {
    const known = this.personalData.get(userId) ?? new Set<string>();
    for (const value of values) if (value) known.add(value);
    this.personalData.set(userId, known);
  }

  /** The erased users' personal data that `text` holds, if any. */
  erasedDataIn(text: string, startedAt: number, only?: string): string | undefined {
    for (const [userId, heldAt] of this.erasureHeld) {
      if (heldAt > startedAt || (only && only !== userId)) continue;
      for (const value of this.personalData.get(userId) ?? []) {
        if (text.includes(value)) return `${userId}: ${value}`;
      }
    }
    return undefined;
  }

  /**
   * A /detail answer: never older than what any reader had been shown before this read began
   * (across switches, rebuilds and redrives).
   */
  detailAnswered(userId: string, version: number | undefined, highestAtStart: number) {
    if (version === undefined) {
      if (highestAtStart > 0) this.notFoundAfterSeen.push({ userId, seen: highestAtStart });
      return;
    }
    if (version < highestAtStart) {
      this.violate(
        'no reader sees a version go back',
        `${userId}: version ${version} answered after ${highestAtStart} was shown`,
      );
    }
    this.highestSeen.set(userId, Math.max(this.highestSeen.get(userId) ?? 0, version));
  }

  highest(userId: string) {
    return this.highestSeen.get(userId) ?? 0;
  }
}
