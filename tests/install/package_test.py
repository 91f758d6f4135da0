#!/usr/bin/env python3
"""The Debian package and what it installs (docs/PACKAGING.md), checked as a user's machine would see them.

usage: package_test.py BUILD_DIR WORK_DIR

Builds the package from the release build (cpack -G DEB), unpacks it into an empty folder (a staging prefix:
nothing of the build or source tree is reachable from there), and runs the installed programs: the CLI's
`info` on the installed demo, the desktop app's offscreen screenshot (its pixels counted). Then the
package's metadata and desktop files through Debian's own checkers (lintian with no errors,
desktop-file-validate, appstreamcli validate), the man pages, the CLI's bash completion, and the file types
(update-mime-database, then GIO's guess for a native model, a PyTorch, ONNX and Keras file).
"""
import glob
import gzip
import os
import shutil
import subprocess
import sys

BUILD, WORK = sys.argv[1], sys.argv[2]
APP_ID = "io.github.lstmscope.LSTMScope"


def run(command, env=None, expect=0):
    result = subprocess.run(command, capture_output=True, text=True, timeout=600,
                            env=dict(os.environ, **(env or {})))
    if result.returncode != expect:
        sys.exit(f"FAIL: {' '.join(command)}: exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
run(["cpack", "-G", "DEB", "--config", os.path.join(BUILD, "CPackConfig.cmake"), "-B", WORK])
debs = glob.glob(os.path.join(WORK, "lstmscope_*_amd64.deb"))
assert len(debs) == 1, os.listdir(WORK)
deb = debs[0]
root = os.path.join(WORK, "root")
run(["dpkg-deb", "-x", deb, root])
usr = os.path.join(root, "usr")

# Every file a user and the desktop look for, where Debian puts it.
expected = ["bin/lstmscope", "bin/lstmscope-cli", "share/man/man1/lstmscope.1.gz", "share/man/man1/lstmscope-cli.1.gz",
            "share/bash-completion/completions/lstmscope-cli", f"share/applications/{APP_ID}.desktop",
            f"share/metainfo/{APP_ID}.metainfo.xml", "share/mime/packages/lstmscope.xml",
            f"share/icons/hicolor/scalable/apps/{APP_ID}.svg", "share/doc/lstmscope/copyright",
            "share/doc/lstmscope/changelog.gz", "share/doc/lstmscope/README.md", "share/doc/lstmscope/CLI.md",
            "share/doc/lstmscope/PACKAGING.md", "share/lstmscope/examples/python_char.h5",
            "share/lstmscope/examples/sample.py"]
expected += [f"share/icons/hicolor/{n}x{n}/apps/{APP_ID}.png" for n in (16, 24, 32, 48, 64, 128, 256)]
missing = [f for f in expected if not os.path.isfile(os.path.join(usr, f))]
assert not missing, f"the package lacks {missing}"
from PIL import Image  # noqa: E402 (the oracle interpreter has Pillow)
for n in (16, 256):
    icon = Image.open(os.path.join(usr, f"share/icons/hicolor/{n}x{n}/apps/{APP_ID}.png"))
    assert icon.size == (n, n) and len(icon.convert("RGBA").getcolors(1 << 16) or []) > 8, f"the {n} px icon is blank"
print(f"{os.path.basename(deb)}: {len(expected)} expected files in place")

# The installed programs run from the staging prefix: nothing from the build or source tree.
cli = os.path.join(usr, "bin", "lstmscope-cli")
info = run([cli, "info", os.path.join(usr, "share/lstmscope/examples/python_char.h5")]).stdout
assert "lstm 0: 256 units" in info, info
shot = os.path.join(WORK, "installed.png")
app = run([os.path.join(usr, "bin", "lstmscope"), "--size", "1280x800", "--screenshot", shot],
          env={"QT_QPA_PLATFORM": "offscreen"})
assert "analysis shown" in app.stdout + app.stderr, app.stdout + app.stderr
colours = len(Image.open(shot).convert("RGB").getcolors(1 << 20) or [])
assert colours > 100, f"the installed app's screenshot has {colours} colours: nothing drawn"
print(f"installed lstmscope-cli info reads the installed demo; installed lstmscope draws it ({colours} colours)")

# Debian's checkers.
lintian = run(["lintian", "--fail-on", "error", "--tag-display-limit", "0", deb])
assert "E:" not in lintian.stdout, lintian.stdout
run(["desktop-file-validate", os.path.join(usr, f"share/applications/{APP_ID}.desktop")])
run(["appstreamcli", "validate", "--no-net", os.path.join(usr, f"share/metainfo/{APP_ID}.metainfo.xml")])
print("lintian: no errors" + (f" ({len(lintian.stdout.splitlines())} warnings or notes)" if lintian.stdout else "")
      + "; desktop-file-validate and appstreamcli validate: clean")

# Man pages: each names its program and lists its options.
for program, option in [("lstmscope", "screenshot"), ("lstmscope-cli", "probe")]:
    page = gzip.open(os.path.join(usr, f"share/man/man1/{program}.1.gz"), "rt").read()
    assert f".TH {program.upper()} \"1\"" in page and option in page, page[:400]
    assert "/work" not in page and "build/" not in page, "the page names a build path"

# bash completion: commands, then a command's options, read from the installed program's --help.
completion = os.path.join(usr, "share/bash-completion/completions/lstmscope-cli")
script = (f"source /usr/share/bash-completion/bash_completion; source {completion}; "
          "COMP_WORDS=(lstmscope-cli pro); COMP_CWORD=1; COMP_LINE='lstmscope-cli pro'; COMP_POINT=17; "
          "_lstmscope_cli; echo \"${COMPREPLY[*]}\"; "
          "COMP_WORDS=(lstmscope-cli probe --lab); COMP_CWORD=2; COMP_LINE='lstmscope-cli probe --lab'; "
          "COMP_POINT=25; _lstmscope_cli; echo \"${COMPREPLY[*]}\"")
lines = run(["bash", "-c", script], env={"PATH": os.path.join(usr, "bin") + ":" + os.environ["PATH"]}).stdout.split("\n")
assert lines[0] == "probe" and lines[1] == "--label", lines
print("bash completion: 'pro' -> probe, 'probe --lab' -> --label")

# File types: a native model and a trace (recorded by the installed CLI) recognised by their contents (named
# without .h5, so that their names decide nothing), and the foreign model files by name.
run(["update-mime-database", os.path.join(usr, "share/mime")])
demo = os.path.join(usr, "share/lstmscope/examples/python_char.h5")
trace = os.path.join(WORK, "recorded.h5")
run([cli, "record", "--model", demo, "--text", "print('hello')\n", "--out", trace])
samples = {"model": ("application/x-lstmscope-model", open(demo, "rb").read()),
           "trace": ("application/x-lstmscope-trace", open(trace, "rb").read()),
           "lm.pt": ("application/x-pytorch", b"PK\x03\x04" + bytes(60)),
           "vad.onnx": ("application/x-onnx", bytes(range(64))),
           "classifier.keras": ("application/x-keras", b"PK\x03\x04" + bytes(60))}
for name, (mime, data) in samples.items():
    path = os.path.join(WORK, name)
    open(path, "wb").write(data)
    guessed = run(["gio", "info", "-a", "standard::content-type", path],
                  env={"XDG_DATA_HOME": os.path.join(usr, "share")}).stdout
    assert f"standard::content-type: {mime}" in guessed, f"{name}: {guessed}"
print("file types: a native model and a trace by their contents, .pt, .onnx and .keras by name")
