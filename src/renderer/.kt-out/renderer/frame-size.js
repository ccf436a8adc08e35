// Runs inside the sandboxed output iframe (opaque origin, no allow-same-origin). It only reports
// the content height to the parent, which validates the message's source and shape.
;(function () {
  var last = -1
  function report() {
    var h = Math.ceil(document.documentElement.scrollHeight)
    if (h !== last) {
      last = h
      parent.postMessage({ type: 'fuelbook:frame-size', height: h }, '*')
    }
  }
  // Sized by the parent from now on: no inner scrollbar.
  document.documentElement.style.overflow = 'hidden'
  if (document.body) document.body.style.overflowY = 'hidden'
  addEventListener('load', report)
  if (typeof ResizeObserver === 'function') new ResizeObserver(report).observe(document.documentElement)
  report()
})()
