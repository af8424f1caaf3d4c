/**
 * @module model/release
 * Frees the memory behind a typed array now instead of at V8's next collection, by detaching its
 * buffer (`ArrayBuffer.prototype.transfer(0)`). Only when the view covers its whole buffer, so
 * nothing else can be reading it; otherwise (or where the buffer cannot be detached, e.g. memory
 * owned by a native addon) it is left to the garbage collector.
 */

/** `ArrayBuffer.prototype.transfer` (ES2024), typed here because the project's lib predates it. */
type Transferable = ArrayBuffer & { transfer?: (newLength?: number) => ArrayBuffer };

export function releaseBuffer(view: ArrayBufferView): void {
  const buffer = view.buffer as Transferable;
  if (!(buffer instanceof ArrayBuffer) || typeof buffer.transfer !== "function") return;
  if (view.byteOffset !== 0 || view.byteLength !== buffer.byteLength) return;
  try {
    buffer.transfer(0);
  } catch {
    // not detachable: left to the garbage collector
  }
}
