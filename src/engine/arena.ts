/**
 * @module engine/arena
 * Lays out a model's weights and buffers in the kernels' linear memory: a bump allocator that
 * only records offsets (`plan`), then grows the memory once (`commit`). Nothing is freed; a
 * model's memory lives as long as its instance.
 */

/** Static data of the kernels lives below this offset (AssemblyScript puts it at 1024). */
const BASE = 65536;
const ALIGN = 64;
const PAGE = 65536;

export class Arena {
  #top = BASE;
  readonly #memory: WebAssembly.Memory;

  constructor(memory: WebAssembly.Memory) {
    this.#memory = memory;
  }

  /** Reserves `bytes` (64-byte aligned) and returns the offset. */
  alloc(bytes: number): number {
    const at = this.#top;
    this.#top = Math.ceil((at + Math.max(bytes, 0)) / ALIGN) * ALIGN;
    return at;
  }

  /** Grows the memory to hold everything reserved so far. Call before creating views. */
  commit(): void {
    const need = Math.ceil(this.#top / PAGE) - this.#memory.buffer.byteLength / PAGE;
    if (need > 0) this.#memory.grow(need);
  }

  /** Bytes reserved (the memory's size after `commit`, rounded to pages). */
  get bytes(): number {
    return this.#top;
  }

  f32(at: number, length: number): Float32Array {
    return new Float32Array(this.#memory.buffer, at, length);
  }

  i32(at: number, length: number): Int32Array {
    return new Int32Array(this.#memory.buffer, at, length);
  }

  i8(at: number, length: number): Int8Array {
    return new Int8Array(this.#memory.buffer, at, length);
  }
}
