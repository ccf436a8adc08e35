/**
 * The ranked MIME renderer registry (JupyterLab's rendermime): one entry per type, its rank and
 * safety live in src/shared/mime.ts; here each known type is paired with the component that shows
 * it. Output views ask `rendererFor(bundle)` and never switch on MIME types themselves.
 */
import type { Component } from 'svelte'
import type { MimeBundle } from '../../../../shared/notebook'
import { preferredMime } from '../../../../shared/mime'
import HtmlFrame from './HtmlFrame.svelte'
import ImageOutput from './ImageOutput.svelte'
import JsonOutput from './JsonOutput.svelte'
import LatexOutput from './LatexOutput.svelte'
import MarkdownOutput from './MarkdownOutput.svelte'
import PlainText from './PlainText.svelte'

export interface MimeRendererProps {
  mime: string
  data: unknown
  metadata: Record<string, unknown>
}

const RENDERERS: Record<string, Component<MimeRendererProps>> = {
  'text/html': HtmlFrame,
  'text/markdown': MarkdownOutput,
  'text/latex': LatexOutput,
  'image/svg+xml': ImageOutput,
  'image/png': ImageOutput,
  'image/jpeg': ImageOutput,
  'image/gif': ImageOutput,
  'image/webp': ImageOutput,
  'application/json': JsonOutput,
  'text/plain': PlainText
}

export function rendererFor(
  bundle: MimeBundle
): { mime: string; component: Component<MimeRendererProps> } | null {
  const mime = preferredMime(bundle)
  const component = mime ? RENDERERS[mime] : undefined
  return mime && component ? { mime, component } : null
}
