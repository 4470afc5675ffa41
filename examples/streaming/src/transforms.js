// A TransformStream of strings that upper-cases every chunk as it passes.
export function upperCase() {
  return new TransformStream({
    transform(chunk, controller) {
      controller.enqueue(chunk.toUpperCase());
    },
  });
}
