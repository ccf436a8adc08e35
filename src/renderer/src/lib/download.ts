/** Offers text to the user as a file (Blob + <a download>); works in the browser and in Electron. */
export function downloadText(filename: string, content: string, mimeType = 'text/plain'): void {
  const url = URL.createObjectURL(new Blob([content], { type: mimeType }))
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
