# workerd config for the bench worker "stream-1mib": the same index.js that corral serves.
# bench/run overrides the socket address with --socket-addr http=127.0.0.1:PORT.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "stream-1mib", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:8792", http = (), service = "stream-1mib") ],
);

const worker :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "../workers/stream-1mib/index.js") ],
  compatibilityDate = "2024-09-01",
);
