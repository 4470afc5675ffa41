(function (host, internal) {
  "use strict";
  // Compression Streams (https://compression.spec.whatwg.org/): CompressionStream and DecompressionStream for
  // "gzip", "deflate" and "deflate-raw". Like Cloudflare's, they are TransformStreams (BufferSource chunks in,
  // Uint8Array chunks out). The work is done chunk by chunk in Rust (`src/web/compression.rs`):
  // `host.compressionCodec` returns a function holding one compressor or decompressor.

  function toBytes(chunk, className) {
    if (ArrayBuffer.isView(chunk)) {
      return chunk instanceof Uint8Array ? chunk : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    }
    if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
    throw new TypeError(`${className} only accepts ArrayBuffer or ArrayBufferView chunks.`);
  }

  function codecTransformer(format, decompress, className) {
    // Throws TypeError for an unknown format.
    const codec = host.compressionCodec(`${format}`, decompress);
    const enqueueAll = (pieces, controller) => {
      for (let i = 0; i < pieces.length; i++) controller.enqueue(pieces[i]);
    };
    return {
      transform(chunk, controller) {
        const bytes = toBytes(chunk, className);
        if (bytes.byteLength > 0) enqueueAll(codec(bytes), controller);
      },
      flush(controller) {
        enqueueAll(codec(undefined), controller);
      },
      cancel() {
        codec(null);
      },
    };
  }

  class CompressionStream extends TransformStream {
    constructor(format) {
      if (arguments.length < 1) throw new TypeError("CompressionStream requires a format argument.");
      super(codecTransformer(format, false, "CompressionStream"));
    }
  }

  class DecompressionStream extends TransformStream {
    constructor(format) {
      if (arguments.length < 1) throw new TypeError("DecompressionStream requires a format argument.");
      super(codecTransformer(format, true, "DecompressionStream"));
    }
  }

  for (const cls of [CompressionStream, DecompressionStream]) {
    Object.defineProperty(cls.prototype, Symbol.toStringTag, { value: cls.name, configurable: true });
    internal.defineGlobal(cls.name, cls);
  }
})
