// Per-input round trip through the Node binding: an agent logs in, then out, and the
// outputs are drained after each input (the same cycle as the native benchmark in
// bindings/c/benches/overhead.rs). Prints nanoseconds per input, best of 5.
import { createRequire } from 'node:module'

const { Engine } = createRequire(import.meta.url)('..')
const CONFIG = '[[queues]]\nid = 1\n[[agents]]\nid = 7\nqueues = [1]\n'
const N = 100_000

function best(run) {
  let min = Infinity
  for (let r = 0; r < 5; r++) {
    const start = process.hrtime.bigint()
    run()
    min = Math.min(min, Number(process.hrtime.bigint() - start) / N)
  }
  return min
}

function objects() {
  const engine = new Engine(CONFIG, 1n)
  for (let i = 0; i < N; i++) {
    engine.handleInput(0, i % 2 === 0 ? { type: 'login', agent: 7 } : { type: 'logout', agent: 7 })
    engine.drain()
  }
}

function typed() {
  const engine = new Engine(CONFIG, 1n)
  for (let i = 0; i < N; i++) {
    if (i % 2 === 0) engine.login(0, 7)
    else engine.logout(0, 7)
    engine.drain()
  }
}

function json() {
  const engine = new Engine(CONFIG, 1n)
  const inputs = ['{"type":"login","agent":7}', '{"type":"logout","agent":7}']
  for (let i = 0; i < N; i++) {
    engine.handleInputJson(0, inputs[i % 2])
    JSON.parse(engine.drainJson())
  }
}

for (const [name, run] of [
  ['node typed round trip', typed],
  ['node object round trip', objects],
  ['node json round trip', json],
]) {
  console.log(`${name}: ${best(run).toFixed(0)} ns`)
}
