import type { DynamoDBRecord } from 'aws-lambda';
import type { Item } from '../attribute-values';
import type { StreamViewType } from '../definitions';
import { itemSize } from '../item-sizes';

export type ItemChange = { keys: Item; oldImage?: Item; newImage?: Item };

const withNew = new Set<StreamViewType>(['NEW_IMAGE', 'NEW_AND_OLD_IMAGES']);
const withOld = new Set<StreamViewType>(['OLD_IMAGE', 'NEW_AND_OLD_IMAGES']);

/** A sequence number: increasing, as a decimal string of 21 digits like DynamoDB's. */
const sequenceNumber = (position: number) => `1${String(position).padStart(20, '0')}`;

/** A table's stream: one record per write that changed an item, as Lambda hands them over. */
export class TableStream {
  private readonly records: DynamoDBRecord[] = [];

  constructor(
    readonly viewType: StreamViewType,
    readonly arn: string,
    private readonly region: string,
  ) {}

  /** `position` increases across every stream of the emulator; `now` is in milliseconds. */
  append({ keys, oldImage, newImage }: ItemChange, position: number, now: number): void {
    const NewImage = withNew.has(this.viewType) ? newImage : undefined;
    const OldImage = withOld.has(this.viewType) ? oldImage : undefined;
    this.records.push({
      eventID: position.toString(16).padStart(32, '0'),
      eventName: !oldImage ? 'INSERT' : !newImage ? 'REMOVE' : 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: this.region,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(now / 1000),
        Keys: keys,
        ...(NewImage && { NewImage }),
        ...(OldImage && { OldImage }),
        SequenceNumber: sequenceNumber(position),
        SizeBytes:
          itemSize(keys) +
          (NewImage ? itemSize(NewImage) : 0) +
          (OldImage ? itemSize(OldImage) : 0),
        StreamViewType: this.viewType,
      },
      eventSourceARN: this.arn,
    } as DynamoDBRecord);
  }

  /** The records after a sequence number (all of them without one), oldest first. */
  after(sequence?: string): DynamoDBRecord[] {
    if (sequence === undefined) return [...this.records];
    let low = 0;
    let high = this.records.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const at = this.records[middle]?.dynamodb?.SequenceNumber as string;
      // Fixed-width decimal strings: text order is numeric order.
      if (at <= sequence) low = middle + 1;
      else high = middle;
    }
    return this.records.slice(low);
  }
}
