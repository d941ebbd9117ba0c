/** TensorBoard event files: CRC-32C, TFRecord framing, `Event` protobufs, the writer. */
export { crc32c, maskCrc, maskedCrc32c } from './crc32c.js';
export { frameRecord } from './tfrecord.js';
export { encodeEvent, FILE_VERSION, type EventRecord, type ScalarValue } from './event.js';
export { EventFileWriter } from './writer.js';
