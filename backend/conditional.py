"""ETags and 304s for reads an app repeats often (docs/api.md, Conventions).

`etagged` wraps a view's dispatch in Django's conditional GET: a GET answer gets an
`ETag` (a hash of the rendered body, so any change a client could see changes it), and a
request whose `If-None-Match` matches gets 304 with no body. Only GET and HEAD are
touched. The body is the caller's own, so one client's ETag never matches another's data.
"""

from django.utils.decorators import method_decorator
from django.views.decorators.http import conditional_page
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

etagged = method_decorator(conditional_page, name="dispatch")

IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag of an earlier answer: 304 (no body) when nothing changed.",
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200],
    description="Send it back as If-None-Match.",
)
CONDITIONAL_PARAMETERS = [IF_NONE_MATCH, ETAG]
NOT_MODIFIED = {304: OpenApiResponse(description="Not modified since the ETag sent.")}
