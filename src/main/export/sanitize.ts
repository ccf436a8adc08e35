/**
 * Allow-list sanitiser for HTML that ends up in the report page itself (rendered markdown). DOMPurify
 * needs a browser-grade DOM, and linkedom is not one (DOMPurify reports itself unsupported there and
 * would return its input untouched), so the page is parsed with linkedom and *re-serialised from the
 * tree* keeping only known-inert tags and attributes. Because we write every byte of the output
 * (text escaped, attributes quoted and escaped), a parser difference between linkedom and the
 * browser can only lose markup, never smuggle it in. SVG and MathML are dropped whole (namespace
 * confusion is where mutation XSS lives); HTML outputs never come here, they go to a sandboxed iframe.
 */
import { parseHTML } from 'linkedom'
import { escapeHtml } from './escape'

/** Resolves an image `src` (e.g. `attachment:plot.png`) to a data: URL, or null to drop the image. */
export type ImageResolver = (src: string) => string | null

const INLINE_AND_BLOCK = [
  'a',
  'abbr',
  'b',
  'blockquote',
  'br',
  'caption',
  'cite',
  'code',
  'col',
  'colgroup',
  'dd',
  'del',
  'details',
  'dfn',
  'div',
  'dl',
  'dt',
  'em',
  'figcaption',
  'figure',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'hr',
  'i',
  'img',
  'input',
  'ins',
  'kbd',
  'li',
  'mark',
  'ol',
  'p',
  'pre',
  'q',
  's',
  'samp',
  'small',
  'span',
  'strong',
  'sub',
  'summary',
  'sup',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
  'u',
  'ul',
  'var',
  'wbr'
]
const ALLOWED_TAGS = new Set(INLINE_AND_BLOCK)

/** Elements whose content is code, styling or a foreign namespace: dropped with everything inside. */
const DROPPED_WITH_CONTENT = new Set([
  'script',
  'style',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'template',
  'noscript',
  'noembed',
  'noframes',
  'textarea',
  'title',
  'xmp',
  'plaintext',
  'svg',
  'math',
  'select',
  'option',
  'head',
  'meta',
  'link',
  'base',
  'audio',
  'video',
  'canvas',
  'portal'
])

const VOID = new Set(['br', 'hr', 'img', 'col', 'input', 'wbr'])

const GLOBAL_ATTRS = new Set(['title', 'lang', 'dir'])
const TAG_ATTRS: Record<string, Set<string>> = {
  a: new Set(['href']),
  img: new Set(['src', 'alt', 'width', 'height']),
  td: new Set(['align', 'colspan', 'rowspan']),
  th: new Set(['align', 'colspan', 'rowspan', 'scope']),
  col: new Set(['span']),
  colgroup: new Set(['span']),
  ol: new Set(['start', 'reversed', 'type']),
  li: new Set(['value']),
  details: new Set(['open']),
  input: new Set(['type', 'checked', 'disabled'])
}

const NUMERIC_ATTRS = new Set(['width', 'height', 'colspan', 'rowspan', 'span', 'start', 'value'])

// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u0020\u007f-\u009f]/g
const RASTER_DATA_URL_RE = /^data:image\/(png|jpeg|gif|webp|svg\+xml)(;base64)?,/i

/** Links: any URL without a scheme (a #fragment, a relative path), or http(s) and mailto. */
function isSafeHref(url: string): boolean {
  const compact = url.replace(CONTROL_RE, '')
  if (!/^[^:/?#]*:/.test(compact)) return true
  return /^(https?|mailto):/i.test(compact)
}

/** Images must be embedded: the report makes no requests. */
export function isEmbeddedImage(url: string): boolean {
  return RASTER_DATA_URL_RE.test(url.replace(CONTROL_RE, ''))
}

interface DomNode {
  nodeType: number
  localName?: string
  textContent: string | null
  childNodes: ArrayLike<DomNode>
  attributes?: ArrayLike<{ name: string; value: string }>
}

/** One parsing document for all calls (making a window per call costs more than the parse). */
let scratch: Document | null = null

export function sanitizeHtml(html: string, resolveImage: ImageResolver = () => null): string {
  scratch ??= parseHTML('<!doctype html><html><head></head><body></body></html>')
    .document as unknown as Document
  const holder = scratch.createElement('div')
  holder.innerHTML = html
  const out: string[] = []
  writeChildren(holder as unknown as DomNode, out, resolveImage)
  return out.join('')
}

function writeChildren(node: DomNode, out: string[], resolveImage: ImageResolver): void {
  const children = node.childNodes
  for (let i = 0; i < children.length; i++) writeNode(children[i]!, out, resolveImage)
}

function writeNode(node: DomNode, out: string[], resolveImage: ImageResolver): void {
  if (node.nodeType === 3) {
    out.push(escapeHtml(node.textContent ?? ''))
    return
  }
  if (node.nodeType !== 1) return // comments, processing instructions, doctypes
  const tag = (node.localName ?? '').toLowerCase()
  if (DROPPED_WITH_CONTENT.has(tag)) return
  if (!ALLOWED_TAGS.has(tag)) {
    // Unknown wrapper (<center>, <font>, <form>…): keep what it says, not what it is.
    writeChildren(node, out, resolveImage)
    return
  }
  const attrs = safeAttributes(tag, node, resolveImage)
  if (attrs === null) return
  if (tag === 'img' && !attrs.some(([name]) => name === 'src')) {
    // An external or unknown image: show its alt text instead of making a request.
    const alt = attrs.find(([name]) => name === 'alt')?.[1]
    out.push(`<span class="missing-image">[image${alt ? ': ' + escapeHtml(alt) : ''}]</span>`)
    return
  }
  out.push(`<${tag}`)
  for (const [name, value] of attrs) out.push(` ${name}="${escapeHtml(value)}"`)
  if (tag === 'a') out.push(' rel="noopener noreferrer"')
  out.push('>')
  if (VOID.has(tag)) return
  writeChildren(node, out, resolveImage)
  out.push(`</${tag}>`)
}

/** The attributes to keep, in order; null drops the element (an input that is not a checkbox). */
function safeAttributes(tag: string, node: DomNode, resolveImage: ImageResolver): [string, string][] | null {
  const kept: [string, string][] = []
  const list = node.attributes ?? []
  const allowed = TAG_ATTRS[tag]
  for (let i = 0; i < list.length; i++) {
    const name = list[i]!.name.toLowerCase()
    let value = list[i]!.value
    if (!GLOBAL_ATTRS.has(name) && !allowed?.has(name)) continue
    if (NUMERIC_ATTRS.has(name) && !/^\d{1,5}(%|px)?$/.test(value.trim())) continue
    if (name === 'href') {
      if (!isSafeHref(value)) continue
    } else if (name === 'src') {
      const resolved = isEmbeddedImage(value) ? value : resolveImage(value.trim())
      if (!resolved || !isEmbeddedImage(resolved)) continue
      value = resolved
    } else if (name === 'type' && tag === 'input') {
      if (value.toLowerCase() !== 'checkbox') return null
    }
    kept.push([name, value])
  }
  if (tag === 'input') {
    if (!kept.some(([n]) => n === 'type')) return null
    if (!kept.some(([n]) => n === 'disabled')) kept.push(['disabled', ''])
  }
  return kept
}
