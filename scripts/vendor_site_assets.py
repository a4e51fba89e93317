"""Vendor the website's design system into the package: the compiled CSS of `nhsuk-frontend`
(npm, MIT) with every `url()` that would leave the site removed (the Frutiger web font on
assets.nhs.uk, icons at the server's root), so the site stays offline; and its licence.

    python scripts/vendor_site_assets.py            # npm pack nhsuk-frontend@NHSUK_VERSION
"""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

NHSUK_VERSION = "10.6.1"
CSS_MEMBER = "package/dist/nhsuk/nhsuk-frontend.min.css"
STATIC = Path(__file__).resolve().parent.parent / "oshs" / "site" / "static"
FONT_FACE = re.compile(r"@font-face\{[^}]*\}")
URL = re.compile(r"url\([^)]*\)")
LICENCE = """nhsuk-frontend {version} (https://github.com/nhsuk/nhsuk-frontend), compiled CSS
(dist/nhsuk/nhsuk-frontend.min.css) vendored by scripts/vendor_site_assets.py with its
@font-face rules and url() references removed.

MIT License

Copyright (c) 2019 NHS.UK

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


def offline_css(css: str) -> str:
    """`css` without @font-face rules and with every `url()` replaced by `none`."""
    css = re.sub(r"/\*#\s*sourceMappingURL=[^*]*\*/", "", FONT_FACE.sub("", css))
    return URL.sub("none", css)


def main() -> int:
    """Fetch the pinned nhsuk-frontend with `npm pack` and write the assets."""
    with tempfile.TemporaryDirectory() as work:
        subprocess.run(["npm", "pack", f"nhsuk-frontend@{NHSUK_VERSION}", "--silent",
                        "--pack-destination", work], check=True)  # fmt: skip
        tarball = next(Path(work).glob("*.tgz"))
        with tarfile.open(tarball) as archive:
            member = archive.extractfile(CSS_MEMBER)
            assert member is not None
            css = member.read().decode("utf-8")
    STATIC.mkdir(parents=True, exist_ok=True)
    (STATIC / "nhsuk-frontend.min.css").write_text(offline_css(css).strip() + "\n",
                                                   encoding="utf-8")  # fmt: skip
    (STATIC / "LICENSE-nhsuk-frontend.txt").write_text(LICENCE.format(version=NHSUK_VERSION),
                                                       encoding="utf-8")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
