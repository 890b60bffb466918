"""Host names as a portfolio names them: validated, and brought to one form.

`normalise_host("ＷＷＷ.例子.中国.")` gives `www.xn--fsqu00a.xn--fiqs8s`: full-width characters
are folded (NFKC), upper case lowered, the trailing dot dropped, and an internationalised name
(IDN) written in its ASCII form (A-labels, IDNA 2008 with the UTS 46 mapping, through the `idna`
package). That is the form requests go out in (Scrapy and Chromium send A-labels), so a name given
in Unicode and its punycode are one site, and the host of a fetched URL compares equal to it.

Refused, each with a message that says why: URLs and ports, IP addresses, empty labels, labels
longer than 63 octets or names longer than 253, characters other than letters, digits and hyphens,
a hyphen at the start or end of a label, invalid punycode, a single-label name, an all-digit
top-level label (`example.123`), a top-level domain the Public Suffix List does not know, and a
bare public suffix (`com.cn`, `github.io`), which is no organisation's domain.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import idna

from crawler.net.domains import is_ip, public_suffix_parts

__all__ = ["MAX_LABEL", "MAX_NAME", "normalise_host"]

MAX_LABEL = 63  # octets per label (RFC 1035), A-label form
MAX_NAME = 253  # octets of a name without its trailing dot

# Label separators of IDNA (UTS 46): the ideographic full stop 。 of Chinese input methods among
# them. The full-width ． is folded by NFKC.
_DOTS = re.compile("[\u3002\uff61]")
_LDH = re.compile(r"^[a-z0-9-]+$")


@lru_cache(maxsize=65536)
def normalise_host(value: str, *, wildcard: bool = False) -> str:
    """The canonical form of a host name (see the module's docstring); ValueError says what is
    wrong with it. `wildcard`: `*.zone` (the zone and every host under it) is accepted too."""
    text = unicodedata.normalize("NFKC", str(value)).strip()
    text = _DOTS.sub(".", text).lower().rstrip(".")
    if "://" in text or "/" in text:
        raise ValueError(f"expected a host name such as example.cn, not a URL: {value!r}")
    if wildcard and text.startswith("*."):
        return "*." + normalise_host(text[2:])
    if not text:
        raise ValueError("empty host name")
    if is_ip(text):
        raise ValueError(f"{text} is an IP address, not a domain name (list sites by name; "
                         "--resolve NAME:ADDRESS sends a name to an address)")
    if ":" in text:
        raise ValueError(f"a host name has no port: {value!r}")
    labels = [_label(label, value) for label in text.split(".")]
    name = ".".join(labels)
    if len(name) > MAX_NAME:
        raise ValueError(f"the name is {len(name)} characters long (at most {MAX_NAME}): "
                         f"{_short(value)}")
    if len(labels) < 2:
        raise ValueError(f"{name} is a single label, not a domain such as example.cn")
    if labels[-1].isdigit():
        raise ValueError(f"{name}: the top-level label {labels[-1]!r} is all digits")
    domain, suffix = public_suffix_parts(name)
    if not suffix:
        raise ValueError(f"{name}: {labels[-1]!r} is not a top-level domain of the Public "
                         "Suffix List")
    if not domain:
        raise ValueError(f"{name} is a public suffix, not a domain (name the site under it, "
                         f"such as example.{name})")
    return name


def _label(label: str, value: str) -> str:
    """One label in A-label form, or ValueError naming the label and the rule it breaks."""
    if not label:
        raise ValueError(f"an empty label (two dots in a row, or a leading dot): {_short(value)}")
    if label.isascii():
        if len(label) > MAX_LABEL:
            raise ValueError(f"a label is {len(label)} characters long (at most {MAX_LABEL}): "
                             f"{_short(label)}")
        if not _LDH.match(label):
            raise ValueError(f"label {label!r} has a character other than letters, digits "
                             "and hyphens")
        if label.startswith("-") or label.endswith("-"):
            raise ValueError(f"label {label!r} starts or ends with a hyphen")
        if label[2:4] == "--" and not label.startswith("xn--"):
            raise ValueError(f"label {label!r} has hyphens in its 3rd and 4th places "
                             "(reserved for encoded labels such as xn--)")
        if label.startswith("xn--"):
            try:
                idna.decode(label)
            except (idna.IDNAError, UnicodeError) as exc:
                raise ValueError(f"label {label!r} is not a valid internationalised label "
                                 f"({exc})") from None
        return label
    try:
        encoded = idna.encode(label, uts46=True, std3_rules=True).decode("ascii")
    except (idna.IDNAError, UnicodeError) as exc:
        raise ValueError(f"label {label!r} is not a valid internationalised label "
                         f"(IDNA 2008: {exc})") from None
    if len(encoded) > MAX_LABEL:
        raise ValueError(f"label {label!r} is {len(encoded)} characters long once encoded "
                         f"(at most {MAX_LABEL})")
    return encoded


def _short(text: str, limit: int = 40) -> str:
    return repr(text) if len(text) <= limit else repr(text[: limit - 1] + "…")
