# workerd config for the bench worker "json": the same index.js that corral serves.
# bench/run overrides the socket address with --socket-addr http=127.0.0.1:PORT.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "json", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:8791", http = (), service = "json") ],
);

const worker :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "../workers/json/index.js") ],
  compatibilityDate = "2024-09-01",
);
