"""Hostile model output: at least 100 payloads that try to fetch, navigate, run or restyle.

``corpus(base)`` takes the tracker's base URL (``http://127.0.0.1:PORT``): every payload that can
make a request points there, so a single fetch by the renderer shows up as a tracker hit.
"""

from __future__ import annotations

RTL = "\u202e"
LRO = "\u202d"


def corpus(base: str) -> list[str]:
    p: list[str] = []
    # Raw HTML and script.
    p += [
        f"<script>fetch('{base}/script')</script>",
        f"<script src='{base}/script.js'></script>",
        "<script>document.body.innerHTML='owned'</script>",
        f"<SCRIPT>new Image().src='{base}/upper'</SCRIPT>",
        f"<scr<script>ipt>fetch('{base}/split')</script>",
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
        f"<body onload=\"fetch('{base}/onload')\">",
        f'<div style="background:url({base}/div-bg.png)">styled</div>',
        f'<meta http-equiv="refresh" content="0;url={base}/refresh">',
        f'<link rel="stylesheet" href="{base}/style.css">',
        f"<base href='{base}/base/'>[relative](x.html)",
        f'<form action="{base}/form"><input type=submit></form>',
        '<span style="font-size:300pt">HUGE</span>',
        '<font size="7" color="red">LOUD</font>',
        "<h1>fake heading</h1><hr><table><tr><td>cell</td></tr></table>",
    ]
    # Images, remote and local, markdown and HTML, tracking pixels.
    for name in ("a.png", "pixel.gif?leak=secret", "1x1.gif?u=user&k=key", "b.svg", "c.webp"):
        p.append(f"![x]({base}/{name})")
        p.append(f"<img src={base}/{name}>")
        p.append(f'<img src="{base}/{name}" width="1" height="1">')
    p += [
        f'<img src="x" onerror="fetch(\'{base}/onerror\')">',
        f'<img srcset="{base}/srcset-1x.png 1x, {base}/srcset-2x.png 2x">',
        f"<picture><source srcset='{base}/picture.webp'><img src='{base}/pic.png'></picture>",
        f'![title]({base}/titled.png "a title")',
        f"[![badge]({base}/badge.svg)]({base}/badge-link)",
        "![local](file:///etc/hosts)",
        "![local2](/etc/passwd)",
        "![data](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==)",
        f"![ref][px]\n\n[px]: {base}/reference.png",
        f"![ref2][]\n\n[ref2]: {base}/reference2.png",
        f"<video src='{base}/v.mp4' poster='{base}/poster.png'></video>",
        f"<audio src='{base}/a.mp3' autoplay></audio>",
    ]
    # Links with dangerous schemes, markdown and HTML.
    schemes = [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(2)",
        "javascript&#58;alert(3)",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "file://localhost/etc/shadow",
        "data:text/html,%3Cscript%3Ealert(1)%3C/script%3E",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        f"{base}/http-link",
        "ftp://127.0.0.1/x",
        "smb://127.0.0.1/share",
        "qrc:/icons/x.png",
        "about:blank",
        "mailto:someone@example.com?subject=leak",
        "tel:+15555550100",
    ]
    for target in schemes:
        p.append(f"[click me]({target})")
        p.append(f'<a href="{target}">html link</a>')
    # Autolinks, reference-style links, bare URLs.
    p += [
        f"<{base}/autolink>",
        "<javascript:alert(4)>",
        "<file:///etc/passwd>",
        "<someone@example.com>",
        f"{base}/bare-url and www.example.com/path",
        f"[ref link][r1]\n\n[r1]: {base}/ref-link",
        "[ref js][r2]\n\n[r2]: javascript:alert(5)",
        "[ref file][r3]\n\n[r3]: file:///etc/passwd",
        "[collapsed][]\n\n[collapsed]: file:///etc/hostname",
        f"[shortcut]\n\n[shortcut]: {base}/shortcut",
    ]
    # Frames, objects, embeds, SVG.
    p += [
        f"<iframe src='{base}/frame'></iframe>",
        "<iframe srcdoc='<script>alert(1)</script>'></iframe>",
        f"<object data='{base}/object.swf'></object>",
        f"<embed src='{base}/embed.svg'>",
        f"<svg><image href='{base}/svg-image.png'/></svg>",
        f"<svg xmlns='http://www.w3.org/2000/svg'><script>fetch('{base}/svg-script')</script></svg>",
        "<svg onload=alert(1)>",
        f"<svg><use href='{base}/sprite.svg#x'/></svg>",
        f"<math><mtext><img src={base}/mathml.png></mtext></math>",
    ]
    # CSS.
    p += [
        f"<style>body{{background:url({base}/css-bg.png)}}</style>",
        f"<style>@import url({base}/import.css);</style>",
        f"<style>@font-face{{font-family:x;src:url({base}/font.woff)}}</style>",
        f"<p style=\"background-image:url('{base}/inline-bg.png')\">x</p>",
        f'<span style="list-style:url({base}/list.png)">x</span>',
        f"```css\nbody {{ background: url({base}/in-code.png) }}\n```",
    ]
    # Text direction and look-alikes.
    p += [
        f"[{RTL}gpj.exe]({base}/rtl)",
        f"Download {RTL}fdp.exe now",
        f"{LRO}abc{RTL}def\u202c tail",
        f"[https://example.com](file:///etc/passwd) {RTL}moc.elpmaxe",
        "\u200b\u200c\u200d zero width \ufeff bom",
        "[раураl.com](javascript:alert(6))",
    ]
    # HTML entities and escapes.
    p += [
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&#x3C;img src=x onerror=alert(1)&#x3E;",
        f"<a href=\"&#x6A;avascript:alert(7)\">entity js</a> <a href='{base}/&#x61;mp'>e</a>",
        "&amp;lt;b&amp;gt; double &nbsp; &copy; &#0; &#xD800;",
        "\\<script\\>escaped\\</script\\>",
    ]
    # Markdown structure abuse.
    p += [
        "# " * 50 + "deep",
        "> " * 200 + "deep quote",
        "- " * 200 + "deep list",
        "```\n" + f"<img src={base}/in-fence.png>\n" * 3 + "```",
        f"`<img src={base}/inline-code.png>`",
        "| a | b |\n|---|---|\n" + f"| <img src={base}/table.png> | [x](javascript:alert(8)) |\n",
        "[" * 500 + "x" + "](y)" * 500,
        "*" * 3000,
        "<" * 2000 + ">" * 2000,
        "\x00\x01\x07\x1b[31mANSI\x1b[0m",
    ]
    return p
