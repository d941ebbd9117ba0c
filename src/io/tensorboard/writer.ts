/**
 * A TensorBoard event file writer, as tf.summary's and torch.utils.tensorboard's SummaryWriter write
 * them: `<logDir>/events.out.tfevents.<seconds>.<host>.<pid>.<n>`, TFRecord-framed `Event` records
 * (./tfrecord.ts, ./event.ts), starting with the file version. Each record is appended to the file
 * as it comes (a run killed midway leaves every whole record readable).
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { encodeEvent, FILE_VERSION, type ScalarValue } from './event.js';
import { frameRecord } from './tfrecord.js';

let filesOpened = 0;

export class EventFileWriter {
  /** The event file written. */
  readonly file: string;

  /**
   * Creates `logDir` (when missing) and a new event file in it holding the file-version record.
   * @param now seconds since the Unix epoch (default the clock), the file's name and first record's time.
   */
  constructor(
    readonly logDir: string,
    now: number = Date.now() / 1000,
  ) {
    mkdirSync(logDir, { recursive: true });
    this.file = path.join(logDir, `events.out.tfevents.${Math.floor(now)}.${hostname()}.${process.pid}.${filesOpened++}`);
    writeFileSync(this.file, frameRecord(encodeEvent({ wallTime: now, step: 0, fileVersion: FILE_VERSION })));
  }

  /**
   * Appends one event holding `scalars` at training `step`.
   * @param wallTime seconds since the Unix epoch (default now).
   */
  addScalars(step: number, scalars: readonly ScalarValue[], wallTime: number = Date.now() / 1000): void {
    if (scalars.length === 0) return;
    appendFileSync(this.file, frameRecord(encodeEvent({ wallTime, step, scalars })));
  }
}
