"""Renderers beyond DRF's JSON."""

from rest_framework.renderers import JSONRenderer


class FhirJSONRenderer(JSONRenderer):
    """FHIR R4's JSON media type (http://hl7.org/fhir/R4/http.html#mime-type).

    A view that answers FHIR resources lists it first, `renderer_classes =
    [FhirJSONRenderer, JSONRenderer]`: its answers, errors included, then carry
    `application/fhir+json` (or `application/json` for a client that asks for it), and the
    served schema documents the same media type, which a hard-coded `content_type=` on the
    Response does not do."""

    media_type = "application/fhir+json"
    format = "fhir"
