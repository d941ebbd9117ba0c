/**
 * TensorBoard's `Event` record, encoded by protobufjs from the messages of TensorFlow's
 * tensorflow/core/util/event.proto and tensorflow/core/framework/summary.proto (the fields a scalar
 * log uses, with their field numbers as there; a reader skips the fields it does not know).
 * A scalar is a `Summary.Value` with `simple_value`, which TensorBoard's scalar dashboard reads.
 */
import protobuf from 'protobufjs';

const PROTO = `
syntax = "proto3";
package tensorflow;

message Summary {
  message Value {
    string node_name = 7;
    string tag = 1;
    oneof value {
      float simple_value = 2;
    }
  }
  repeated Value value = 1;
}

message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what {
    string file_version = 3;
    Summary summary = 5;
  }
}
`;

const EVENT = protobuf.parse(PROTO, { keepCase: true }).root.lookupType('tensorflow.Event');

/** The first record of every event file. */
export const FILE_VERSION = 'brain.Event:2';

/** A scalar of a `Summary`: `tag` as TensorBoard groups it (`train/loss`), `value` as float32. */
export interface ScalarValue {
  readonly tag: string;
  readonly value: number;
}

/** An event: at `wallTime` (seconds since the Unix epoch) and training `step`, the file version or scalars. */
export type EventRecord =
  | { readonly wallTime: number; readonly step: number; readonly fileVersion: string }
  | { readonly wallTime: number; readonly step: number; readonly scalars: readonly ScalarValue[] };

/** The `tensorflow.Event` message of `event`, protobuf-encoded. */
export function encodeEvent(event: EventRecord): Uint8Array {
  const what =
    'fileVersion' in event
      ? { file_version: event.fileVersion }
      : { summary: { value: event.scalars.map((s) => ({ tag: s.tag, simple_value: s.value })) } };
  return EVENT.encode(EVENT.fromObject({ wall_time: event.wallTime, step: event.step, ...what })).finish();
}
