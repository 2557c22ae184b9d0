from django.http import FileResponse

from audit.models import AuditEvent
from audit.recorder import current_request, record

# Answers that refuse or hide something from a signed-in person. A 404 counts when the
# address named a page (another unit's object answers 404); a mistyped address is no refusal.
DENIED_STATUSES = {401, 403, 405}


class AuditMiddleware:
    """Makes the request known to what records during it, and records what only
    the answer shows: refusals (403; and 401, 405 and a page's 404 to signed-in
    people — another unit's object answers 404) and files handed out — stored
    files (FileResponse) as downloads, generated ones (an attachment or inline
    disposition) as exports."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            response = self.get_response(request)
            self._after(request, response)
            return response
        finally:
            current_request.reset(token)

    def _after(self, request, response):
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        status = response.status_code
        resolved = getattr(request, "resolver_match", None) is not None
        if status == 403 or (signed_in and (status in DENIED_STATUSES or (status == 404 and resolved))):
            record(AuditEvent.Kind.DENIED, request=request, detail={"status": status, **_view_of(request)})
        elif status == 200 and signed_in:
            disposition = response.get("Content-Disposition", "")
            if isinstance(response, FileResponse) or disposition:
                kind = AuditEvent.Kind.DOWNLOAD if isinstance(response, FileResponse) else AuditEvent.Kind.EXPORT
                record(
                    kind,
                    request=request,
                    detail={
                        "content_type": response.get("Content-Type", ""),
                        "disposition": disposition[:300],
                        **_view_of(request),
                    },
                )


def _view_of(request) -> dict:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return {}
    return {"view": match.view_name, "kwargs": {k: str(v) for k, v in match.kwargs.items()}}
