// The page's side of the simulation worker. `WorkerHost` owns the worker (one per page, shared
// by every widget); `SimClient` is one session in it. Simulations are debounced and superseded
// (only the newest edit matters); one that runs too long gets the worker terminated and
// replaced, so the page stays responsive whatever is typed, and the other sessions simulate
// again in the new worker.

const SLOW_MS = 1500;   // with a newer edit waiting, give up on the running one after this
const HUNG_MS = 8000;   // with nothing waiting, give up after this

/** A module worker from `url`, also when the script comes from another origin (the widget). */
function moduleWorker(url) {
  if (url.origin === location.origin) return new Worker(url, { type: 'module' });
  const shim = URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};`], { type: 'text/javascript' }));
  return new Worker(shim, { type: 'module' });
}

export class WorkerHost {
  constructor(url = new URL('./worker.js', import.meta.url)) {
    this.url = url;
    this.nextId = 1;
    this.calls = new Map();
    this.clients = new Set();
    this.spawn();
  }

  spawn() {
    this.worker = moduleWorker(this.url);
    this.worker.onmessage = (e) => this.receive(e.data);
    this.worker.onerror = (e) => {
      e.preventDefault?.();
      this.failAll(`worker error: ${e.message || 'failed to load'}`);
    };
  }

  restart(reason, by) {
    this.worker.terminate();
    this.failAll(reason);
    this.spawn();
    for (const c of this.clients) if (c !== by) c.resimulate();
  }

  failAll(reason) {
    const calls = [...this.calls.values()];
    this.calls.clear();
    for (const c of calls) c.reject(new Error(reason));
  }

  receive({ id, ok, value, error }) {
    const call = this.calls.get(id);
    if (!call) return;
    this.calls.delete(id);
    if (ok) call.resolve(value);
    else call.reject(new Error(error));
  }

  request(type, args) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      this.worker.postMessage({ id, type, args });
    });
  }
}

let sharedHost = null;
/** The page's one worker, started on first use. */
export function sharedWorker() {
  sharedHost ||= new WorkerHost();
  return sharedHost;
}

let sessionCounter = 0;

export class SimClient {
  constructor({ onResult, onError, onBusy, host, session }) {
    this.onResult = onResult;
    this.onError = onError;
    this.onBusy = onBusy || (() => {});
    this.host = host || sharedWorker();
    this.session = session || `s${++sessionCounter}`;
    this.host.clients.add(this);
    this.inflight = null; // { generation, started }
    this.queued = null;
    this.last = null;
    this.timer = null;
    this.generation = 0;
  }

  /** A request about this session's last simulation (list, readFile, tars...). */
  request(type, args) {
    return this.host.request(type, { ...args, session: this.session });
  }

  /** Schedules a simulation of `input` after `delay` ms; a newer call replaces it. */
  simulate(input, delay = 150) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.queued = input;
      this.pump();
    }, delay);
  }

  /** The worker was replaced: simulate the last input again (its state is gone). */
  resimulate() {
    if (!this.last) return;
    if (this.inflight) { this.generation++; this.inflight = null; } // its answer is lost
    if (!this.queued) this.queued = this.last;
    this.pump();
  }

  pump() {
    if (this.inflight) {
      if (performance.now() - this.inflight.started <= SLOW_MS) return;
      this.inflight = null;
      this.host.restart('superseded by a newer edit', this);
    }
    if (!this.queued) return;
    const input = this.queued;
    this.queued = null;
    this.last = input;
    const generation = ++this.generation;
    const started = performance.now();
    this.onBusy(true);
    const watchdog = setInterval(() => {
      const elapsed = performance.now() - started;
      if (this.inflight?.generation !== generation) return clearInterval(watchdog);
      if ((this.queued && elapsed > SLOW_MS) || elapsed > HUNG_MS) {
        clearInterval(watchdog);
        this.host.restart(this.queued ? 'superseded by a newer edit' : `the simulation took more than ${HUNG_MS / 1000} s and was stopped`, this);
      }
    }, 250);
    this.inflight = { generation, started };
    this.request('simulate', input).then(
      (result) => this.settle(generation, () => this.onResult(result, input)),
      (err) => this.settle(generation, () => this.onError(err, input)),
    );
  }

  settle(generation, fn) {
    if (generation !== this.generation) return; // a superseded run
    this.inflight = null;
    if (this.queued) return this.pump();
    this.onBusy(false);
    fn();
  }
}
