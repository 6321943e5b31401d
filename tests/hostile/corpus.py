"""Hostile inputs: XSS and HTML-injection attempts that every field a member writes must survive.

Each payload is a template: "{m}" stands for a marker unique to the payload (see `Payload.text`),
placed in the value of every attribute the payload tries to inject, so that a check can tell an
attribute that came from the input from one the templates wrote. Payloads are grouped by what they
attack; `ids` names each one for parametrised tests and failure messages.

None holds a NUL or another C0 control character: those are the property tests' business
(test_properties.py), and go through the forms' central filter rather than the services used here.
"""

import re
from dataclasses import dataclass

# Strings a template engine would produce had it evaluated one of the TEMPLATE payloads.
EVALUATED = ("49", "7777777", "<Config", "loop loop", "{'", "<function", "<bound", "<built-in")


# Every marker, and nothing a page would otherwise hold.
MARKER = re.compile(r"zq\d{3}k")


@dataclass(frozen=True)
class Payload:
    group: str
    index: int
    source: str

    @property
    def marker(self) -> str:
        # Letters and digits only: no Markdown, linkify or @mention rule touches it.
        return f"zq{self.index:03d}k"

    def text(self, *, one_line: bool = False) -> str:
        """The payload as a member would write it; one_line for single-line fields (title,
        name), where the forms collapse runs of white space. The marker is always in the text,
        written after the payload when the payload has no "{m}" of its own."""
        text = self.source.replace("{m}", self.marker)
        if self.marker not in text:
            text = f"{text}\n\n{self.marker}"
        return " ".join(text.split()) if one_line else text

    @property
    def id(self) -> str:
        return f"{self.group}-{self.index}"


_GROUPS: dict[str, list[str]] = {
    "script": [
        "<script>alert('{m}')</script>",
        "<SCRIPT SRC=//evil.example/{m}.js></SCRIPT>",
        "<script>window.__xss='{m}'</script>",
        "<scr<script>ipt>alert('{m}')</scr</script>ipt>",
        "\"><script>alert('{m}')</script>",
        "</title><script>alert('{m}')</script>",
        "</textarea><script>alert('{m}')</script>",
        "<script src=\"data:text/javascript,alert('{m}')\"></script>",
    ],
    "event": [
        "<img src=x onerror=\"alert('{m}')\">",
        "<img/src=x/onerror=alert('{m}')>",
        "<body onload=alert('{m}')>",
        "<svg onload=alert('{m}')>",
        "<div onmouseover=\"alert('{m}')\">hover</div>",
        "<input autofocus onfocus=alert('{m}')>",
        "<details open ontoggle=alert('{m}')>",
        "<video><source onerror=alert('{m}')></video>",
        "<x onclick=alert('{m}')>click",
        "\" onmouseover=\"alert('{m}')",
        "' onfocus='alert(`{m}`)' autofocus='",
        "<p style=\"x:expression(alert('{m}'))\">x</p>",
        "<div style=\"background:url(javascript:alert('{m}'))\">x</div>",
    ],
    "embed": [
        "<iframe src=\"javascript:alert('{m}')\"></iframe>",
        "<iframe srcdoc=\"<script>alert('{m}')</script>\"></iframe>",
        "<object data=\"javascript:alert('{m}')\"></object>",
        "<form action=\"javascript:alert('{m}')\"><button>go</button></form>",
        "<button formaction=\"javascript:alert('{m}')\">go</button>",
        '<meta http-equiv="refresh" content="0;url=javascript:alert(\'{m}\')">',
        "<base href=\"javascript:alert('{m}')//\">",
        "<style>@import 'javascript:alert(\"{m}\")';</style>",
        "<a href=\"&#x6A;avascript&colon;alert('{m}')\">x</a>",
        '<a href="https://example.org/{m}" target="_blank" rel="opener">x</a>',
    ],
    "link": [
        "[click](javascript:alert('{m}'))",
        "[click](JaVaScRiPt:alert('{m}'))",
        "[click](&#106;avascript:alert('{m}'))",
        "[click](java&#09;script:alert('{m}'))",
        "[click](java\u200bscript:alert('{m}'))",
        "[click](<javascript:alert('{m}')>)",
        "[click](vbscript:msgbox('{m}'))",
        "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==#{m})",
        "[click](DATA:text/html,<script>alert('{m}')</script>)",
        "[click](data:image/svg+xml,<svg/onload=alert('{m}')>)",
        "[click](javascript://example.org/%0Aalert('{m}'))",
        '[click](https://example.org/{m} "t\\" onmouseover=\\"alert(1)")',
        "[click](https://example.org/{m} 'x\" onclick=\"alert(1)')",
        '[a](https://example.org/{m}"onmouseover="alert(1))',
        '[x](https://example.org/{m} "x\\" hx-get=\\"/auth/logout\\" hx-trigger=\\"load")',
        "[<img src=x onerror=alert('{m}')>](https://example.org/{m})",
        "[x](https://example.org/{m})<script>alert('{m}')</script>",
        "[x](//evil.example/{m})",
    ],
    "autolink": [
        "<javascript:alert('{m}')>",
        "<data:text/html,<script>alert('{m}')</script>>",
        '<https://example.org/{m}?q="><script>alert(1)</script>>',
        'https://example.org/{m}?"><script>alert(1)</script>',
        'www.example.org/{m}"onmouseover="alert(1)',
        "javascript:alert('{m}')",
        "mailto:someone@example.org?body=<script>{m}</script>",
        "<someone@example.org\" onmouseover=\"alert('{m}')>",
    ],
    "reference": [
        "[ref link][r{m}]\n\n[r{m}]: javascript:alert('{m}')",
        '[r{m}]\n\n[r{m}]: https://example.org/{m} "t\\" onclick=\\"alert(1)"',
        "[x][y{m}]\n\n[y{m}]: <javascript:alert('{m}')>",
        "[x][y{m}]\n\n[y{m}]: data:text/html,alert('{m}')",
        "[x]\n\n[x]: VBSCRIPT:msgbox('{m}')",
    ],
    "image": [
        "![img](javascript:alert('{m}'))",
        "![x\" onerror=\"alert('{m}')](https://example.org/i.png)",
        '![img](https://example.org/{m}.png "\\" onerror=\\"alert(1)")',
        "[![img](x)](javascript:alert('{m}'))",
        "![img](data:image/svg+xml;base64,PHN2Zy8+#{m})",
    ],
    "markdown": [
        "**<script>alert('{m}')</script>**",
        "`<script>alert('{m}')</script>`",
        "```html\n<script>alert('{m}')</script>\n```",
        "```\" onmouseover=\"alert('{m}')\n</code><script>alert(1)</script>\n```",
        "    <script>alert('{m}')</script>",
        "> <script>alert('{m}')</script>",
        "# <img src=x onerror=alert('{m}')>",
        "Setext {m}\n===\n<script>alert(1)</script>",
        "@admin <script>alert('{m}')</script>",
    ],
    "raw_html": [
        "<div>\n<script>alert('{m}')</script>\n</div>",
        "<!-- <script>alert('{m}')</script> -->",
        "<![CDATA[<script>alert('{m}')</script>]]>",
        "<table><tr><td><img src=x onerror=alert('{m}')></td></tr></table>",
        "<pre>\n<img src=x onerror=alert('{m}')>\n</pre>",
    ],
    "svg_math": [
        "<svg><script>alert('{m}')</script></svg>",
        '<svg><a xlink:href="javascript:alert(\'{m}\')"><text x="20" y="20">x</text></a></svg>',
        "<svg><animate onbegin=alert('{m}') attributeName=x dur=1s>",
        '<svg><set attributeName="href" to="javascript:alert(\'{m}\')"/></svg>',
        "<svg><foreignObject><iframe srcdoc=\"&lt;script&gt;alert('{m}')&lt;/script&gt;\">"
        "</iframe></foreignObject></svg>",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert('{m}')>",
        '<math><maction actiontype="statusline" xlink:href="javascript:alert(\'{m}\')">x'
        "</maction></math>",
    ],
    "mutation": [
        "<noscript><p title=\"</noscript><img src=x onerror=alert('{m}')>\">",
        "<style><img src=x onerror=alert('{m}')></style>",
        "<textarea><img src=x onerror=alert('{m}')></textarea>",
        "<template><img src=x onerror=alert('{m}')></template>",
        "<!--><img src=x onerror=alert('{m}')>-->",
        "<!--a--!><img src=x onerror=alert('{m}')>-->",
        "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert('{m}')>",
        '<select><template><style><!--</style><a rel="--></style></template></select>'
        "<img src=x onerror=alert('{m}')>\">",
        "<listing>&lt;img src=x onerror=alert('{m}')&gt;</listing>",
    ],
    "htmx": [
        '<div hx-get="/auth/logout?{m}" hx-trigger="load">x</div>',
        '<button hx-post="/account/close?{m}" hx-trigger="load">x</button>',
        "<div hx-on:click=\"alert('{m}')\">x</div>",
        "<div hx-on::load=\"alert('{m}')\">x</div>",
        '<div data-hx-get="/auth/logout?{m}" data-hx-trigger="load">x</div>',
        "<div data-hx-on:click=\"alert('{m}')\">x</div>",
        '<div hx-vals=\'js:{a: alert("{m}")}\' hx-post="/{m}">x</div>',
        '<a href="/{m}" hx-boost="true" hx-headers=\'{"X-{m}": "1"}\'>x</a>',
        '<div hx-swap-oob="true:#main-content" id="main-content-{m}">{m}</div>',
        '" hx-get="/auth/logout?{m}" hx-trigger="load',
        "<img src=x hx-on:htmx:load=\"alert('{m}')\">",
    ],
    "template": [
        "{m} {{7*7}}",
        "{m} {{ 7*'7' }}",
        "{m} {{config}}",
        "{m} {{ self.__init__.__globals__ }}",
        "{m} {% for x in range(2) %}loop {% endfor %}",
        "{m} {% raw %}{{7*7}}{% endraw %}",
        "{m} ${7*7} #{7*7} <%= 7*7 %> {{=7*7}}",
        "{m} {%- set x = 7*7 -%}{{x}}",
    ],
    "encoding": [
        "&lt;script&gt;alert('{m}')&lt;/script&gt;",
        "&#60;script&#62;alert('{m}')&#60;/script&#62;",
        "\\x3cscript\\x3ealert('{m}')\\x3c/script\\x3e",
        "\u202e{m} txet desrever \u202c and \ufeff zero width \u200d",
        "＜script＞alert('{m}')＜/script＞",
        "&amp;lt;b&amp;gt;{m}&amp;lt;/b&amp;gt; &nbsp; &copy;",
    ],
}

PAYLOADS: list[Payload] = [
    Payload(group, index, source)
    for index, (group, source) in enumerate(
        (group, source) for group, sources in _GROUPS.items() for source in sources
    )
]

TEMPLATE_PAYLOADS = [p for p in PAYLOADS if p.group == "template"]
