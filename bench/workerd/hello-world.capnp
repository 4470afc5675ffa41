# workerd config for the bench worker "hello-world": the same index.js that corral serves.
# bench/run overrides the socket address with --socket-addr http=127.0.0.1:PORT.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "hello-world", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:8790", http = (), service = "hello-world") ],
);

const worker :Workerd.Worker = (
  modules = [ (name = "worker", esModule = embed "../workers/hello-world/index.js") ],
  compatibilityDate = "2024-09-01",
);
