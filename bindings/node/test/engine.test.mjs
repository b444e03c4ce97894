// The Engine class: camelCase methods, BigInt call ids, errors with stable codes.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'

const { Engine } = createRequire(import.meta.url)('..')

const CENTER = `
not_ready_reasons = ["break", "missed-calls"]
[[queues]]
id = 1
name = "support"
[[agents]]
id = 7
queues = [1]
`

function readyEngine() {
  const engine = new Engine(CENTER, 42n)
  engine.handleInput(0, { type: 'login', agent: 7 })
  engine.handleInput(0, { type: 'ready', agent: 7 })
  engine.drain()
  return engine
}

test('a call rings the ready agent, connects and ends', () => {
  const engine = readyEngine()
  engine.handleInput(1000, { type: 'call-offered', call: 1n, ani: '+15550001' })
  engine.handleInput(1000, { type: 'enter-queue', call: 1n, queue: 1 })
  const ring = engine.drain().find((o) => o.action === 'ring-agent')
  assert.equal(ring.call, 1n)
  assert.equal(ring.agent, 7)
  assert.equal(ring.offer.ani, '+15550001')
  engine.handleInput(3000, { type: 'device-answered', agent: 7, call: 1n })
  assert.deepEqual(
    engine.drain().filter((o) => o.action === 'connect'),
    [{ action: 'connect', call: 1n, agent: 7 }],
  )
  engine.handleInput(63000, { type: 'hang-up', call: 1, by: 'caller' })
  const outputs = []
  for (let o = engine.poll(); o !== null; o = engine.poll()) outputs.push(o)
  assert.deepEqual(outputs.at(-1), { event: 'call-ended', call: 1n, outcome: 'completed' })
  assert.equal(engine.now, 63000)
  engine.handleTimeout(63000) // the answered call's ring timer is stale and fires as a no-op
  assert.deepEqual(engine.drain(), [])
  assert.equal(engine.nextDeadline, 900000)
})

test('64-bit call ids keep every digit', () => {
  const engine = readyEngine()
  const big = 2n ** 63n + 11n
  engine.handleInput(1000, { type: 'call-offered', call: big })
  assert.equal(engine.drain()[0].call, big)
})

function thrown(fn) {
  try {
    fn()
  } catch (e) {
    return e
  }
  assert.fail('expected an error')
}

test('errors carry the stable code and kind and change nothing', () => {
  const engine = readyEngine()
  const before = engine.snapshot()
  const unknown = thrown(() => engine.handleInput(100, { type: 'ready', agent: 99 }))
  assert.ok(unknown instanceof Error)
  assert.equal(unknown.code, 1003)
  assert.equal(unknown.kind, 'unknown_agent')
  assert.equal(unknown.message, 'unknown agent 99')
  assert.equal(thrown(() => engine.handleInput(100, { type: 'ready' })).code, 1017)
  assert.equal(thrown(() => engine.handleInput(100, { type: 'not-ready', agent: 7, reason: 'lunch' })).code, 1013)
  assert.equal(thrown(() => engine.handleInput(-5, { type: 'ready', agent: 7 })).code, 1017)
  assert.equal(thrown(() => engine.handleInputJson(100, '{"type":')).code, 1017)
  engine.handleTimeout(5000)
  assert.equal(thrown(() => engine.handleInput(4000, { type: 'ready', agent: 7 })).kind, 'time_went_backwards')
  const restored = Engine.restore(before)
  assert.equal(restored.snapshot(), before)
})

test('configuration errors say where', () => {
  const e = thrown(() => new Engine('[[queues]]\nid = "one"\n'))
  assert.equal(e.code, 1100)
  assert.equal(e.kind, 'config')
  assert.match(e.message, /queues/)
  assert.equal(thrown(() => new Engine('{}', 1n, 'yaml')).code, 1017)
  const json = new Engine('{"queues": [{"id": 1}]}', 0n, 'json')
  assert.equal(json.nextDeadline, null)
  assert.equal(thrown(() => Engine.restore('{}')).code, 1101)
})

test('typed hot-path methods take ids directly', () => {
  const engine = new Engine(CENTER, 42n)
  engine.login(0, 7)
  engine.ready(0, 7)
  engine.drain()
  engine.handleInput(1000, { type: 'call-offered', call: 5n })
  engine.handleInput(1000, { type: 'enter-queue', call: 5n, queue: 1 })
  assert.equal(engine.drain().filter((o) => o.action === 'ring-agent').length, 1)
  engine.deviceRinging(1500, 7, 5n)
  engine.deviceAnswered(2000, 7, 5)
  assert.deepEqual(
    engine.drain().filter((o) => o.action === 'connect'),
    [{ action: 'connect', call: 5n, agent: 7 }],
  )
  assert.equal(thrown(() => engine.dtmf(2500, 6n, '1')).code, 1002)
  assert.equal(thrown(() => engine.dtmf(2500, -1n, '1')).code, 1017)
  assert.equal(thrown(() => engine.dtmf(2500, 2n ** 64n, '1')).code, 1017)
  assert.equal(thrown(() => engine.ready(2500, 99)).code, 1003)
  engine.hangUp(30000, 5n, 7)
  assert.deepEqual(engine.drain().at(-1), { event: 'call-ended', call: 5n, outcome: 'completed' })
  assert.equal(thrown(() => engine.wrapUpDone(30000, 7)).kind, "illegal_agent_transition")
  engine.logout(31000, 7)
  assert.deepEqual(engine.drain().at(-1).to, { state: 'logged-out' })
})
