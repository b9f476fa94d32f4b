"""DRF's side of the FHIR export and of the episode report: content negotiation only
(fhir.py and report_pdf.py stay DRF-free)."""

from rest_framework.renderers import BaseRenderer, JSONRenderer

from .report_pdf import render_report_pdf


class FhirJsonRenderer(JSONRenderer):
    """Lets a FHIR client's `Accept: application/fhir+json` (the media type FHIR servers
    must accept) through DRF's content negotiation instead of a 406. The bundle is already
    JSON from fhir.resources; this renders only DRF's own answers, such as errors."""

    media_type = "application/fhir+json"
    format = "fhir"


class ReportPdfRenderer(BaseRenderer):
    """`Accept: application/pdf` or `?format=pdf` on the episode report: the report dict
    the view answers, drawn as a PDF by report_pdf.py (DRF-free). The view answers its
    errors in JSON whatever was asked (a PDF of an error envelope helps nobody)."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        return render_report_pdf(data)
