"""IPython.lib.display's objects (Audio, FileLink(s), IFrame and the videos) render as real
IPython renders them (Debian's python3-ipython, run in a separate interpreter in the same folder)."""
import json
import subprocess
import sys
import wave

SETUP = """
from IPython.lib.display import Audio, FileLink, FileLinks, IFrame, ScribdDocument, VimeoVideo, YouTubeVideo
"""

EXPRESSIONS = [
    "Audio([0.0, 0.25, -0.5, 1.0], rate=8000)._repr_html_()",
    "Audio([0.0, 0.25, -0.5, 1.0], rate=8000, normalize=False, autoplay=True, element_id='a')._repr_html_()",
    "Audio('tone.wav')._repr_html_()",
    "Audio(filename='tone.wav', embed=True).mimetype",
    "FileLink('data.txt')._repr_html_()",
    "repr(FileLink('data.txt'))",
    "FileLink('missing.txt')._repr_html_()",
    "FileLinks('folder')._repr_html_()",
    "repr(FileLinks('folder'))",
    "FileLinks('folder', included_suffixes=['.csv'], recursive=False)._repr_html_()",
    "IFrame('https://example.org/page', 400, 300, extras=['loading=\"lazy\"'], q='x y')._repr_html_()",
    "YouTubeVideo('dQw4w9WgXcQ', start=30, allow_autoplay=True)._repr_html_()",
    "VimeoVideo('123')._repr_html_()",
    "ScribdDocument(71048089, start_page=3, view_mode='book')._repr_html_()",
]

NATIVE = r"""
import json, sys
setup, expressions = json.load(sys.stdin)
namespace = {}
exec(setup, namespace)
print(json.dumps([eval(e, namespace) for e in expressions]))
"""


def make_files(folder):
    with wave.open(str(folder / "tone.wav"), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(bytes(range(64)))
    (folder / "data.txt").write_text("x")
    (folder / "folder" / "sub").mkdir(parents=True)
    for name in ("a.csv", "b.txt", "sub/c.csv"):
        (folder / "folder" / name).write_text(name)


def test_lib_display_objects_render_as_in_ipython(kernel, tmp_path):
    make_files(tmp_path)  # the kernel fixture runs in tmp_path
    namespace = {}
    exec(SETUP, namespace)
    ours = [eval(e, namespace) for e in EXPRESSIONS]
    done = subprocess.run(
        [sys.executable, "-I", "-c", NATIVE],
        input=json.dumps([SETUP, EXPRESSIONS]),
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert done.returncode == 0, (
        "this comparison needs the real IPython next to the Python that runs pytest "
        f"(on Debian: apt-get install python3-ipython):\n{done.stderr}"
    )
    theirs = json.loads(done.stdout)
    assert [(e, a) for e, a, b in zip(EXPRESSIONS, ours, theirs) if a != b] == []


def test_the_display_module_offers_them_as_notebooks_import_them(kernel):
    result = kernel.run(
        "from IPython.display import Audio, FileLink, FileLinks, IFrame, YouTubeVideo, VimeoVideo, ScribdDocument, Code\n"
        "YouTubeVideo('abc')"
    )
    assert result.status == 0, result.error
    (kind, bundle), = [r for r in result.records if r[0] == "execute_result"]
    # No thumbnail: IPython fetches it from img.youtube.com, and the sandbox has no network.
    assert sorted(bundle["data"]) == ["text/html", "text/plain"]
    assert 'src="https://www.youtube.com/embed/abc"' in bundle["data"]["text/html"]


def test_audio_from_a_url_says_the_sandbox_has_no_network(kernel):
    result = kernel.run("from IPython.display import Audio\nAudio(url='https://example.org/a.wav')")
    assert "no network" in result.error["evalue"]
