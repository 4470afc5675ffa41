// Streams 1 MiB (64 chunks of 16 KiB) through a ReadableStream, one chunk per pull.
const CHUNK = 16 * 1024;
const TOTAL = 1024 * 1024;
const chunk = new Uint8Array(CHUNK).fill(0x61); // "aaaa..."; never mutated after this

export default {
  fetch() {
    let sent = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (sent >= TOTAL) {
          controller.close();
          return;
        }
        controller.enqueue(chunk);
        sent += CHUNK;
      },
    });
    return new Response(body, {
      headers: { "content-type": "application/octet-stream" },
    });
  },
};
