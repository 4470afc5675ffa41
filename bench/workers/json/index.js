// Builds a fresh object of about 1 KB for every request and returns it with Response.json.
export default {
  fetch(request) {
    const url = new URL(request.url);
    const items = [];
    for (let i = 0; i < 12; i++) {
      items.push({
        id: i,
        name: `item-${i}`,
        price: Math.round((i + 1) * 12.5 * 100) / 100,
        inStock: i % 3 !== 0,
        tags: ["bench", i % 2 === 0 ? "even" : "odd"],
      });
    }
    return Response.json({
      ok: true,
      path: url.pathname,
      method: request.method,
      generatedBy: "corral-bench json worker",
      count: items.length,
      items,
    });
  },
};
