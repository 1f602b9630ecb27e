/**
 * The service checks every event it pushes against the contract before any host sees it, so serve
 * mode and Electron forward only payloads the page can trust, and a malformed one is named where it
 * is made.
 */
import { afterAll, describe, expect, it } from 'vitest'
import type { EventName } from '../../src/shared/contract'
import { StudioService } from '../../src/main/studio/service'
import { makeTempDir } from '../support/tempDir'

describe('outgoing events', () => {
  const temp = makeTempDir('studio-events-')
  const sent: [EventName, unknown][] = []
  const service = new StudioService({
    host: 'serve',
    version: 'test',
    userDataDir: temp.dir,
    emit: (event, payload) => sent.push([event, payload]),
  })

  afterAll(async () => {
    await service.close()
    temp.cleanup()
  })

  it('reach the host when their payload fits the contract', () => {
    service.emit('project.changed', null)
    service.emit('training.epoch', { runId: 1, epoch: 2, step: 40, valLoss: null })
    expect(sent).toEqual([
      ['project.changed', null],
      ['training.epoch', { runId: 1, epoch: 2, step: 40, valLoss: null }],
    ])
  })

  it('are refused before the host sees them, naming the event and the field', () => {
    sent.length = 0
    const malformed = { runId: 1, epoch: 2.5, step: 40, valLoss: null }
    expect(() => service.emit('training.epoch', malformed)).toThrow(
      /^outgoing event training\.epoch: epoch: /,
    )
    const notAProject = { path: '/p' } as never
    expect(() => service.emit('project.changed', notAProject)).toThrow(/project\.changed: name/)
    expect(sent).toEqual([])
  })

  it('from the service parts go through the same check', async () => {
    sent.length = 0
    const job = service.jobs.start('ingest', async ({ onProgress }) => {
      onProgress({ phase: 'reading', done: -1, total: 2 })
    })
    expect(await job.done).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^outgoing event job\.progress: done: /),
    })
    expect(sent.map(([event]) => event)).toEqual(['job.progress', 'job.finished'])
  })
})
