// A host loop in TypeScript: inputs in, outputs out, timers from the engine's next
// deadline. Type-checked in CI with `npm run typecheck`; run it after `npm run build`
// with a TypeScript runner, or compile it with tsc.
import { Engine, type Output } from '..'

const center = `
[[queues]]
id = 1
name = "support"
ring_timeout_secs = 15
[[agents]]
id = 7
queues = [1]
`

function carryOut(output: Output, now: number): void {
  if ('action' in output) {
    switch (output.action) {
      case 'ring-agent':
        console.log(`${now} ms: ring agent ${output.agent} for call ${output.call}`)
        break
      case 'connect':
        console.log(`${now} ms: bridge call ${output.call} to agent ${output.agent}`)
        break
      default:
        console.log(`${now} ms: ${output.action}`)
    }
  } else {
    console.log(`${now} ms: event ${output.event}`)
  }
}

const engine = new Engine(center, 42n)
const call: bigint = 1001n
const inputs: Array<[number, Parameters<Engine['handleInput']>[1]]> = [
  [0, { type: 'login', agent: 7 }],
  [0, { type: 'ready', agent: 7 }],
  [1000, { type: 'call-offered', call, ani: '+15550001' }],
  [1000, { type: 'enter-queue', call, queue: 1 }],
  [3000, { type: 'device-answered', agent: 7, call }],
  [60000, { type: 'hang-up', call, by: 'caller' }],
]

let now = 0
for (const [at, input] of inputs) {
  // Fire every deadline that comes before the next input.
  for (let deadline = engine.nextDeadline; deadline !== null && deadline <= at; deadline = engine.nextDeadline) {
    now = deadline
    engine.handleTimeout(now)
    engine.drain().forEach((o) => carryOut(o, now))
  }
  now = at
  try {
    engine.handleInput(now, input)
  } catch (e) {
    const error = e as { code: number; kind: string; message: string }
    console.error(`rejected (${error.code} ${error.kind}): ${error.message}`)
  }
  for (let output = engine.poll(); output !== null; output = engine.poll()) carryOut(output, now)
}
