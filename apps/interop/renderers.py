"""DRF's side of the FHIR export: content negotiation only (fhir.py stays DRF-free)."""

from rest_framework.renderers import JSONRenderer


class FhirJsonRenderer(JSONRenderer):
    """Lets a FHIR client's `Accept: application/fhir+json` (the media type FHIR servers
    must accept) through DRF's content negotiation instead of a 406. The bundle is already
    JSON from fhir.resources; this renders only DRF's own answers, such as errors."""

    media_type = "application/fhir+json"
    format = "fhir"
