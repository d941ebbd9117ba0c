/**
 * A restricted unpickler: it reads Python pickle streams (protocols 2–5, the opcodes of
 * CPython's Lib/pickle.py that plain data needs) and never executes code. Every `GLOBAL` goes through
 * the caller's `findClass`, which returns a JavaScript function for the few names it allows and
 * throws for any other — the same guarantee as torch.load(weights_only=True)'s unpickler. Opcodes
 * that build arbitrary objects (`INST`, `OBJ`, `NEWOBJ`, `EXT*`) are refused.
 *
 * Values: None → null, bool, int → number (bigint beyond 2^53), float → number, str → string,
 * bytes → Uint8Array, list and tuple → arrays, dict → Map.
 */
import { CheckpointError } from '../errors.js';

/** A callable a `GLOBAL` may name: `REDUCE` calls it with the arguments tuple. */
export type PickleCallable = (args: readonly unknown[]) => unknown;

export interface UnpickleHooks {
  /** The callable `module.name` stands for; throws (CheckpointError) for a name that is not allowed. */
  findClass(module: string, name: string): PickleCallable;
  /** The object a persistent id stands for (`BINPERSID`); throws when there is none. */
  persistentLoad(pid: unknown): unknown;
  /** `BUILD`: applies `state` to `obj` and returns it; default: refuse. */
  build?(obj: unknown, state: unknown): unknown;
}

const MARK = Symbol('mark');

/** Reads one pickle from `bytes`; `source` names it in errors. @throws CheckpointError for a malformed or disallowed stream. */
export function unpickle(bytes: Uint8Array, hooks: UnpickleHooks, source: string): unknown {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: unknown[] = [];
  const memo = new Map<number, unknown>();
  let p = 0;
  const fail = (why: string) => new CheckpointError(`${source}: ${why} (at byte ${p})`);
  const need = (n: number) => {
    if (p + n > buf.length) throw fail('the pickle stream ends early');
    const at = p;
    p += n;
    return at;
  };
  const pop = () => {
    if (stack.length === 0 || stack[stack.length - 1] === MARK) throw fail('stack underflow');
    return stack.pop();
  };
  const popMark = (): unknown[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) throw fail('no MARK on the stack');
    const items = stack.slice(i + 1);
    stack.length = i;
    return items;
  };
  const top = () => {
    if (stack.length === 0) throw fail('stack underflow');
    return stack[stack.length - 1];
  };
  const text = (n: number) => buf.toString('utf8', need(n), p);
  const raw = (n: number) => Uint8Array.from(buf.subarray(need(n), p));
  const setItems = (dict: unknown, items: unknown[]) => {
    if (!(dict instanceof Map)) throw fail('SETITEM(S) on something that is not a dict');
    for (let i = 0; i + 1 < items.length; i += 2) dict.set(items[i], items[i + 1]);
  };
  const append = (list: unknown, items: unknown[]) => {
    if (!Array.isArray(list)) throw fail('APPEND(S) on something that is not a list');
    list.push(...items);
  };
  const long = (n: number): number | bigint => {
    if (n === 0) return 0;
    let v = 0n;
    for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(buf[p + i] as number);
    if ((buf[p + n - 1] as number) & 0x80) v -= 1n << BigInt(8 * n);
    need(n);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  };
  const callGlobal = (module: string, name: string) => hooks.findClass(module, name);

  for (;;) {
    const op = buf[need(1)] as number;
    switch (op) {
      case 0x80: // PROTO
        if ((buf[need(1)] as number) > 5) throw fail('pickle protocol above 5');
        break;
      case 0x95: // FRAME: a length hint only
        need(8);
        break;
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        stack.push(MARK);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new Map());
        break;
      case 0x5d: // EMPTY_LIST
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
      case 0x89: // NEWFALSE
        stack.push(op === 0x88);
        break;
      case 0x4a: // BININT
        stack.push(buf.readInt32LE(need(4)));
        break;
      case 0x4b: // BININT1
        stack.push(buf.readUInt8(need(1)));
        break;
      case 0x4d: // BININT2
        stack.push(buf.readUInt16LE(need(2)));
        break;
      case 0x8a: // LONG1
        stack.push(long(buf.readUInt8(need(1))));
        break;
      case 0x8b: // LONG4
        stack.push(long(buf.readInt32LE(need(4))));
        break;
      case 0x47: // BINFLOAT, big-endian
        stack.push(buf.readDoubleBE(need(8)));
        break;
      case 0x58: // BINUNICODE
        stack.push(text(buf.readUInt32LE(need(4))));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(buf.readUInt8(need(1))));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(text(Number(buf.readBigUInt64LE(need(8)))));
        break;
      case 0x54: // BINSTRING (protocol-2 str of Python 2): latin-1 bytes as text
      case 0x55: // SHORT_BINSTRING
        stack.push(buf.toString('latin1', need(op === 0x54 ? buf.readInt32LE(need(4)) : buf.readUInt8(need(1))), p));
        break;
      case 0x42: // BINBYTES
        stack.push(raw(buf.readUInt32LE(need(4))));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(raw(buf.readUInt8(need(1))));
        break;
      case 0x8e: // BINBYTES8
        stack.push(raw(Number(buf.readBigUInt64LE(need(8)))));
        break;
      case 0x74: // TUPLE
        stack.push(popMark());
        break;
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: {
        // TUPLE2
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x64: {
        // DICT
        const d = new Map();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x73: {
        // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x61: {
        // APPEND
        const v = pop();
        append(top(), [v]);
        break;
      }
      case 0x65: {
        // APPENDS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x71: // BINPUT
        memo.set(buf.readUInt8(need(1)), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(buf.readUInt32LE(need(4)), top());
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const key = op === 0x68 ? buf.readUInt8(need(1)) : buf.readUInt32LE(need(4));
        if (!memo.has(key)) throw fail(`memo key ${key} was never stored`);
        stack.push(memo.get(key));
        break;
      }
      case 0x63: {
        // GLOBAL "module\nname\n"
        const line = () => {
          const end = buf.indexOf(0x0a, p);
          if (end < 0) throw fail('GLOBAL without its newlines');
          const s = text(end - p);
          need(1);
          return s;
        };
        const module = line();
        const name = line();
        stack.push(callGlobal(module, name));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') throw fail('STACK_GLOBAL of non-strings');
        stack.push(callGlobal(module, name));
        break;
      }
      case 0x52: {
        // REDUCE
        const args = pop();
        const fn = pop();
        if (typeof fn !== 'function' || !Array.isArray(args)) throw fail('REDUCE of something that is not an allowed callable');
        stack.push((fn as PickleCallable)(args));
        break;
      }
      case 0x51: // BINPERSID
        stack.push(hooks.persistentLoad(pop()));
        break;
      case 0x62: {
        // BUILD
        const state = pop();
        const obj = pop();
        if (hooks.build === undefined) throw fail('BUILD is not allowed here');
        stack.push(hooks.build(obj, state));
        break;
      }
      default:
        throw fail(
          `opcode 0x${op.toString(16).padStart(2, '0')} is not allowed: this reader rebuilds plain data and tensors only and never runs code`,
        );
    }
  }
}
