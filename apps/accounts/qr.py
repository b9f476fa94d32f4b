"""QR codes as inline SVG (segno), for a TOTP app's set-up link and a care-team invite."""

import segno
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def qr_svg(content: str, *, label: str, scale: int = 4) -> SafeString:
    """A QR code of `content` as an <svg> labelled for assistive technology. Only attributes,
    no inline styles: it renders under the portal's Content Security Policy."""
    svg = segno.make(content, error="m").svg_inline(
        scale=scale, dark="#000", light="#fff", svgclass="qr", lineclass=None, omitsize=True
    )
    return mark_safe(  # noqa: S308 - segno's own SVG; the label is escaped
        svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    )
