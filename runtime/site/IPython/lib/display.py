"""IPython.lib.display: the part notebooks use without the network (Code)."""
__all__ = ["Code"]


class Code:
    """Display syntax-highlightable source code (IPython.display.Code).

    data: the code, or the name of a file in the sandbox (filename= also works); no URLs (the
    sandbox has no network). Shown as an HTML <pre> block and as the plain text."""

    def __init__(self, data=None, url=None, filename=None, language=None):
        if url is not None:
            from IPython.core.display import _no_urls

            _no_urls(type(self), url)
        if filename is None and isinstance(data, str) and "\n" not in data:
            import os

            if os.path.isfile(data):
                filename, data = data, None
        if filename is not None:
            with open(filename, encoding="utf-8") as f:
                data = f.read()
        if not isinstance(data, str):
            raise TypeError(f"Code expects text, not {data!r}")
        self.data = data
        self.filename = filename
        self.language = language

    def __repr__(self):
        return self.data

    def _repr_html_(self):
        import html  # here, not at import: html.entities is large

        language = f' class="language-{html.escape(self.language)}"' if self.language else ""
        return f"<pre><code{language}>{html.escape(self.data)}</code></pre>"

    def _repr_latex_(self):
        return "\\begin{verbatim}\n" + self.data + "\n\\end{verbatim}"
