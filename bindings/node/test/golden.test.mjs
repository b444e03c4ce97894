// The shared golden scenarios replay through the Node binding exactly: every line's
// outputs (with 64-bit call ids as BigInt) equal the expected file.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync, existsSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

const { Engine } = createRequire(import.meta.url)('..')
const golden = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'tests', 'golden')
const scenarios = readdirSync(golden).filter((d) => existsSync(join(golden, d, 'inputs.jsonl'))).sort()
const lines = (file) => readFileSync(file, 'utf8').split('\n').filter((l) => l.trim())

// JSON.parse would round call ids above 2^53; read them as BigInt, as the engine gives them.
const parseWithCallIds = (text) =>
  JSON.parse(text.replace(/"(call|consult_call)":(\d+)/g, '"$1":"$2n"'), (key, value) =>
    (key === 'call' || key === 'consult_call') && typeof value === 'string' && value.endsWith('n')
      ? BigInt(value.slice(0, -1))
      : value,
  )

test('there are golden scenarios', () => assert.ok(scenarios.length >= 3))

for (const name of scenarios) {
  test(`golden scenario ${name} replays`, () => {
    const dir = join(golden, name)
    const engine = new Engine(readFileSync(join(dir, 'config.toml'), 'utf8'), 1n)
    const inputs = lines(join(dir, 'inputs.jsonl'))
    const expected = lines(join(dir, 'expected.jsonl')).map(parseWithCallIds)
    assert.equal(inputs.length, expected.length)
    inputs.forEach((entry, i) => {
      let got
      try {
        engine.applyEntryJson(entry)
        got = engine.drain()
      } catch (e) {
        got = { error: e.code }
      }
      assert.deepEqual(got, expected[i], `${name} line ${i + 1}`)
    })
  })
}
