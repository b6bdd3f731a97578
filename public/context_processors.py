from django.http import HttpRequest


def canonical_url(request: HttpRequest) -> dict[str, str]:
    """The page's own address without its query string; list views override it (PublicListView)."""
    return {"canonical_url": request.build_absolute_uri(request.path)}
