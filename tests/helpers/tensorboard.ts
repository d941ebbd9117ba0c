/**
 * Reads a TensorBoard event file with scripts/tensorboard_read.py: a reader written from the formats'
 * specifications (TFRecord framing with its own bitwise CRC-32C, a hand protobuf decoder), apart from
 * the writer under test.
 */
import { execFileSync } from 'node:child_process';

export interface ReadEvent {
  readonly wall_time: number;
  readonly step: number;
  readonly file_version?: string;
  readonly scalars?: [string, number][];
}

/** The events of `file`, in order. @throws when a CRC or the framing is wrong (the reader's message). */
export function readEvents(file: string): ReadEvent[] {
  const out = execFileSync('/usr/bin/python3', ['scripts/tensorboard_read.py', file], { encoding: 'utf8' });
  return out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ReadEvent);
}
