import { browser, expect } from '@wdio/globals'
import { addCell, cellAt, newNotebook, outputText, runCode, shot } from './notebook-page'

// IPython habits as a user coming from Jupyter types them into the app: IPython.display objects
// render as their rich type (a sound plays), the timing magics report wall time and fuel, %who lists the names,
// and a shell line says it was not run while the rest of its cell runs.
describe('IPython habits in the notebook', () => {
  it('renders IPython.display objects and runs %time, %%time, %timeit, %who and !ls', async () => {
    await newNotebook()
    const display = await runCode(
      0,
      'from IPython.display import display, HTML, Markdown, Image\n' +
        "display(HTML('<b id=ipy>bold html</b>'), Markdown('**md** text'))\n" +
        "Image(data=bytes.fromhex('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082'))"
    )
    expect(await display.getAttribute('data-status')).toBe('ok')
    await expect(display.$('[data-testid="markdown-output"] strong')).toHaveText('md')
    await expect(display.$('[data-testid="image-output"]')).toHaveAttribute(
      'src',
      expect.stringMatching(/^data:image\/png;base64,/)
    )
    expect(await outputText(0)).not.toContain('IPython.core.display')
    const frame = await display.$('[data-testid="html-output"]')
    await browser.switchFrame(frame)
    await expect(browser.$('#ipy')).toHaveText('bold html')
    await browser.switchFrame(null)

    // A sound made from samples plays in the output frame (IPython.lib.display's Audio, no numpy).
    const sound = await runCode(
      await addCell('code'),
      'import math\nfrom IPython.display import Audio\nAudio([math.sin(t / 5) for t in range(800)], rate=8000)'
    )
    expect(await sound.getAttribute('data-status')).toBe('ok')
    await browser.switchFrame(await sound.$('[data-testid="html-output"]'))
    await browser.waitUntil(
      async () => (await browser.execute(() => document.querySelector('audio')?.duration ?? 0)) > 0.09,
      { timeout: 10_000, timeoutMsg: 'the Audio output did not load its sound' }
    )
    await browser.switchFrame(null)

    const cells: [string, RegExp[]][] = [
      ['%time total = sum(range(1000))\ntotal', [/Wall time: [\d.]+ (µs|ms|s)\b/, /Fuel: [\d,]+/, /499500/]],
      [
        '%%time\nsquares = [n * n for n in range(10)]\nlen(squares)',
        [/Wall time:/, /Fuel: [\d,]+/, /\b10\b/]
      ],
      [
        '%timeit -n 3 -r 2 sorted(range(50, 0, -1))',
        [/per loop \(mean ± std\. dev\. of 2 runs, 3 loops each\)/, /Fuel: [\d,]+ per loop/]
      ],
      ['%who', [/squares/, /total/]],
      [
        "!ls\nprint('after the shell line')",
        [/shell commands are not available in the sandbox: !ls was not run/, /after the shell line/]
      ]
    ]
    for (const [code, expected] of cells) {
      const index = await addCell('code')
      const cell = await runCode(index, code)
      expect({ code, status: await cell.getAttribute('data-status') }).toEqual({ code, status: 'ok' })
      const text = await outputText(index)
      for (const pattern of expected) expect(text).toMatch(pattern)
      expect(text).not.toContain('SyntaxError')
    }
    await (await cellAt(0)).scrollIntoView()
    await browser.saveScreenshot(shot('ui-ipython.png'))
  })
})
