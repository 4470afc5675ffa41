// The smallest worker: the same bytes for every request.
export default {
  fetch() {
    return new Response("Hello World\n");
  },
};
